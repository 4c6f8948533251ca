/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The admin socket: how `cordon ps|restart|stop|faults|log` talk to a
 * running monitor.
 *
 * Each running system listens on RUNDIR/NAME.sock, a SOCK_SEQPACKET Unix
 * socket, where NAME is the system's name (the description's file name
 * without ".system", or `cordon run --name`) and RUNDIR is
 * $CORDON_RUNTIME_DIR, else $XDG_RUNTIME_DIR/cordon, else /tmp/cordon-UID;
 * it is created mode 0700 and must be owned by the user.  The monitor
 * serves only peers whose SO_PEERCRED uid is its own.
 *
 * Protocol: the client sends one datagram, "COMMAND [ARG]"; the monitor
 * answers "ok" or "error: MESSAGE", then zero or more datagrams of text,
 * then closes the connection.  "logsince N [PD]" answers "seq M" (the
 * number of the last line written) and the kept lines written after line
 * N: `cordon log -f` polls with it.
 */
#ifndef CORDON_MONITOR_ADMIN_H
#define CORDON_MONITOR_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ADMIN_MSG_MAX 4096

/* The runtime directory; with `create`, make it (0700) if missing.  Checks
 * that it is a directory owned by the user and closed to others.  0 or -1
 * with a message in why. */
int admin_rundir(char *buf, size_t len, bool create, char *why, size_t whylen);

/* Ask the system named `system` (NULL: the only one running) and print its
 * answer to out (errors to err).  Returns 0 if the monitor said ok, 1 if it
 * refused, 2 if no monitor could be asked. */
int admin_request(const char *system, const char *request, FILE *out, FILE *err);

/* The system name the monitor uses for a description path. */
void admin_system_name(const char *path, char *buf, size_t len);

#endif
