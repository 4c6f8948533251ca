/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor's life: create the objects, start every PD, then watch.
 *
 * Everything the monitor waits for is a descriptor in one epoll set: a
 * signalfd for SIGINT/SIGTERM, the admin socket, a timerfd for restarts
 * that wait (backoff), and per PD its pidfd (readable at exit), the read
 * ends of its stdout and stderr pipes, its control socket and (BEAM PDs)
 * its seccomp listener.  The monitor never polls and is never on a data
 * path between PDs.
 *
 * This file is only the loop and its dispatch; each event goes down to the
 * file that owns it: pd.c (a PD's life), ctl.c (what a PD says),
 * supervise.c (what happens after an end), admin.c, output.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor/internal.h"
#include "monitor/monitor.h"

static size_t alive_count(const struct mon *m)
{
	size_t n = 0;
	for (size_t p = 0; p < m->sys->npds; p++)
		n += mon_pd_alive(m->pds[p].state);
	return n;
}

/* The system is down when no PD runs, none waits to restart, and none was
 * stopped on purpose (an admin may start those again). */
static bool system_down(const struct mon *m)
{
	for (size_t p = 0; p < m->sys->npds; p++)
		if (m->pds[p].state != MON_PD_ENDED && m->pds[p].state != MON_PD_NEW)
			return false;
	return true;
}

/* Did every PD run and end by itself with status 0?  (Temporary and
 * transient PDs that finished their work: the system is done, not down.) */
static bool all_ended_normally(const struct mon *m)
{
	for (size_t p = 0; p < m->sys->npds; p++) {
		const struct mon_pd *mp = &m->pds[p];
		bool ran = mp->started.tv_sec || mp->started.tv_nsec;
		if (!ran || !WIFEXITED(mp->last_status) || WEXITSTATUS(mp->last_status) != 0)
			return false;
	}
	return true;
}

/* After an end or a restart that waited: -1 while the system goes on,
 * else the exit status of monitor_run. */
static int system_end(struct mon *m)
{
	if (m->failed || !system_down(m))
		return -1;
	if (all_ended_normally(m)) {
		mon_info(m, "every PD has ended with status 0; the system is done");
		return 0;
	}
	mon_err(m, "every PD has stopped; the system is down");
	return 1;
}

/* Returns the exit status of monitor_run. */
static int watch_loop(struct mon *m)
{
	struct epoll_event evs[32];

	for (;;) {
		int n = epoll_wait(m->epfd, evs, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mon_err(m, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		/* Two passes: supervision, control and admin events first, PD
		 * output last, so a flooding PD cannot delay them (output.c). */
		for (int k = 0; k < 2 * n; k++) {
			int i = k % n;
			enum mon_ev_kind kind = (enum mon_ev_kind)(evs[i].data.u64 >> 32);
			size_t p = (uint32_t)evs[i].data.u64;
			if ((kind == MON_EV_OUT || kind == MON_EV_ERR) != (k >= n))
				continue;
			struct mon_pd *mp = &m->pds[p];
			switch (kind) {
			case MON_EV_SIGNAL: {
				struct signalfd_siginfo si;
				if (read(m->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					continue;
				size_t left = alive_count(m);
				mon_info(m, "%s: stopping %zu %s", mon_signame((int)si.ssi_signo),
				         left, mon_plural(left, "PD", "PDs"));
				mon_pd_terminate_all(m);
				mon_info(m, "stopped");
				return 0;
			}
			case MON_EV_EXIT: {
				enum mon_end_kind end;
				char how[160];
				/* The event may be stale: the PD ended earlier in
				 * this batch and was restarted, and this is the new
				 * process, alive.  Reaping waits: never on it. */
				if (!sandbox_exited(&mp->child))
					break;
				if (mon_pd_reap(m, p, &end, how, sizeof(how)))
					mon_sup_pd_ended(m, p, end, how);
				int rc = system_end(m);
				if (rc >= 0)
					return rc;
				break;
			}
			case MON_EV_OUT:
				if (!mon_relay_pump(m, mp, &mp->out))
					epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->out.fd, NULL);
				break;
			case MON_EV_ERR:
				if (!mon_relay_pump(m, mp, &mp->err))
					epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->err.fd, NULL);
				break;
			case MON_EV_CTL:
				mon_ctl_readable(m, p);
				break;
			case MON_EV_ADMIN:
				mon_admin_accept(m);
				break;
			case MON_EV_REFUSED:
				mon_ctl_refused_call(m, p);
				break;
			case MON_EV_TIMER: {
				/* Restarts that waited may all fail to spawn. */
				mon_sup_timer(m);
				int rc = system_end(m);
				if (rc >= 0)
					return rc;
				break;
			}
			}
			if (m->failed)
				return 1;
		}
	}
}

int monitor_run(const struct sdf_system *sys, const struct monitor_opts *opts)
{
	struct mon m = {
	    .sys = sys,
	    .log = opts && opts->log ? opts->log : stdout,
	    .timestamps = opts && opts->timestamps,
	    .null_fd = -1,
	    .epfd = -1,
	    .sigfd = -1,
	    .admin_fd = -1,
	    .timer_fd = -1,
	    .name = opts && opts->name ? opts->name : sys->path,
	};
	sigset_t mask, old;
	bool objects = false;
	int rc = 1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	/* A closed log must not kill the monitor and orphan its PDs. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	sigaction(SIGPIPE, &ign, &old_pipe);

	m.pds = calloc(sys->npds ? sys->npds : 1, sizeof(*m.pds));
	m.chans = calloc(sys->nchannels ? sys->nchannels : 1, sizeof(*m.chans));
	m.regions = calloc(sys->nregions ? sys->nregions : 1, sizeof(*m.regions));
	m.history = mon_history_new(sys->npds);
	if (!m.pds || !m.chans || !m.regions || !m.history) {
		mon_err(&m, "out of memory");
		goto out;
	}
	for (size_t p = 0; p < sys->npds; p++) {
		m.pds[p].sdf = &sys->pds[p];
		m.pds[p].state = MON_PD_NEW;
		m.pds[p].child.pidfd = -1;
		m.pds[p].child.notify_fd = -1;
		m.pds[p].ctl = -1;
		m.pds[p].out.fd = m.pds[p].err.fd = -1;
		m.pds[p].boot.mem.rw = m.pds[p].boot.mem.ro = -1;
		m.pds[p].refused.nr = -1;
	}
	m.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	m.epfd = epoll_create1(EPOLL_CLOEXEC);
	m.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (m.sigfd < 0 || m.epfd < 0 || m.null_fd < 0) {
		mon_err(&m, "setting up the monitor: %s", strerror(errno));
		goto out;
	}
	if (mon_watch(&m, m.sigfd, MON_EV_SIGNAL, 0) < 0)
		goto out;
	if (mon_admin_open(&m) < 0 || mon_watch(&m, m.admin_fd, MON_EV_ADMIN, 0) < 0)
		goto out;
	objects = true; /* create resets every object first, so destroy is safe */
	if (mon_objects_create(&m) < 0)
		goto out;
	if (mon_sup_init(&m) < 0)
		goto out;
	if (mon_budget_open(&m) < 0)
		goto out;
	/* Before any PD starts: a port that cannot be had stops the system
	 * here, with nothing half-started. */
	if (mon_grants_open(&m) < 0) {
		mon_err(&m, "the system did not start: a grant could not be opened");
		goto out;
	}

	mon_info(&m, "booting %s: %zu %s, %zu %s, %zu %s", sys->path, sys->npds,
	         mon_plural(sys->npds, "PD", "PDs"), sys->nchannels,
	         mon_plural(sys->nchannels, "channel", "channels"), sys->nregions,
	         mon_plural(sys->nregions, "memory region", "memory regions"));
	/* Every PD is up from the system's first instant, as on seL4 where
	 * they all exist before any runs: a call to a PD later in the start
	 * order waits for it to serve instead of failing. */
	mon_pd_ends_boot(&m);
	for (size_t p = 0; p < sys->npds; p++) {
		if (mon_pd_start(&m, p) < 0) {
			/* Nothing half-started: stop what is already running. */
			mon_pd_terminate_all(&m);
			mon_err(&m, "the system did not start; every PD was stopped");
			goto out;
		}
	}
	if (sys->npds == 1)
		mon_info(&m, "1 PD started");
	else
		mon_info(&m, "all %zu PDs started", sys->npds);
	rc = watch_loop(&m);
	if (rc != 0)
		mon_pd_terminate_all(&m);
out:
	for (size_t p = 0; m.pds && p < sys->npds; p++) {
		close_fd(&m.pds[p].ctl);
		close_fd(&m.pds[p].out.fd);
		close_fd(&m.pds[p].err.fd);
		mon_beam_free(&m.pds[p].beam);
	}
	mon_budget_close(&m);
	mon_grants_close(&m);
	if (objects)
		mon_objects_destroy(&m);
	mon_admin_close(&m);
	close_fd(&m.null_fd);
	close_fd(&m.epfd);
	close_fd(&m.sigfd);
	mon_sup_free(&m);
	free(m.pds);
	free(m.chans);
	free(m.regions);
	mon_history_free(m.history);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
