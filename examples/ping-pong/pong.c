/* SPDX-License-Identifier: BSD-2-Clause */
/* pong: answers every notification with one of its own, and serves
 * protected calls that add up their message registers. */
#include <cordon.h>

#define PING 0

void init(void)
{
	cordon_dbg_puts("pong: ready\n");
}

void notified(cordon_channel ch)
{
	cordon_notify(ch);
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	if (ch != PING || cordon_msginfo_get_label(msg) != 1)
		return cordon_msginfo_new(0xbad, 0);
	uint64_t sum = 0;
	for (unsigned i = 0; i < cordon_msginfo_get_count(msg); i++)
		sum += cordon_mr_get(i);
	cordon_dbg_printf("pong: adding %u registers\n", cordon_msginfo_get_count(msg));
	cordon_mr_set(0, sum);
	return cordon_msginfo_new(2, 1);
}
