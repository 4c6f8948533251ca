/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor's life: create the objects, start every PD, then watch.
 *
 * Everything the monitor waits for is a descriptor in one epoll set: a
 * signalfd for SIGINT/SIGTERM, and per PD its pidfd (readable at exit), the
 * read ends of its stdout and stderr pipes, and its control socket.  The
 * monitor never polls and is never on a data path between PDs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "monitor/internal.h"
#include "monitor/monitor.h"
#include "monitor/beam.h"

/* What an epoll event is about: the kind in the high half, the PD below. */
enum ev_kind { EV_SIGNAL = 1, EV_EXIT, EV_OUT, EV_ERR, EV_CTL, EV_ADMIN, EV_REFUSED };
#define EV(kind, pd) (((uint64_t)(kind) << 32) | (uint32_t)(pd))

/* Descriptors handed to a PD: 0-2, boot, ctl, and one per capability. */
#define MAX_PD_FDS (IPC_FD_FIRST + 1 + 4 * IPC_MAX_CHANNELS + IPC_MAX_MAPS + IPC_MAX_GRANTS)

static int watch(struct mon *m, int fd, enum ev_kind kind, size_t pd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EV(kind, pd)};
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		mon_log(m, "MON|ERROR:", "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Every end page the PD owns: mark it up before the PD (re)starts, down
 * once it is gone, so its peers' calls fail instead of hanging.  Each
 * transition happens once: marking up again would start a new incarnation
 * and fail the calls already addressed to this one. */
static void set_ends(struct mon *m, size_t p, bool up)
{
	if (m->pds[p].ends_up == up)
		return;
	m->pds[p].ends_up = up;
	for (size_t i = 0; i < m->sys->nchannels; i++)
		for (int e = 0; e < 2; e++)
			if (m->chans[i].sdf->end[e].pd == p) {
				if (up)
					ipc_end_up(m->chans[i].end[e].map);
				else
					ipc_end_down(m->chans[i].end[e].map);
			}
}

int mon_pd_start(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	const struct sdf_pd *pd = mp->sdf;
	int out[2] = {-1, -1}, err[2] = {-1, -1}, ctl[2] = {-1, -1};
	struct sandbox_fd fds[MAX_PD_FDS];
	size_t nfds = 0;
	char why[256] = "";
	int rc = -1;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0) {
		snprintf(why, sizeof(why), "creating its pipes: %s", strerror(errno));
		goto out;
	}
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(err[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(ctl[0], F_SETFL, O_NONBLOCK) < 0) {
		snprintf(why, sizeof(why), "fcntl: %s", strerror(errno));
		goto out;
	}
	fds[nfds++] = (struct sandbox_fd){m->null_fd, 0};
	fds[nfds++] = (struct sandbox_fd){out[1], 1};
	fds[nfds++] = (struct sandbox_fd){err[1], 2};
	fds[nfds++] = (struct sandbox_fd){-1, IPC_FD_BOOT}; /* filled in below */
	fds[nfds++] = (struct sandbox_fd){ctl[1], IPC_FD_FIRST};
	if (mon_boot_write(m, p, fds, &nfds, MAX_PD_FDS) < 0) {
		snprintf(why, sizeof(why), "its boot information could not be written");
		goto out;
	}

	struct mon_beam *beam = &mp->beam;
	if (pd->kind == SDF_PD_BEAM && !beam->argv &&
	    mon_beam_prepare(pd, beam, why, sizeof(why)) < 0)
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
	if (mon_budget_pd_prepare(m, p, &spec, why, sizeof(why)) < 0)
		goto out;
	set_ends(m, p, true);
	int e = sandbox_spawn(&spec, &mp->child, why, sizeof(why));
	if (e < 0) {
		set_ends(m, p, false);
		mon_budget_pd_ended(m, p);
		goto out;
	}
	mp->running = true;
	mp->have_fault = false;
	mp->refused.seen = false;
	mp->vm_slogan[0] = '\0';
	mon_image_note(mp);
	mp->stop_requested = false;
	if (mp->started.tv_sec || mp->started.tv_nsec)
		mp->restarts++;
	mon_log(m, "MON|INFO:", "pd=%s started pid=%d", pd->name, (int)mp->child.pid);
	clock_gettime(CLOCK_MONOTONIC, &mp->started);
	mon_relay_init(&mp->out, out[0]);
	mon_relay_init(&mp->err, err[0]);
	mp->ctl = ctl[0];
	out[0] = err[0] = ctl[0] = -1;
	if (watch(m, mp->child.pidfd, EV_EXIT, p) < 0 || watch(m, mp->out.fd, EV_OUT, p) < 0 ||
	    watch(m, mp->err.fd, EV_ERR, p) < 0 || watch(m, mp->ctl, EV_CTL, p) < 0 ||
	    (mp->child.notify_fd >= 0 && watch(m, mp->child.notify_fd, EV_REFUSED, p) < 0)) {
		snprintf(why, sizeof(why), "cannot watch it");
		goto out;
	}
	rc = 0;
out:
	/* The PD holds its own copies now; the monitor keeps only its ends. */
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	close_fd(&ctl[0]);
	close_fd(&ctl[1]);
	mon_boot_close(mp);
	if (rc < 0)
		mon_log(m, "MON|ERROR:", "pd=%s cannot start (%s): %s", pd->name, pd->program, why);
	return rc;
}

void mon_pd_describe_end(const struct mon_pd *mp, int status, char *buf, size_t len)
{
	const struct ipc_ctl *f = mp->have_fault ? &mp->last_fault : NULL;
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	/* The kernel's word, not the PD's: the monitor killed it for the call
	 * (refused_call below), so the death must be that SIGKILL. */
	if (mp->refused.seen && sig == SIGKILL) {
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

/* The PD's last words: a fault report may still be queued on its ctl
 * socket after it died.  Reports are hostile input: only a well-formed
 * IPC_CTL_FAULT is kept. */
static void drain_ctl(struct mon_pd *mp)
{
	char buf[sizeof(struct ipc_ctl) + 1];
	ssize_t n;
	while (mp->ctl >= 0 && (n = recv(mp->ctl, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if ((size_t)n == sizeof(struct ipc_ctl)) {
			struct ipc_ctl c;
			memcpy(&c, buf, sizeof(c));
			if (c.type == IPC_CTL_FAULT) {
				mp->last_fault = c;
				mp->have_fault = true;
			}
		}
}

/* The PD is gone (its pidfd fired, or we killed it): reap it, relay the
 * last of its output, record how it ended, and let its supervisor (or its
 * parent PD) decide what happens next. */
static void pd_ended(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	int status = 0;

	if (!mp->running)
		return;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.pidfd, NULL);
	if (mp->child.notify_fd >= 0)
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.notify_fd, NULL);
	if (sandbox_reap(&mp->child, &status) < 0)
		status = 0;
	mp->running = false;
	mp->last_status = status;
	mon_budget_pd_ended(m, p);
	set_ends(m, p, false);
	while (mon_relay_pump(m, mp, &mp->out))
		;
	while (mon_relay_pump(m, mp, &mp->err))
		;
	drain_ctl(mp);
	close_fd(&mp->ctl);

	const char *name = mp->sdf->name;
	if (m->stopping || mp->sup_stopping)
		return;
	if (mp->stop_requested) {
		mon_log(m, "MON|INFO:", "pd=%s stopped", name);
		return;
	}
	bool normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	char how[160], vm[384];
	mon_pd_describe_end(mp, status, how, sizeof(how));
	mon_budget_describe(m, p, how, sizeof(how));
	mon_vm_reason(mp, status, vm, sizeof(vm));
	if (!vm[0])
		mon_image_where(mp, status, vm, sizeof(vm));
	if (normal)
		mon_log(m, "MON|INFO:", "pd=%s exited status=0", name);
	else
		mon_fault(m, "pd=%s %s restarts=%u%s", name, how, mp->restarts, vm);
	mon_sup_pd_ended(m, p, !normal, how);
}

void mon_pd_stop(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	if (!mp->running)
		return;
	mp->stop_requested = true;
	sandbox_kill(&mp->child);
	pd_ended(m, p);
}

void mon_pd_terminate(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	if (!mp->running)
		return;
	mp->sup_stopping = true;
	sandbox_kill(&mp->child);
	pd_ended(m, p);
	mp->sup_stopping = false;
}

int mon_pd_tell(struct mon *m, size_t p, const struct ipc_ctl *c)
{
	struct mon_pd *mp = &m->pds[p];
	if (!mp->running || mp->ctl < 0)
		return -1;
	if (send(mp->ctl, c, sizeof(*c), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(*c)) {
		mon_log(m, "MON|ERROR:",
		        "pd=%s does not read its control messages (%s); one was dropped",
		        mp->sdf->name, strerror(errno));
		return -1;
	}
	struct ipc_mon *page = mp->page.map;
	__atomic_add_fetch(&page->event, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &page->event, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
	return 0;
}

/* A PD asks to restart or stop one of its child PDs. */
static void ctl_child_request(struct mon *m, size_t p, const struct ipc_ctl *c)
{
	const char *name = m->pds[p].sdf->name;
	long child = -1;
	for (size_t i = 0; i < m->sys->npds; i++)
		if (m->sys->pds[i].parent == (long)p && m->sys->pds[i].child_id == (long)c->channel)
			child = (long)i;
	if (child < 0) {
		mon_log(m, "MON|ERROR:", "pd=%s asked to %s child %u, which it does not have", name,
		        c->type == IPC_CTL_PD_RESTART ? "restart" : "stop", c->channel);
		return;
	}
	const char *cname = m->pds[child].sdf->name;
	if (c->type == IPC_CTL_PD_STOP) {
		mon_log(m, "MON|INFO:", "pd=%s stops its child pd=%s", name, cname);
		mon_pd_stop(m, (size_t)child);
		m->pds[child].stop_requested = true;
		return;
	}
	mon_log(m, "MON|INFO:", "pd=%s restarts its child pd=%s", name, cname);
	mon_pd_terminate(m, (size_t)child);
	mon_regions_clear(m, (size_t)child);
	if (mon_pd_start(m, (size_t)child) < 0)
		mon_sup_pd_ended(m, (size_t)child, true, "start failed");
}

long mon_pd_find(const struct mon *m, const char *name)
{
	for (size_t p = 0; p < m->sys->npds; p++)
		if (!strcmp(m->pds[p].sdf->name, name))
			return (long)p;
	return -1;
}

/* A control message from a PD: untrusted input, checked field by field. */
static void ctl_readable(struct mon *m, size_t p)
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
			mon_log(m,
			        "MON|ERROR:", "pd=%s sent a malformed control message (%zd bytes)",
			        mp->sdf->name, n);
			continue;
		}
		memcpy(&c, buf, sizeof(c));
		switch (c.type) {
		case IPC_CTL_FAULT:
			mp->last_fault = c;
			mp->have_fault = true;
			break;
		case IPC_CTL_PD_RESTART:
		case IPC_CTL_PD_STOP:
			ctl_child_request(m, p, &c);
			break;
		case IPC_CTL_BROKEN:
			c.what[sizeof(c.what) - 1] = '\0';
			for (char *s = c.what; *s; s++)
				if (*s < 0x20 || *s > 0x7e)
					*s = '?';
			if (c.channel >= IPC_MAX_CHANNELS)
				mon_log(m, "MON|ERROR:",
				        "pd=%s reported a broken channel %u (no such id)",
				        mp->sdf->name, c.channel);
			else
				mon_log(m, "MON|ERROR:", "pd=%s channel=%u broken: %s",
				        mp->sdf->name, c.channel, c.what);
			break;
		default:
			mon_log(m, "MON|ERROR:", "pd=%s sent an unknown control message type %u",
			        mp->sdf->name, c.type);
		}
	}
}

/* A BEAM PD made a call its policy refuses (its seccomp filter's default
 * action notifies the listener the monitor holds; a native PD's libcordon
 * reports its own SIGSYS instead).  The fault is fatal, as for a native PD:
 * kill first, so the calling thread never runs on, then answer the call
 * (it fails with EPERM if the thread still exists).  pd_ended() logs the
 * MON|FAULT line from what is kept here once the PD is reaped, and its
 * supervisor decides, as for any fault.  The calling process may be the
 * BEAM or anything it started (erl_child_setup, a port program): they
 * share the filter, and killing the PD, pid 1 of its namespace, kills
 * them all. */
static void refused_call(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	struct sandbox_syscall call;

	if (!mp->running || mp->child.notify_fd < 0)
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
		mon_log(m, "MON|ERROR:", "pd=%s: reading its seccomp listener: %s; killing it",
		        mp->sdf->name, strerror(-e));
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->child.notify_fd, NULL);
		sandbox_kill(&mp->child);
		return;
	}
	if (!mp->refused.seen) {
		mp->refused.seen = true;
		mp->refused.nr = call.nr;
		mp->refused.ip = call.ip;
	}
	sandbox_kill(&mp->child);
	e = sandbox_notify_refuse(&mp->child, call.id, EPERM);
	if (e < 0 && e != -ENOENT)
		mon_log(m, "MON|ERROR:", "pd=%s: answering a refused call: %s", mp->sdf->name,
		        strerror(-e));
}

static void stop_all(struct mon *m)
{
	m->stopping = true;
	for (size_t p = 0; p < m->sys->npds; p++)
		if (m->pds[p].running)
			sandbox_kill(&m->pds[p].child);
	for (size_t p = 0; p < m->sys->npds; p++)
		pd_ended(m, p);
}

static size_t running_count(const struct mon *m)
{
	size_t n = 0;
	for (size_t p = 0; p < m->sys->npds; p++)
		n += m->pds[p].running;
	return n;
}

/* The system is down when no PD runs and none was stopped on purpose (an
 * admin may start those again). */
static bool system_down(const struct mon *m)
{
	for (size_t p = 0; p < m->sys->npds; p++)
		if (m->pds[p].running || m->pds[p].stop_requested)
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

/* Returns the exit status of monitor_run. */
static int watch_loop(struct mon *m)
{
	struct epoll_event evs[32];

	for (;;) {
		int n = epoll_wait(m->epfd, evs, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mon_log(m, "MON|ERROR:", "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			enum ev_kind kind = (enum ev_kind)(evs[i].data.u64 >> 32);
			size_t p = (uint32_t)evs[i].data.u64;
			struct mon_pd *mp =
			    kind == EV_SIGNAL || kind == EV_ADMIN ? NULL : &m->pds[p];
			switch (kind) {
			case EV_SIGNAL: {
				struct signalfd_siginfo si;
				if (read(m->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					continue;
				size_t left = running_count(m);
				mon_log(m, "MON|INFO:", "%s: stopping %zu %s",
				        mon_signame((int)si.ssi_signo), left,
				        mon_plural(left, "PD", "PDs"));
				stop_all(m);
				mon_log(m, "MON|INFO:", "stopped");
				return 0;
			}
			case EV_EXIT:
				pd_ended(m, p);
				if (!m->failed && system_down(m)) {
					if (all_ended_normally(m)) {
						mon_log(m, "MON|INFO:",
						        "every PD has ended with status 0; the "
						        "system is "
						        "done");
						return 0;
					}
					mon_log(m, "MON|ERROR:",
					        "every PD has stopped; the system is down");
					return 1;
				}
				break;
			case EV_OUT:
				if (!mon_relay_pump(m, mp, &mp->out))
					epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->out.fd, NULL);
				break;
			case EV_ERR:
				if (!mon_relay_pump(m, mp, &mp->err))
					epoll_ctl(m->epfd, EPOLL_CTL_DEL, mp->err.fd, NULL);
				break;
			case EV_CTL:
				ctl_readable(m, p);
				break;
			case EV_ADMIN:
				mon_admin_accept(m);
				break;
			case EV_REFUSED:
				refused_call(m, p);
				break;
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
		mon_log(&m, "MON|ERROR:", "out of memory");
		goto out;
	}
	for (size_t p = 0; p < sys->npds; p++) {
		m.pds[p].sdf = &sys->pds[p];
		m.pds[p].child.pidfd = -1;
		m.pds[p].child.notify_fd = -1;
		m.pds[p].ctl = -1;
		m.pds[p].out.fd = m.pds[p].err.fd = -1;
		m.pds[p].boot.mem.rw = m.pds[p].boot.mem.ro = -1;
	}
	m.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	m.epfd = epoll_create1(EPOLL_CLOEXEC);
	m.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (m.sigfd < 0 || m.epfd < 0 || m.null_fd < 0) {
		mon_log(&m, "MON|ERROR:", "setting up the monitor: %s", strerror(errno));
		goto out;
	}
	if (watch(&m, m.sigfd, EV_SIGNAL, 0) < 0)
		goto out;
	if (mon_admin_open(&m) < 0 || watch(&m, m.admin_fd, EV_ADMIN, 0) < 0)
		goto out;
	objects = true; /* create resets every object first, so destroy is safe */
	if (mon_objects_create(&m) < 0)
		goto out;
	if (mon_sup_init(&m) < 0) {
		mon_log(&m, "MON|ERROR:", "out of memory");
		goto out;
	}
	if (mon_budget_open(&m) < 0)
		goto out;
	/* Before any PD starts: a port that cannot be had stops the system
	 * here, with nothing half-started. */
	if (mon_grants_open(&m) < 0) {
		mon_log(&m, "MON|ERROR:", "the system did not start: a grant could not be opened");
		goto out;
	}

	mon_log(&m, "MON|INFO:", "booting %s: %zu %s, %zu %s, %zu %s", sys->path, sys->npds,
	        mon_plural(sys->npds, "PD", "PDs"), sys->nchannels,
	        mon_plural(sys->nchannels, "channel", "channels"), sys->nregions,
	        mon_plural(sys->nregions, "memory region", "memory regions"));
	/* Every PD is up from the system's first instant, as on seL4 where
	 * they all exist before any runs: a call to a PD later in the start
	 * order waits for it to serve instead of failing. */
	for (size_t p = 0; p < sys->npds; p++)
		set_ends(&m, p, true);
	for (size_t p = 0; p < sys->npds; p++) {
		if (mon_pd_start(&m, p) < 0) {
			/* Nothing half-started: stop what is already running. */
			stop_all(&m);
			mon_log(&m, "MON|ERROR:", "the system did not start; every PD was stopped");
			goto out;
		}
	}
	if (sys->npds == 1)
		mon_log(&m, "MON|INFO:", "1 PD started");
	else
		mon_log(&m, "MON|INFO:", "all %zu PDs started", sys->npds);
	rc = watch_loop(&m);
	if (rc != 0)
		stop_all(&m);
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
	free(m.pds);
	free(m.chans);
	free(m.regions);
	mon_history_free(m.history);
	mon_sup_free(&m);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
