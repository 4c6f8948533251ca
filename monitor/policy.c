/* SPDX-License-Identifier: BSD-2-Clause */
/* The supervision policy (see policy.h): pure, so unit-tested alone. */
#include "monitor/policy.h"

#include <errno.h>
#include <stdlib.h>

int mon_policy_init(struct mon_policy *pol, const struct sdf_system *sys)
{
	*pol = (struct mon_policy){.sys = sys};
	pol->sups = calloc(sys->nsups ? sys->nsups : 1, sizeof(*pol->sups));
	pol->failed_starts = calloc(sys->npds ? sys->npds : 1, sizeof(unsigned));
	pol->states = calloc(sys->npds ? sys->npds : 1, sizeof(enum mon_pd_state));
	if (!pol->sups || !pol->failed_starts || !pol->states)
		goto nomem;
	for (size_t s = 0; s < sys->nsups; s++) {
		/* Never more than intensity + 1 restarts are remembered: the
		 * one that exceeds the intensity ends the supervisor. */
		pol->sups[s].r =
		    calloc((size_t)sys->sups[s].intensity + 1, sizeof(struct mon_restart));
		if (!pol->sups[s].r)
			goto nomem;
	}
	return 0;
nomem:
	mon_policy_free(pol);
	return -ENOMEM;
}

void mon_policy_free(struct mon_policy *pol)
{
	for (size_t s = 0; pol->sups && s < pol->sys->nsups; s++)
		free(pol->sups[s].r);
	free(pol->sups);
	free(pol->failed_starts);
	free(pol->states);
	*pol = (struct mon_policy){.sys = pol->sys};
}

void mon_decision_free(struct mon_decision *d)
{
	free(d->acts);
	*d = (struct mon_decision){0};
}

void mon_policy_ready(struct mon_policy *pol, size_t p)
{
	pol->failed_starts[p] = 0;
	for (size_t s = 0; s < pol->sys->nsups; s++)
		for (size_t i = 0; i < pol->sups[s].n; i++)
			if (pol->sups[s].r[i].subject == p)
				pol->sups[s].r[i].sticky = false;
}

uint64_t mon_policy_backoff_ms(const struct sdf_pd *pd, unsigned failed)
{
	uint64_t ms = pd->restart_delay_ms;
	if (!failed || !ms)
		return 0;
	for (unsigned i = 1; i < failed && ms < MON_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < MON_BACKOFF_MAX_MS ? ms : MON_BACKOFF_MAX_MS;
}

/* One decision in the making. */
struct ctx {
	struct mon_policy *pol;
	const struct sdf_system *sys;
	struct mon_decision *d;
	uint64_t now;
	size_t subject; /* the PD whose end started it all */
	bool sticky;    /* ... and it failed to start */
	int err;
};

static void act(struct ctx *c, struct mon_act a)
{
	if (c->err)
		return;
	if (c->d->n == c->d->cap) {
		size_t cap = c->d->cap ? 2 * c->d->cap : 16;
		struct mon_act *n = realloc(c->d->acts, cap * sizeof(*n));
		if (!n) {
			c->err = -ENOMEM;
			return;
		}
		c->d->acts = n;
		c->d->cap = cap;
	}
	c->d->acts[c->d->n++] = a;
}

/* Record a restart by supervisor s; false when it exceeds the intensity
 * (the supervisor must give up). */
static bool record_restart(struct ctx *c, size_t s)
{
	const struct sdf_supervisor *sd = &c->sys->sups[s];
	typeof(c->pol->sups[0]) *h = &c->pol->sups[s];
	size_t kept = 0;

	for (size_t i = 0; i < h->n; i++)
		if (h->r[i].sticky || c->now - h->r[i].when < sd->period_ms)
			h->r[kept++] = h->r[i];
	h->n = kept;
	if (h->n + 1 > sd->intensity)
		return false;
	h->r[h->n++] = (struct mon_restart){c->now, c->subject, c->sticky};
	return true;
}

/* ---- walking the tree ---- */

/* Stopped by an admin or its parent PD, or being: no supervisor starts it. */
static bool stopped_on_purpose(enum mon_pd_state s)
{
	return s == MON_PD_STOPPED || s == MON_PD_STOPPING;
}

static void stop_child(struct ctx *c, const struct sdf_child *ch);

/* Every child of s, in reverse start order. */
static void stop_sup(struct ctx *c, size_t s)
{
	const struct sdf_supervisor *sd = &c->sys->sups[s];
	for (size_t i = sd->nchildren; i-- > 0;)
		stop_child(c, &sd->children[i]);
}

static void stop_child(struct ctx *c, const struct sdf_child *ch)
{
	if (ch->is_supervisor) {
		stop_sup(c, ch->index);
		return;
	}
	enum mon_pd_state *st = &c->pol->states[ch->index];
	/* Stopping or terminating already: it ends without our help. */
	if (*st == MON_PD_STARTING || *st == MON_PD_RUNNING || *st == MON_PD_WAITING) {
		act(c, (struct mon_act){.kind = MON_ACT_STOP, .index = ch->index});
		*st = MON_PD_ENDED;
	}
}

static void start_child(struct ctx *c, const struct sdf_child *ch)
{
	if (ch->is_supervisor) {
		const struct sdf_supervisor *sd = &c->sys->sups[ch->index];
		c->pol->sups[ch->index].n = 0; /* a fresh supervisor */
		for (size_t i = 0; i < sd->nchildren; i++)
			start_child(c, &sd->children[i]);
		return;
	}
	enum mon_pd_state *st = &c->pol->states[ch->index];
	/* Running already, or stopped on purpose (admin, parent PD): leave it. */
	if ((mon_pd_alive(*st) && *st != MON_PD_TERMINATING) || stopped_on_purpose(*st))
		return;
	act(c, (struct mon_act){.kind = MON_ACT_START, .index = ch->index});
	*st = MON_PD_STARTING;
}

static size_t child_pos(const struct sdf_supervisor *sd, bool is_sup, size_t index)
{
	for (size_t i = 0; i < sd->nchildren; i++)
		if (sd->children[i].is_supervisor == is_sup && sd->children[i].index == index)
			return i;
	return sd->nchildren;
}

static void child_failed(struct ctx *c, size_t s, size_t ci);

/* Supervisor s exceeded its intensity: stop its subtree, then fail as a
 * child of its own supervisor, or fail the system at the root. */
static void give_up(struct ctx *c, size_t s)
{
	const struct sdf_supervisor *sd = &c->sys->sups[s];
	act(c, (struct mon_act){.kind = MON_ACT_GIVE_UP, .sup = s, .index = s, .is_sup = true});
	stop_sup(c, s);
	if (sd->parent < 0) {
		act(c, (struct mon_act){.kind = MON_ACT_SYSTEM_FAILS});
		return;
	}
	const struct sdf_supervisor *parent = &c->sys->sups[sd->parent];
	size_t pos = child_pos(parent, true, s);
	if (pos < parent->nchildren)
		child_failed(c, (size_t)sd->parent, pos);
}

/* Child ci of supervisor s failed (or a permanent one ended at all):
 * apply the strategy. */
static void child_failed(struct ctx *c, size_t s, size_t ci)
{
	const struct sdf_supervisor *sd = &c->sys->sups[s];

	if (!record_restart(c, s)) {
		give_up(c, s);
		return;
	}
	size_t first = ci, last = ci + 1;
	if (sd->strategy == SDF_STRATEGY_ONE_FOR_ALL)
		first = 0, last = sd->nchildren;
	else if (sd->strategy == SDF_STRATEGY_REST_FOR_ONE)
		last = sd->nchildren;

	for (size_t i = last; i-- > first;)
		stop_child(c, &sd->children[i]);
	if (c->sticky) {
		uint64_t ms = mon_policy_backoff_ms(&c->sys->pds[c->subject],
		                                    c->pol->failed_starts[c->subject]);
		if (ms)
			act(c, (struct mon_act){
			           .kind = MON_ACT_WAIT, .sup = s, .index = c->subject, .ms = ms});
	}
	for (size_t i = first; i < last; i++) {
		const struct sdf_child *ch = &sd->children[i];
		if (!ch->is_supervisor && i != ci &&
		    c->sys->pds[ch->index].restart == SDF_RESTART_TEMPORARY)
			continue;
		if (!ch->is_supervisor && stopped_on_purpose(c->pol->states[ch->index]))
			continue;
		act(c, (struct mon_act){.kind = MON_ACT_RESTARTS,
		                        .sup = s,
		                        .index = ch->index,
		                        .is_sup = ch->is_supervisor});
		start_child(c, ch);
	}
}

int mon_policy_decide(struct mon_policy *pol, const enum mon_pd_state *states,
                      const struct mon_sup_event *ev, uint64_t now_ms, struct mon_decision *d)
{
	const struct sdf_system *sys = pol->sys;
	const struct sdf_pd *pd = &sys->pds[ev->pd];
	struct ctx c = {
	    .pol = pol,
	    .sys = sys,
	    .d = d,
	    .now = now_ms,
	    .subject = ev->pd,
	    .sticky = ev->end == MON_END_FAILED_START,
	};

	if (pd->parent >= 0) {
		/* A Microkit child PD: its parent decides, through fault(). */
		act(&c, (struct mon_act){.kind = MON_ACT_TELL_PARENT, .index = ev->pd});
		return c.err;
	}
	if (pd->sup < 0)
		return 0;
	bool restart = pd->restart == SDF_RESTART_PERMANENT ||
	               (pd->restart == SDF_RESTART_TRANSIENT && ev->end != MON_END_NORMAL);
	if (!restart) {
		act(&c, (struct mon_act){.kind = MON_ACT_NOT_RESTARTED, .index = ev->pd});
		return c.err;
	}
	for (size_t i = 0; i < sys->npds; i++)
		pol->states[i] = states[i];
	if (c.sticky)
		pol->failed_starts[ev->pd]++;
	const struct sdf_supervisor *sd = &sys->sups[pd->sup];
	size_t pos = child_pos(sd, false, ev->pd);
	if (pos < sd->nchildren)
		child_failed(&c, (size_t)pd->sup, pos);
	return c.err;
}
