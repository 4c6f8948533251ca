/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Peer events and queues across a restart.  By name:
 *
 *   src   sends three queue messages to sink in init(), then reports every
 *         peer_down/peer_up it gets for sink.
 *   sink  on its first run receives nothing (it records, in a memory region
 *         that survives restarts, that it ran); on later runs it drains the
 *         queue, so what src sent before the kill reaches the next
 *         incarnation.
 */
#include <cordon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CH 0

uintptr_t state_vaddr; /* setvar_vaddr: the "state" region */

void init(void)
{
	if (!strcmp(cordon_name(), "src")) {
		char msg[32];
		for (int i = 1; i <= 3; i++) {
			int n = snprintf(msg, sizeof(msg), "message %d", i);
			int rc = cordon_queue_send(CH, msg, (size_t)n);
			if (rc < 0)
				cordon_dbg_printf("src: send %d failed: %d\n", i, rc);
		}
		cordon_dbg_puts("src: sent 3\n");
		return;
	}
	volatile uint32_t *runs = (volatile uint32_t *)state_vaddr;
	if ((*runs)++ == 0)
		cordon_dbg_puts("sink: first run, holding the queue\n");
	else
		notified(CH);
}

void notified(cordon_channel ch)
{
	volatile uint32_t *runs = (volatile uint32_t *)state_vaddr;
	char buf[64];
	ssize_t n;
	if (strcmp(cordon_name(), "sink") || *runs < 2)
		return;
	while ((n = cordon_queue_recv(ch, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		cordon_dbg_printf("sink: got \"%s\"\n", buf);
	}
}

void peer_down(cordon_channel ch)
{
	cordon_dbg_printf("%s: peer down on channel %u\n", cordon_name(), ch);
}

void peer_up(cordon_channel ch)
{
	cordon_dbg_printf("%s: peer up on channel %u\n", cordon_name(), ch);
}
