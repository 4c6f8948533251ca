/* SPDX-License-Identifier: BSD-2-Clause */
/* The shape of Microkit's hierarchy example: a parent whose fault() handler
 * restarts a crashing child a few times, then stops it, written as
 * Microkit's restarter.c is (seL4_MessageInfo_t, seL4_Bool, microkit_pd_*).
 * The third fault is answered by leaving the child stopped and resuming it
 * with microkit_pd_resume; the fourth stops it for good. */
#include <stdint.h>
#include <microkit.h>

static seL4_Uint8 faults;

void init(void)
{
	microkit_dbg_puts("restarter: starting\n");
}

void notified(microkit_channel ch)
{
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
	seL4_MessageInfo_t info = msginfo;

	faults++;
	microkit_dbg_puts("restarter: fault ");
	microkit_dbg_put8(faults);
	microkit_dbg_puts(" from child ");
	microkit_dbg_put8((seL4_Uint8)child);
	microkit_dbg_puts(", label ");
	microkit_dbg_put32((seL4_Uint32)seL4_MessageInfo_get_label(info));
	microkit_dbg_puts("\n");
	*reply_msginfo = seL4_MessageInfo_new(0, 0, 0, 0);
	if (faults < 3) {
		microkit_pd_restart(child, 0x200000);
		microkit_dbg_puts("restarter: restarted\n");
	} else if (faults == 3) {
		microkit_pd_resume(child);
		microkit_dbg_puts("restarter: resumed\n");
	} else {
		microkit_pd_stop(child);
		microkit_dbg_puts("restarter: too many faults, child stopped\n");
	}
	return seL4_False;
}
