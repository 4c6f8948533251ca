/* SPDX-License-Identifier: BSD-2-Clause */
/* A stand-in program image for the sdf fixtures: a real ELF for this
 * machine with the symbols the fixtures name in setvar_vaddr. */
#include <stdint.h>

uintptr_t buffer_vaddr;      /* setvar_vaddr target: 8-byte object */
uintptr_t other_vaddr;       /* a second one */
uintptr_t samples;           /* docs/system-description.md's example */
uintptr_t shared_vaddr;      /* tests/integration/microkit.system */
volatile int small_variable; /* wrong size for setvar_vaddr */

int main(void)
{
	return (int)(buffer_vaddr + other_vaddr + shared_vaddr + samples) + small_variable;
}
