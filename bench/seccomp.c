/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the seccomp filter costs on the protected-call path.
 *
 * Not two real PDs: two processes (run_pingpong_apart), each with the
 * native PD filter installed exactly as sandbox_spawn installs it (compiled
 * by the sandbox's policy_compile, then PR_SET_NO_NEW_PRIVS and
 * PR_SET_SECCOMP), against the same two processes without it.  They share
 * a channel set up as the monitor sets one up (chan.h), and the callee runs
 * a PD's event loop.  The namespaces and the empty root of a real PD are
 * left out on purpose: they cost nothing per call, so this isolates the
 * filter, which runs on every futex and futex_waitv of a round trip.
 *
 * Beside the round trips, the cost per system call of one process, with and
 * without the filter: a futex wake with no waiter (the filter allows futex
 * whatever its arguments, which the kernel's seccomp action cache answers
 * without running the filter) and prlimit64 reading RLIMIT_STACK (allowed
 * only for some arguments, so the filter runs).
 */
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/chan.h"
#include "bench/pd.h"
#include "sandbox/sandbox.h"

/* Compiled once, in the parent: children inherit it across fork. */
static struct sock_fprog native_filter;

static void confine(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &native_filter) < 0)
		die_errno("PR_SET_SECCOMP");
}

struct sc_pair {
	struct pair p;
	struct chan c;
	bool filter;
};

static void sc_attach(struct pair *p, int side)
{
	struct sc_pair *s = p->priv;
	chan_attach(&s->c, side);
	if (s->filter)
		confine();
}

static void sc_once(struct pair *p)
{
	chan_call(&((struct sc_pair *)p->priv)->c, CHAN_LABEL_ECHO);
}

static void sc_stop(struct pair *p)
{
	chan_call(&((struct sc_pair *)p->priv)->c, CHAN_LABEL_STOP);
}

static void sc_serve(struct pair *p)
{
	chan_serve_calls(&((struct sc_pair *)p->priv)->c);
}

static void call_case(const struct opts *o, enum place pl, uint32_t spin_ns, bool filter,
                      struct result *r)
{
	struct sc_pair s = {.filter = filter};
	s.p = (struct pair){
	    .attach = sc_attach, .serve = sc_serve, .once = sc_once, .stop = sc_stop, .priv = &s};
	s.c.nmr = 1;
	s.c.spin_ns = spin_ns;
	s.c.flags[0] = IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY | IPC_CH_CALLER;
	s.c.flags[1] = IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY | IPC_CH_CALLEE;
	snprintf(r->id, sizeof(r->id), "ppcall-%s-%s", spin_ns ? "spin" : "futex",
	         filter ? "seccomp" : "plain");
	snprintf(r->label, sizeof(r->label), "protected call round trip, 1 MR, %s, %s",
	         spin_ns ? "adaptive spin" : "futex only", filter ? "seccomp filter" : "no filter");
	r->kind = KIND_LATENCY;
	r->rt_mult = 1;
	r->baseline = !filter;
	if (!wanted(o, r->id))
		return;
	chan_create(&s.c);
	run_pingpong_apart(&s.p, pl, o, r);
	chan_destroy(&s.c);
}

/* ---- one system call, in one process ---- */

enum { SYSCALL_BATCH = 256 };

struct sc_syscall {
	bool filter, prlimit;
	size_t n;
	double *samples; /* shared */
};

static void syscall_body(void *arg)
{
	struct sc_syscall *a = arg;
	uint32_t word = 0;
	struct rlimit rl;
	if (a->filter)
		confine();
	for (size_t i = 0; i < a->n + a->n / 10; i++) { /* the first tenth warms up */
		uint64_t t0 = now_ns();
		for (int b = 0; b < SYSCALL_BATCH; b++)
			if (a->prlimit)
				syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl);
			else
				syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		if (i >= a->n / 10)
			a->samples[i - a->n / 10] = (double)(now_ns() - t0) / SYSCALL_BATCH;
	}
}

static void syscall_case(const struct opts *o, bool prlimit, bool filter, struct result *r)
{
	snprintf(r->id, sizeof(r->id), "%s-%s", prlimit ? "prlimit" : "futex-wake",
	         filter ? "seccomp" : "plain");
	snprintf(r->label, sizeof(r->label), "%s, %s",
	         prlimit ? "prlimit64(0, RLIMIT_STACK) read (rule with arguments)"
	                 : "futex wake, no waiter (rule without arguments)",
	         filter ? "seccomp filter" : "no filter");
	r->kind = KIND_LATENCY;
	r->rt_mult = 1;
	r->baseline = !filter;
	r->place = PLACE_NONE;
	if (!wanted(o, r->id))
		return;
	struct sc_syscall a = {.filter = filter, .prlimit = prlimit};
	a.n = o->quick ? 200 : (size_t)2000 / (size_t)o->rounds;
	a.samples = shared_alloc(a.n * sizeof(double));
	struct child c = spawn(r->id, PLACE_NONE, o, syscall_body, &a);
	reap(&c);
	r->batch = SYSCALL_BATCH;
	keep_samples(a.samples, a.n, r);
	shared_free(a.samples, a.n * sizeof(double));
}

void bench_seccomp(const struct opts *o, bool two_cpus, struct result **out, size_t *n)
{
	if (!native_filter.filter) {
		char why[256];
		if (policy_compile(SANDBOX_POLICY_NATIVE, &native_filter, why, sizeof(why)) != 0)
			die("policy_compile: %s", why);
	}
	/* Futex only: every round trip makes its system calls (a wake and a
	 * futex_waitv each way), so whatever the filter costs is in it.  With
	 * adaptive spinning a wait that spins makes none, and one that sleeps
	 * is this path.  Pinned: the cross-CPU case, as in ipc-bench; same:
	 * one CPU, where a round trip is two context switches, not two
	 * cross-CPU wake-ups, so syscall costs weigh more. */
	for (int filter = 0; filter < 2; filter++) {
		if (two_cpus)
			call_case(o, PLACE_PINNED, 0, filter, result_add(out, n));
		call_case(o, PLACE_SAME, 0, filter, result_add(out, n));
		syscall_case(o, false, filter, result_add(out, n));
		syscall_case(o, true, filter, result_add(out, n));
	}
}
