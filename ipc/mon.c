/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor page (abi.h, struct ipc_mon): both sides of its one word.
 * The monitor is its only writer; the PD maps it read-only and trusts
 * nothing in it but that `event` changed.
 */
#include <string.h>

#include "ipc/internal.h"

/* Who: the monitor, on a fresh page, before the PD maps it. */
void ipc_mon_init(struct ipc_mon *m)
{
	memset(m, 0, sizeof(*m));
	m->magic = IPC_MON_MAGIC;
	m->version = IPC_VERSION;
}

/* Who: the monitor, after it queued a message on the PD's ctl socket.  The
 * release bump pairs with the PD's acquire in ipc_mon_event, so a PD that
 * sees the new value finds the message queued; the fence orders the bump
 * before the wake's read of the word in the kernel.  No `waiting`
 * handshake: the monitor wakes every time (it sends rarely). */
void ipc_mon_tell(struct ipc_mon *m)
{
	bump_release(&m->event);
	FENCE_SEQ_CST();
	ipc_os_wake(&m->event);
}

/* Who: the PD (libcordon's loop, the NIF's waiter thread). */
uint32_t ipc_mon_event(const struct ipc_mon *m)
{
	return LOAD_ACQUIRE(&m->event);
}

/* Who: the PD, building its wait set. */
void ipc_mon_wait_word(const struct ipc_mon *m, uint32_t seen, const uint32_t **word,
                       uint32_t *expect)
{
	*word = &m->event;
	*expect = seen;
}
