/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A PD's lifecycle: one state, changed only by mon_pd_next().
 *
 *     enum mon_pd_state s = MON_PD_NEW;
 *     if (mon_pd_next(&s, MON_PD_EV_START) < 0) ...   // not allowed: s kept
 *
 * Pure: no I/O, no clock.  What a state means for the rest of the monitor
 * (is there a process, are its channel end pages up) is asked of the
 * state, never kept beside it.
 *
 * States:
 *   new          not started yet.  Its end pages are up from the system's
 *                first instant, as on seL4 where every PD exists before any
 *                runs: a call to a PD later in the start order waits.
 *   starting     its process runs; it has not said it is ready (native:
 *                libcordon's init() has not returned; BEAM: the application
 *                has not started).  A death now is a failed start.
 *   running      ready.  A death now is a crash (or a normal end).
 *   stopping     killed on purpose (admin, its parent PD); being reaped.
 *   terminating  killed by its supervisor or the system's stop; being
 *                reaped.  Neither a fault nor a stop.
 *   stopped      stopped on purpose: no supervisor starts it again; only an
 *                admin or its parent PD does.
 *   ended        ended by itself, failed to start, or terminated: its
 *                supervisor has decided (or will) what comes next.
 *   waiting      a restart is scheduled for later (backoff).
 *
 * Transitions (state x event -> state; "-" is refused: the event is a bug
 * of the caller, or a PD's message out of turn, and changes nothing):
 *
 *               start     spawn_fail ready    stop      terminate exited   schedule
 *   new         starting  -          -        stopped   -         -        waiting
 *   starting    -         ended      running  stopping  terminat. ended    -
 *   running     -         -          -        stopping  terminat. ended    -
 *   stopping    -         -          -        stopping  -         stopped  -
 *   terminating -         -          -        -         terminat. ended    -
 *   stopped     starting  -          -        stopped   -         -        -
 *   ended       starting  -          -        stopped   -         -        waiting
 *   waiting     starting  -          -        stopped   ended     -        waiting
 *
 * A stop during a termination is refused: the supervisor's restart set is
 * already decided, and the admin may stop the PD again once it ran.
 */
#ifndef CORDON_MONITOR_LIFECYCLE_H
#define CORDON_MONITOR_LIFECYCLE_H

#include <stdbool.h>

enum mon_pd_state {
	MON_PD_NEW = 0,
	MON_PD_STARTING,
	MON_PD_RUNNING,
	MON_PD_STOPPING,
	MON_PD_TERMINATING,
	MON_PD_STOPPED,
	MON_PD_ENDED,
	MON_PD_WAITING,
	MON_PD_NSTATES
};

enum mon_pd_event {
	MON_PD_EV_START = 0,  /* the monitor spawns it (its end pages go up first) */
	MON_PD_EV_SPAWN_FAIL, /* the spawn did not happen: no process */
	MON_PD_EV_READY,      /* it said it is ready (IPC_CTL_READY) */
	MON_PD_EV_STOP,       /* stop on purpose (admin, parent PD) */
	MON_PD_EV_TERMINATE,  /* its supervisor, or the system's stop, ends it */
	MON_PD_EV_EXITED,     /* its process was reaped */
	MON_PD_EV_SCHEDULE,   /* a restart is set for later */
	MON_PD_NEVENTS
};

/* Apply event ev to *s: 0, or -1 with *s unchanged when the table refuses. */
int mon_pd_next(enum mon_pd_state *s, enum mon_pd_event ev);

/* Does a process exist (started and not yet reaped)? */
bool mon_pd_alive(enum mon_pd_state s);
/* Are its channel end pages up?  (Peers' calls wait rather than fail.) */
bool mon_pd_ends_up(enum mon_pd_state s);
/* The name `cordon ps` shows. */
const char *mon_pd_state_name(enum mon_pd_state s);
const char *mon_pd_event_name(enum mon_pd_event ev);

#endif
