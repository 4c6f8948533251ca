/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Monitor-side operations on an end page: the only writes the monitor makes.
 * The monitor writes a page only while its owner is not running, so these
 * do not race with the owner; they do race with the peer, which reads the
 * page at any time (hence the release stores and the wakes).
 */
#include <limits.h>
#include <string.h>

#include "ipc/internal.h"

/* Who: the monitor, on a fresh zeroed page, before any PD maps it. */
void ipc_end_init(struct ipc_end *e)
{
	memset(e, 0, sizeof(*e));
	e->magic = IPC_END_MAGIC;
	e->version = IPC_VERSION;
	e->life = 0; /* down, epoch 0: ppcalls fail until ipc_end_up */
}

/* Who: the monitor, while the owner is not running, before starting it.
 * Counters are kept (abi.h: restarts) so the peer's private seen-copies stay
 * meaningful; the owner's call of its previous incarnation is voided
 * (call_life 0 never matches a callee's life, so no callee runs it) and its
 * payload cleared.  The reply payload is kept with reply_seq: a caller may
 * have seen reply_seq equal its call and not yet copied the reply, and a
 * callee that replied and then died still delivers its reply (ipc.h).  The
 * life store is a release that pairs with the peer's acquire of life in
 * ipc_call and ipc_poll; the event bump and wake make a sleeping peer
 * notice. */
void ipc_end_up(struct ipc_end *e)
{
	STORE_RELAXED(&e->waiting, 0);
	STORE_RELAXED(&e->call_life, 0);
	memset(e->call_mr, 0, sizeof(e->call_mr));
	STORE_RELAXED(&e->call_info, 0);
	/* The page may have been scribbled by a hostile previous incarnation:
	 * restore the monitor's words. */
	STORE_RELAXED(&e->magic, IPC_END_MAGIC);
	STORE_RELAXED(&e->version, IPC_VERSION);
	uint32_t epoch = IPC_LIFE_EPOCH(LOAD_RELAXED(&e->life)) + 1;
	if (epoch > (UINT32_MAX >> 1))
		epoch = 1;
	STORE_RELEASE(&e->life, (epoch << 1) | IPC_LIFE_UP);
	bump_release(&e->event);
	FENCE_SEQ_CST();
	ipc_os_wake(&e->event);
	ipc_os_wake(&e->life);
}

/* Who: the monitor, after the owner stopped running (pidfd said it exited).
 * A caller blocked in ipc_call sleeps on {reply_seq, life}; an event loop on
 * event (or life, for a broken channel): wake them all.  The fence orders the
 * stores before the wakes' reads of the futex words in the kernel. */
void ipc_end_down(struct ipc_end *e)
{
	uint32_t life = LOAD_RELAXED(&e->life);
	STORE_RELEASE(&e->life, life & ~IPC_LIFE_UP);
	bump_release(&e->event);
	FENCE_SEQ_CST();
	ipc_os_wake(&e->event);
	ipc_os_wake(&e->reply_seq);
	ipc_os_wake(&e->life);
}
