/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a PD says to the monitor: control messages on its ctl socket, and
 * (BEAM PDs) the calls its seccomp policy refused, reported by the kernel.
 * All of it is untrusted input, checked field by field.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "monitor/internal.h"

/* A PD asks to restart or stop one of its child PDs. */
static void child_request(struct mon *m, size_t p, const struct ipc_ctl *c)
{
	const char *name = m->pds[p].sdf->name;
	long child = -1;
	for (size_t i = 0; i < m->sys->npds; i++)
		if (m->sys->pds[i].parent == (long)p && m->sys->pds[i].child_id == (long)c->channel)
			child = (long)i;
	if (child < 0) {
		mon_err(m, "pd=%s asked to %s child %u, which it does not have", name,
		        c->type == IPC_CTL_PD_RESTART ? "restart" : "stop", c->channel);
		return;
	}
	const char *cname = m->pds[child].sdf->name;
	if (c->type == IPC_CTL_PD_STOP) {
		mon_info(m, "pd=%s stops its child pd=%s", name, cname);
		mon_pd_stop(m, (size_t)child);
		return;
	}
	mon_info(m, "pd=%s restarts its child pd=%s", name, cname);
	mon_pd_terminate(m, (size_t)child);
	mon_regions_clear(m, (size_t)child);
	if (mon_pd_start(m, (size_t)child) < 0)
		mon_sup_pd_ended(m, (size_t)child, MON_END_FAILED_START, "start failed");
}

static void broken(struct mon *m, size_t p, struct ipc_ctl *c)
{
	const char *name = m->pds[p].sdf->name;
	c->what[sizeof(c->what) - 1] = '\0';
	for (char *s = c->what; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
	if (c->channel >= IPC_MAX_CHANNELS)
		mon_err(m, "pd=%s reported a broken channel %u (no such id)", name, c->channel);
	else
		mon_err(m, "pd=%s channel=%u broken: %s", name, c->channel, c->what);
}

void mon_ctl_readable(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	char buf[sizeof(struct ipc_ctl) + 1];

	for (;;) {
		ssize_t n = recv(mp->ctl, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->ctl, NULL);
			close_fd(&mp->ctl);
			return;
		}
		struct ipc_ctl c;
		if ((size_t)n != sizeof(c)) {
			mon_err(m, "pd=%s sent a malformed control message (%zd bytes)",
			        mp->sdf->name, n);
			continue;
		}
		memcpy(&c, buf, sizeof(c));
		switch (c.type) {
		case IPC_CTL_FAULT:
			mp->last_fault = c;
			break;
		case IPC_CTL_PD_RESTART:
		case IPC_CTL_PD_STOP:
			child_request(m, p, &c);
			break;
		case IPC_CTL_READY:
			/* Once per run; a second one, or one from a PD being
			 * stopped, changes nothing. */
			if (mp->state == MON_PD_STARTING && mon_pd_set(m, p, MON_PD_EV_READY) == 0)
				mon_sup_pd_ready(m, p);
			break;
		case IPC_CTL_BROKEN:
			broken(m, p, &c);
			break;
		default:
			mon_err(m, "pd=%s sent an unknown control message type %u", mp->sdf->name,
			        c.type);
		}
	}
}

/* A BEAM PD made a call its policy refuses (its seccomp filter's default
 * action notifies the listener the monitor holds; a native PD's libcordon
 * reports its own SIGSYS instead).  The fault is fatal, as for a native PD:
 * kill first, so the calling thread never runs on, then answer the call
 * (it fails with EPERM if the thread still exists).  mon_pd_reap() logs
 * the MON|FAULT line from what is kept here once the PD is reaped, and its
 * supervisor decides, as for any fault.  The calling process may be the
 * BEAM or anything it started (erl_child_setup, a port program): they
 * share the filter, and killing the PD, pid 1 of its namespace, kills
 * them all. */
void mon_ctl_refused_call(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	struct sandbox_syscall call;

	if (!mon_pd_alive(mp->state) || mp->child.notify_fd < 0)
		return; /* a stale event: the PD already ended this round */
	/* The event may be stale in another way: the PD ended earlier in
	 * this round and its supervisor restarted it, so the event was the
	 * old listener's and this is the new one.  Ask the listener itself,
	 * never the event's flags. */
	int e = sandbox_notify_receive(&mp->child, &call);
	if (e == -EAGAIN)
		return;
	if (e == -EPIPE) {
		/* Hung up: no process uses the filter any more.  The PD is
		 * gone and its pidfd says so; stop the level-triggered
		 * hang-up from waking the loop until then. */
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.notify_fd, NULL);
		return;
	}
	if (e < 0) {
		mon_err(m, "pd=%s: reading its seccomp listener: %s; killing it", mp->sdf->name,
		        strerror(-e));
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.notify_fd, NULL);
		sandbox_kill(&mp->child);
		return;
	}
	if (mp->refused.nr < 0) {
		mp->refused.nr = call.nr;
		mp->refused.ip = call.ip;
	}
	sandbox_kill(&mp->child);
	e = sandbox_notify_refuse(&mp->child, call.id, EPERM);
	if (e < 0 && e != -ENOENT)
		mon_err(m, "pd=%s: answering a refused call: %s", mp->sdf->name, strerror(-e));
}
