/* SPDX-License-Identifier: BSD-2-Clause */
/* The client of mk_passive_server, written against Microkit's API. */
#include <stdint.h>
#include <microkit.h>

#define SERVER 1

void init(void)
{
	microkit_mr_set(0, 21);
	microkit_msginfo reply = microkit_ppcall(SERVER, microkit_msginfo_new(0, 1));
	microkit_dbg_puts("CLIENT|INFO: label ");
	microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(reply));
	microkit_dbg_puts(" count ");
	microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_count(reply));
	microkit_dbg_puts(" mr0 ");
	microkit_dbg_put32((seL4_Uint32)microkit_mr_get(0));
	microkit_dbg_puts(" mr119 ");
	microkit_dbg_put32((seL4_Uint32)microkit_mr_get(119));
	microkit_dbg_puts("\n");
}

void notified(microkit_channel ch)
{
}
