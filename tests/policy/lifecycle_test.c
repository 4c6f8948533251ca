/* SPDX-License-Identifier: BSD-2-Clause */
/* The PD lifecycle's transition table, cell by cell (monitor/lifecycle.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "monitor/lifecycle.h"

#define NW MON_PD_NEW
#define SG MON_PD_STARTING
#define RN MON_PD_RUNNING
#define SP MON_PD_STOPPING
#define TM MON_PD_TERMINATING
#define SD MON_PD_STOPPED
#define EN MON_PD_ENDED
#define WT MON_PD_WAITING
#define X  (-1)

/* The table of lifecycle.h, written again by hand: the test is that the
 * code and the documented table agree in every cell. */
static const int want[MON_PD_NSTATES][MON_PD_NEVENTS] = {
    /*      start spawn_fail ready stop terminate exited schedule */
    [NW] = {SG, X, X, SD, X, X, WT}, [SG] = {X, EN, RN, SP, TM, EN, X},
    [RN] = {X, X, X, SP, TM, EN, X}, [SP] = {X, X, X, SP, X, SD, X},
    [TM] = {X, X, X, X, TM, EN, X},  [SD] = {SG, X, X, SD, X, X, X},
    [EN] = {SG, X, X, SD, X, X, WT}, [WT] = {SG, X, X, SD, EN, X, WT},
};

static void every_cell_matches_the_documented_table(void **state)
{
	(void)state;
	for (int s = 0; s < MON_PD_NSTATES; s++)
		for (int e = 0; e < MON_PD_NEVENTS; e++) {
			enum mon_pd_state st = (enum mon_pd_state)s;
			int rc = mon_pd_next(&st, (enum mon_pd_event)e);
			if (want[s][e] == X) {
				if (rc != -1 || st != (enum mon_pd_state)s)
					fail_msg("%s x %s: want refused, got %s",
					         mon_pd_state_name((enum mon_pd_state)s),
					         mon_pd_event_name((enum mon_pd_event)e),
					         mon_pd_state_name(st));
			} else if (rc != 0 || st != (enum mon_pd_state)want[s][e]) {
				fail_msg("%d x %s: want %d, got %d (rc %d)", s,
				         mon_pd_event_name((enum mon_pd_event)e), want[s][e], st,
				         rc);
			}
		}
}

static void out_of_range_is_refused(void **state)
{
	(void)state;
	enum mon_pd_state s = MON_PD_NSTATES;
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_START), -1);
	s = MON_PD_RUNNING;
	assert_int_equal(mon_pd_next(&s, MON_PD_NEVENTS), -1);
	assert_int_equal(s, MON_PD_RUNNING);
}

/* A death before ready is a failed start: the states tell it apart. */
static void a_death_before_ready_leaves_starting(void **state)
{
	(void)state;
	enum mon_pd_state s = MON_PD_NEW;
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_START), 0);
	assert_int_equal(s, MON_PD_STARTING);
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_EXITED), 0);
	assert_int_equal(s, MON_PD_ENDED);
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_SCHEDULE), 0);
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_START), 0);
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_READY), 0);
	assert_int_equal(s, MON_PD_RUNNING);
	/* Ready twice (a PD's message out of turn) changes nothing. */
	assert_int_equal(mon_pd_next(&s, MON_PD_EV_READY), -1);
	assert_int_equal(s, MON_PD_RUNNING);
}

static void ends_are_up_exactly_while_it_exists_or_before_its_first_start(void **state)
{
	(void)state;
	for (int s = 0; s < MON_PD_NSTATES; s++) {
		bool alive = s == SG || s == RN || s == SP || s == TM;
		assert_int_equal(mon_pd_alive((enum mon_pd_state)s), alive);
		assert_int_equal(mon_pd_ends_up((enum mon_pd_state)s), alive || s == NW);
		assert_string_not_equal(mon_pd_state_name((enum mon_pd_state)s), "?");
	}
	for (int e = 0; e < MON_PD_NEVENTS; e++)
		assert_string_not_equal(mon_pd_event_name((enum mon_pd_event)e), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_cell_matches_the_documented_table),
	    cmocka_unit_test(out_of_range_is_refused),
	    cmocka_unit_test(a_death_before_ready_leaves_starting),
	    cmocka_unit_test(ends_are_up_exactly_while_it_exists_or_before_its_first_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
