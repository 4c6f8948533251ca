/* SPDX-License-Identifier: BSD-2-Clause */
/* A component written only against Microkit's API: it must build with
 * cordon.pc and run unchanged.  It notifies the server, and when notified
 * back makes a protected call and checks the answer. */
#include <stdint.h>
#include <microkit.h>

#define SERVER 3

uintptr_t shared_vaddr;

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;
	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	microkit_dbg_puts(&buf[i]);
}

void init(void)
{
	microkit_dbg_puts(microkit_name);
	microkit_dbg_puts(": init\n");
	((volatile char *)shared_vaddr)[0] = 'M';
	microkit_notify(SERVER);
}

void notified(microkit_channel ch)
{
	if (ch != SERVER)
		return;
	microkit_mr_set(0, 41);
	microkit_mr_set(1, 1);
	microkit_msginfo reply = microkit_ppcall(SERVER, microkit_msginfo_new(7, 2));
	microkit_dbg_puts("client: label ");
	put_dec(microkit_msginfo_get_label(reply));
	microkit_dbg_puts(" count ");
	put_dec(microkit_msginfo_get_count(reply));
	microkit_dbg_puts(" mr0 ");
	put_dec(microkit_mr_get(0));
	microkit_dbg_puts("\n");
}
