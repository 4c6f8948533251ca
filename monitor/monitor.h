/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monitor — boot a validated system and watch it.
 *
 *     struct sdf_system *sys = sdf_load(...);
 *     int rc = monitor_run(sys, &opts);   // returns when the system stops
 *
 * The monitor is the root task and the only trusted component.  It creates
 * every object the plan names (channel end pages, queue rings, memory
 * regions: all memfds), starts each PD in its sandbox in document order,
 * relays each PD's output with its name as a prefix, and then only watches:
 * PD exits (pidfd), control messages, signals.  It is never on the data path.
 *
 * Its own log lines carry a fixed tag: "MON|INFO:", "MON|ERROR:",
 * "MON|FAULT:".
 */
#ifndef CORDON_MONITOR_H
#define CORDON_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

#include "sdf/sdf.h"

struct monitor_opts {
	FILE *log;        /* the monitor's own lines and PD output; stdout */
	const char *name; /* the system's name for admin commands; NULL: the
	                     description's file name without ".system" */
	bool timestamps;  /* each relayed line of PD output begins with the
	                     UTC time it was relayed */
};

/* Boot and run until SIGINT or SIGTERM (exit status 0) or until the system
 * cannot go on (non-zero).  Nothing is left behind: every PD is killed and
 * reaped, every object closed. */
int monitor_run(const struct sdf_system *sys, const struct monitor_opts *opts);

#endif
