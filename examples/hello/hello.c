/* SPDX-License-Identifier: BSD-2-Clause */
/* hello: the smallest protection domain.  Two PDs in hello.system run this
 * same image; each greets with its own name and then waits for events that
 * never come, until the monitor stops the system. */
#include <cordon.h>

void init(void)
{
	cordon_dbg_printf("hello, world, from the protection domain '%s'\n", cordon_name());
}
