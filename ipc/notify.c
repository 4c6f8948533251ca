/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Notifications: a counter and an event word in the sender's own page.
 * Coalescing is inherent: the receiver compares notify_seq with its private
 * copy, so any number of notifies between two polls deliver one notified().
 */
#include "ipc/internal.h"

/* Who: the owner thread of ch (the sender).  The release bump of event pairs
 * with the acquire of event in the peer's ipc_poll; notify_seq is stored
 * before it so the peer sees it once it sees the new event.  The seq_cst
 * fence is the waker's half of the `waiting` handshake (ipc/wait.c). */
void ipc_notify(struct ipc_chan *ch)
{
	struct ipc_end *own = ch->own;

	STORE_RELAXED(&own->notify_seq, LOAD_RELAXED(&own->notify_seq) + 1);
	bump_release(&own->event);
	FENCE_SEQ_CST();
	if (LOAD_RELAXED(&ch->peer->waiting))
		ipc_os_wake(&own->event);
}
