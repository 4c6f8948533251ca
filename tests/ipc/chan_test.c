/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc/ between two ends: notifications, protected calls (also across
 * processes), a callee that dies mid-call, calls to an earlier incarnation,
 * message queues and waiting on extra words.  Processes are synchronised
 * with pipes, futexes and waitpid; alarm() only bounds a hang.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/ipc/pair.h"

#define WATCHDOG_S 15 /* a lost wake-up fails the test instead of hanging it */

static struct ipc_spin spin;

static int setup(void **state)
{
	ipc_spin_init(&spin, 20000, sysconf(_SC_NPROCESSORS_ONLN));
	alarm(WATCHDOG_S);
	return 0;
}

static int teardown(void **state)
{
	alarm(0);
	return 0;
}

/* Wait (on a's view) until ipc_poll reports one of `want`. */
static unsigned wait_for(struct ipc_chan *ch, unsigned want)
{
	struct ipc_chan *list[1] = {ch};
	for (;;) {
		unsigned ev = ipc_poll(ch);
		if (ev & want)
			return ev;
		if (ipc_wait_any(list, 1, &spin) < 0)
			return 0;
	}
}

static void write_u64(int fd, uint64_t v)
{
	if (write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		_exit(90);
}

/* Read one u64 from fd within timeout_ms; fails the test otherwise. */
static uint64_t read_u64(int fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint64_t v = 0;
	assert_int_equal(poll(&pfd, 1, timeout_ms), 1);
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	return v;
}

static void reap_ok(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- notifications ---- */

static void notify_coalesces(void **state)
{
	struct pair p;
	pair_open(&p, IPC_CH_NOTIFY, 0);
	assert_int_equal(ipc_poll(&p.b) & IPC_EV_NOTIFY, 0);
	for (int i = 0; i < 5; i++)
		ipc_notify(&p.a);
	assert_true(ipc_poll(&p.b) & IPC_EV_NOTIFY);
	assert_int_equal(ipc_poll(&p.b) & IPC_EV_NOTIFY, 0); /* coalesced: one */
	ipc_notify(&p.a);
	assert_true(ipc_poll(&p.b) & IPC_EV_NOTIFY); /* and never lost */
	pair_close(&p);
}

/* Ping-pong across processes: each side sends the next notification only
 * after it received one, so a single lost wake-up hangs (and the watchdog
 * fails the test). */
static void notify_ping_pong_across_processes(void **state)
{
	enum { ROUNDS = 5000 };
	struct pair p;
	pair_open(&p, IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY, 0);
	pid_t pid = pair_fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < ROUNDS; i++) {
			if (!(wait_for(&p.b, IPC_EV_NOTIFY) & IPC_EV_NOTIFY))
				_exit(1);
			ipc_notify(&p.b);
		}
		_exit(0);
	}
	for (int i = 0; i < ROUNDS; i++) {
		ipc_notify(&p.a);
		assert_true(wait_for(&p.a, IPC_EV_NOTIFY) & IPC_EV_NOTIFY);
	}
	reap_ok(pid);
	pair_close(&p);
}

/* ---- protected calls ---- */

#define LABEL_STOP 0x5709u

static uint64_t transform(uint64_t v, uint64_t label, unsigned i)
{
	return ~v ^ (label * 0x9e3779b97f4a7c15u) ^ i;
}

/* The callee: answer calls until LABEL_STOP. */
static int serve_calls(struct ipc_chan *ch)
{
	uint64_t mr[IPC_MAX_MRS];
	struct ipc_chan *list[1] = {ch};
	for (;;) {
		ipc_poll(ch);
		uint64_t info;
		while (ipc_take_call(ch, &info, mr)) {
			uint64_t label = ipc_info_label(info);
			unsigned count = ipc_info_count(info);
			if (label == LABEL_STOP) {
				ipc_reply(ch, ipc_info(LABEL_STOP, 0), mr);
				return 0;
			}
			for (unsigned i = 0; i < count; i++)
				mr[i] = transform(mr[i], label, i);
			ipc_reply(ch, ipc_info(label + 1, count), mr);
		}
		if (ipc_wait_any(list, 1, &spin) < 0)
			return 1;
	}
}

static void call_roundtrip_1000_random(void **state)
{
	struct pair p;
	pair_open(&p, IPC_CH_CALLER, 0);
	pid_t pid = pair_fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(serve_calls(&p.b));

	srandom(1234);
	for (int n = 0; n < 1000; n++) {
		uint64_t mr[IPC_MAX_MRS], want[IPC_MAX_MRS];
		uint64_t label =
		    ((uint64_t)random() << 21 ^ (uint64_t)random()) % (IPC_LABEL_MAX - 4);
		if (label == LABEL_STOP)
			label++;
		unsigned count = (unsigned)random() % (IPC_MAX_MRS + 1);
		for (unsigned i = 0; i < IPC_MAX_MRS; i++) {
			mr[i] = (uint64_t)random() << 33 ^ (uint64_t)random();
			want[i] = i < count ? transform(mr[i], label, i) : mr[i];
		}
		uint64_t r = ipc_call(&p.a, ipc_info(label, count), mr, &spin);
		assert_int_equal(ipc_info_label(r), label + 1);
		assert_int_equal(ipc_info_count(r), count);
		assert_memory_equal(mr, want, sizeof(mr)); /* beyond count: untouched */
	}
	uint64_t mr[IPC_MAX_MRS] = {0};
	assert_int_equal(ipc_info_label(ipc_call(&p.a, ipc_info(LABEL_STOP, 0), mr, &spin)),
	                 LABEL_STOP);
	reap_ok(pid);
	pair_close(&p);
}

static void call_without_caller_right_is_invalid(void **state)
{
	struct pair p;
	uint64_t mr[IPC_MAX_MRS] = {0};
	pair_open(&p, IPC_CH_NOTIFY, 0);
	assert_int_equal(ipc_info_label(ipc_call(&p.a, ipc_info(1, 1), mr, &spin)),
	                 IPC_LABEL_INVALID);
	pair_close(&p);
}

static void call_to_down_peer_fails_at_once(void **state)
{
	struct pair p;
	uint64_t mr[IPC_MAX_MRS] = {0};
	pair_open(&p, IPC_CH_CALLER, 0);
	ipc_end_down(p.b_own);
	uint64_t r = ipc_call(&p.a, ipc_info(1, 1), mr, &spin);
	assert_int_equal(ipc_info_label(r), IPC_LABEL_PEER_DOWN);
	assert_int_equal(ipc_info_count(r), 0);
	pair_close(&p);
}

/* The callee takes a call and hangs; the "monitor" (this process) kills it
 * and marks its end down; the caller (another process) must return
 * PEER_DOWN promptly. */
static void call_blocked_when_callee_killed_returns_peer_down(void **state)
{
	struct pair p;
	int took[2], res[2];
	pair_open(&p, IPC_CH_CALLER, 0);
	assert_int_equal(pipe(took), 0);
	assert_int_equal(pipe(res), 0);

	pid_t callee = pair_fork();
	assert_true(callee >= 0);
	if (callee == 0) {
		uint64_t info, mr[IPC_MAX_MRS];
		while (!(ipc_poll(&p.b), ipc_take_call(&p.b, &info, mr))) {
			struct ipc_chan *l[1] = {&p.b};
			ipc_wait_any(l, 1, &spin);
		}
		write_u64(took[1], info);
		for (;;)
			pause();
	}
	pid_t caller = pair_fork();
	assert_true(caller >= 0);
	if (caller == 0) {
		uint64_t mr[IPC_MAX_MRS] = {42};
		write_u64(res[1], ipc_call(&p.a, ipc_info(3, 1), mr, &spin));
		_exit(0);
	}
	assert_int_equal(ipc_info_label(read_u64(took[0], 5000)), 3);
	assert_int_equal(kill(callee, SIGKILL), 0);
	int st;
	assert_int_equal(waitpid(callee, &st, 0), callee);
	uint64_t t0 = pair_now_ns();
	ipc_end_down(p.b_own);
	uint64_t r = read_u64(res[0], 2000);
	assert_true(pair_now_ns() - t0 < 1000000000u);
	assert_int_equal(ipc_info_label(r), IPC_LABEL_PEER_DOWN);
	assert_int_equal(ipc_info_count(r), 0);
	reap_ok(caller);
	close(took[0]), close(took[1]), close(res[0]), close(res[1]);
	pair_close(&p);
}

/* A call made to incarnation 1 of the callee, abandoned when it went down,
 * must not run in incarnation 2; a new call does. */
static void call_to_earlier_incarnation_dropped(void **state)
{
	struct pair p;
	int res[2], go[2];
	pair_open(&p, IPC_CH_CALLER, 0);
	assert_int_equal(pipe(res), 0);
	assert_int_equal(pipe(go), 0);
	pid_t caller = pair_fork();
	assert_true(caller >= 0);
	if (caller == 0) {
		uint64_t mr[IPC_MAX_MRS] = {7}, g;
		write_u64(res[1], ipc_call(&p.a, ipc_info(5, 1), mr, &spin));
		if (read(go[0], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		mr[0] = 8;
		uint64_t r = ipc_call(&p.a, ipc_info(6, 1), mr, &spin);
		write_u64(res[1], r);
		write_u64(res[1], mr[0]);
		_exit(0);
	}
	/* b is the callee, here: it sees the call arrive but does not take it. */
	struct ipc_chan *l[1] = {&p.b};
	while (__atomic_load_n(&p.b_peer->call_seq, __ATOMIC_ACQUIRE) == p.b.seen_call) {
		ipc_poll(&p.b);
		ipc_wait_any(l, 1, &spin);
	}
	ipc_end_down(p.b_own); /* it died */
	uint64_t r = read_u64(res[0], 2000);
	assert_int_equal(ipc_info_label(r), IPC_LABEL_PEER_DOWN);

	pair_restart_b(&p); /* incarnation 2 */
	uint64_t info, mr[IPC_MAX_MRS];
	ipc_poll(&p.b);
	assert_false(ipc_take_call(&p.b, &info, mr));

	write_u64(go[1], 1);
	while (!ipc_take_call(&p.b, &info, mr)) {
		ipc_poll(&p.b);
		ipc_wait_any(l, 1, &spin);
	}
	assert_int_equal(ipc_info_label(info), 6);
	assert_int_equal(mr[0], 8);
	mr[0] = 80;
	ipc_reply(&p.b, ipc_info(60, 1), mr);
	assert_int_equal(ipc_info_label(read_u64(res[0], 2000)), 60);
	assert_int_equal(read_u64(res[0], 2000), 80);
	reap_ok(caller);
	close(res[0]), close(res[1]), close(go[0]), close(go[1]);
	pair_close(&p);
}

/* A callee that replied and then died still delivers its reply, even when
 * the monitor has restarted it before the caller reads the reply: the
 * caller can see reply_seq and be preempted before it copies the payload
 * (the soak test caught replies read as label 0, count 0: ipc_end_up used to
 * clear the reply payload). */
static void reply_survives_callee_restart_before_it_is_read(void **state)
{
	struct pair p;
	struct ipc_call_state cs;
	uint64_t info, fail, mr[IPC_MAX_MRS] = {41, 42};
	pair_open(&p, IPC_CH_CALLER, 0);

	assert_true(ipc_call_start(&p.a, ipc_info(5, 2), mr, &cs, &fail));
	ipc_poll(&p.b);
	assert_true(ipc_take_call(&p.b, &info, mr));
	mr[0] = 410, mr[1] = 420;
	ipc_reply(&p.b, ipc_info(50, 2), mr);
	/* The caller has seen reply_seq (as ipc_call_done does first) ... */
	assert_int_equal(__atomic_load_n(&p.a_peer->reply_seq, __ATOMIC_ACQUIRE), cs.seq);
	/* ... when the callee dies and the monitor restarts it. */
	pair_restart_b(&p);
	memset(mr, 0, sizeof(mr));
	assert_true(ipc_call_done(&p.a, &cs, &info, mr));
	assert_int_equal(ipc_info_label(info), 50);
	assert_int_equal(ipc_info_count(info), 2);
	assert_int_equal(mr[0], 410);
	assert_int_equal(mr[1], 420);
	pair_close(&p);
}

/* ---- queues ---- */

#define RING 4096u

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7);
}

static void queue_max_msg_and_toobig(void **state)
{
	struct pair p;
	uint8_t buf[RING];
	size_t max = ipc_queue_max_msg(RING);
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	assert_int_equal(max, RING / 2 - IPC_QUEUE_HDR);
	assert_int_equal(ipc_queue_send(&p.a, buf, max + 1), IPC_EQ_TOOBIG);
	assert_int_equal(ipc_queue_send(&p.a, buf, 0), IPC_EQ_TOOBIG);
	fill(buf, max, 1);
	assert_int_equal(ipc_queue_send(&p.a, buf, max), 0);
	uint8_t small[16], out[RING];
	assert_int_equal(ipc_queue_recv(&p.b, small, sizeof(small)), IPC_EQ_TOOBIG);
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), (ssize_t)max); /* still there */
	assert_memory_equal(out, buf, max);
	pair_close(&p);
}

static void queue_directions_and_empty(void **state)
{
	struct pair p;
	uint8_t buf[8] = {1};
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	assert_int_equal(ipc_queue_recv(&p.a, buf, sizeof(buf)), IPC_EQ_NOQUEUE);
	assert_int_equal(ipc_queue_send(&p.b, buf, sizeof(buf)), IPC_EQ_NOQUEUE);
	assert_int_equal(ipc_queue_recv(&p.b, buf, sizeof(buf)), IPC_EQ_EMPTY);
	ipc_end_down(p.a_own);
	assert_int_equal(ipc_queue_recv(&p.b, buf, sizeof(buf)), IPC_EQ_DOWN);
	pair_close(&p);
}

/* Fill to FULL; the consumer then gets every message, in order. */
static void queue_fill_to_full_then_drain(void **state)
{
	struct pair p;
	uint8_t buf[100], out[100];
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	unsigned sent = 0;
	int r;
	for (;;) {
		fill(buf, sizeof(buf), sent);
		r = ipc_queue_send(&p.a, buf, sizeof(buf));
		if (r != 0)
			break;
		sent++;
	}
	assert_int_equal(r, IPC_EQ_FULL);
	assert_int_equal(sent, RING / (IPC_QUEUE_HDR + 104)); /* records of 112 bytes */
	for (unsigned i = 0; i < sent; i++) {
		fill(buf, sizeof(buf), i);
		assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
		assert_memory_equal(out, buf, sizeof(buf));
	}
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), IPC_EQ_EMPTY);
	pair_close(&p);
}

/* Many rounds of varying sizes: records wrap around the ring end. */
static void queue_records_wrap(void **state)
{
	struct pair p;
	uint8_t buf[RING], out[RING];
	size_t max = ipc_queue_max_msg(RING);
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	srandom(77);
	unsigned sent = 0, got = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + (size_t)random() % max;
		fill(buf, len, sent);
		int r = ipc_queue_send(&p.a, buf, len);
		if (r == 0) {
			sent++;
		} else {
			assert_int_equal(r, IPC_EQ_FULL);
		}
		if (random() % 2 || r == IPC_EQ_FULL) {
			ssize_t n = ipc_queue_recv(&p.b, out, sizeof(out));
			if (n == IPC_EQ_EMPTY)
				continue;
			assert_true(n > 0);
			uint8_t want[RING];
			fill(want, (size_t)n, got);
			assert_memory_equal(out, want, (size_t)n);
			got++;
		}
	}
	assert_true(sent > 1000);
	assert_true(p.a.tx_head > 4 * RING); /* wrapped several times */
	pair_close(&p);
}

/* Empty -> non-empty notifies the consumer (a message of an eighth of the
 * ring or more is checked at once; smaller ones at the flush, see
 * queue_test.c); FULL asks for space and the consumer notifies the producer
 * once half the ring is free, once. */
static void queue_notifications(void **state)
{
	struct pair p;
	uint8_t buf[1000] = {0}, out[1000];
	pair_open(&p, IPC_CH_TX_QUEUE, RING);
	ipc_poll(&p.a);
	ipc_poll(&p.b);
	assert_int_equal(ipc_queue_send(&p.a, buf, sizeof(buf)), 0);
	assert_true(ipc_poll(&p.b) & IPC_EV_NOTIFY);
	assert_int_equal(ipc_queue_send(&p.a, buf, sizeof(buf)), 0);
	assert_int_equal(ipc_poll(&p.b) & IPC_EV_NOTIFY, 0); /* was not empty */
	while (ipc_queue_send(&p.a, buf, sizeof(buf)) == 0)
		;
	assert_int_equal(ipc_poll(&p.a) & IPC_EV_NOTIFY, 0);
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
	assert_int_equal(ipc_poll(&p.a) & IPC_EV_NOTIFY, 0); /* 3/4 full: not yet */
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
	assert_true(ipc_poll(&p.a) & IPC_EV_NOTIFY); /* half free: room now */
	assert_int_equal(ipc_queue_recv(&p.b, out, sizeof(out)), sizeof(out));
	assert_int_equal(ipc_poll(&p.a) & IPC_EV_NOTIFY, 0); /* answered once */
	pair_close(&p);
}

/* A previous incarnation of the producer left its head inconsistent: the
 * restart adopts the consumer's tail and the queue works again. */
static void queue_restart_repairs_indices(void **state)
{
	struct pair p;
	uint8_t buf[64] = {9}, out[64];
	pair_open(&p, IPC_CH_RX_QUEUE, RING); /* b produces, a consumes */
	assert_int_equal(ipc_queue_send(&p.b, buf, sizeof(buf)), 0);
	assert_int_equal(ipc_queue_recv(&p.a, out, sizeof(out)), sizeof(buf));
	p.b_own->queue_head += 3 * RING; /* garbage from a dying incarnation */
	assert_int_equal(ipc_queue_recv(&p.a, out, sizeof(out)), IPC_EQ_BROKEN);
	assert_true(p.a.broken);
	pair_restart_b(&p);
	assert_int_equal(p.b_own->queue_head, p.a_own->queue_tail);
	assert_true(ipc_poll(&p.a) & IPC_EV_HEALED);
	fill(buf, sizeof(buf), 3);
	assert_int_equal(ipc_queue_send(&p.b, buf, sizeof(buf)), 0);
	assert_int_equal(ipc_queue_recv(&p.a, out, sizeof(out)), sizeof(buf));
	assert_memory_equal(out, buf, sizeof(buf));
	pair_close(&p);
}

/* ---- waiting on extra words (the monitor page) ---- */

static void wait_extra_without_channels(void **state)
{
	uint32_t *word =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(word != MAP_FAILED);
	const uint32_t *w[1] = {word};
	uint32_t expect = 0;
	assert_int_equal(ipc_wait_any_extra(NULL, 0, NULL, NULL, 0, &spin), -EINVAL);
	expect = 1; /* differs: returns at once */
	assert_int_equal(ipc_wait_any_extra(NULL, 0, w, &expect, 1, &spin), 0);
	expect = 0;
	pid_t pid = pair_fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
		_exit(0);
	}
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0)
		assert_int_equal(ipc_wait_any_extra(NULL, 0, w, &expect, 1, &spin), 0);
	reap_ok(pid);
	munmap(word, 4096);
}

/* The monitor page's word, both sides: ipc_mon_init, then the "monitor"
 * (a child process) tells twice; the "PD" sleeps on the word
 * ipc_mon_wait_word names until ipc_mon_event shows each tell. */
static void monitor_page_tell_wakes_the_pd(void **state)
{
	struct ipc_mon *m =
	    mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 0xa5, sizeof(*m));
	ipc_mon_init(m);
	assert_int_equal(m->magic, IPC_MON_MAGIC);
	assert_int_equal(m->version, IPC_VERSION);
	assert_int_equal(ipc_mon_event(m), 0);
	assert_int_equal(m->reserved, 0);

	pid_t pid = pair_fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ipc_mon_tell(m);
		ipc_mon_tell(m);
		_exit(0);
	}
	uint32_t seen = 0;
	while (seen < 2) {
		const uint32_t *word;
		uint32_t expect;
		ipc_mon_wait_word(m, seen, &word, &expect);
		assert_ptr_equal(word, &m->event);
		assert_int_equal(expect, seen);
		assert_int_equal(ipc_wait_words(&word, &expect, 1, NULL, 0, &spin, false), 0);
		seen = ipc_mon_event(m);
	}
	assert_int_equal(seen, 2);
	reap_ok(pid);
	munmap(m, sizeof(*m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(notify_coalesces, setup, teardown),
	    cmocka_unit_test_setup_teardown(notify_ping_pong_across_processes, setup, teardown),
	    cmocka_unit_test_setup_teardown(call_roundtrip_1000_random, setup, teardown),
	    cmocka_unit_test_setup_teardown(call_without_caller_right_is_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(call_to_down_peer_fails_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(call_blocked_when_callee_killed_returns_peer_down,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(call_to_earlier_incarnation_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(reply_survives_callee_restart_before_it_is_read, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(queue_max_msg_and_toobig, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_directions_and_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_fill_to_full_then_drain, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_records_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_notifications, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_restart_repairs_indices, setup, teardown),
	    cmocka_unit_test_setup_teardown(wait_extra_without_channels, setup, teardown),
	    cmocka_unit_test_setup_teardown(monitor_page_tell_wakes_the_pd, setup, teardown),
	};
	return cmocka_run_group_tests_name("ipc_chan", tests, NULL, NULL);
}
