/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Small habits shared by the monitor's files: severity as a name, never a
 * string at the call site, and descriptors that close themselves.
 *
 *     mon_err(m, "pd=%s cannot start: %s", name, why);   // "MON|ERROR: ..."
 *
 *     cleanup_fd int fd = -1;          // closed on every way out of scope
 *     ...
 *     mp->ctl = steal_fd(&fd);         // ownership moves: not closed here
 *
 * mon_fault() (history.c) is the fourth severity: it also keeps the line
 * for `cordon faults`.
 */
#ifndef CORDON_MONITOR_UTIL_H
#define CORDON_MONITOR_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define mon_info(m, ...) mon_log((m), "MON|INFO:", __VA_ARGS__)
#define mon_warn(m, ...) mon_log((m), "MON|WARN:", __VA_ARGS__)
#define mon_err(m, ...)  mon_log((m), "MON|ERROR:", __VA_ARGS__)

/* Close *fd if open and mark it closed; errno is kept, so a caller may
 * still report the error that made it give up. */
static inline void close_fd(int *fd)
{
	if (*fd >= 0) {
		int e = errno;
		close(*fd);
		errno = e;
		*fd = -1;
	}
}

#define cleanup_fd __attribute__((cleanup(close_fd)))

/* CLOCK_MONOTONIC in milliseconds: restart windows, backoff, output budgets. */
static inline uint64_t mon_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Take the descriptor out of a cleanup_fd variable. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#endif
