/* SPDX-License-Identifier: BSD-2-Clause */
/* Two roles, chosen by PD name: "callee" takes a protected call and never
 * returns from it; "caller" calls it and reports how the call ended. */
#include <cordon.h>
#include <string.h>
#include <time.h>

#define PEER 0

void init(void)
{
	if (strcmp(cordon_name(), "caller"))
		return;
	cordon_mr_set(0, 1);
	cordon_msginfo r = cordon_ppcall(PEER, cordon_msginfo_new(1, 1));
	cordon_dbg_printf("caller: ppcall returned, peer down: %s, count %u\n",
	                  cordon_msginfo_get_label(r) == CORDON_LABEL_PEER_DOWN ? "yes" : "no",
	                  cordon_msginfo_get_count(r));
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	cordon_dbg_puts("callee: in protected, never returning\n");
	for (;;) {
		struct timespec t = {3600, 0};
		nanosleep(&t, NULL);
	}
}
