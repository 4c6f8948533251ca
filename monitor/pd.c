/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One PD's life: start it in its sandbox, stop it, reap it, tell it
 * things.  Its state (lifecycle.h) changes only in mon_pd_set(), and its
 * channel end pages follow the state.  Nothing here decides what happens
 * after an end: mon_pd_reap() says how the PD ended and the caller asks
 * its supervisor (supervise.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "monitor/internal.h"

/* Descriptors handed to a PD: 0-2, boot, ctl, and one per capability. */
#define MAX_PD_FDS (IPC_FD_FIRST + 1 + 4 * IPC_MAX_CHANNELS + IPC_MAX_MAPS + IPC_MAX_GRANTS)

int mon_watch(struct mon *m, int fd, enum mon_ev_kind kind, size_t pd)
{
	struct epoll_event ev = {.events = EPOLLIN,
	                         .data.u64 = ((uint64_t)kind << 32) | (uint32_t)pd};
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		mon_err(m, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Every end page PD p owns, up or down.  Called only when the state's
 * answer changes: marking up again would start a new incarnation and fail
 * the calls already addressed to this one. */
static void set_ends(struct mon *m, size_t p, bool up)
{
	for (size_t i = 0; i < m->sys->nchannels; i++)
		for (int e = 0; e < 2; e++)
			if (m->chans[i].sdf->end[e].pd == p) {
				if (up)
					ipc_end_up(m->chans[i].end[e].map);
				else
					ipc_end_down(m->chans[i].end[e].map);
			}
}

int mon_pd_set(struct mon *m, size_t p, enum mon_pd_event ev)
{
	struct mon_pd *mp = &m->pds[p];
	enum mon_pd_state old = mp->state;

	if (mon_pd_next(&mp->state, ev) < 0) {
		mon_err(m, "pd=%s: %s while %s: refused (a monitor bug)", mp->sdf->name,
		        mon_pd_event_name(ev), mon_pd_state_name(old));
		return -1;
	}
	if (mon_pd_ends_up(old) != mon_pd_ends_up(mp->state))
		set_ends(m, p, mon_pd_ends_up(mp->state));
	return 0;
}

void mon_pd_ends_boot(struct mon *m)
{
	for (size_t p = 0; p < m->sys->npds; p++)
		if (mon_pd_ends_up(m->pds[p].state))
			set_ends(m, p, true);
}

int mon_pd_start(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	const struct sdf_pd *pd = mp->sdf;
	cleanup_fd int out0 = -1, out1 = -1, err0 = -1, err1 = -1, ctl0 = -1, ctl1 = -1;
	int pipes[2], pair[2];
	struct sandbox_fd fds[MAX_PD_FDS];
	size_t nfds = 0;
	char why[256] = "";
	int rc = -1;

	if (pipe2(pipes, O_CLOEXEC) < 0)
		goto sys_err;
	out0 = pipes[0], out1 = pipes[1];
	if (pipe2(pipes, O_CLOEXEC) < 0)
		goto sys_err;
	err0 = pipes[0], err1 = pipes[1];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		goto sys_err;
	ctl0 = pair[0], ctl1 = pair[1];
	if (fcntl(out0, F_SETFL, O_NONBLOCK) < 0 || fcntl(err0, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(ctl0, F_SETFL, O_NONBLOCK) < 0) {
		snprintf(why, sizeof(why), "fcntl: %s", strerror(errno));
		goto out;
	}
	fds[nfds++] = (struct sandbox_fd){m->null_fd, 0};
	fds[nfds++] = (struct sandbox_fd){out1, 1};
	fds[nfds++] = (struct sandbox_fd){err1, 2};
	fds[nfds++] = (struct sandbox_fd){-1, IPC_FD_BOOT}; /* filled in below */
	fds[nfds++] = (struct sandbox_fd){ctl1, IPC_FD_FIRST};
	if (mon_boot_write(m, p, fds, &nfds, MAX_PD_FDS) < 0) {
		snprintf(why, sizeof(why), "its boot information could not be written");
		goto out;
	}

	struct mon_beam *beam = &mp->beam;
	if (pd->kind == SDF_PD_BEAM && !beam->argv &&
	    (mon_beam_prepare(pd, beam, why, sizeof(why)) < 0 ||
	     mon_beam_dist(m->sys, p, beam, why, sizeof(why)) < 0))
		goto out;
	char *argv[] = {pd->program, NULL};
	struct sandbox_spec spec = {
	    .name = pd->name,
	    .program = pd->program,
	    .argv = beam->argv ? beam->argv : argv,
	    .envp = beam->envp,
	    .ro_paths = (const char *const *)beam->ro_paths,
	    .nro_paths = beam->nro_paths,
	    .dev_null = pd->kind == SDF_PD_BEAM,
	    .fds = fds,
	    .nfds = nfds,
	    .policy = pd->kind == SDF_PD_NATIVE ? SANDBOX_POLICY_NATIVE : SANDBOX_POLICY_BEAM,
	};
	if (mon_pd_identity(m, p, &spec.uid) < 0) {
		snprintf(why, sizeof(why),
		         "a system has at most 1024 PDs with identities of their own");
		goto out;
	}
	if (mon_budget_pd_prepare(m, p, &spec, why, sizeof(why)) < 0)
		goto out;
	if (mon_pd_set(m, p, MON_PD_EV_START) < 0) {
		snprintf(why, sizeof(why), "it is %s", mon_pd_state_name(mp->state));
		goto out;
	}
	int e = sandbox_spawn(&spec, &mp->child, why, sizeof(why));
	if (e < 0) {
		mon_pd_set(m, p, MON_PD_EV_SPAWN_FAIL);
		mon_budget_pd_ended(m, p);
		goto out;
	}
	mp->last_fault = (struct ipc_ctl){0};
	mp->refused.nr = -1;
	mp->vm_slogan[0] = '\0';
	mon_image_note(mp);
	if (mp->started.tv_sec || mp->started.tv_nsec)
		mp->restarts++;
	mon_info(m, "pd=%s started pid=%d", pd->name, (int)mp->child.pid);
	clock_gettime(CLOCK_MONOTONIC, &mp->started);
	mon_relay_init(&mp->out, steal_fd(&out0));
	mon_relay_init(&mp->err, steal_fd(&err0));
	mp->ctl = steal_fd(&ctl0);
	if (mon_watch(m, mp->child.pidfd, MON_EV_EXIT, p) < 0 ||
	    mon_watch(m, mp->out.fd, MON_EV_OUT, p) < 0 ||
	    mon_watch(m, mp->err.fd, MON_EV_ERR, p) < 0 ||
	    mon_watch(m, mp->ctl, MON_EV_CTL, p) < 0 ||
	    (mp->child.notify_fd >= 0 &&
	     mon_watch(m, mp->child.notify_fd, MON_EV_REFUSED, p) < 0)) {
		snprintf(why, sizeof(why), "cannot watch it");
		goto out;
	}
	rc = 0;
	goto out;
sys_err:
	snprintf(why, sizeof(why), "creating its pipes: %s", strerror(errno));
out:
	/* The PD holds its own copies now (cleanup_fd closes the monitor's
	 * copies of its ends); the monitor keeps only its own ends. */
	mon_boot_close(mp);
	if (rc < 0)
		mon_err(m, "pd=%s cannot start (%s): %s", pd->name, pd->program, why);
	return rc;
}

void mon_pd_describe_end(const struct mon_pd *mp, int status, char *buf, size_t len)
{
	const struct ipc_ctl *f = mp->last_fault.type == IPC_CTL_FAULT ? &mp->last_fault : NULL;
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	/* The kernel's word, not the PD's: the monitor killed it for the call
	 * (mon_ctl_refused_call), so the death must be that SIGKILL. */
	if (mp->refused.nr >= 0 && sig == SIGKILL) {
		char name[32];
		mon_syscall_name((uint64_t)(uint32_t)mp->refused.nr, name, sizeof(name));
		snprintf(buf, len, "seccomp syscall=%s signal=SIGKILL ip=%#llx", name,
		         (unsigned long long)mp->refused.ip);
		return;
	}

	/* A PD is the init of its pid namespace, so a signal it raises itself
	 * (abort()) or one sent to it cannot kill it; libcordon then exits with
	 * 128 + the signal after its report.  Believe the report only when
	 * both say the same. */
	if (WIFEXITED(status) && f && f->code <= 0 && f->signo > 0 &&
	    WEXITSTATUS(status) == 128 + f->signo)
		sig = f->signo;
	if (!sig) {
		snprintf(buf, len, "exit=%d", WEXITSTATUS(status));
		return;
	}
	if (f && f->signo != sig)
		f = NULL; /* a report about something else: do not trust it */
	if (sig == SIGSYS && f && f->code == 1 /* SYS_SECCOMP */) {
		char name[32];
		mon_syscall_name(f->addr, name, sizeof(name));
		snprintf(buf, len, "seccomp syscall=%s signal=SIGSYS ip=%#llx", name,
		         (unsigned long long)f->ip);
	} else if (f && f->code > 0) { /* from the CPU: the address means something */
		snprintf(buf, len, "signal=%s addr=%#llx ip=%#llx", mon_signame(sig),
		         (unsigned long long)f->addr, (unsigned long long)f->ip);
	} else {
		snprintf(buf, len, "signal=%s", mon_signame(sig));
	}
}

/* The PD's last words: a fault report, or that it was ready, may still be
 * queued on its ctl socket after it died (its exit and its messages reach
 * the loop in either order).  Reports are hostile input: only well-formed
 * IPC_CTL_FAULT and IPC_CTL_READY records count. */
static void drain_ctl(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	char buf[sizeof(struct ipc_ctl) + 1];
	ssize_t n;
	while (mp->ctl >= 0 && (n = recv(mp->ctl, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if ((size_t)n == sizeof(struct ipc_ctl)) {
			struct ipc_ctl c;
			memcpy(&c, buf, sizeof(c));
			if (c.type == IPC_CTL_FAULT)
				mp->last_fault = c;
			else if (c.type == IPC_CTL_READY && mp->state == MON_PD_STARTING)
				mon_pd_set(m, p, MON_PD_EV_READY);
		}
}

/* Reap PD p, which is gone or was killed, relay the last of its output,
 * and move it on to its next state.  Returns the state it was in. */
static enum mon_pd_state reap(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	int status = 0;

	epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.pidfd, NULL);
	if (mp->child.notify_fd >= 0)
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.notify_fd, NULL);
	if (sandbox_reap(&mp->child, &status) < 0)
		status = 0;
	mp->last_status = status;
	mon_budget_pd_ended(m, p);
	drain_ctl(m, p);
	enum mon_pd_state was = mp->state;
	mon_pd_set(m, p, MON_PD_EV_EXITED);
	mon_relay_end(m, mp, &mp->out);
	mon_relay_end(m, mp, &mp->err);
	close_fd(&mp->ctl);
	return was;
}

bool mon_pd_reap(struct mon *m, size_t p, enum mon_end_kind *end, char *how, size_t len)
{
	struct mon_pd *mp = &m->pds[p];
	if (!mon_pd_alive(mp->state))
		return false;
	enum mon_pd_state was = reap(m, p);
	const char *name = mp->sdf->name;
	if (was == MON_PD_TERMINATING)
		return false;
	if (was == MON_PD_STOPPING) {
		mon_info(m, "pd=%s stopped", name);
		return false;
	}
	int status = mp->last_status;
	bool normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	char vm[384];
	mon_pd_describe_end(mp, status, how, len);
	mon_budget_describe(m, p, how, len);
	mon_vm_reason(mp, status, vm, sizeof(vm));
	if (!vm[0])
		mon_image_where(mp, status, vm, sizeof(vm));
	if (normal)
		mon_info(m, "pd=%s exited status=0", name);
	else
		mon_fault(m, "pd=%s %s restarts=%u%s", name, how, mp->restarts, vm);
	/* Exit status 0 is a PD that finished, whenever it does (a one-shot
	 * task may do all its work in init()): only a death is a failed start. */
	*end = normal                   ? MON_END_NORMAL
	       : was == MON_PD_STARTING ? MON_END_FAILED_START
	                                : MON_END_ABNORMAL;
	return true;
}

bool mon_pd_stop(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	bool alive = mon_pd_alive(mp->state);
	if (mon_pd_set(m, p, MON_PD_EV_STOP) < 0)
		return false;
	if (alive) {
		sandbox_kill(&mp->child);
		enum mon_end_kind end;
		char how[8];
		mon_pd_reap(m, p, &end, how, sizeof(how));
	}
	return alive;
}

void mon_pd_terminate(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	if (mp->state == MON_PD_WAITING) {
		mon_pd_set(m, p, MON_PD_EV_TERMINATE); /* its restart is off */
		return;
	}
	if (!mon_pd_alive(mp->state) || mon_pd_set(m, p, MON_PD_EV_TERMINATE) < 0)
		return;
	sandbox_kill(&mp->child);
	reap(m, p);
}

void mon_pd_terminate_all(struct mon *m)
{
	/* All killed first, so they die together; then each is reaped. */
	for (size_t p = 0; p < m->sys->npds; p++)
		if (mon_pd_alive(m->pds[p].state) && mon_pd_set(m, p, MON_PD_EV_TERMINATE) == 0)
			sandbox_kill(&m->pds[p].child);
	for (size_t p = 0; p < m->sys->npds; p++)
		if (mon_pd_alive(m->pds[p].state))
			reap(m, p);
}

int mon_pd_tell(struct mon *m, size_t p, const struct ipc_ctl *c)
{
	struct mon_pd *mp = &m->pds[p];
	if (!mon_pd_alive(mp->state) || mp->ctl < 0)
		return -1;
	if (send(mp->ctl, c, sizeof(*c), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(*c)) {
		mon_err(m, "pd=%s does not read its control messages (%s); one was dropped",
		        mp->sdf->name, strerror(errno));
		return -1;
	}
	ipc_mon_tell(mp->page.map);
	return 0;
}

long mon_pd_find(const struct mon *m, const char *name)
{
	for (size_t p = 0; p < m->sys->npds; p++)
		if (!strcmp(m->pds[p].sdf->name, name))
			return (long)p;
	return -1;
}
