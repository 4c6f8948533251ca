/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The adaptive spin policy of ipc/wait.c, scripted: ipc_spin_budget and
 * ipc_spin_outcome given a sequence of outcomes, ipc_spin_paid's
 * classification of a spin, and ipc_call not spinning after it had to wake
 * a sleeping callee.  No clock decides any assertion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/ipc/pair.h"

#define MAX_NS 20000u

/* One wait: take the budget, report the outcome; returns the budget. */
static uint32_t wait_once(struct ipc_spin *s, bool paid)
{
	uint32_t b = ipc_spin_budget(s);
	ipc_spin_outcome(s, b, paid);
	return b;
}

static void starts_at_max_and_disabled_on_one_cpu(void **state)
{
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	assert_int_equal(ipc_spin_budget(&s), MAX_NS);
	ipc_spin_init(&s, MAX_NS, 1);
	for (unsigned i = 0; i < 3 * IPC_SPIN_PROBE_MAX; i++)
		assert_int_equal(wait_once(&s, true), 0); /* never, not even a probe */
	ipc_spin_init(&s, 0, 8);
	for (unsigned i = 0; i < 3 * IPC_SPIN_PROBE_MAX; i++)
		assert_int_equal(wait_once(&s, true), 0);
}

/* Failures halve the budget down to the floor, and the IPC_SPIN_OFF_AFTER-th
 * failure in a row switches it off. */
static void failures_halve_to_floor_then_off(void **state)
{
	static const uint32_t want[IPC_SPIN_OFF_AFTER] = {
	    20000, 10000, 5000, 2500, 1250, IPC_SPIN_MIN_NS, IPC_SPIN_MIN_NS, IPC_SPIN_MIN_NS,
	};
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	for (unsigned i = 0; i < IPC_SPIN_OFF_AFTER; i++)
		assert_int_equal(wait_once(&s, false), want[i]);
	assert_int_equal(s.cur_ns, 0);
	assert_int_equal(ipc_spin_budget(&s), 0);
}

/* Switch spinning off: IPC_SPIN_OFF_AFTER failures from the start. */
static void switch_off(struct ipc_spin *s)
{
	for (unsigned i = 0; i < IPC_SPIN_OFF_AFTER; i++)
		wait_once(s, false);
	assert_int_equal(s->cur_ns, 0);
}

/* While off, one wait in probe_every spins, for max_ns (it must outlast the
 * peer's wake-up); each failed probe doubles the interval up to
 * IPC_SPIN_PROBE_MAX. */
static void off_probes_with_backoff(void **state)
{
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	switch_off(&s);
	uint32_t every = IPC_SPIN_PROBE_MIN;
	for (int round = 0; round < 8; round++) {
		for (unsigned i = 1; i < every; i++)
			assert_int_equal(wait_once(&s, false), 0);
		assert_int_equal(wait_once(&s, false), MAX_NS);
		assert_int_equal(s.cur_ns, 0);
		every = every * 2 > IPC_SPIN_PROBE_MAX ? IPC_SPIN_PROBE_MAX : every * 2;
		assert_int_equal(s.probe_every, every);
	}
	assert_int_equal(every, IPC_SPIN_PROBE_MAX);
}

/* A probe that pays turns spinning back on at its length; the next time
 * spinning goes off, probing starts again at IPC_SPIN_PROBE_MIN. */
static void paid_probe_turns_spinning_on(void **state)
{
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	switch_off(&s);
	for (unsigned i = 1; i < IPC_SPIN_PROBE_MIN; i++)
		wait_once(&s, true);                    /* budget 0: the outcome is ignored */
	assert_int_equal(wait_once(&s, false), MAX_NS); /* failed probe */
	for (unsigned i = 1; i < 2 * IPC_SPIN_PROBE_MIN; i++)
		assert_int_equal(wait_once(&s, true), 0);
	assert_int_equal(wait_once(&s, true), MAX_NS); /* paid probe */
	assert_int_equal(s.cur_ns, MAX_NS);
	assert_int_equal(wait_once(&s, false), MAX_NS);
	assert_int_equal(wait_once(&s, true), MAX_NS / 2);
	assert_int_equal(wait_once(&s, true), MAX_NS); /* doubled, capped */
	switch_off(&s);
	for (unsigned i = 1; i < IPC_SPIN_PROBE_MIN; i++)
		assert_int_equal(wait_once(&s, false), 0);
	assert_int_equal(wait_once(&s, false), MAX_NS);
}

/* Successes double the budget up to max_ns. */
static void successes_regrow_to_max(void **state)
{
	static const uint32_t want[] = {1250, 2500, 5000, 10000, 20000, 20000};
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	for (int i = 0; i < 4; i++)
		wait_once(&s, false);
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(wait_once(&s, true), want[i]);
}

/* A success resets the run of failures: alternating outcomes (a peer that
 * is preempted half the time on another CPU) never switch spinning off. */
static void success_resets_failure_run(void **state)
{
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	for (int i = 0; i < 1000; i++) {
		for (unsigned f = 0; f + 1 < IPC_SPIN_OFF_AFTER; f++)
			assert_true(wait_once(&s, false) > 0);
		assert_true(wait_once(&s, true) > 0);
	}
	assert_true(s.cur_ns >= IPC_SPIN_MIN_NS);
}

/* A bound below the floor: the floor is the bound. */
static void small_bound_is_its_own_floor(void **state)
{
	struct ipc_spin s;
	ipc_spin_init(&s, 300, 2);
	for (unsigned i = 0; i < IPC_SPIN_OFF_AFTER; i++)
		assert_int_equal(wait_once(&s, false), 300);
	assert_int_equal(s.cur_ns, 0);
	for (unsigned i = 1; i < IPC_SPIN_PROBE_MIN; i++)
		wait_once(&s, false);
	assert_int_equal(wait_once(&s, true), 300);
	assert_int_equal(s.cur_ns, 300);
}

static void paid_needs_time_within_budget_and_no_gap(void **state)
{
	assert_true(ipc_spin_paid(20000, 0, 0));
	assert_true(ipc_spin_paid(20000, 400, 400));
	assert_true(ipc_spin_paid(1000, 1000 + IPC_SPIN_GAP_NS, IPC_SPIN_GAP_NS));
	assert_false(ipc_spin_paid(1000, 1000 + IPC_SPIN_GAP_NS + 1, 500)); /* too late */
	/* Seen "within budget" only because the peer ran while we were
	 * descheduled: a gap, so not paid. */
	assert_false(ipc_spin_paid(20000, 9000, 8000));
	assert_false(ipc_spin_paid(20000, 30000000, 30000000));
}

/* What the benchmark found on one CPU, scripted: every spin sees the
 * change only after a preemption.  Classified by ipc_spin_paid, spinning
 * goes off within IPC_SPIN_OFF_AFTER waits; then probes back off until
 * they cost one max_ns spin per IPC_SPIN_PROBE_MAX waits. */
static void preempted_successes_switch_spinning_off(void **state)
{
	enum { WAITS = 20000, STEADY = 2000 };
	struct ipc_spin s;
	unsigned probes = 0;
	ipc_spin_init(&s, MAX_NS, 2);
	for (int i = 0; i < WAITS; i++) {
		uint32_t b = ipc_spin_budget(&s);
		/* seen after a 10 µs preemption, 12 µs after the start */
		ipc_spin_outcome(&s, b, ipc_spin_paid(b, 12000, 10000));
		if (i >= (int)IPC_SPIN_OFF_AFTER)
			assert_true(b == 0 || b == MAX_NS);
		if (i >= STEADY && b)
			probes++;
	}
	assert_true(probes <= (WAITS - STEADY) / IPC_SPIN_PROBE_MAX + 1);
}

/* ---- ipc_call: no spin after waking the callee ---- */

#define LABEL 0x77u

/* The callee: poll for the call without ever sleeping (so it never touches
 * its `waiting`), then reply. */
static void busy_callee(struct pair *p)
{
	uint64_t info, mr[IPC_MAX_MRS];
	while (!ipc_take_call(&p->b, &info, mr))
		ipc_poll(&p->b);
	mr[0] += 1;
	ipc_reply(&p->b, ipc_info(ipc_info_label(info), 1), mr);
}

static void call_with_callee_waiting(bool asleep, struct ipc_spin *s)
{
	struct pair p;
	pair_open(&p, IPC_CH_CALLER, 0);
	/* As the callee does just before futex_waitv; it stays set. */
	__atomic_store_n(&p.b_own->waiting, asleep ? 1u : 0u, __ATOMIC_SEQ_CST);
	pid_t pid = pair_fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		busy_callee(&p);
		_exit(0);
	}
	uint64_t mr[IPC_MAX_MRS] = {41};
	uint64_t r = ipc_call(&p.a, ipc_info(LABEL, 1), mr, s);
	assert_int_equal(ipc_info_label(r), LABEL);
	assert_int_equal(mr[0], 42);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pair_close(&p);
}

static void call_does_not_spin_after_waking_callee(void **state)
{
	struct ipc_spin s;
	ipc_spin_init(&s, MAX_NS, 2);
	call_with_callee_waiting(true, &s);
	/* The policy was not even asked: no spin, no outcome, no probe count. */
	assert_int_equal(s.spins + s.late, 0);
	assert_int_equal(s.cur_ns, MAX_NS);
	assert_int_equal(s.fails, 0);
	assert_int_equal(s.idle, 0);

	/* A callee that is not asleep: the caller spins (paid, late, or the
	 * budget ran out and was halved). */
	ipc_spin_init(&s, MAX_NS, 2);
	call_with_callee_waiting(false, &s);
	assert_true(s.spins + s.late > 0 || s.cur_ns < MAX_NS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(starts_at_max_and_disabled_on_one_cpu),
	    cmocka_unit_test(failures_halve_to_floor_then_off),
	    cmocka_unit_test(off_probes_with_backoff),
	    cmocka_unit_test(paid_probe_turns_spinning_on),
	    cmocka_unit_test(successes_regrow_to_max),
	    cmocka_unit_test(success_resets_failure_run),
	    cmocka_unit_test(small_bound_is_its_own_floor),
	    cmocka_unit_test(paid_needs_time_within_budget_and_no_gap),
	    cmocka_unit_test(preempted_successes_switch_spinning_off),
	    cmocka_unit_test(call_does_not_spin_after_waking_callee),
	};
	alarm(30);
	return cmocka_run_group_tests_name("ipc_spin", tests, NULL, NULL);
}
