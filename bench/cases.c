/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Cordon IPC cases: protected calls, notifications and queues between
 * two processes, over a channel set up the way the monitor sets one up
 * (chan.c).  The serving side runs a PD's event loop: ipc_poll,
 * ipc_take_call, ipc_reply, ipc_wait_any.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/chan.h"

static void pp_attach(struct pair *p, int side)
{
	chan_attach(p->priv, side);
}

static void pp_detach(struct pair *p, int side)
{
	chan_detach(p->priv, &p->spins, &p->sleeps);
}

/* ---- protected call ---- */

static void call_once(struct pair *p)
{
	chan_call(p->priv, CHAN_LABEL_ECHO);
}

static void call_stop(struct pair *p)
{
	chan_call(p->priv, CHAN_LABEL_STOP);
}

static void call_serve(struct pair *p)
{
	chan_serve_calls(p->priv);
}

/* ---- notification ping-pong ---- */

static void await_notify(struct chan *c)
{
	while (!(ipc_poll(&c->ch) & IPC_EV_NOTIFY))
		chan_wait(c);
}

static void notify_once(struct pair *p)
{
	struct chan *c = p->priv;
	ipc_notify(&c->ch);
	await_notify(c);
}

/* The stop flag is stored before the notification that publishes it. */
static void notify_stop(struct pair *p)
{
	struct chan *c = p->priv;
	__atomic_store_n(c->stop, 1, __ATOMIC_RELAXED);
	notify_once(p);
}

static void notify_serve(struct pair *p)
{
	struct chan *c = p->priv;
	for (;;) {
		await_notify(c);
		bool stop = __atomic_load_n(c->stop, __ATOMIC_RELAXED);
		ipc_notify(&c->ch);
		if (stop)
			return;
	}
}

static const uint32_t both_notify = IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY;

static void run_chan_pair(const struct opts *o, enum place pl, struct result *r, struct chan *c,
                          struct pair *p)
{
	p->priv = c;
	p->attach = pp_attach;
	p->detach = pp_detach;
	p->has_spin = true;
	chan_create(c);
	run_pingpong(p, pl, o, r);
	chan_destroy(c);
}

static void bench_call(const struct opts *o, enum place pl, struct result *r, unsigned nmr,
                       uint32_t spin_ns)
{
	struct chan c = {.nmr = nmr, .spin_ns = spin_ns};
	struct pair p = {.once = call_once, .serve = call_serve, .stop = call_stop};
	c.flags[0] = both_notify | IPC_CH_CALLER;
	c.flags[1] = both_notify | IPC_CH_CALLEE;
	for (unsigned i = 0; i < IPC_MAX_MRS; i++)
		c.mr[i] = i;
	snprintf(r->id, sizeof(r->id), "ppcall-%u-%s", nmr, spin_ns ? "spin" : "futex");
	snprintf(r->label, sizeof(r->label), "protected call round trip, %u MR%s, %s", nmr,
	         nmr == 1 ? "" : "s", spin_ns ? "adaptive spin" : "futex only (spin_ns 0)");
	r->kind = KIND_LATENCY;
	r->rt_mult = 1;
	run_chan_pair(o, pl, r, &c, &p);
}

static void bench_notify(const struct opts *o, enum place pl, struct result *r, uint32_t spin_ns)
{
	struct chan c = {.spin_ns = spin_ns};
	struct pair p = {.once = notify_once, .serve = notify_serve, .stop = notify_stop};
	c.flags[0] = c.flags[1] = both_notify;
	snprintf(r->id, sizeof(r->id), "notify-%s", spin_ns ? "spin" : "futex");
	if (!wanted(o, r->id))
		return;
	c.stop = shared_alloc(sizeof(*c.stop));
	snprintf(r->label, sizeof(r->label), "notify to notified, one way (half a round trip), %s",
	         spin_ns ? "adaptive spin" : "futex only");
	r->kind = KIND_LATENCY;
	r->rt_mult = 2;
	run_chan_pair(o, pl, r, &c, &p);
	/* One-way: half of each round trip. */
	for (size_t i = 0; i < r->samples; i++)
		r->kept[i] /= 2;
	shared_free(c.stop, sizeof(*c.stop));
}

/* ---- queue throughput ---- */

/* The consumer stamps the time every `chunk` messages; a sample is the
 * time per message over one chunk (about 256 KiB). */
struct qrun {
	struct chan *c;
	size_t msg, count, chunk, nstamps;
	uint64_t *stamps; /* shared: written by the consumer */
	uint32_t *ready;  /* shared: consumer attached */
	uint64_t *stats;  /* shared: consumer spins, sleeps */
};

static void consume(void *arg)
{
	struct qrun *q = arg;
	struct chan *c = q->c;
	unsigned char *buf = malloc(q->msg);
	if (!buf)
		die("out of memory");
	chan_attach(c, 1);
	__atomic_store_n(q->ready, 1, __ATOMIC_RELEASE);
	size_t got = 0;
	while (got < q->count) {
		/* Poll before the last receive, so a message sent after it
		 * bumps the event ipc_wait_any compares with. */
		ipc_poll(&c->ch);
		ssize_t n;
		while ((n = ipc_queue_recv(&c->ch, buf, q->msg)) > 0) {
			if ((size_t)n != q->msg)
				die("queue: received %zd bytes, want %zu", n, q->msg);
			if (++got % q->chunk == 0)
				q->stamps[got / q->chunk] = now_ns();
			if (got == 1)
				q->stamps[0] = now_ns();
		}
		if (got == q->count)
			break;
		if (n != IPC_EQ_EMPTY)
			die("ipc_queue_recv: %zd", n);
		chan_wait(c);
	}
	chan_detach(c, &q->stats[0], &q->stats[1]);
	free(buf);
}

static void produce(struct qrun *q)
{
	struct chan *c = q->c;
	unsigned char *buf = malloc(q->msg);
	if (!buf)
		die("out of memory");
	memset(buf, 0x5a, q->msg);
	for (size_t sent = 0; sent < q->count;) {
		int e = ipc_queue_send(&c->ch, buf, q->msg);
		if (e == 0) {
			sent++;
			continue;
		}
		if (e != IPC_EQ_FULL)
			die("ipc_queue_send: %d", e);
		/* Full: poll, try once more, then wait for the consumer's
		 * space notification. */
		ipc_poll(&c->ch);
		e = ipc_queue_send(&c->ch, buf, q->msg);
		if (e == 0) {
			sent++;
			continue;
		}
		if (e != IPC_EQ_FULL)
			die("ipc_queue_send: %d", e);
		chan_wait(c);
	}
	/* The consumer hears of the last batch at a flush (ipc/queue.c batches
	 * its edge checks; a PD's loop flushes after each entry point). */
	ipc_queue_flush(&c->ch);
	free(buf);
}

static void bench_queue(const struct opts *o, enum place pl, struct result *r, size_t msg,
                        uint32_t spin_ns)
{
	struct chan c = {.ring = o->ring, .spin_ns = spin_ns};
	c.flags[0] = both_notify | IPC_CH_TX_QUEUE;
	c.flags[1] = both_notify | IPC_CH_RX_QUEUE;
	if (msg > ipc_queue_max_msg(o->ring))
		die("queue: %zu-byte messages need a ring over %u bytes (--ring)", msg, o->ring);

	struct qrun q = {.c = &c, .msg = msg};
	queue_shape(o, msg, &q.count, &q.chunk, &q.nstamps);
	size_t shlen = q.nstamps * sizeof(uint64_t) + 64;
	q.stamps = shared_alloc(shlen);
	q.ready = (uint32_t *)(q.stamps + q.nstamps);
	q.stats = q.stamps + q.nstamps + 1;

	snprintf(r->id, sizeof(r->id), "queue-%zu-%s", msg, spin_ns ? "spin" : "futex");
	snprintf(r->label, sizeof(r->label), "queue throughput, %zu B messages, %u KiB ring, %s",
	         msg, o->ring >> 10, spin_ns ? "adaptive spin" : "futex only");
	snprintf(r->base, sizeof(r->base), "memcpy-%zu", o->copy_small);
	r->kind = KIND_BYTES;
	r->bytes = (double)msg;
	if (!wanted(o, r->id))
		return;

	chan_create(&c);
	struct child ch = spawn(r->id, pl, o, consume, &q);
	chan_attach(&c, 0);
	while (!__atomic_load_n(q.ready, __ATOMIC_ACQUIRE))
		sched_yield();
	produce(&q);
	reap(&ch);
	chan_detach(&c, &r->spins[0], &r->sleeps[0]);
	chan_destroy(&c);

	r->place = pl;
	r->has_spin = true;
	r->spins[1] = q.stats[0];
	r->sleeps[1] = q.stats[1];
	chunk_samples(q.stamps, q.nstamps, q.chunk, r);
	shared_free(q.stamps, shlen);
}

void bench_cordon(const struct opts *o, enum place pl, struct result **out, size_t *n)
{
	for (int futex = 0; futex < 2; futex++) {
		uint32_t spin = futex ? 0 : o->spin_ns;
		bench_call(o, pl, result_add(out, n), 1, spin);
		if (pl == PLACE_SAME)
			continue;
		/* 64 registers, not IPC_MAX_MRS (120): the targets and every
		 * figure measured so far are for 64 */
		bench_call(o, pl, result_add(out, n), 64, spin);
		bench_notify(o, pl, result_add(out, n), spin);
		bench_queue(o, pl, result_add(out, n), 64, spin);
		bench_queue(o, pl, result_add(out, n), 4096, spin);
	}
}
