/* SPDX-License-Identifier: BSD-2-Clause */
/* producer: writes messages into a memory region it shares with consumer
 * and notifies it; waits for consumer's notification before the next. */
#include <cordon.h>
#include <stdio.h>

#define CONSUMER 1
#define MESSAGES 3

uintptr_t buffer_vaddr; /* set by libcordon before init(), from setvar_vaddr */
static unsigned sent;

static void produce(void)
{
	snprintf((char *)buffer_vaddr, 256, "message %u from %s", sent + 1, cordon_name());
	sent++;
	cordon_notify(CONSUMER);
}

void init(void)
{
	cordon_dbg_printf("producer: buffer at %#lx\n", (unsigned long)buffer_vaddr);
	produce();
}

void notified(cordon_channel ch)
{
	if (ch == CONSUMER && sent < MESSAGES)
		produce();
	else if (ch == CONSUMER)
		cordon_dbg_puts("producer: all messages consumed\n");
}
