/* SPDX-License-Identifier: BSD-2-Clause */
/* A child that faults as soon as it starts, as Microkit's hierarchy
 * example's crashing child.  It counts its starts in a global: the count
 * starts again at 1 after each restart on Cordon (a restart is a new
 * process), where on seL4 the global would keep counting. */
#include <stdint.h>
#include <microkit.h>

static seL4_Uint32 starts;

void init(void)
{
	starts++;
	microkit_dbg_puts("crasher: start, my global count is ");
	microkit_dbg_put32(starts);
	microkit_dbg_puts("\n");
	*(volatile int *)0 = 0;
}

void notified(microkit_channel ch)
{
}
