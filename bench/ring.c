/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A raw shared-memory ring, the queue baseline: the same record format as
 * Cordon's queues ([u32 len][u32 pad][payload padded to 8], wrap marker),
 * the same ring size, between two processes that only spin (no
 * notifications, no validation).  Three variants: the usual SPSC trick of
 * caching the peer's index and re-reading it only when the cached value
 * says full (or empty); re-reading it for every message as ipc/queue.c
 * does; and that plus the seq_cst fence ipc/queue.c issues after each
 * index store (the producer's empty-edge check, the consumer's
 * answer_want_space), which waits for the store to leave the store
 * buffer, i.e. for the cross-core transfer of the index's cache line.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/bench.h"
#include "ipc/ipc.h"

#define WRAP 0xffffffffu

struct idx {
	uint64_t head __attribute__((aligned(4096))); /* producer's */
	uint64_t tail __attribute__((aligned(4096))); /* consumer's */
	uint32_t ready __attribute__((aligned(4096)));
};

struct rrun {
	struct idx *idx;
	uint8_t *ring;
	uint32_t size;
	enum variant { CACHED, UNCACHED, FENCED } v;
	size_t msg, count, chunk, nstamps;
	uint64_t *stamps;
};

static uint64_t rec_of(size_t len)
{
	return 8 + ((len + 7) & ~(size_t)7);
}

static void ring_consume(void *arg)
{
	struct rrun *q = arg;
	unsigned char *buf = malloc(q->msg);
	if (!buf)
		die("out of memory");
	__atomic_store_n(&q->idx->ready, 1, __ATOMIC_RELEASE);
	uint64_t tail = 0, head = 0;
	for (size_t got = 0; got < q->count;) {
		if (q->v != CACHED || head == tail)
			head = __atomic_load_n(&q->idx->head, __ATOMIC_ACQUIRE);
		if (head == tail) {
			ipc_cpu_relax();
			continue;
		}
		uint64_t off = tail & (q->size - 1);
		uint32_t len;
		memcpy(&len, q->ring + off, sizeof(len));
		if (len == WRAP) {
			tail += q->size - off;
		} else {
			memcpy(buf, q->ring + off + 8, len);
			tail += rec_of(len);
			if (++got % q->chunk == 0)
				q->stamps[got / q->chunk] = now_ns();
		}
		__atomic_store_n(&q->idx->tail, tail, __ATOMIC_RELEASE);
		if (q->v == FENCED) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			(void)__atomic_load_n(&q->idx->ready, __ATOMIC_RELAXED);
		}
	}
	free(buf);
}

static void ring_produce(struct rrun *q)
{
	unsigned char *buf = malloc(q->msg);
	if (!buf)
		die("out of memory");
	memset(buf, 0x5a, q->msg);
	uint64_t head = 0, tail = 0, rec = rec_of(q->msg);
	for (size_t sent = 0; sent < q->count;) {
		uint64_t off = head & (q->size - 1);
		uint64_t pad = rec > q->size - off ? q->size - off : 0;
		if (q->v != CACHED || q->size - (head - tail) < pad + rec)
			tail = __atomic_load_n(&q->idx->tail, __ATOMIC_ACQUIRE);
		if (q->size - (head - tail) < pad + rec) {
			ipc_cpu_relax();
			continue;
		}
		if (pad) {
			uint32_t w = WRAP;
			memcpy(q->ring + off, &w, sizeof(w));
			off = 0;
		}
		uint32_t hdr[2] = {(uint32_t)q->msg, 0};
		memcpy(q->ring + off, hdr, sizeof(hdr));
		memcpy(q->ring + off + 8, buf, q->msg);
		head += pad + rec;
		__atomic_store_n(&q->idx->head, head, __ATOMIC_RELEASE);
		if (q->v == FENCED) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			(void)__atomic_load_n(&q->idx->tail, __ATOMIC_RELAXED);
		}
		sent++;
	}
	free(buf);
}

static void bench_ring(const struct opts *o, enum place pl, struct result *r, size_t msg,
                       enum variant v)
{
	static const char *const suffix[] = {"", "-uncached", "-fenced"};
	static const char *const what[] = {"cached peer index", "peer index read per message",
	                                   "index read and seq_cst fence per message"};
	snprintf(r->id, sizeof(r->id), "ring-%zu%s", msg, suffix[v]);
	snprintf(r->label, sizeof(r->label), "raw spin ring, %zu B messages, %s", msg, what[v]);
	snprintf(r->base, sizeof(r->base), "memcpy-%zu", o->copy_small);
	r->kind = KIND_BYTES;
	r->baseline = true;
	r->bytes = (double)msg;
	if (!wanted(o, r->id))
		return;

	struct rrun q = {.size = o->ring, .v = v, .msg = msg};
	queue_shape(o, msg, &q.count, &q.chunk, &q.nstamps);
	q.idx = shared_alloc(sizeof(*q.idx));
	q.ring = shared_alloc(o->ring);
	q.stamps = shared_alloc(q.nstamps * sizeof(uint64_t));

	struct child c = spawn(r->id, pl, o, ring_consume, &q);
	while (!__atomic_load_n(&q.idx->ready, __ATOMIC_ACQUIRE))
		sched_yield();
	q.stamps[0] = now_ns();
	ring_produce(&q);
	reap(&c);
	r->place = pl;
	chunk_samples(q.stamps, q.nstamps, q.chunk, r);
	shared_free(q.stamps, q.nstamps * sizeof(uint64_t));
	shared_free(q.ring, o->ring);
	shared_free(q.idx, sizeof(*q.idx));
}

void bench_rings(const struct opts *o, enum place pl, struct result **out, size_t *n)
{
	for (int v = CACHED; v <= FENCED; v++) {
		bench_ring(o, pl, result_add(out, n), 64, (enum variant)v);
		bench_ring(o, pl, result_add(out, n), 4096, (enum variant)v);
	}
}
