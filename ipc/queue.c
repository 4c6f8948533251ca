/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Message queues: single-producer single-consumer rings of byte records.
 *
 *   head: producer's own->queue_head, bytes ever published (release store)
 *   tail: consumer's own->queue_tail, bytes ever consumed  (release store)
 *
 * Both are free-running 64-bit counts, so 0 <= head - tail <= size always
 * holds for honest peers; the ring offset is count & (size - 1).  Records are
 * [u32 len][u32 reserved][payload padded to 8]; a record never wraps: the
 * producer writes an IPC_QUEUE_WRAP marker and continues at offset 0.
 *
 * Wake-ups use the channel's notification, and are sent only on the edges.
 * Each edge check needs a seq_cst fence after an index store (the
 * store-buffer pattern of ipc/wait.c), and a fence waits for the store
 * buffer to drain: per message it would cost a cross-core round trip.  So
 * the checks are batched, and the fences at both ends stay paired:
 *
 *  - producer -> consumer when the queue may have been empty.  The consumer,
 *    before reporting empty, has stored tail, fenced and re-read head.  The
 *    producer stores head per message without a fence; at an edge check
 *    (ipc_queue_flush, a send that finds the queue full, or every eighth of
 *    the ring) it fences and reads tail.  Let F be head at the previous
 *    check and H now.  A consumer that reported empty at tail T read a head
 *    of T, so either it read H (T == H: it has everything) or, by the
 *    pattern, our read sees its tail T.  T < F cannot be new: it would have
 *    read a head before F, so the check at F saw it.  Hence notifying when
 *    F <= tail < H misses no consumer that sleeps on an empty queue.
 *  - consumer -> producer when the producer waits for space: the producer
 *    bumps want_space, fences, re-reads tail; the consumer stores tail and,
 *    before it sleeps or gives up the CPU (empty, ipc_queue_flush) or after
 *    freeing half the ring, fences and reads want_space.  Same pattern: a
 *    producer that found the queue full after our store is seen by the
 *    fenced read that follows it.  Between fences the consumer also peeks at
 *    want_space (no fence; it shares a cache line with head, which it reads
 *    anyway) once half the ring is free, so a waiting producer usually
 *    hears sooner; the fenced checks are what guarantee it.
 *
 * ipc_wait_any* flushes every channel it waits on, so neither end can sleep
 * with a check pending; libcordon also flushes after each entry point.
 */
#include <string.h>

#include "ipc/internal.h"

static inline uint64_t round8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* Who: anyone.  Half the ring less a header: at any offset a record of at
 * most size/2 bytes fits either before the end or, after a wrap, at 0. */
size_t ipc_queue_max_msg(uint32_t ring_size)
{
	return ring_size >= 16 ? ring_size / 2 - IPC_QUEUE_HDR : 0;
}

/* Who: the producer, after a seq_cst fence that follows its last store of
 * head (pairs with the fence the consumer makes before it reports empty).
 * tail was read after that fence.  Notify when the consumer had taken
 * everything up to the previous check (F <= tail < H, see the top of the
 * file).  tail is hostile: a wrong one costs at most a notification. */
static void tx_edge(struct ipc_chan *ch, uint64_t tail)
{
	uint64_t f = ch->tx_flushed, h = ch->tx_head;

	ch->tx_flushed = h;
	if (tail - f < h - f)
		ipc_notify(ch);
}

/* Who: the producer (owner thread of an end with IPC_CH_TX_QUEUE).  The
 * acquire loads of the consumer's tail pair with its release store in
 * ipc_queue_recv (it finished reading the bytes we are about to reuse); the
 * release store of head pairs with its acquire load of head. */
int ipc_queue_send(struct ipc_chan *ch, const void *buf, size_t len)
{
	struct ipc_end *own = ch->own;
	const struct ipc_end *peer = ch->peer;

	if (!ch->txq)
		return IPC_EQ_NOQUEUE;
	if (ch->broken)
		return IPC_EQ_BROKEN;
	uint32_t size = ch->txq_size;
	if (len == 0 || len > ipc_queue_max_msg(size))
		return IPC_EQ_TOOBIG;

	uint64_t old_head = ch->tx_head;
	uint64_t off = old_head & (size - 1);
	uint64_t rec = IPC_QUEUE_HDR + round8(len);
	uint64_t pad = rec > size - off ? size - off : 0;

	uint64_t tail = LOAD_ACQUIRE(&peer->queue_tail);
	if (!indices_ok(old_head, tail, size)) {
		ipc_break(ch, "tx queue: consumer's tail out of range");
		return IPC_EQ_BROKEN;
	}
	if (size - (old_head - tail) < pad + rec) {
		uint32_t want = LOAD_RELAXED(&own->queue_want_space) + 1;
		STORE_RELAXED(&own->queue_want_space, want ? want : 1);
		FENCE_SEQ_CST(); /* pairs with the consumer's fence before it
		                    reads want_space; also an edge check */
		tail = LOAD_ACQUIRE(&peer->queue_tail);
		if (!indices_ok(old_head, tail, size)) {
			ipc_break(ch, "tx queue: consumer's tail out of range");
			return IPC_EQ_BROKEN;
		}
		tx_edge(ch, tail); /* the consumer must drain to make room */
		if (size - (old_head - tail) < pad + rec)
			return ipc_peer_up(ch) ? IPC_EQ_FULL : IPC_EQ_DOWN;
	}

	uint8_t *ring = ch->txq;
	if (pad) {
		STORE_RELAXED((uint32_t *)(ring + off), IPC_QUEUE_WRAP);
		off = 0;
	}
	STORE_RELAXED((uint32_t *)(ring + off), (uint32_t)len);
	STORE_RELAXED((uint32_t *)(ring + off + 4), 0u);
	memcpy(ring + off + IPC_QUEUE_HDR, buf, len);
	/* Zero the padding: the ring shows the consumer nothing we did not mean. */
	memset(ring + off + IPC_QUEUE_HDR + len, 0, rec - IPC_QUEUE_HDR - len);

	uint64_t head = old_head + pad + rec;
	ch->tx_head = head;
	STORE_RELEASE(&own->queue_head, head);
	/* Bound how long a consumer that went to sleep on an empty queue can
	 * miss a stream of messages: an edge check every eighth of the ring. */
	if (head - ch->tx_flushed >= size / 8) {
		FENCE_SEQ_CST(); /* producer's half of the empty -> non-empty handshake */
		tx_edge(ch, LOAD_ACQUIRE(&peer->queue_tail));
	}
	return 0;
}

/* Who: the consumer, after storing its tail.  Notify a producer that asked
 * for space, once per request (its want_space counter).  fenced: a seq_cst
 * fence came between our last tail store and this read (pairs with the
 * producer's fence after it bumps want_space), so no request made before
 * that store can be missed; without it this is only a peek. */
static void answer_want_space(struct ipc_chan *ch, bool fenced)
{
	if (fenced)
		ch->rx_answered = ch->rx_tail;
	uint32_t want = LOAD_RELAXED(&ch->peer->queue_want_space);
	if (want != 0 && want != ch->seen_want) {
		ch->seen_want = want;
		ipc_notify(ch);
	}
}

/* Who: the consumer, after storing a tail that freed space; used: bytes
 * still published after it.  A producer that waits for space hears once
 * half the ring is free (peek) and, for sure, after each half ring freed
 * (fenced), when the queue is drained or at the next flush. */
static void rx_freed(struct ipc_chan *ch, uint64_t used)
{
	uint32_t half = ch->rxq_size / 2;

	if (ch->rx_tail - ch->rx_answered >= half) {
		FENCE_SEQ_CST();
		answer_want_space(ch, true);
	} else if (used <= half) {
		answer_want_space(ch, false);
	}
}

static ssize_t rx_broken(struct ipc_chan *ch, const char *what)
{
	ipc_break(ch, what);
	return IPC_EQ_BROKEN;
}

/* The record at ring offset of tail, with avail (>= 1) bytes published
 * after it.  Sets *len (the payload length; IPC_QUEUE_WRAP for a wrap
 * marker) and *adv (bytes to advance the tail), or returns what is wrong
 * with it.  The length word is read once. */
static const char *record_at(const uint8_t *ring, uint32_t size, uint64_t tail, uint64_t avail,
                             uint32_t *len, uint64_t *adv)
{
	uint64_t off = tail & (size - 1);

	if (avail < IPC_QUEUE_HDR)
		return "rx queue: partial record header";
	*len = LOAD_RELAXED((const uint32_t *)(ring + off));
	if (*len == IPC_QUEUE_WRAP) {
		*adv = size - off;
		if (off == 0)
			return "rx queue: wrap marker at offset 0";
		if (*adv > avail)
			return "rx queue: wrap marker beyond head";
		return NULL;
	}
	if (*len == 0 || *len > size - IPC_QUEUE_HDR)
		return "rx queue: record length out of range";
	*adv = IPC_QUEUE_HDR + round8(*len);
	if (*adv > size - off)
		return "rx queue: record runs past the end of the ring";
	if (*adv > avail)
		return "rx queue: record runs past head";
	return NULL;
}

/* Who: the consumer (owner thread of an end with IPC_CH_RX_QUEUE).  The
 * acquire loads of head pair with the producer's release store in
 * ipc_queue_send; the release store of tail pairs with its acquire loads
 * (our reads of the record happen before it may overwrite them).  Every
 * ring byte is hostile: the length is read once and checked before use. */
ssize_t ipc_queue_recv(struct ipc_chan *ch, void *buf, size_t cap)
{
	struct ipc_end *own = ch->own;
	const struct ipc_end *peer = ch->peer;

	if (!ch->rxq)
		return IPC_EQ_NOQUEUE;
	if (ch->broken)
		return IPC_EQ_BROKEN;
	uint32_t size = ch->rxq_size;
	const uint8_t *ring = ch->rxq;
	uint64_t tail = ch->rx_tail;

	/* At most two rounds: a wrap marker, then a record at offset 0 (where
	 * a wrap marker is illegal). */
	for (;;) {
		uint64_t head = LOAD_ACQUIRE(&peer->queue_head);
		if (!indices_ok(head, tail, size))
			return rx_broken(ch, "rx queue: producer's head out of range");
		if (head == tail) {
			/* tail is already stored; fence, then look again
			 * before telling anyone the queue is empty. */
			FENCE_SEQ_CST();
			head = LOAD_ACQUIRE(&peer->queue_head);
			if (head == tail) {
				answer_want_space(ch, true); /* fenced above */
				return ipc_peer_up(ch) ? IPC_EQ_EMPTY : IPC_EQ_DOWN;
			}
			if (!indices_ok(head, tail, size))
				return rx_broken(ch, "rx queue: producer's head out of range");
		}
		uint32_t len;
		uint64_t adv;
		const char *bad = record_at(ring, size, tail, head - tail, &len, &adv);
		if (bad)
			return rx_broken(ch, bad);
		if (len == IPC_QUEUE_WRAP) {
			tail += adv;
			ch->rx_tail = tail;
			STORE_RELEASE(&own->queue_tail, tail);
			continue;
		}
		if (len > cap)
			return IPC_EQ_TOOBIG; /* left in place for a larger buffer */
		memcpy(buf, ring + (tail & (size - 1)) + IPC_QUEUE_HDR, len);
		tail += adv;
		ch->rx_tail = tail;
		STORE_RELEASE(&own->queue_tail, tail);
		rx_freed(ch, head - tail);
		return (ssize_t)len;
	}
}

/* Who: the consumer, when its broken channel heals (ipc_poll).  The
 * records between our tail and the producer's head may be garbage from
 * the incarnation that broke the channel; a restart keeps consistent
 * indices, so without this the new incarnation would re-break on the same
 * bytes forever.  Walk them without consuming; at the first malformed one,
 * drop everything up to head.  Sound records, old or new, stay. */
void ipc_queue_rx_resync(struct ipc_chan *ch)
{
	uint32_t size = ch->rxq_size;
	uint64_t tail = ch->rx_tail;

	if (!ch->rxq)
		return;
	uint64_t head = LOAD_ACQUIRE(&ch->peer->queue_head);
	if (!indices_ok(head, tail, size))
		return; /* ipc_peer_valid refuses to heal then */
	while (tail != head) {
		uint32_t len;
		uint64_t adv;
		if (record_at(ch->rxq, size, tail, head - tail, &len, &adv)) {
			ch->rx_tail = head;
			STORE_RELEASE(&ch->own->queue_tail, head);
			FENCE_SEQ_CST();
			answer_want_space(ch, true);
			return;
		}
		tail += adv;
	}
}

/* Who: the owner thread of ch, at either end.  One fence serves both
 * checks: it orders our last head and tail stores before the reads of the
 * peer's tail and want_space. */
void ipc_queue_flush(struct ipc_chan *ch)
{
	bool tx = ch->txq && ch->tx_head != ch->tx_flushed;
	bool rx = ch->rxq && ch->rx_tail != ch->rx_answered;

	if ((!tx && !rx) || ch->broken)
		return;
	FENCE_SEQ_CST();
	if (tx)
		tx_edge(ch, LOAD_ACQUIRE(&ch->peer->queue_tail));
	if (rx)
		answer_want_space(ch, true);
}
