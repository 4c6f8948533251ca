/* SPDX-License-Identifier: BSD-2-Clause */
/* ping: sends notifications to pong and counts the ones that come back,
 * then makes protected calls carrying data in message registers. */
#include <cordon.h>

#define PONG   0 /* our end of the channel to pong */
#define ROUNDS 3

static unsigned rounds;

void init(void)
{
	cordon_dbg_puts("ping: notifying pong\n");
	cordon_notify(PONG);
}

void notified(cordon_channel ch)
{
	if (ch != PONG)
		return;
	rounds++;
	cordon_dbg_printf("ping: notification %u back from pong\n", rounds);
	if (rounds < ROUNDS) {
		cordon_notify(PONG);
		return;
	}
	/* Now a protected call: add four numbers in pong. */
	for (unsigned i = 0; i < 4; i++)
		cordon_mr_set(i, 10 * (i + 1));
	cordon_msginfo reply = cordon_ppcall(PONG, cordon_msginfo_new(1, 4));
	cordon_dbg_printf("ping: ppcall replied label %llu, sum %llu\n",
	                  (unsigned long long)cordon_msginfo_get_label(reply),
	                  (unsigned long long)cordon_mr_get(0));
}
