/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile peer: seeded random bytes over the peer's end page and the rx
 * ring, many rounds.  ipc_poll, ipc_take_call, ipc_queue_recv and
 * ipc_queue_send must never crash or read out of bounds (the pages sit
 * between guard pages, buffers are heap-allocated at their exact size for
 * ASan), must report breakage with a reason, and the channel must heal
 * once the peer is restarted (its life changes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/ipc/pair.h"

#define RING   4096u
#define ROUNDS 20000

/* a: the victim.  b's page and ring are the hostile side. */
#define A_FLAGS                                                                                    \
	(IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY | IPC_CH_CALLEE | IPC_CH_TX_QUEUE | IPC_CH_RX_QUEUE)

static uint64_t rnd64(void)
{
	return (uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^ (uint64_t)random();
}

static void random_bytes(void *p, size_t n)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)random();
}

/* Write the ring word at off through the writer's mapping. */
static void put32(uint8_t *ring, uint64_t off, uint32_t v)
{
	memcpy(ring + (off & (RING - 1)), &v, sizeof(v));
}

static void scribble(struct pair *p, int mode)
{
	struct ipc_end *e = p->b_own;
	uint32_t life = e->life;

	switch (mode) {
	case 0: /* everything, magic included */
		random_bytes(e, sizeof(*e));
		break;
	case 1: /* everything but the words the monitor restores */
		random_bytes(e, sizeof(*e));
		e->magic = IPC_END_MAGIC;
		e->version = IPC_VERSION;
		e->life = life;
		break;
	case 2: /* plausible indices over random records */
		e->queue_head = p->a.rx_tail + 8 * ((uint64_t)random() % (RING / 8 + 1));
		random_bytes(p->ba_w, RING);
		if (random() % 2) /* a wrap marker somewhere */
			put32(p->ba_w, p->a.rx_tail + 8 * (uint64_t)(random() % 64),
			      IPC_QUEUE_WRAP);
		break;
	case 3: /* a call with random info and registers, to this incarnation */
		random_bytes(e->call_mr, sizeof(e->call_mr));
		e->call_info = rnd64();
		e->call_life = p->a_own->life;
		e->call_seq++;
		e->event++;
		break;
	case 4: /* a record with a random length word at the tail */
		e->queue_head = p->a.rx_tail + 8 * (1 + (uint64_t)random() % (RING / 8));
		put32(p->ba_w, p->a.rx_tail, (uint32_t)rnd64());
		break;
	default: /* the consumer's view of our tx queue: a random tail */
		e->queue_tail = rnd64();
		break;
	}
}

/* Exercise every reader of a once; check what can be checked. */
static void victim(struct pair *p)
{
	uint64_t *mr = malloc(IPC_MAX_MRS * sizeof(*mr));
	uint64_t info;

	assert_non_null(mr);
	unsigned ev = ipc_poll(&p->a);
	if (ev & IPC_EV_BROKEN)
		assert_true(p->a.broken);
	if (ipc_take_call(&p->a, &info, mr)) {
		assert_true(ipc_info_count(info) <= IPC_MAX_MRS);
		ipc_reply(&p->a, ipc_info(1, ipc_info_count(info)), mr);
	}
	for (int i = 0; i < 4; i++) {
		size_t cap = 1 + (size_t)random() % RING;
		uint8_t *buf = malloc(cap);
		assert_non_null(buf);
		ssize_t n = ipc_queue_recv(&p->a, buf, cap);
		free(buf);
		if (n > 0)
			assert_true((size_t)n <= cap);
		else
			assert_true(n == IPC_EQ_EMPTY || n == IPC_EQ_TOOBIG || n == IPC_EQ_BROKEN);
		if (n <= 0)
			break;
	}
	uint8_t msg[24] = {1, 2, 3};
	int s = ipc_queue_send(&p->a, msg, sizeof(msg));
	assert_true(s == 0 || s == IPC_EQ_FULL || s == IPC_EQ_BROKEN);
	if (s == IPC_EQ_BROKEN || ev & IPC_EV_BROKEN)
		assert_true(p->a.broken);
	if (p->a.broken) {
		assert_non_null(p->a.broken_what);
		assert_true(strlen(p->a.broken_what) > 0);
	}
	free(mr);
}

/* The monitor restarts the peer; the channel heals and works again. */
static void heal(struct pair *p)
{
	bool was_broken = p->a.broken;
	/* The consumer side of b: our tx ring may hold what we sent; b's new
	 * incarnation keeps its counters, repaired where inconsistent. */
	pair_restart_b(p);
	unsigned ev = ipc_poll(&p->a);
	assert_true(ev & IPC_EV_LIFE);
	if (was_broken)
		assert_true(ev & IPC_EV_HEALED);
	assert_false(p->a.broken);

	/* Drain what the old incarnation left that parses; no breakage. */
	uint8_t buf[RING];
	ssize_t n;
	while ((n = ipc_queue_recv(&p->a, buf, sizeof(buf))) > 0)
		;
	assert_int_equal(n, IPC_EQ_EMPTY);
	while ((n = ipc_queue_recv(&p->b, buf, sizeof(buf))) > 0)
		;
	assert_int_equal(n, IPC_EQ_EMPTY);

	/* Both directions of the queue and a notification work. */
	uint8_t msg[40];
	random_bytes(msg, sizeof(msg));
	assert_int_equal(ipc_queue_send(&p->b, msg, sizeof(msg)), 0);
	assert_int_equal(ipc_queue_recv(&p->a, buf, sizeof(buf)), sizeof(msg));
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_int_equal(ipc_queue_send(&p->a, msg, sizeof(msg)), 0);
	assert_int_equal(ipc_queue_recv(&p->b, buf, sizeof(buf)), sizeof(msg));
	ipc_notify(&p->b);
	assert_true(ipc_poll(&p->a) & IPC_EV_NOTIFY);
	assert_false(p->a.broken);
}

static void scribbler_never_crashes_and_heals(void **state)
{
	struct pair p;
	unsigned breaks = 0, heals = 0;

	pair_open(&p, A_FLAGS, RING);
	srandom(20240611);
	for (int round = 0; round < ROUNDS; round++) {
		int mode = (int)(random() % 6);
		scribble(&p, mode);
		bool bad_magic = p.b_own->magic != IPC_END_MAGIC;
		victim(&p);
		if (bad_magic)
			assert_true(p.a.broken); /* reported with a reason */
		breaks += p.a.broken;
		if (p.a.broken || random() % 8 == 0) {
			heal(&p);
			heals++;
		}
	}
	assert_true(breaks > ROUNDS / 4); /* the scribbler did break things */
	assert_true(heals > ROUNDS / 4);
	pair_close(&p);
}

/* Breaking is reported once (broken_count), and a tidied page without a
 * restart does not heal: only a life change does. */
static void broken_stays_broken_until_life_changes(void **state)
{
	struct pair p;
	pair_open(&p, A_FLAGS, RING);
	p.b_own->magic = 0;
	assert_true(ipc_poll(&p.a) & IPC_EV_BROKEN);
	assert_int_equal(p.a.broken_count, 1);
	p.b_own->magic = IPC_END_MAGIC; /* the hostile peer tidies up */
	assert_int_equal(ipc_poll(&p.a) & IPC_EV_HEALED, 0);
	assert_true(p.a.broken);
	uint64_t mr[IPC_MAX_MRS] = {0};
	uint8_t buf[8];
	assert_int_equal(ipc_queue_recv(&p.a, buf, sizeof(buf)), IPC_EQ_BROKEN);
	assert_int_equal(p.a.broken_count, 1);
	pair_restart_b(&p);
	assert_true(ipc_poll(&p.a) & IPC_EV_HEALED);
	assert_false(p.a.broken);
	(void)mr;
	pair_close(&p);
}

/* Garbage records the broken incarnation left are dropped at healing;
 * sound ones stay. */
static void heal_drops_garbage_keeps_sound_records(void **state)
{
	struct pair p;
	uint8_t msg[16] = {5}, buf[RING];
	pair_open(&p, A_FLAGS, RING);

	/* Sound records survive a restart that was not caused by breakage. */
	assert_int_equal(ipc_queue_send(&p.b, msg, sizeof(msg)), 0);
	pair_restart_b(&p);
	ipc_poll(&p.a);
	assert_int_equal(ipc_queue_recv(&p.a, buf, sizeof(buf)), sizeof(msg));

	/* Garbage: a record length beyond the ring. */
	put32(p.ba_w, p.a.rx_tail, RING * 2);
	p.b_own->queue_head = p.a.rx_tail + 64;
	assert_int_equal(ipc_queue_recv(&p.a, buf, sizeof(buf)), IPC_EQ_BROKEN);
	pair_restart_b(&p);
	assert_true(ipc_poll(&p.a) & IPC_EV_HEALED);
	assert_int_equal(ipc_queue_recv(&p.a, buf, sizeof(buf)), IPC_EQ_EMPTY);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(scribbler_never_crashes_and_heals),
	    cmocka_unit_test(broken_stays_broken_until_life_changes),
	    cmocka_unit_test(heal_drops_garbage_keeps_sound_records),
	};
	alarm(60);
	return cmocka_run_group_tests_name("ipc_hostile", tests, NULL, NULL);
}
