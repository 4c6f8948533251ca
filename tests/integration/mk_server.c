/* SPDX-License-Identifier: BSD-2-Clause */
/* The server side of the Microkit compatibility test, also written only
 * against Microkit's API. */
#include <stdint.h>
#include <microkit.h>

#define CLIENT 5

uintptr_t shared_vaddr;

void init(void)
{
	microkit_dbg_puts(microkit_name);
	microkit_dbg_puts(": init\n");
}

void notified(microkit_channel ch)
{
	if (ch != CLIENT)
		return;
	microkit_dbg_puts("server: notified, shared[0]=");
	microkit_dbg_putc(((volatile char *)shared_vaddr)[0]);
	microkit_dbg_puts("\n");
	microkit_notify(CLIENT);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
	if (ch != CLIENT || microkit_msginfo_get_label(msginfo) != 7 ||
	    microkit_msginfo_get_count(msginfo) != 2)
		return microkit_msginfo_new(99, 0);
	microkit_mr_set(0, microkit_mr_get(0) + microkit_mr_get(1));
	return microkit_msginfo_new(8, 1);
}
