/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Batched queue edge checks (ipc/queue.c): when the consumer and a producer
 * that waits for space are notified, and, with two processes and many
 * rounds of random bursts both ways, that no wake-up is lost.  Processes
 * synchronise only through the queues; alarm() only bounds a hang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/ipc/pair.h"

#define RING 4096u

static bool notified(struct ipc_chan *ch)
{
	return ipc_poll(ch) & IPC_EV_NOTIFY;
}

/* Small sends do not notify by themselves; the flush does, when the
 * consumer may have found the queue empty, and not while it lags. */
static void small_sends_notify_at_flush(void **state)
{
	struct pair p;
	uint8_t msg[8] = {1}, out[8];
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	ipc_poll(&p.b);
	assert_int_equal(ipc_queue_send(&p.a, msg, sizeof(msg)), 0);
	assert_int_equal(ipc_queue_send(&p.a, msg, sizeof(msg)), 0);
	assert_false(notified(&p.b));                                          /* batched */
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(msg)); /* but visible */
	ipc_queue_flush(&p.a);
	assert_true(notified(&p.b));
	ipc_queue_flush(&p.a);
	assert_false(notified(&p.b)); /* nothing new */

	/* The consumer has not caught up with what was flushed: it will see
	 * the new message before it reports empty, so no notification. */
	assert_int_equal(ipc_queue_send(&p.a, msg, sizeof(msg)), 0);
	ipc_queue_flush(&p.a);
	assert_false(notified(&p.b));

	/* Drained to empty: the next flush notifies again. */
	while (ipc_queue_recv(&p.b, out, sizeof(out)) > 0)
		;
	assert_int_equal(ipc_queue_send(&p.a, msg, sizeof(msg)), 0);
	assert_false(notified(&p.b));
	ipc_queue_flush(&p.a);
	assert_true(notified(&p.b));
	pair_close(&p);
}

/* Without a flush, a stream notifies once an eighth of the ring is
 * written past the last check. */
static void stream_notifies_every_eighth_of_ring(void **state)
{
	struct pair p;
	uint8_t msg[8] = {2};
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	ipc_poll(&p.b);
	unsigned rec = IPC_QUEUE_HDR + 8, n = 0;
	while (!notified(&p.b)) {
		assert_int_equal(ipc_queue_send(&p.a, msg, sizeof(msg)), 0);
		n++;
		assert_true(n * rec <= RING / 8);
	}
	assert_int_equal(n * rec, RING / 8);
	pair_close(&p);
}

/* ipc_wait_any flushes the channels it waits on: a producer cannot go to
 * sleep owing the consumer a notification. */
static void wait_flushes_first(void **state)
{
	struct pair p;
	struct ipc_spin spin;
	uint8_t msg[8] = {3};
	pair_open(&p, IPC_CH_TX_QUEUE | IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY, RING);
	ipc_spin_init(&spin, 0, 1);
	ipc_poll(&p.a);
	ipc_poll(&p.b);
	assert_int_equal(ipc_queue_send(&p.a, msg, sizeof(msg)), 0);
	ipc_notify(&p.b); /* so a's wait returns at once */
	struct ipc_chan *l[1] = {&p.a};
	assert_int_equal(ipc_wait_any(l, 1, &spin), 0);
	assert_true(notified(&p.b));
	pair_close(&p);
}

/* FULL asks for space.  The consumer answers once half the ring is free,
 * not on the first message, and once per request. */
static void space_answered_at_half_once(void **state)
{
	struct pair p;
	uint8_t buf[240] = {4}, out[240];
	unsigned rec = IPC_QUEUE_HDR + sizeof(buf), sent = 0;
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	while (ipc_queue_send(&p.a, buf, sizeof(buf)) == 0)
		sent++;
	assert_int_equal(sent, RING / rec);
	ipc_poll(&p.a);
	/* A started consumer owes a fenced want_space check (a previous
	 * incarnation may have died owing it): its first flush answers the
	 * request FULL made. */
	ipc_queue_flush(&p.b);
	assert_true(notified(&p.a));
	assert_int_equal(ipc_queue_send(&p.a, buf, sizeof(buf)), IPC_EQ_FULL); /* asks again */
	unsigned got = 0;
	while ((sent - got) * rec > RING / 2) {
		assert_false(notified(&p.a));
		assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
		got++;
	}
	assert_true(notified(&p.a)); /* half free */
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
	assert_false(notified(&p.a)); /* answered once */
	pair_close(&p);
}

/* A consumer that stops before the queue is empty still answers a waiting
 * producer at its flush. */
static void space_answered_at_flush(void **state)
{
	struct pair p;
	uint8_t buf[240] = {5}, out[240];
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	ipc_queue_flush(&p.b); /* nothing pending after start */
	while (ipc_queue_send(&p.a, buf, sizeof(buf)) == 0)
		;
	ipc_poll(&p.a);
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
	assert_false(notified(&p.a)); /* nearly full still: not yet */
	ipc_queue_flush(&p.b);
	assert_true(notified(&p.a));
	assert_int_equal(ipc_queue_send(&p.a, buf, sizeof(buf)), 0);
	pair_close(&p);
}

/* ---- two processes, many rounds ---- */

#define ROUNDS 3000

struct rec {
	uint32_t round, index, count, len;
};

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	for (size_t i = sizeof(struct rec); i < len; i++)
		buf[i] = (uint8_t)(seed * 131 + i);
}

/* Send one message, waiting (which flushes) while the queue is full.
 * Returns 0 or the IPC_EQ_* error. */
static int send_blocking(struct ipc_chan *ch, struct ipc_spin *spin, const void *buf, size_t len)
{
	struct ipc_chan *l[1] = {ch};
	for (;;) {
		ipc_poll(ch);
		int r = ipc_queue_send(ch, buf, len);
		if (r != IPC_EQ_FULL)
			return r;
		if (ipc_wait_any(l, 1, spin) < 0)
			return IPC_EQ_BROKEN;
	}
}

/* Receive one message, waiting (which flushes) while the queue is empty.
 * Returns its length or the IPC_EQ_* error. */
static ssize_t recv_blocking(struct ipc_chan *ch, struct ipc_spin *spin, void *buf, size_t cap)
{
	struct ipc_chan *l[1] = {ch};
	for (;;) {
		ipc_poll(ch);
		ssize_t n = ipc_queue_recv(ch, buf, cap);
		if (n != IPC_EQ_EMPTY)
			return n;
		if (ipc_wait_any(l, 1, spin) < 0)
			return IPC_EQ_BROKEN;
	}
}

/* b: receive each burst, check it, acknowledge it with one message back. */
static int echo_bursts(struct ipc_chan *ch, struct ipc_spin *spin)
{
	uint8_t buf[RING], want[RING];
	for (uint32_t round = 0; round < ROUNDS; round++) {
		uint32_t count = 1;
		for (uint32_t i = 0; i < count; i++) {
			ssize_t n = recv_blocking(ch, spin, buf, sizeof(buf));
			struct rec r;
			if (n < (ssize_t)sizeof(r))
				return 1;
			memcpy(&r, buf, sizeof(r));
			if ((size_t)n != r.len || r.round != round || r.index != i)
				return 2;
			fill(want, (size_t)n, round * 7919 + i);
			if (memcmp(buf + sizeof(r), want + sizeof(r), (size_t)n - sizeof(r)) != 0)
				return 3;
			count = r.count;
		}
		struct rec ack = {round, 0, 1, sizeof(ack)};
		if (send_blocking(ch, spin, &ack, sizeof(ack)) != 0)
			return 4;
	}
	/* What a PD's loop does after each entry point; this process is
	 * about to stop waiting, and nothing else would notify for it. */
	ipc_queue_flush(ch);
	return 0;
}

/* a: bursts of 1..64 messages of random sizes (some bursts overflow the
 * ring, so FULL and want_space are exercised), each acknowledged before the
 * next, sometimes flushed explicitly before the wait.  A single lost
 * wake-up in either direction hangs, and the watchdog fails the test; a
 * failing echo side marks its end down (as the monitor would), so its
 * failure is reported rather than a hang. */
static void bursts_both_ways(uint32_t spin_ns)
{
	struct pair p;
	struct ipc_spin spin;
	pair_open(&p, IPC_CH_TX_QUEUE | IPC_CH_RX_QUEUE, RING);
	ipc_spin_init(&spin, spin_ns, sysconf(_SC_NPROCESSORS_ONLN));
	pid_t pid = pair_fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = echo_bursts(&p.b, &spin);
		if (rc)
			ipc_end_down(p.b_own);
		_exit(rc);
	}

	srandom(4242 + spin_ns);
	size_t max = ipc_queue_max_msg(RING);
	uint8_t buf[RING];
	for (uint32_t round = 0; round < ROUNDS; round++) {
		uint32_t count = 1 + (uint32_t)random() % 64;
		for (uint32_t i = 0; i < count; i++) {
			size_t len =
			    sizeof(struct rec) + (size_t)random() % (max - sizeof(struct rec));
			if (random() % 4)
				len = sizeof(struct rec) + (size_t)random() % 64; /* mostly small */
			struct rec r = {round, i, count, (uint32_t)len};
			memcpy(buf, &r, sizeof(r));
			fill(buf, len, round * 7919 + i);
			assert_int_equal(send_blocking(&p.a, &spin, buf, len), 0);
		}
		if (random() % 2)
			ipc_queue_flush(&p.a);
		struct rec ack;
		assert_int_equal(recv_blocking(&p.a, &spin, &ack, sizeof(ack)), sizeof(ack));
		assert_int_equal(ack.round, round);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	pair_close(&p);
}

static void no_lost_wakeup_futex_only(void **state)
{
	bursts_both_ways(0);
}

static void no_lost_wakeup_spinning(void **state)
{
	bursts_both_ways(20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(small_sends_notify_at_flush),
	    cmocka_unit_test(stream_notifies_every_eighth_of_ring),
	    cmocka_unit_test(wait_flushes_first),
	    cmocka_unit_test(space_answered_at_half_once),
	    cmocka_unit_test(space_answered_at_flush),
	    cmocka_unit_test(no_lost_wakeup_futex_only),
	    cmocka_unit_test(no_lost_wakeup_spinning),
	};
	alarm(60);
	return cmocka_run_group_tests_name("ipc_queue", tests, NULL, NULL);
}
