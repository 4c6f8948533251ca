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
 * Wake-ups use the channel's notification, and are sent only on the edges:
 *  - producer -> consumer when the queue may have been empty: the producer
 *    stores head, fences, reads tail; the consumer, before reporting empty,
 *    has stored tail, fenced and re-read head.  Store-buffer pattern: either
 *    the consumer sees the new head or the producer sees tail == old head.
 *  - consumer -> producer when the producer waits for space: the producer
 *    bumps want_space, fences, re-reads tail; the consumer stores tail,
 *    fences, reads want_space.  Same pattern, same guarantee.
 */
#include <string.h>

#include "ipc/internal.h"

static inline uint64_t round8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

static inline bool indices_ok(uint64_t head, uint64_t tail, uint32_t size)
{
	return head - tail <= size && ((head | tail) & 7) == 0;
}

/* Who: anyone.  Half the ring less a header: at any offset a record of at
 * most size/2 bytes fits either before the end or, after a wrap, at 0. */
size_t ipc_queue_max_msg(uint32_t ring_size)
{
	return ring_size >= 16 ? ring_size / 2 - IPC_QUEUE_HDR : 0;
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
		FENCE_SEQ_CST(); /* pairs with the fence in answer_want_space */
		tail = LOAD_ACQUIRE(&peer->queue_tail);
		if (!indices_ok(old_head, tail, size)) {
			ipc_break(ch, "tx queue: consumer's tail out of range");
			return IPC_EQ_BROKEN;
		}
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
	FENCE_SEQ_CST(); /* producer's half of the empty -> non-empty handshake */
	if (LOAD_RELAXED(&peer->queue_tail) == old_head)
		ipc_notify(ch);
	return 0;
}

/* Who: the consumer, after storing its tail.  Notify a producer that asked
 * for space, once per request (its want_space counter). */
static void answer_want_space(struct ipc_chan *ch)
{
	FENCE_SEQ_CST(); /* pairs with the producer's fence after want_space */
	uint32_t want = LOAD_RELAXED(&ch->peer->queue_want_space);
	if (want != 0 && want != ch->seen_want) {
		ch->seen_want = want;
		ipc_notify(ch);
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
				answer_want_space(ch);
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
		answer_want_space(ch);
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
			answer_want_space(ch);
			return;
		}
		tail += adv;
	}
}
