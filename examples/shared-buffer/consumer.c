/* SPDX-License-Identifier: BSD-2-Clause */
/* consumer: reads what producer left in the shared region (mapped
 * read-only here) and notifies it back. */
#include <cordon.h>
#include <string.h>

#define PRODUCER 1

uintptr_t buffer_vaddr;

void init(void)
{
	cordon_dbg_puts("consumer: waiting\n");
}

void notified(cordon_channel ch)
{
	if (ch != PRODUCER)
		return;
	char copy[256];
	/* The region is shared with another PD: copy, then terminate. */
	memcpy(copy, (const void *)buffer_vaddr, sizeof(copy));
	copy[sizeof(copy) - 1] = '\0';
	cordon_dbg_printf("consumer: read \"%s\"\n", copy);
	cordon_notify(PRODUCER);
}
