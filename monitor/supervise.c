/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Supervision of protection domains, with OTP's semantics.
 *
 * The description groups PDs under supervisors (sdf.h: struct
 * sdf_supervisor), nested to any depth under an implicit or explicit root.
 * When a PD ends without being asked to, its supervisor decides:
 *
 *   restart kind   permanent: always restarted; transient: restarted only
 *                  after an abnormal end (a signal or a non-zero exit);
 *                  temporary: never restarted.
 *   strategy       one_for_one: only the PD; one_for_all: every child of the
 *                  supervisor; rest_for_one: the PD and the children after
 *                  it.  Children in the set that still run are stopped first,
 *                  in reverse start order; then the set starts again in start
 *                  order.  Temporary children in the set are stopped but not
 *                  started again (as OTP removes them).
 *   intensity      more than `intensity` restarts within `period` and the
 *                  supervisor gives up: it stops every PD under it and fails
 *                  in turn, so its own supervisor handles it as a failed
 *                  child (restarting a supervisor starts its whole subtree
 *                  afresh).  When the root gives up the system stops with a
 *                  report, and `cordon run` exits 1.
 *
 * A Microkit child PD (one nested in another PD, with an id) has no
 * supervisor: its parent PD learns of its end through fault() and decides.
 *
 * Everything here runs inside the monitor's event loop; starting and
 * stopping are synchronous (sandbox_spawn returns once the PD runs, and a
 * stop kills and reaps), so a restart set is never half-applied.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "monitor/internal.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int mon_sup_init(struct mon *m)
{
	m->sups = calloc(m->sys->nsups ? m->sys->nsups : 1, sizeof(*m->sups));
	if (!m->sups)
		return -1;
	for (size_t s = 0; s < m->sys->nsups; s++) {
		/* Never more than intensity + 1 restarts are remembered: the
		 * one that exceeds the intensity ends the supervisor. */
		size_t cap = (size_t)m->sys->sups[s].intensity + 1;
		m->sups[s].when = calloc(cap, sizeof(uint64_t));
		m->sups[s].cap = cap;
		if (!m->sups[s].when)
			return -1;
	}
	return 0;
}

void mon_sup_free(struct mon *m)
{
	for (size_t s = 0; m->sups && s < m->sys->nsups; s++)
		free(m->sups[s].when);
	free(m->sups);
	m->sups = NULL;
}

/* Record a restart by supervisor s now; false when it exceeds the
 * intensity (the supervisor must give up). */
static bool record_restart(struct mon *m, size_t s)
{
	const struct sdf_supervisor *sd = &m->sys->sups[s];
	struct mon_sup *ms = &m->sups[s];
	uint64_t t = now_ms();
	size_t kept = 0;

	for (size_t i = 0; i < ms->n; i++)
		if (t - ms->when[i] < sd->period_ms)
			ms->when[kept++] = ms->when[i];
	ms->n = kept;
	if (ms->n + 1 > sd->intensity)
		return false;
	ms->when[ms->n++] = t;
	return true;
}

/* ---- walking the tree ---- */

static void stop_child(struct mon *m, const struct sdf_child *c);

static void stop_sup(struct mon *m, size_t s)
{
	const struct sdf_supervisor *sd = &m->sys->sups[s];
	for (size_t i = sd->nchildren; i-- > 0;)
		stop_child(m, &sd->children[i]);
}

static void stop_child(struct mon *m, const struct sdf_child *c)
{
	if (c->is_supervisor)
		stop_sup(m, c->index);
	else
		mon_pd_terminate(m, c->index);
}

static int start_child(struct mon *m, const struct sdf_child *c, bool restart);

/* Start every child of s in order; on a failure stop what was started and
 * return -1. */
static int start_sup(struct mon *m, size_t s, bool restart)
{
	const struct sdf_supervisor *sd = &m->sys->sups[s];
	m->sups[s].n = 0; /* a fresh supervisor has no restart history */
	for (size_t i = 0; i < sd->nchildren; i++)
		if (start_child(m, &sd->children[i], restart) < 0) {
			while (i-- > 0)
				stop_child(m, &sd->children[i]);
			return -1;
		}
	return 0;
}

static int start_child(struct mon *m, const struct sdf_child *c, bool restart)
{
	if (c->is_supervisor)
		return start_sup(m, c->index, restart);
	/* Running already, or stopped on purpose (admin, parent PD): leave it. */
	if (m->pds[c->index].running || m->pds[c->index].stop_requested)
		return 0;
	if (restart)
		mon_regions_clear(m, c->index);
	return mon_pd_start(m, c->index);
}

static bool child_is(const struct sdf_child *c, bool is_sup, size_t index)
{
	return c->is_supervisor == is_sup && c->index == index;
}

static const char *child_name(const struct mon *m, const struct sdf_child *c)
{
	return c->is_supervisor ? m->sys->sups[c->index].name : m->sys->pds[c->index].name;
}

static void child_failed(struct mon *m, size_t s, size_t ci);

/* Supervisor s exceeded its intensity: stop its subtree, then fail as a
 * child of its own supervisor, or stop the system at the root. */
static void give_up(struct mon *m, size_t s)
{
	const struct sdf_supervisor *sd = &m->sys->sups[s];
	mon_log(m, "MON|ERROR:",
	        "supervisor=%s gave up: more than %u restarts in %llu ms; stopping its PDs",
	        sd->name, sd->intensity, (unsigned long long)sd->period_ms);
	stop_sup(m, s);
	if (sd->parent < 0) {
		mon_log(m, "MON|ERROR:",
		        "the root supervisor gave up; the system stops (see `cordon faults`)");
		m->failed = true;
		return;
	}
	const struct sdf_supervisor *parent = &m->sys->sups[sd->parent];
	for (size_t i = 0; i < parent->nchildren; i++)
		if (child_is(&parent->children[i], true, s)) {
			child_failed(m, (size_t)sd->parent, i);
			return;
		}
}

/*
 * Child ci of supervisor s ended abnormally (or a permanent one ended at
 * all): apply the strategy.  A start that fails inside the restart set is a
 * new failure of that child, so the loop runs again; it ends because every
 * turn records a restart and the intensity bounds them.
 */
static void child_failed(struct mon *m, size_t s, size_t ci)
{
	const struct sdf_supervisor *sd = &m->sys->sups[s];
	size_t pending = 0; /* children up to here were not started yet */

	for (;;) {
		if (!record_restart(m, s)) {
			give_up(m, s);
			return;
		}
		size_t first = ci, last = ci + 1;
		if (sd->strategy == SDF_STRATEGY_ONE_FOR_ALL)
			first = 0, last = sd->nchildren;
		else if (sd->strategy == SDF_STRATEGY_REST_FOR_ONE)
			last = sd->nchildren;
		if (last < pending)
			last = pending;

		for (size_t i = last; i-- > first;)
			stop_child(m, &sd->children[i]);
		long failed = -1;
		for (size_t i = first; i < last && failed < 0; i++) {
			const struct sdf_child *c = &sd->children[i];
			if (!c->is_supervisor && i != ci &&
			    m->sys->pds[c->index].restart == SDF_RESTART_TEMPORARY)
				continue;
			mon_log(m, "MON|INFO:", "supervisor=%s restarts %s=%s", sd->name,
			        c->is_supervisor ? "supervisor" : "pd", child_name(m, c));
			if (start_child(m, c, true) < 0)
				failed = (long)i;
		}
		if (failed < 0)
			return;
		/* What started of the set before the failure stays up: the failed
		 * child is handled as a new failure, and the rest of the set is
		 * still to start. */
		ci = (size_t)failed;
		pending = last;
	}
}

void mon_sup_pd_ended(struct mon *m, size_t p, bool abnormal, const char *how)
{
	const struct sdf_pd *pd = &m->sys->pds[p];

	if (pd->parent >= 0) {
		/* A Microkit child PD: its parent decides, through fault(). */
		struct ipc_ctl c = {.type = IPC_CTL_CHILD_FAULT, .channel = (uint32_t)pd->child_id};
		const struct mon_pd *mp = &m->pds[p];
		int st = mp->last_status;
		if (WIFSIGNALED(st)) {
			c.signo = WTERMSIG(st);
			if (mp->have_fault && mp->last_fault.signo == c.signo) {
				c.code = mp->last_fault.code;
				c.addr = mp->last_fault.addr;
				c.ip = mp->last_fault.ip;
			}
		} else if (WIFEXITED(st)) {
			c.code = WEXITSTATUS(st);
		}
		snprintf(c.what, sizeof(c.what), "pd=%s %s", pd->name, how);
		if (mon_pd_tell(m, (size_t)pd->parent, &c) < 0)
			mon_log(m, "MON|ERROR:", "pd=%s ended but its parent pd=%s cannot be told",
			        pd->name, m->sys->pds[pd->parent].name);
		return;
	}
	if (pd->sup < 0)
		return;
	bool restart = pd->restart == SDF_RESTART_PERMANENT ||
	               (pd->restart == SDF_RESTART_TRANSIENT && abnormal);
	if (!restart) {
		mon_log(m, "MON|INFO:", "pd=%s is %s: not restarted", pd->name,
		        pd->restart == SDF_RESTART_TEMPORARY ? "temporary" : "transient");
		return;
	}
	const struct sdf_supervisor *sd = &m->sys->sups[pd->sup];
	for (size_t i = 0; i < sd->nchildren; i++)
		if (child_is(&sd->children[i], false, p)) {
			child_failed(m, (size_t)pd->sup, i);
			return;
		}
}
