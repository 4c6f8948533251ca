/* SPDX-License-Identifier: BSD-2-Clause */
/* The shape of Microkit's passive_server example: a passive server that
 * runs only on its client's calls, reads the argument with seL4_GetMR and
 * builds its reply with seL4_SetMR and seL4_MessageInfo_new, as Microkit's
 * own server.c does. */
#include <stdint.h>
#include <microkit.h>

#define CLIENT 0

void init(void)
{
	microkit_dbg_puts("SERVER|INFO: init function running\n");
}

void notified(microkit_channel ch)
{
	microkit_dbg_puts("SERVER|ERROR: unexpected notification!\n");
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
	if (ch != CLIENT || seL4_MessageInfo_get_length(msginfo) != 1)
		return seL4_MessageInfo_new(seL4_InvalidArgument, 0, 0, 0);
	seL4_Word x = seL4_GetMR(0);
	seL4_SetMR(0, x * 2);
	seL4_SetMR(seL4_MsgMaxLength - 1, x + 1); /* the last register seL4 has */
	return seL4_MessageInfo_new(seL4_NoError, 0, 0, seL4_MsgMaxLength);
}
