/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Baselines, measured in the same run as the Cordon figures: a raw futex
 * ping-pong, a raw shared-memory spin ping-pong, a Unix socketpair and a
 * pipe round trip, each between two processes.  They are deliberately
 * naive, the way one would write them without Cordon: the futex ping-pong
 * always makes the wake syscall, the spin ping-pong never sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/bench.h"
#include "ipc/ipc.h"

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Shared words on separate pages, as Cordon's two ends are (adjacent cache
 * lines would let the adjacent-line prefetcher add traffic): the parent
 * writes ping, the child pong. */
struct raw {
	uint32_t ping __attribute__((aligned(4096)));
	uint32_t pong __attribute__((aligned(4096)));
	uint32_t stop __attribute__((aligned(4096)));
	uint32_t seq __attribute__((aligned(4096))); /* the parent's round trips */
	int fd[4]; /* socketpair: 0 parent, 1 child; pipes: 0,1 to child, 2,3 back */
};

static void futex_wait(uint32_t *w, uint32_t val)
{
	/* Shared futex (no FUTEX_PRIVATE_FLAG), like Cordon's. */
	syscall(SYS_futex, w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void await_futex(uint32_t *w, uint32_t want)
{
	uint32_t v;
	while ((v = LOAD(w)) != want)
		futex_wait(w, v);
}

/* A pure spin; after about a millisecond it yields, so two processes that
 * the scheduler put on one CPU still make progress (never reached in the
 * pinned placement). */
static void await_spin(uint32_t *w, uint32_t want)
{
	for (unsigned i = 1; LOAD(w) != want; i++) {
		ipc_cpu_relax();
		if ((i & 0x3fff) == 0)
			sched_yield();
	}
}

static void futex_once(struct pair *p)
{
	struct raw *r = p->priv;
	uint32_t v = ++r->seq;
	STORE(&r->ping, v);
	futex_wake(&r->ping);
	await_futex(&r->pong, v);
}

static void futex_serve(struct pair *p)
{
	struct raw *r = p->priv;
	for (uint32_t v = 1;; v++) {
		await_futex(&r->ping, v);
		bool stop = LOAD(&r->stop);
		STORE(&r->pong, v);
		futex_wake(&r->pong);
		if (stop)
			return;
	}
}

static void spin_once(struct pair *p)
{
	struct raw *r = p->priv;
	uint32_t v = ++r->seq;
	STORE(&r->ping, v);
	await_spin(&r->pong, v);
}

static void spin_serve(struct pair *p)
{
	struct raw *r = p->priv;
	for (uint32_t v = 1;; v++) {
		await_spin(&r->ping, v);
		bool stop = LOAD(&r->stop);
		STORE(&r->pong, v);
		if (stop)
			return;
	}
}

/* The last round trip carries the stop flag (stored before the ping that
 * publishes it). */
static void word_stop(struct pair *p)
{
	struct raw *r = p->priv;
	STORE(&r->stop, 1);
	p->once(p);
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *b = buf;
	while (len) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die_errno("write");
		b += n;
		len -= (size_t)n;
	}
}

/* Returns false at end of file before the first byte. */
static bool read_all(int fd, void *buf, size_t len)
{
	char *b = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, b + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("read");
		if (n == 0) {
			if (got == 0)
				return false;
			die("read: short message");
		}
		got += (size_t)n;
	}
	return true;
}

#define STOP_WORD UINT64_MAX

/* fd[out] carries the 8-byte message to the child, fd[in] brings it back. */
static void stream_once(struct pair *p, int out, int in)
{
	struct raw *r = p->priv;
	uint64_t m = ++r->seq, back;
	write_all(r->fd[out], &m, sizeof(m));
	if (!read_all(r->fd[in], &back, sizeof(back)) || back != m)
		die("stream round trip: wrong echo");
}

static void stream_serve(struct pair *p, int in, int out)
{
	struct raw *r = p->priv;
	uint64_t m;
	while (read_all(r->fd[in], &m, sizeof(m))) {
		write_all(r->fd[out], &m, sizeof(m));
		if (m == STOP_WORD)
			return;
	}
	die("stream: parent hung up");
}

static void stream_stop(struct pair *p, int out, int in)
{
	struct raw *r = p->priv;
	uint64_t m = STOP_WORD, back;
	write_all(r->fd[out], &m, sizeof(m));
	if (!read_all(r->fd[in], &back, sizeof(back)))
		die("stream: child hung up");
}

static void sock_once(struct pair *p)
{
	stream_once(p, 0, 0);
}
static void sock_serve(struct pair *p)
{
	stream_serve(p, 1, 1);
}
static void sock_stop(struct pair *p)
{
	stream_stop(p, 0, 0);
}
static void pipe_once(struct pair *p)
{
	stream_once(p, 1, 2);
}
static void pipe_serve(struct pair *p)
{
	stream_serve(p, 0, 3);
}
static void pipe_stop(struct pair *p)
{
	stream_stop(p, 1, 2);
}

static void close_fds(struct raw *r)
{
	for (int i = 0; i < 4; i++)
		if (r->fd[i] >= 0)
			close(r->fd[i]);
}

enum fds { NO_FDS, SOCKETPAIR, PIPES };

static void run_raw(const struct opts *o, enum place pl, struct result *res, const char *id,
                    const char *label, struct pair *p, enum fds fds)
{
	struct raw *r = shared_alloc(sizeof(*r));
	memset(r->fd, -1, sizeof(r->fd));
	p->priv = r;
	if (fds == SOCKETPAIR) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->fd) < 0)
			die_errno("socketpair");
	} else if (fds == PIPES) {
		if (pipe2(r->fd, O_CLOEXEC) < 0 || pipe2(r->fd + 2, O_CLOEXEC) < 0)
			die_errno("pipe2");
	}
	snprintf(res->id, sizeof(res->id), "%s", id);
	snprintf(res->label, sizeof(res->label), "%s", label);
	res->kind = KIND_LATENCY;
	res->baseline = true;
	res->rt_mult = 1;
	run_pingpong(p, pl, o, res);
	close_fds(r);
	shared_free(r, sizeof(*r));
}

void bench_baselines(const struct opts *o, enum place pl, struct result **out, size_t *n)
{
	struct pair futex = {.once = futex_once, .serve = futex_serve, .stop = word_stop};
	struct pair spin = {.once = spin_once, .serve = spin_serve, .stop = word_stop};
	struct pair sock = {.once = sock_once, .serve = sock_serve, .stop = sock_stop};
	struct pair pipe = {.once = pipe_once, .serve = pipe_serve, .stop = pipe_stop};

	run_raw(o, pl, result_add(out, n), "futex", "raw futex ping-pong, round trip", &futex,
	        NO_FDS);
	if (pl == PLACE_SAME)
		return;
	run_raw(o, pl, result_add(out, n), "spin", "raw spin ping-pong, round trip", &spin, NO_FDS);
	run_raw(o, pl, result_add(out, n), "socketpair",
	        "socketpair(AF_UNIX, SOCK_STREAM) 8 B round trip", &sock, SOCKETPAIR);
	run_raw(o, pl, result_add(out, n), "pipe", "pipe 8 B round trip", &pipe, PIPES);
}
