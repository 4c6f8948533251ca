/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The supervision policy (monitor/policy.h), as OTP tests its supervisor:
 * each strategy with its stop and start order, intensity at the boundary,
 * the restart kinds with normal and abnormal ends, escalation through
 * nested supervisors, a restart while a stop is in flight, Microkit child
 * PDs, and failed starts (backoff, and a count that does not expire).
 *
 * A decision is checked as one line of text, e.g.
 * "stop:w3 stop:w1 restart:sup/w1 start:w1", so a wrong order shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "monitor/policy.h"

#define MAXN 16

/* A description built by hand: sups[0] is the root. */
struct tree {
	struct sdf_system sys;
	struct sdf_pd pds[MAXN];
	struct sdf_supervisor sups[MAXN];
	struct sdf_child kids[MAXN][MAXN];
	enum mon_pd_state st[MAXN];
	struct mon_policy pol;
	char out[2048];
};

static void tree_init(struct tree *t, enum sdf_strategy strategy, unsigned intensity)
{
	memset(t, 0, sizeof(*t));
	t->sys.pds = t->pds;
	t->sys.sups = t->sups;
	t->sups[0] = (struct sdf_supervisor){.name = "root",
	                                     .strategy = strategy,
	                                     .intensity = intensity,
	                                     .period_ms = 5000,
	                                     .parent = -1,
	                                     .children = t->kids[0]};
	t->sys.nsups = 1;
}

static void adopt(struct tree *t, size_t sup, bool is_sup, size_t index)
{
	struct sdf_supervisor *sd = &t->sups[sup];
	sd->children[sd->nchildren++] = (struct sdf_child){.is_supervisor = is_sup, .index = index};
}

static size_t sup(struct tree *t, const char *name, size_t parent, enum sdf_strategy strategy,
                  unsigned intensity)
{
	size_t s = t->sys.nsups++;
	t->sups[s] = (struct sdf_supervisor){.name = (char *)name,
	                                     .strategy = strategy,
	                                     .intensity = intensity,
	                                     .period_ms = 60000,
	                                     .parent = (long)parent,
	                                     .children = t->kids[s]};
	adopt(t, parent, true, s);
	return s;
}

static size_t pd(struct tree *t, const char *name, size_t s, enum sdf_restart restart)
{
	size_t p = t->sys.npds++;
	t->pds[p] = (struct sdf_pd){.name = (char *)name,
	                            .restart = restart,
	                            .restart_delay_ms = 500,
	                            .sup = (long)s,
	                            .parent = -1,
	                            .child_id = -1};
	t->st[p] = MON_PD_RUNNING;
	adopt(t, s, false, p);
	return p;
}

static size_t child_pd(struct tree *t, const char *name, size_t parent, long id)
{
	size_t p = t->sys.npds++;
	t->pds[p] = (struct sdf_pd){
	    .name = (char *)name, .sup = -1, .parent = (long)parent, .child_id = id};
	t->st[p] = MON_PD_RUNNING;
	return p;
}

static void start(struct tree *t)
{
	assert_int_equal(mon_policy_init(&t->pol, &t->sys), 0);
}

/* PD p ends (as kind) at time `now`; returns the decision as text and
 * applies it to the states, as the monitor would. */
static const char *end(struct tree *t, size_t p, enum mon_end_kind kind, uint64_t now)
{
	struct mon_decision d = {0};
	struct mon_sup_event ev = {.pd = p, .end = kind};
	size_t len = 0;

	t->st[p] = MON_PD_ENDED;
	assert_int_equal(mon_policy_decide(&t->pol, t->st, &ev, now, &d), 0);
	t->out[0] = '\0';
	for (size_t i = 0; i < d.n; i++) {
		const struct mon_act *a = &d.acts[i];
		const char *name = t->pds[a->index].name;
		char w[96];
		switch (a->kind) {
		case MON_ACT_STOP:
			snprintf(w, sizeof(w), "stop:%s", name);
			t->st[a->index] = MON_PD_ENDED;
			break;
		case MON_ACT_RESTARTS:
			snprintf(w, sizeof(w), "restart:%s/%s", t->sups[a->sup].name,
			         a->is_sup ? t->sups[a->index].name : name);
			break;
		case MON_ACT_WAIT:
			snprintf(w, sizeof(w), "wait:%llu", (unsigned long long)a->ms);
			break;
		case MON_ACT_START:
			snprintf(w, sizeof(w), "start:%s", name);
			t->st[a->index] = MON_PD_RUNNING;
			break;
		case MON_ACT_GIVE_UP:
			snprintf(w, sizeof(w), "giveup:%s", t->sups[a->sup].name);
			break;
		case MON_ACT_SYSTEM_FAILS:
			snprintf(w, sizeof(w), "fail");
			break;
		case MON_ACT_TELL_PARENT:
			snprintf(w, sizeof(w), "tell:%s", t->pds[t->pds[a->index].parent].name);
			break;
		case MON_ACT_NOT_RESTARTED:
			snprintf(w, sizeof(w), "norestart:%s", name);
			break;
		}
		len +=
		    (size_t)snprintf(t->out + len, sizeof(t->out) - len, "%s%s", i ? " " : "", w);
	}
	mon_decision_free(&d);
	return t->out;
}

static void done(struct tree *t)
{
	mon_policy_free(&t->pol);
}

/* ---- strategies ---- */

static void three(struct tree *t, enum sdf_strategy strategy)
{
	tree_init(t, SDF_STRATEGY_ONE_FOR_ONE, 3);
	size_t s = sup(t, "sup", 0, strategy, 3);
	pd(t, "w1", s, SDF_RESTART_PERMANENT);
	pd(t, "w2", s, SDF_RESTART_PERMANENT);
	pd(t, "w3", s, SDF_RESTART_PERMANENT);
	start(t);
}

static void one_for_one_restarts_only_the_pd(void **state)
{
	static struct tree t;
	(void)state;
	three(&t, SDF_STRATEGY_ONE_FOR_ONE);
	assert_string_equal(end(&t, 1, MON_END_ABNORMAL, 0), "restart:sup/w2 start:w2");
	done(&t);
}

static void one_for_all_stops_in_reverse_and_starts_in_order(void **state)
{
	static struct tree t;
	(void)state;
	three(&t, SDF_STRATEGY_ONE_FOR_ALL);
	assert_string_equal(end(&t, 1, MON_END_ABNORMAL, 0),
	                    "stop:w3 stop:w1 restart:sup/w1 start:w1 restart:sup/w2 start:w2 "
	                    "restart:sup/w3 start:w3");
	done(&t);
}

static void rest_for_one_restarts_it_and_the_ones_after(void **state)
{
	static struct tree t;
	(void)state;
	three(&t, SDF_STRATEGY_REST_FOR_ONE);
	assert_string_equal(end(&t, 1, MON_END_ABNORMAL, 0),
	                    "stop:w3 restart:sup/w2 start:w2 restart:sup/w3 start:w3");
	assert_string_equal(end(&t, 2, MON_END_ABNORMAL, 1), "restart:sup/w3 start:w3");
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 2),
	                    "stop:w3 stop:w2 restart:sup/w1 start:w1 restart:sup/w2 start:w2 "
	                    "restart:sup/w3 start:w3");
	done(&t);
}

/* ---- intensity and period ---- */

static void intensity_allows_n_restarts_in_the_period_then_gives_up(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 3); /* 3 in 5000 ms */
	pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	pd(&t, "b", 0, SDF_RESTART_PERMANENT);
	start(&t);
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 1000), "restart:root/a start:a");
	assert_string_equal(end(&t, 1, MON_END_ABNORMAL, 2000), "restart:root/b start:b");
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 5999), "restart:root/a start:a");
	/* The fourth within 5000 ms of the first. */
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 5999), "giveup:root stop:b fail");
	done(&t);
}

static void a_restart_older_than_the_period_no_longer_counts(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 3);
	pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	start(&t);
	end(&t, 0, MON_END_ABNORMAL, 1000);
	end(&t, 0, MON_END_ABNORMAL, 2000);
	end(&t, 0, MON_END_ABNORMAL, 3000);
	/* Exactly one period after the first: it has expired. */
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 6000), "restart:root/a start:a");
	/* Now 2000, 3000, 6000 are within 5000 ms of 6999. */
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 6999), "giveup:root fail");
	done(&t);
}

static void intensity_zero_gives_up_at_the_first_end(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 0);
	pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	start(&t);
	assert_string_equal(end(&t, 0, MON_END_NORMAL, 0), "giveup:root fail");
	done(&t);
}

/* ---- restart kinds ---- */

static void restart_kinds_with_normal_and_abnormal_ends(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 100);
	size_t perm = pd(&t, "perm", 0, SDF_RESTART_PERMANENT);
	size_t trans = pd(&t, "trans", 0, SDF_RESTART_TRANSIENT);
	size_t temp = pd(&t, "temp", 0, SDF_RESTART_TEMPORARY);
	start(&t);
	assert_string_equal(end(&t, perm, MON_END_NORMAL, 0), "restart:root/perm start:perm");
	assert_string_equal(end(&t, perm, MON_END_ABNORMAL, 0), "restart:root/perm start:perm");
	assert_string_equal(end(&t, trans, MON_END_NORMAL, 0), "norestart:trans");
	t.st[trans] = MON_PD_RUNNING;
	assert_string_equal(end(&t, trans, MON_END_ABNORMAL, 0), "restart:root/trans start:trans");
	assert_string_equal(end(&t, temp, MON_END_NORMAL, 0), "norestart:temp");
	t.st[temp] = MON_PD_RUNNING;
	assert_string_equal(end(&t, temp, MON_END_ABNORMAL, 0), "norestart:temp");
	/* A failed start is an abnormal end. */
	assert_string_equal(end(&t, trans, MON_END_FAILED_START, 0),
	                    "wait:500 restart:root/trans start:trans");
	done(&t);
}

static void temporary_siblings_are_stopped_and_not_started_again(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ALL, 3);
	pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	pd(&t, "tmp", 0, SDF_RESTART_TEMPORARY);
	pd(&t, "c", 0, SDF_RESTART_PERMANENT);
	start(&t);
	assert_string_equal(end(&t, 2, MON_END_ABNORMAL, 0),
	                    "stop:tmp stop:a restart:root/a start:a restart:root/c start:c");
	done(&t);
}

/* ---- escalation ---- */

static void escalation_through_nested_supervisors(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 0);
	size_t top = sup(&t, "top", 0, SDF_STRATEGY_ONE_FOR_ONE, 1);
	pd(&t, "steady", top, SDF_RESTART_PERMANENT);
	size_t inner = sup(&t, "inner", top, SDF_STRATEGY_ONE_FOR_ALL, 1);
	size_t f = pd(&t, "f", inner, SDF_RESTART_PERMANENT);
	pd(&t, "g", inner, SDF_RESTART_PERMANENT);
	start(&t);
	assert_string_equal(end(&t, f, MON_END_ABNORMAL, 0),
	                    "stop:g restart:inner/f start:f restart:inner/g start:g");
	/* inner's second restart exceeds 1: it stops its PDs (reverse order)
	 * and top restarts it whole, in start order. */
	assert_string_equal(end(&t, f, MON_END_ABNORMAL, 1),
	                    "giveup:inner stop:g restart:top/inner start:f start:g");
	/* Restarted afresh: inner has no history, so one restart is fine. */
	assert_string_equal(end(&t, f, MON_END_ABNORMAL, 2),
	                    "stop:g restart:inner/f start:f restart:inner/g start:g");
	/* inner gives up again; top's second restart exceeds 1; the root
	 * (intensity 0) gives up: the system fails. */
	assert_string_equal(end(&t, f, MON_END_ABNORMAL, 3),
	                    "giveup:inner stop:g giveup:top stop:steady giveup:root fail");
	done(&t);
}

/* ---- in flight ---- */

static void a_restart_while_a_stop_is_in_flight(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ALL, 10);
	pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	size_t b = pd(&t, "b", 0, SDF_RESTART_PERMANENT);
	size_t c = pd(&t, "c", 0, SDF_RESTART_PERMANENT);
	size_t d = pd(&t, "d", 0, SDF_RESTART_PERMANENT);
	start(&t);
	t.st[b] = MON_PD_STOPPING;    /* an admin's stop: it stays stopped */
	t.st[c] = MON_PD_TERMINATING; /* its supervisor's: it starts again */
	t.st[d] = MON_PD_WAITING;     /* its restart waits: now, not later */
	assert_string_equal(end(&t, 0, MON_END_ABNORMAL, 0),
	                    "stop:d restart:root/a start:a restart:root/c start:c "
	                    "restart:root/d start:d");
	/* A PD stopped on purpose stays stopped. */
	t.st[b] = MON_PD_STOPPED;
	assert_string_equal(end(&t, c, MON_END_ABNORMAL, 0),
	                    "stop:d stop:a restart:root/a start:a restart:root/c start:c "
	                    "restart:root/d start:d");
	done(&t);
}

/* ---- Microkit child PDs ---- */

static void a_child_pd_s_end_is_told_to_its_parent(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 0);
	size_t parent = pd(&t, "parent", 0, SDF_RESTART_PERMANENT);
	size_t child = child_pd(&t, "child", parent, 1);
	start(&t);
	assert_string_equal(end(&t, child, MON_END_ABNORMAL, 0), "tell:parent");
	assert_string_equal(end(&t, child, MON_END_NORMAL, 0), "tell:parent");
	assert_string_equal(end(&t, child, MON_END_FAILED_START, 0), "tell:parent");
	/* No supervisor counted them: the root (intensity 0) is untouched. */
	assert_int_equal(t.pol.sups[0].n, 0);
	done(&t);
}

/* ---- failed starts ---- */

static void failed_starts_back_off_and_do_not_expire(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 3);
	size_t a = pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	start(&t);
	/* A minute apart, far beyond the period: they still count. */
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 0), "wait:500 restart:root/a start:a");
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 60000),
	                    "wait:1000 restart:root/a start:a");
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 120000),
	                    "wait:2000 restart:root/a start:a");
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 180000), "giveup:root fail");
	done(&t);
}

static void once_ready_failed_starts_expire_as_restarts_do(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 3);
	size_t a = pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	start(&t);
	end(&t, a, MON_END_FAILED_START, 0);
	end(&t, a, MON_END_FAILED_START, 1);
	end(&t, a, MON_END_FAILED_START, 2);
	mon_policy_ready(&t.pol, a);
	/* A crash after a long boot: the normal rules, no wait. */
	assert_string_equal(end(&t, a, MON_END_ABNORMAL, 60000), "restart:root/a start:a");
	/* And the backoff starts over. */
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 60001),
	                    "wait:500 restart:root/a start:a");
	done(&t);
}

static void a_supervisor_given_up_on_failed_starts_passes_it_on(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 1);
	size_t inner = sup(&t, "inner", 0, SDF_STRATEGY_ONE_FOR_ONE, 0);
	size_t a = pd(&t, "a", inner, SDF_RESTART_PERMANENT);
	(void)inner;
	start(&t);
	/* inner (intensity 0) gives up at once; the root restarts it after
	 * a's backoff, and that restart does not expire either. */
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 0),
	                    "giveup:inner wait:500 restart:root/inner start:a");
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 600000),
	                    "giveup:inner giveup:root fail");
	done(&t);
}

static void backoff_doubles_up_to_its_cap(void **state)
{
	(void)state;
	struct sdf_pd p = {.name = "x", .restart_delay_ms = 500};
	assert_int_equal(mon_policy_backoff_ms(&p, 0), 0);
	assert_int_equal(mon_policy_backoff_ms(&p, 1), 500);
	assert_int_equal(mon_policy_backoff_ms(&p, 2), 1000);
	assert_int_equal(mon_policy_backoff_ms(&p, 7), 30000);
	assert_int_equal(mon_policy_backoff_ms(&p, 1000), MON_BACKOFF_MAX_MS);
	p.restart_delay_ms = 0; /* restart_delay="0": at once, every time */
	assert_int_equal(mon_policy_backoff_ms(&p, 5), 0);
}

static void without_a_delay_failed_starts_still_end(void **state)
{
	static struct tree t;
	(void)state;
	tree_init(&t, SDF_STRATEGY_ONE_FOR_ONE, 1);
	size_t a = pd(&t, "a", 0, SDF_RESTART_PERMANENT);
	t.pds[a].restart_delay_ms = 0;
	start(&t);
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 0), "restart:root/a start:a");
	assert_string_equal(end(&t, a, MON_END_FAILED_START, 999999), "giveup:root fail");
	done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_for_one_restarts_only_the_pd),
	    cmocka_unit_test(one_for_all_stops_in_reverse_and_starts_in_order),
	    cmocka_unit_test(rest_for_one_restarts_it_and_the_ones_after),
	    cmocka_unit_test(intensity_allows_n_restarts_in_the_period_then_gives_up),
	    cmocka_unit_test(a_restart_older_than_the_period_no_longer_counts),
	    cmocka_unit_test(intensity_zero_gives_up_at_the_first_end),
	    cmocka_unit_test(restart_kinds_with_normal_and_abnormal_ends),
	    cmocka_unit_test(temporary_siblings_are_stopped_and_not_started_again),
	    cmocka_unit_test(escalation_through_nested_supervisors),
	    cmocka_unit_test(a_restart_while_a_stop_is_in_flight),
	    cmocka_unit_test(a_child_pd_s_end_is_told_to_its_parent),
	    cmocka_unit_test(failed_starts_back_off_and_do_not_expire),
	    cmocka_unit_test(once_ready_failed_starts_expire_as_restarts_do),
	    cmocka_unit_test(a_supervisor_given_up_on_failed_starts_passes_it_on),
	    cmocka_unit_test(backoff_doubles_up_to_its_cap),
	    cmocka_unit_test(without_a_delay_failed_starts_still_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
