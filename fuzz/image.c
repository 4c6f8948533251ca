/* SPDX-License-Identifier: BSD-2-Clause */
/* A stand-in program image for fuzz-sdf's descriptions: a real ELF for this
 * machine with the symbols the seeds (and sdf.dict) name in setvar_vaddr.
 * Only inspected by sdf_load, never run. */
#include <stdint.h>

uintptr_t buffer_vaddr; /* setvar_vaddr targets: 8-byte objects */
uintptr_t other_vaddr;
uintptr_t samples;
uintptr_t shared_vaddr;
volatile int small_variable;  /* wrong size for setvar_vaddr */
const uintptr_t ro_vaddr = 1; /* in a read-only segment */

int main(void)
{
	return (int)(buffer_vaddr + other_vaddr + shared_vaddr + samples + ro_vaddr) +
	       small_variable;
}
