/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Supervision as a pure policy, with OTP's semantics (docs/recovery.md).
 *
 *     struct mon_policy pol;
 *     mon_policy_init(&pol, sys);                  // -ENOMEM
 *     struct mon_decision d = {0};
 *     mon_policy_decide(&pol, states, &ev, now_ms, &d);
 *     for (size_t i = 0; i < d.n; i++) carry out d.acts[i], in order;
 *     mon_decision_free(&d);
 *     mon_policy_free(&pol);
 *
 * Given the tree (the description), each PD's lifecycle state, the
 * restart history and an event at a time, the policy says what happens, as
 * a list of actions to carry out in order.  It does nothing itself: no
 * I/O, no clock, no processes.  Its only effect is on the restart history
 * it owns (struct mon_policy), which is what makes its next answer.
 *
 *   restart kind   permanent: always restarted; transient: restarted only
 *                  after an abnormal end (a signal, a non-zero exit, a
 *                  failed start); temporary: never restarted.
 *   strategy       one_for_one: only the PD; one_for_all: every child of the
 *                  supervisor; rest_for_one: the PD and the children after
 *                  it.  Children of the set that still run are stopped
 *                  first, in reverse start order; then the set starts again
 *                  in start order.  Temporary children in the set are
 *                  stopped but not started again (OTP removes them).  PDs
 *                  stopped on purpose (or being stopped) stay stopped.
 *   intensity      more than `intensity` restarts within `period` and the
 *                  supervisor gives up: it stops every PD under it and fails
 *                  in turn, so its own supervisor handles it as a failed
 *                  child (restarting a supervisor starts its whole subtree
 *                  afresh, with no restart history).  When the root gives up
 *                  the system fails.
 *   failed start   a PD that ended before it was ready failed to start.  Its
 *                  restart waits (the PD's restart_delay, doubled at each
 *                  consecutive failed start, at most MON_BACKOFF_MAX_MS),
 *                  and the restart counts toward the intensity without
 *                  expiring until that PD is next ready: so consecutive
 *                  failed starts make the supervisor give up after
 *                  `intensity` + 1 of them, however long each boot takes.  A
 *                  supervisor that gives up so passes the same on to its
 *                  own supervisor.
 *
 * A Microkit child PD (one nested in another PD) has no supervisor: its
 * parent PD is told, through fault(), and decides.
 */
#ifndef CORDON_MONITOR_POLICY_H
#define CORDON_MONITOR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/lifecycle.h"
#include "sdf/sdf.h"

/* The longest wait before a restart after failed starts. */
#define MON_BACKOFF_MAX_MS 30000u

enum mon_act_kind {
	MON_ACT_STOP,          /* index: a PD to end (it is alive, or waiting) */
	MON_ACT_RESTARTS,      /* sup restarts child `index` (is_sup): a log line */
	MON_ACT_WAIT,          /* the actions after this one happen `ms` later */
	MON_ACT_START,         /* index: a PD to start (its regions cleared) */
	MON_ACT_GIVE_UP,       /* sup gave up: a log line */
	MON_ACT_SYSTEM_FAILS,  /* the root supervisor gave up */
	MON_ACT_TELL_PARENT,   /* index: a Microkit child PD; tell its parent */
	MON_ACT_NOT_RESTARTED, /* index: a transient or temporary PD that ended */
};

struct mon_act {
	enum mon_act_kind kind;
	size_t sup;   /* MON_ACT_RESTARTS, MON_ACT_GIVE_UP */
	size_t index; /* a PD, or a supervisor when is_sup */
	bool is_sup;
	uint64_t ms; /* MON_ACT_WAIT */
};

struct mon_decision {
	struct mon_act *acts;
	size_t n, cap;
};

/* One restart a supervisor made, for its intensity. */
struct mon_restart {
	uint64_t when;  /* ms, on the caller's clock */
	size_t subject; /* the PD whose end caused it */
	bool sticky;    /* after a failed start of subject: does not expire
	                   until subject is ready */
};

struct mon_policy {
	const struct sdf_system *sys;
	struct {
		struct mon_restart *r; /* at most intensity + 1 */
		size_t n;
	} * sups;                  /* per sdf_system.sups */
	unsigned *failed_starts;   /* per PD: consecutive, reset when ready */
	enum mon_pd_state *states; /* scratch: the states as the decision
	                              leaves them */
};

enum mon_end_kind {
	MON_END_NORMAL,       /* exit status 0, ready or not */
	MON_END_ABNORMAL,     /* a signal or a non-zero exit, after ready */
	MON_END_FAILED_START, /* died (or could not be spawned) before ready */
};

struct mon_sup_event {
	size_t pd; /* ended by itself: not stopped or terminated */
	enum mon_end_kind end;
};

int mon_policy_init(struct mon_policy *pol, const struct sdf_system *sys);
void mon_policy_free(struct mon_policy *pol);

/* PD p ended by itself; states[] are every PD's states now (p's is
 * MON_PD_ENDED).  Appends to d; 0 or -ENOMEM (d then holds what was
 * decided so far, which must not be carried out). */
int mon_policy_decide(struct mon_policy *pol, const enum mon_pd_state *states,
                      const struct mon_sup_event *ev, uint64_t now_ms, struct mon_decision *d);

/* PD p is ready: its failed starts are over. */
void mon_policy_ready(struct mon_policy *pol, size_t p);

/* The wait before PD p's next start after `failed` consecutive failed
 * starts (0: at once). */
uint64_t mon_policy_backoff_ms(const struct sdf_pd *pd, unsigned failed);

void mon_decision_free(struct mon_decision *d);

#endif
