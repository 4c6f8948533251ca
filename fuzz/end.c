/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-end: one channel end against a hostile peer.
 *
 * Two end pages and two rings live in this process; our end is driven by the
 * real ipc/ code, the peer's page and the ring it produces into (our rx
 * ring) are whatever the input says.  The input is a script:
 *
 *   byte 0      our flags (IPC_CH_* bits 0..5)
 *   byte 1      ring sizes: bits 0..1 rx, 2..3 tx (4096 << n, n < 3)
 *   then ops    one byte each, with operands from the bytes that follow
 *               (a short input reads zeros):
 *     POKE_PAGE   off16 len8 bytes   overwrite bytes of the peer's page
 *     POKE_RING   off16 len8 bytes   overwrite bytes of the rx ring
 *     SET_WORD    field8 val64       set one peer ABI word (head, tail, seqs...)
 *     RECORD      len16              an honest producer's record (or a wrap)
 *     HEAD_DELTA  delta16            peer queue_head = our rx_tail + delta
 *     FORGE       len32 mode8        a record header of length len at our
 *                                    tail, head at a boundary (the ring's
 *                                    end, the record's end, tail + size)
 *     POLL / TAKE_CALL / CALL / RECV cap16 / SEND len16 / START
 *     PEER_DOWN / PEER_UP            what the monitor does to the peer's page
 *
 * Everything stays in one thread, so a peer changing a word between two
 * reads is not modelled; ipc/ reads every hostile word once into a local
 * (ipc/internal.h LOAD_*), which is what makes that safe.  ipc_call would
 * block until the peer replies: it is only called with the peer's reply
 * already in place (reply_seq = our next call_seq), or when it cannot block
 * (broken, not a caller, peer down).
 *
 * Invariants checked after every op (a violation aborts = a crash report):
 * lengths within the caller's capacity and the ring, register counts within
 * IPC_MAX_MRS and registers past the count untouched, broken <=> a reason,
 * an op that fails with BROKEN leaves the channel broken, our indices in step
 * with our page, no call taken that was addressed to an earlier incarnation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ipc.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		uint8_t b = 0;
		if (in->n) {
			b = *in->p++;
			in->n--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-end: invariant broken: %s (line %d)\n", #cond,       \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

enum op {
	OP_POKE_PAGE,
	OP_POKE_RING,
	OP_SET_WORD,
	OP_RECORD,
	OP_HEAD_DELTA,
	OP_POLL,
	OP_TAKE_CALL,
	OP_CALL,
	OP_RECV,
	OP_SEND,
	OP_START,
	OP_PEER_DOWN,
	OP_PEER_UP,
	OP_FORGE, /* new ops go last: the corpus keeps its meaning */
	OP_COUNT
};

/* The pages and rings: heap blocks of exactly their size, so ASan sees any
 * access past them. */
struct world {
	struct ipc_end *own, *peer;
	uint8_t *txq, *rxq;
	uint32_t txq_size, rxq_size;
	uint64_t honest_head; /* where RECORD writes next */
	struct ipc_chan ch;
};

static void set_word(struct world *w, unsigned field, uint64_t v)
{
	struct ipc_end *p = w->peer;
	switch (field % 12) {
	case 0:
		p->queue_head = v;
		break;
	case 1:
		p->queue_tail = v;
		break;
	case 2:
		p->call_seq = (uint32_t)v;
		break;
	case 3:
		p->reply_seq = (uint32_t)v;
		break;
	case 4:
		p->notify_seq = (uint32_t)v;
		break;
	case 5:
		p->call_info = v;
		break;
	case 6:
		p->reply_info = v;
		break;
	case 7:
		p->queue_want_space = (uint32_t)v;
		break;
	case 8:
		p->call_life = (uint32_t)v;
		break;
	case 9: /* a call addressed to our current incarnation */
		p->call_life = w->own->life;
		p->call_seq++;
		p->call_info = v;
		break;
	case 10:
		p->life = (uint32_t)v;
		break;
	case 11:
		p->event = (uint32_t)v;
		break;
	}
}

/* An honest producer appends a record of len bytes (or a wrap marker when
 * it does not fit before the end), without looking at our tail: with the
 * other ops that gives both consistent and overrun rings. */
static void record(struct world *w, unsigned len)
{
	uint32_t size = w->rxq_size;
	size_t max = ipc_queue_max_msg(size);
	len = 1 + len % (unsigned)max;
	uint64_t rec = IPC_QUEUE_HDR + ((len + 7u) & ~7u);
	uint64_t off = w->honest_head & (size - 1);
	if (rec > size - off) {
		uint32_t wrap = IPC_QUEUE_WRAP;
		memcpy(w->rxq + off, &wrap, 4);
		w->honest_head += size - off;
		off = 0;
	}
	uint32_t hdr[2] = {len, 0};
	memcpy(w->rxq + off, hdr, sizeof(hdr));
	memset(w->rxq + off + IPC_QUEUE_HDR, (int)(len & 0xff), rec - IPC_QUEUE_HDR);
	w->honest_head += rec;
	w->peer->queue_head = w->honest_head;
}

/* A hostile producer's record header at our tail, with its head where the
 * reader's bounds checks are decided: the lengths a random poke reaches
 * only by luck. */
static void forge(struct world *w, uint32_t len, unsigned mode)
{
	uint32_t size = w->rxq_size;
	uint64_t tail = w->ch.rx_tail;
	uint64_t off = tail & (size - 1);
	uint64_t heads[4] = {
	    tail + size,                                   /* a full ring */
	    tail + (size - off),                           /* up to the ring's end */
	    tail + IPC_QUEUE_HDR + ((len + 7ull) & ~7ull), /* the record's end */
	    tail + IPC_QUEUE_HDR,                          /* just the header */
	};
	memcpy(w->rxq + off, &len, sizeof(len));
	w->peer->queue_head = heads[mode % 4];
}

static void check_chan(const struct world *w)
{
	const struct ipc_chan *ch = &w->ch;
	CHECK(ch->broken == (ch->broken_what != NULL));
	CHECK(ch->rx_tail == w->own->queue_tail);
	CHECK(ch->tx_head == w->own->queue_head);
	CHECK((ch->rx_tail & 7) == 0 && (ch->tx_head & 7) == 0);
	CHECK(w->own->magic == IPC_END_MAGIC && w->own->version == IPC_VERSION);
}

#define CANARY UINT64_C(0xc0ffee00c0ffee00)

static void check_regs(const uint64_t *mr, uint64_t info, uint64_t first_untouched)
{
	unsigned count = ipc_info_count(info);
	CHECK(count <= IPC_MAX_MRS);
	for (unsigned i = count > first_untouched ? count : (unsigned)first_untouched;
	     i < IPC_MAX_MRS; i++)
		CHECK(mr[i] == CANARY + i);
}

static void fill_regs(uint64_t *mr)
{
	for (unsigned i = 0; i < IPC_MAX_MRS; i++)
		mr[i] = CANARY + i;
}

static void op_take_call(struct world *w)
{
	struct ipc_chan *ch = &w->ch;
	uint64_t mr[IPC_MAX_MRS], info = 0;

	fill_regs(mr);
	uint32_t call_life = w->peer->call_life;
	if (ipc_take_call(ch, &info, mr)) {
		/* ipc.h: calls addressed to an earlier incarnation are dropped */
		CHECK(call_life == w->own->life);
		CHECK(ch->call_taken);
		check_regs(mr, info, 0);
		if (info & 0x100) /* sometimes leave it pending */
			return;
		uint64_t reply[IPC_MAX_MRS];
		for (unsigned i = 0; i < IPC_MAX_MRS; i++)
			reply[i] = i;
		ipc_reply(ch, info, reply);
		CHECK(!ch->call_taken);
		CHECK(w->own->reply_seq == ch->taken_call);
	}
}

static void op_call(struct world *w, struct ipc_spin *spin, uint64_t info)
{
	struct ipc_chan *ch = &w->ch;
	uint64_t mr[IPC_MAX_MRS];

	bool can_block =
	    (ch->flags & IPC_CH_CALLER) && !ch->broken && (w->peer->life & IPC_LIFE_UP);
	if (can_block)
		w->peer->reply_seq = w->own->call_seq + 1; /* the reply is already there */
	fill_regs(mr);
	uint64_t r = ipc_call(ch, info, mr, spin);
	unsigned count = ipc_info_count(r);
	CHECK(count <= IPC_MAX_MRS);
	if (!can_block) {
		uint64_t label = ipc_info_label(r);
		CHECK(count == 0);
		CHECK(label == IPC_LABEL_INVALID || label == IPC_LABEL_BROKEN ||
		      label == IPC_LABEL_PEER_DOWN);
		for (unsigned i = 0; i < IPC_MAX_MRS; i++)
			CHECK(mr[i] == CANARY + i);
	}
	check_regs(mr, r, 0);
	/* Whoever chose it, a reserved label comes with no registers
	 * (cordon.h); regress/fuzz-end/forged-broken-label tries count 1. */
	if (ipc_info_label(r) >= IPC_LABEL_BROKEN)
		CHECK(ipc_info_count(r) == 0);
	/* The callee writes its reply's label: it can reply with a label
	 * Cordon reserves for its own failures (cordon.h), so BROKEN without a
	 * broken channel is a forged reply, not a lie of ipc_call's. */
	if (ipc_info_label(r) == IPC_LABEL_BROKEN && !ch->broken)
		CHECK(can_block && ipc_info_label(w->peer->reply_info) == IPC_LABEL_BROKEN);
}

static void op_recv(struct world *w, size_t cap)
{
	struct ipc_chan *ch = &w->ch;
	uint8_t *buf = malloc(cap ? cap : 1);
	CHECK(buf != NULL);

	uint64_t tail = ch->rx_tail;
	ssize_t n = ipc_queue_recv(ch, buf, cap);
	if (n >= 0) {
		CHECK((size_t)n <= cap);
		CHECK(n > 0 && (size_t)n <= w->rxq_size - IPC_QUEUE_HDR);
		CHECK(ch->rx_tail - tail <= w->rxq_size);
		CHECK(ch->rx_tail != tail);
	} else {
		CHECK(n >= IPC_EQ_DOWN);
		CHECK(n != IPC_EQ_FULL);
		if (n == IPC_EQ_NOQUEUE)
			CHECK(!ch->rxq);
		if (n == IPC_EQ_BROKEN)
			CHECK(ch->broken);
		if (n == IPC_EQ_TOOBIG)
			CHECK(ch->rx_tail - tail <= w->rxq_size);
	}
	free(buf);
}

static void op_send(struct world *w, size_t len)
{
	struct ipc_chan *ch = &w->ch;
	uint8_t *buf = malloc(len ? len : 1);
	CHECK(buf != NULL);
	memset(buf, 0x5a, len);

	uint64_t head = ch->tx_head;
	int r = ipc_queue_send(ch, buf, len);
	if (r == 0) {
		CHECK(len > 0 && len <= ipc_queue_max_msg(w->txq_size));
		CHECK(ch->tx_head - head <= w->txq_size);
		CHECK(ch->tx_head - w->peer->queue_tail <= w->txq_size);
	} else {
		CHECK(r >= IPC_EQ_DOWN && r != IPC_EQ_EMPTY);
		CHECK(ch->tx_head == head);
		if (r == IPC_EQ_BROKEN)
			CHECK(ch->broken);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_canary(data, size);
	struct in in = {data, size};
	struct world w;
	struct ipc_spin spin;

	memset(&w, 0, sizeof(w));
	uint32_t flags = (uint32_t)take(&in, 1) & 0x3f;
	unsigned sizes = (unsigned)take(&in, 1);
	w.rxq_size = IPC_QUEUE_MIN << ((sizes & 3) % 3);
	w.txq_size = IPC_QUEUE_MIN << (((sizes >> 2) & 3) % 3);
	w.own = aligned_alloc(IPC_PAGE_SIZE, IPC_PAGE_SIZE);
	w.peer = aligned_alloc(IPC_PAGE_SIZE, IPC_PAGE_SIZE);
	w.rxq = calloc(1, w.rxq_size);
	w.txq = calloc(1, w.txq_size);
	CHECK(w.own && w.peer && w.rxq && w.txq);
	ipc_end_init(w.own);
	ipc_end_init(w.peer);
	ipc_end_up(w.own);
	ipc_end_up(w.peer);
	ipc_spin_init(&spin, 0, 1); /* never spin: nothing else runs */
	CHECK(ipc_chan_init(&w.ch, 7, flags, w.own, w.peer, w.txq, w.txq_size, w.rxq, w.rxq_size) ==
	      0);
	ipc_chan_start(&w.ch);
	check_chan(&w);

	for (unsigned steps = 0; in.n && steps < 256; steps++) {
		unsigned op = (unsigned)take(&in, 1) % OP_COUNT;
		switch (op) {
		case OP_POKE_PAGE: {
			size_t off = (size_t)take(&in, 2) % IPC_PAGE_SIZE;
			size_t len = (size_t)take(&in, 1);
			for (size_t i = 0; i < len && off + i < IPC_PAGE_SIZE; i++)
				((uint8_t *)w.peer)[off + i] = (uint8_t)take(&in, 1);
			break;
		}
		case OP_POKE_RING: {
			size_t off = (size_t)take(&in, 3) % w.rxq_size;
			size_t len = (size_t)take(&in, 1);
			for (size_t i = 0; i < len && off + i < w.rxq_size; i++)
				w.rxq[off + i] = (uint8_t)take(&in, 1);
			break;
		}
		case OP_SET_WORD: {
			unsigned field = (unsigned)take(&in, 1);
			set_word(&w, field, take(&in, 8));
			break;
		}
		case OP_RECORD:
			record(&w, (unsigned)take(&in, 2));
			break;
		case OP_HEAD_DELTA:
			w.peer->queue_head = w.ch.rx_tail + (uint64_t)(int16_t)take(&in, 2);
			break;
		case OP_FORGE: {
			uint32_t len = (uint32_t)take(&in, 4);
			forge(&w, len, (unsigned)take(&in, 1));
			break;
		}
		case OP_POLL: {
			unsigned ev = ipc_poll(&w.ch);
			if (ev & IPC_EV_BROKEN)
				CHECK(w.ch.broken);
			if (ev & IPC_EV_HEALED)
				CHECK(w.ch.broken == ((ev & IPC_EV_BROKEN) != 0));
			break;
		}
		case OP_TAKE_CALL:
			op_take_call(&w);
			break;
		case OP_CALL:
			op_call(&w, &spin, take(&in, 8));
			break;
		case OP_RECV:
			op_recv(&w, (size_t)take(&in, 2));
			break;
		case OP_SEND:
			op_send(&w, (size_t)take(&in, 2));
			break;
		case OP_START: /* we restarted: the monitor brought our page up */
			ipc_end_down(w.own);
			ipc_end_up(w.own);
			CHECK(ipc_chan_init(&w.ch, 7, flags, w.own, w.peer, w.txq, w.txq_size,
			                    w.rxq, w.rxq_size) == 0);
			ipc_chan_start(&w.ch);
			break;
		case OP_PEER_DOWN:
			ipc_end_down(w.peer);
			break;
		case OP_PEER_UP:
			ipc_end_up(w.peer);
			break;
		}
		check_chan(&w);
	}
	free(w.own);
	free(w.peer);
	free(w.rxq);
	free(w.txq);
	return 0;
}
