/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Supervision, carried out: the policy (policy.h) decides, this file does
 * what it said, in its order, and keeps the restarts that wait for their
 * time (backoff) until a timerfd in the monitor's loop says so.  Waiting
 * never blocks the loop.
 *
 * Starting and stopping are synchronous (sandbox_spawn returns once the PD
 * runs, and a stop kills and reaps), so a decision is never half-applied
 * when the next event is looked at.  A start that fails while a decision
 * is carried out is a new end of that PD, decided once the decision is
 * done; the loop ends because every turn records a restart and the
 * intensity bounds them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "monitor/internal.h"

int mon_sup_init(struct mon *m)
{
	if (mon_policy_init(&m->policy, m->sys) < 0) {
		mon_err(m, "out of memory");
		return -1;
	}
	m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->timer_fd < 0) {
		mon_err(m, "setting up the monitor: timerfd: %s", strerror(errno));
		return -1;
	}
	return mon_watch(m, m->timer_fd, MON_EV_TIMER, 0);
}

void mon_sup_free(struct mon *m)
{
	for (size_t i = 0; i < m->nbatches; i++)
		free(m->batches[i].acts);
	free(m->batches);
	m->batches = NULL;
	m->nbatches = 0;
	close_fd(&m->timer_fd);
	mon_policy_free(&m->policy);
}

/* Set the timer to the first batch's time, or disarm it. */
static void arm(struct mon *m)
{
	struct itimerspec its = {0};
	if (m->nbatches) {
		uint64_t at = m->batches[0].at;
		for (size_t i = 1; i < m->nbatches; i++)
			if (m->batches[i].at < at)
				at = m->batches[i].at;
		/* 0 would disarm: a time already past fires at once anyway. */
		its.it_value.tv_sec = (time_t)(at / 1000);
		its.it_value.tv_nsec = (long)(at % 1000) * 1000000 + 1;
	}
	if (timerfd_settime(m->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		mon_err(m, "timerfd: %s; a waiting restart may be late", strerror(errno));
}

/* A Microkit child PD ended: its parent decides, through fault(). */
static void tell_parent(struct mon *m, size_t p, const char *how)
{
	const struct sdf_pd *pd = &m->sys->pds[p];
	const struct mon_pd *mp = &m->pds[p];
	struct ipc_ctl c = {.type = IPC_CTL_CHILD_FAULT, .channel = (uint32_t)pd->child_id};
	int st = mp->last_status;
	if (WIFSIGNALED(st)) {
		c.signo = WTERMSIG(st);
		if (mp->last_fault.type == IPC_CTL_FAULT && mp->last_fault.signo == c.signo) {
			c.code = mp->last_fault.code;
			c.addr = mp->last_fault.addr;
			c.ip = mp->last_fault.ip;
		}
	} else if (WIFEXITED(st)) {
		c.code = WEXITSTATUS(st);
	}
	snprintf(c.what, sizeof(c.what), "pd=%s %s", pd->name, how);
	if (mon_pd_tell(m, (size_t)pd->parent, &c) < 0)
		mon_err(m, "pd=%s ended but its parent pd=%s cannot be told", pd->name,
		        m->sys->pds[pd->parent].name);
}

/* Keep acts[0..n) for `ms` from now; the PDs they start wait for it. */
static int defer(struct mon *m, const struct mon_act *wait, const struct mon_act *acts, size_t n)
{
	struct mon_batch b = {.serial = ++m->batch_serial, .at = mon_now_ms() + wait->ms, .n = n};
	struct mon_batch *nb = realloc(m->batches, (m->nbatches + 1) * sizeof(*nb));
	if (nb)
		m->batches = nb;
	b.acts = malloc((n ? n : 1) * sizeof(*acts));
	if (!nb || !b.acts) {
		free(b.acts);
		mon_err(m, "out of memory: a restart after backoff is lost");
		return -1;
	}
	memcpy(b.acts, acts, n * sizeof(*acts));
	m->batches[m->nbatches++] = b;
	for (size_t i = 0; i < n; i++)
		if (acts[i].kind == MON_ACT_START &&
		    mon_pd_set(m, acts[i].index, MON_PD_EV_SCHEDULE) == 0)
			m->pds[acts[i].index].batch = b.serial;
	const struct sdf_pd *pd = &m->sys->pds[wait->index];
	mon_info(m,
	         "supervisor=%s waits %llu ms before restarting (pd=%s failed to start %u "
	         "times in a row)",
	         m->sys->sups[wait->sup].name, (unsigned long long)wait->ms, pd->name,
	         m->policy.failed_starts[wait->index]);
	arm(m);
	return 0;
}

/* Is PD p still waiting for batch `serial` (0: not a batch)?  An admin, a
 * parent PD or another decision may have started or stopped it since. */
static bool still_mine(const struct mon *m, size_t p, unsigned long serial)
{
	return !serial || (m->pds[p].state == MON_PD_WAITING && m->pds[p].batch == serial);
}

/* Carry out acts[0..n) in order.  PDs whose start failed are appended to
 * failed[] (room for every PD). */
static void carry_out(struct mon *m, const struct mon_act *acts, size_t n, unsigned long serial,
                      const char *how, size_t *failed, size_t *nfailed)
{
	for (size_t i = 0; i < n; i++) {
		const struct mon_act *a = &acts[i];
		const struct sdf_pd *pd = &m->sys->pds[a->index];
		switch (a->kind) {
		case MON_ACT_STOP:
			mon_pd_terminate(m, a->index);
			break;
		case MON_ACT_RESTARTS:
			if (!a->is_sup && !still_mine(m, a->index, serial))
				break;
			mon_info(m, "supervisor=%s restarts %s=%s", m->sys->sups[a->sup].name,
			         a->is_sup ? "supervisor" : "pd",
			         a->is_sup ? m->sys->sups[a->index].name : pd->name);
			break;
		case MON_ACT_WAIT:
			defer(m, a, a + 1, n - i - 1);
			return;
		case MON_ACT_START:
			if (!still_mine(m, a->index, serial))
				break;
			mon_regions_clear(m, a->index);
			if (mon_pd_start(m, a->index) < 0)
				failed[(*nfailed)++] = a->index;
			break;
		case MON_ACT_GIVE_UP: {
			const struct sdf_supervisor *sd = &m->sys->sups[a->sup];
			mon_err(m,
			        "supervisor=%s gave up: more than %u restarts in %llu ms; "
			        "stopping its PDs",
			        sd->name, sd->intensity, (unsigned long long)sd->period_ms);
			break;
		}
		case MON_ACT_SYSTEM_FAILS:
			mon_err(m, "the root supervisor gave up; the system stops (see `cordon "
			           "faults`)");
			m->failed = true;
			break;
		case MON_ACT_TELL_PARENT:
			tell_parent(m, a->index, how);
			break;
		case MON_ACT_NOT_RESTARTED:
			mon_info(m, "pd=%s is %s: not restarted", pd->name,
			         pd->restart == SDF_RESTART_TEMPORARY ? "temporary" : "transient");
			break;
		}
	}
}

/* Starts that failed while carrying out a decision: each is a new end. */
static void ended_all(struct mon *m, size_t *failed, size_t nfailed)
{
	for (size_t i = 0; i < nfailed && !m->failed; i++)
		if (m->pds[failed[i]].state == MON_PD_ENDED)
			mon_sup_pd_ended(m, failed[i], MON_END_FAILED_START, "start failed");
}

void mon_sup_pd_ended(struct mon *m, size_t p, enum mon_end_kind end, const char *how)
{
	size_t npds = m->sys->npds;
	enum mon_pd_state *states = calloc(npds, sizeof(*states));
	size_t *failed = calloc(npds, sizeof(*failed));
	struct mon_decision d = {0};
	struct mon_sup_event ev = {.pd = p, .end = end};
	size_t nfailed = 0;

	if (!states || !failed) {
		mon_err(m, "out of memory: pd=%s ended and its supervisor cannot decide",
		        m->sys->pds[p].name);
		goto out;
	}
	/* It was ready, whether or not its message was read before it died. */
	if (end != MON_END_FAILED_START)
		mon_policy_ready(&m->policy, p);
	for (size_t i = 0; i < npds; i++)
		states[i] = m->pds[i].state;
	if (mon_policy_decide(&m->policy, states, &ev, mon_now_ms(), &d) < 0) {
		mon_err(m, "out of memory: pd=%s ended and its supervisor cannot decide",
		        m->sys->pds[p].name);
		goto out;
	}
	carry_out(m, d.acts, d.n, 0, how, failed, &nfailed);
	ended_all(m, failed, nfailed);
out:
	mon_decision_free(&d);
	free(failed);
	free(states);
}

void mon_sup_pd_ready(struct mon *m, size_t p)
{
	mon_policy_ready(&m->policy, p);
}

void mon_sup_timer(struct mon *m)
{
	uint64_t ticks;
	size_t *failed = calloc(m->sys->npds, sizeof(*failed));

	(void)!read(m->timer_fd, &ticks, sizeof(ticks));
	/* One due batch at a time, earliest first: carrying one out may add
	 * batches (a start failing again) or end the system. */
	while (failed && !m->failed) {
		uint64_t now = mon_now_ms();
		size_t due = m->nbatches;
		for (size_t i = 0; i < m->nbatches; i++)
			if (m->batches[i].at <= now &&
			    (due == m->nbatches || m->batches[i].at < m->batches[due].at))
				due = i;
		if (due == m->nbatches)
			break;
		struct mon_batch b = m->batches[due];
		m->batches[due] = m->batches[--m->nbatches];
		size_t nfailed = 0;
		carry_out(m, b.acts, b.n, b.serial, "start failed", failed, &nfailed);
		free(b.acts);
		ended_all(m, failed, nfailed);
	}
	if (!failed)
		mon_err(m, "out of memory: waiting restarts are late");
	free(failed);
	arm(m);
}
