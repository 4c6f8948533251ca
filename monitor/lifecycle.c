/* SPDX-License-Identifier: BSD-2-Clause */
/* The PD lifecycle's transition table (see lifecycle.h). */
#include "monitor/lifecycle.h"

#include <stddef.h>

#define X  (-1)
#define NW MON_PD_NEW
#define SG MON_PD_STARTING
#define RN MON_PD_RUNNING
#define SP MON_PD_STOPPING
#define TM MON_PD_TERMINATING
#define SD MON_PD_STOPPED
#define EN MON_PD_ENDED
#define WT MON_PD_WAITING

/* The table of lifecycle.h, row for row; X is refused. */
static const signed char next[MON_PD_NSTATES][MON_PD_NEVENTS] = {
    /*              start spawn_fail ready stop terminate exited schedule */
    [MON_PD_NEW] = {SG, X, X, SD, X, X, WT},        [MON_PD_STARTING] = {X, EN, RN, SP, TM, EN, X},
    [MON_PD_RUNNING] = {X, X, X, SP, TM, EN, X},    [MON_PD_STOPPING] = {X, X, X, SP, X, SD, X},
    [MON_PD_TERMINATING] = {X, X, X, X, TM, EN, X}, [MON_PD_STOPPED] = {SG, X, X, SD, X, X, X},
    [MON_PD_ENDED] = {SG, X, X, SD, X, X, WT},      [MON_PD_WAITING] = {SG, X, X, SD, EN, X, WT},
};

int mon_pd_next(enum mon_pd_state *s, enum mon_pd_event ev)
{
	if ((unsigned)*s >= MON_PD_NSTATES || (unsigned)ev >= MON_PD_NEVENTS)
		return -1;
	int n = next[*s][ev];
	if (n == X)
		return -1;
	*s = (enum mon_pd_state)n;
	return 0;
}

bool mon_pd_alive(enum mon_pd_state s)
{
	return s == MON_PD_STARTING || s == MON_PD_RUNNING || s == MON_PD_STOPPING ||
	       s == MON_PD_TERMINATING;
}

bool mon_pd_ends_up(enum mon_pd_state s)
{
	return s == MON_PD_NEW || mon_pd_alive(s);
}

const char *mon_pd_state_name(enum mon_pd_state s)
{
	static const char *const names[MON_PD_NSTATES] = {
	    [MON_PD_NEW] = "down",           [MON_PD_STARTING] = "starting",
	    [MON_PD_RUNNING] = "running",    [MON_PD_STOPPING] = "stopping",
	    [MON_PD_TERMINATING] = "ending", [MON_PD_STOPPED] = "stopped",
	    [MON_PD_ENDED] = "down",         [MON_PD_WAITING] = "waiting",
	};
	return (unsigned)s < MON_PD_NSTATES ? names[s] : "?";
}

const char *mon_pd_event_name(enum mon_pd_event ev)
{
	static const char *const names[MON_PD_NEVENTS] = {
	    [MON_PD_EV_START] = "start",         [MON_PD_EV_SPAWN_FAIL] = "spawn_fail",
	    [MON_PD_EV_READY] = "ready",         [MON_PD_EV_STOP] = "stop",
	    [MON_PD_EV_TERMINATE] = "terminate", [MON_PD_EV_EXITED] = "exited",
	    [MON_PD_EV_SCHEDULE] = "schedule",
	};
	return (unsigned)ev < MON_PD_NEVENTS ? names[ev] : "?";
}
