/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A channel as one end sees it: setup, start after a (re)start, polling for
 * notifications and life changes, and the broken state.
 */
#include <errno.h>
#include <string.h>

#include "ipc/internal.h"

/* Who: the owner thread, before anything else on ch.  Reads nothing shared. */
int ipc_chan_init(struct ipc_chan *ch, uint32_t id, uint32_t flags, struct ipc_end *own,
                  const struct ipc_end *peer, uint8_t *txq, uint32_t txq_size, const uint8_t *rxq,
                  uint32_t rxq_size)
{
	if (id >= IPC_MAX_CHANNELS || !own || !peer || own == peer)
		return -EINVAL;
	if ((flags & IPC_CH_TX_QUEUE) && (!txq || !ipc_ring_size_ok(txq_size)))
		return -EINVAL;
	if ((flags & IPC_CH_RX_QUEUE) && (!rxq || !ipc_ring_size_ok(rxq_size)))
		return -EINVAL;
	memset(ch, 0, sizeof(*ch));
	ch->id = id;
	ch->flags = flags;
	ch->own = own;
	ch->peer = peer;
	if (flags & IPC_CH_TX_QUEUE) {
		ch->txq = txq;
		ch->txq_size = txq_size;
	}
	if (flags & IPC_CH_RX_QUEUE) {
		ch->rxq = rxq;
		ch->rxq_size = rxq_size;
	}
	return 0;
}

/* Who: the owner thread, once per start of this PD, before ipc_poll.
 * Our own counters survive our restart (abi.h), so we continue from them;
 * only indices a hostile or dying previous incarnation left inconsistent
 * are repaired, by adopting the peer's (dropping what is in between).  The
 * release bump of event pairs with the peer's acquire in ipc_poll: a peer
 * that broke on our old indices re-validates and heals. */
void ipc_chan_start(struct ipc_chan *ch)
{
	struct ipc_end *own = ch->own;
	const struct ipc_end *peer = ch->peer;

	ch->seen_life = LOAD_ACQUIRE(&peer->life);
	ch->seen_event = LOAD_ACQUIRE(&peer->event);
	/* seen_notify stays 0: a notification sent while we were down must
	 * not be lost, so a restarted PD may get one spurious notified(). */
	ch->seen_notify = 0;
	/* Calls up to our last reply are done.  A later one may be addressed
	 * to our previous incarnation; ipc_take_call checks its call_life. */
	ch->seen_call = LOAD_RELAXED(&own->reply_seq);
	ch->tx_head = LOAD_RELAXED(&own->queue_head);
	ch->rx_tail = LOAD_RELAXED(&own->queue_tail);
	/* A previous incarnation may have died with queue edges unchecked
	 * (ipc/queue.c batches them): the first flush checks them again.  The
	 * tx check notifies if the consumer has not taken everything; rx_tail
	 * + 1 never equals rx_tail, so the first fenced want_space check is
	 * due at once. */
	ch->tx_flushed = ch->tx_head;
	ch->rx_answered = ch->rx_tail + 1;

	if (ch->txq) {
		uint64_t t = LOAD_ACQUIRE(&peer->queue_tail);
		if (!indices_ok(ch->tx_head, t, ch->txq_size) && (t & 7) == 0) {
			ch->tx_head = t;
			STORE_RELEASE(&own->queue_head, t);
		}
		if (indices_ok(ch->tx_head, t, ch->txq_size))
			ch->tx_flushed = t;
	}
	if (ch->rxq) {
		uint64_t h = LOAD_ACQUIRE(&peer->queue_head);
		if (!indices_ok(h, ch->rx_tail, ch->rxq_size) && (h & 7) == 0) {
			ch->rx_tail = h;
			STORE_RELEASE(&own->queue_tail, h);
		}
	}
	bump_release(&own->event);
	FENCE_SEQ_CST(); /* store-buffer pattern with the peer's `waiting` */
	if (LOAD_RELAXED(&peer->waiting))
		ipc_os_wake(&own->event);
}

/* Who: ipc/ code of the owner thread, on finding a violation.  The first
 * reason is kept; broken_life records the incarnation that broke it. */
bool ipc_break(struct ipc_chan *ch, const char *what)
{
	if (!ch->broken) {
		ch->broken = true;
		ch->broken_life = LOAD_RELAXED(&ch->peer->life);
		ch->broken_what = what;
		ch->broken_count++;
	}
	return false;
}

/* Who: the owner thread.  The peer's words that can be checked without
 * consuming anything: magic, version and the queue indices. */
bool ipc_peer_valid(struct ipc_chan *ch)
{
	const struct ipc_end *peer = ch->peer;

	if (LOAD_RELAXED(&peer->magic) != IPC_END_MAGIC ||
	    LOAD_RELAXED(&peer->version) != IPC_VERSION)
		return false;
	if (ch->rxq && !indices_ok(LOAD_ACQUIRE(&peer->queue_head), ch->rx_tail, ch->rxq_size))
		return false;
	if (ch->txq && !indices_ok(ch->tx_head, LOAD_ACQUIRE(&peer->queue_tail), ch->txq_size))
		return false;
	return true;
}

/* Who: the owner thread.  event is read first (acquire, pairs with the
 * release bump in the peer's ipc_notify / ipc_call / the monitor's
 * ipc_end_down): everything the peer published before that bump is then
 * visible to the reads below, and anything it publishes later bumps event
 * again, which ipc_wait_any compares against seen_event. */
unsigned ipc_poll(struct ipc_chan *ch)
{
	const struct ipc_end *peer = ch->peer;
	unsigned ev = 0;

	ch->seen_event = LOAD_ACQUIRE(&peer->event);
	uint32_t life = LOAD_ACQUIRE(&peer->life);
	if (life != ch->seen_life) {
		ch->seen_life = life;
		ev |= IPC_EV_LIFE;
	}
	if (ch->broken) {
		/* Heal only after the monitor restarted the peer and its page
		 * makes sense again; never because the peer tidied up. */
		if (life == ch->broken_life || !ipc_peer_valid(ch))
			return ev;
		ch->broken = false;
		ch->broken_what = NULL;
		ipc_queue_rx_resync(ch);
		ev |= IPC_EV_HEALED;
	}
	if (LOAD_RELAXED(&peer->magic) != IPC_END_MAGIC ||
	    LOAD_RELAXED(&peer->version) != IPC_VERSION) {
		ipc_break(ch, "peer end page: bad magic or version");
		return ev | IPC_EV_BROKEN;
	}
	uint32_t n = LOAD_ACQUIRE(&peer->notify_seq);
	if (n != ch->seen_notify) {
		ch->seen_notify = n;
		ev |= IPC_EV_NOTIFY;
	}
	return ev;
}

/* Who: anyone holding ch.  Advisory: the peer can write its own life word. */
bool ipc_peer_up(const struct ipc_chan *ch)
{
	return (LOAD_ACQUIRE(&ch->peer->life) & IPC_LIFE_UP) != 0;
}
