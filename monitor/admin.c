/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server half of the admin socket (see admin.h).  Requests are served
 * one at a time, inside the monitor's event loop: each is a single
 * datagram that arrives right after connect, so the monitor waits for it
 * at most briefly (SO_RCVTIMEO) and never for a slow reader for long
 * (SO_SNDTIMEO).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "monitor/admin.h"
#include "monitor/internal.h"

int mon_admin_open(struct mon *m)
{
	char dir[256], why[320], name[96];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (admin_rundir(dir, sizeof(dir), true, why, sizeof(why)) < 0) {
		mon_err(m, "admin socket: %s", why);
		return -1;
	}
	admin_system_name(m->name, name, sizeof(name));
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", dir, name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		mon_err(m, "admin socket path too long: %s/%s.sock", dir, name);
		return -1;
	}
	cleanup_fd int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		mon_err(m, "admin socket: %s", strerror(errno));
		return -1;
	}
	/* A live monitor answers on the path: refuse to take it over.  A dead
	 * one left a stale socket: remove it. */
	if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		mon_err(m,
		        "a system named '%s' is already running (%s)\n"
		        "  hint: stop it first, or give this one another name with --name",
		        name, sa.sun_path);
		return -1;
	}
	if (errno == ECONNREFUSED)
		unlink(sa.sun_path);

	cleanup_fd int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		mon_err(m, "admin socket %s: %s", sa.sun_path, strerror(errno));
		return -1;
	}
	m->admin_fd = steal_fd(&fd);
	snprintf(m->admin_path, sizeof(m->admin_path), "%s", sa.sun_path);
	return 0;
}

void mon_admin_close(struct mon *m)
{
	if (m->admin_fd < 0)
		return;
	close(m->admin_fd);
	unlink(m->admin_path);
	m->admin_fd = -1;
}

/* Replies are sent as datagrams of at most ADMIN_MSG_MAX bytes. */
struct reply {
	int fd;
	size_t len;
	char buf[ADMIN_MSG_MAX];
};

static void reply_flush(struct reply *r)
{
	if (r->len && r->fd >= 0 && send(r->fd, r->buf, r->len, MSG_NOSIGNAL) < 0)
		r->fd = -1; /* the client went away: drop the rest */
	r->len = 0;
}

static void __attribute__((format(printf, 2, 3)))
reply_printf(struct reply *r, const char *fmt, ...)
{
	char line[ADMIN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (r->len + len > sizeof(r->buf))
		reply_flush(r);
	memcpy(r->buf + r->len, line, len);
	r->len += len;
}

static void status_ok(struct reply *r)
{
	reply_printf(r, "ok");
	reply_flush(r);
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void cmd_ps(struct mon *m, struct reply *r)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	status_ok(r);
	reply_printf(r, "%-20s %-8s %8s %8s %10s %10s\n", "PD", "STATE", "PID", "RESTARTS",
	             "UPTIME", "MEMORY");
	for (size_t p = 0; p < m->sys->npds; p++) {
		const struct mon_pd *mp = &m->pds[p];
		if (!mon_pd_alive(mp->state)) {
			reply_printf(r, "%-20s %-8s %8s %8u %10s %10s\n", mp->sdf->name,
			             mon_pd_state_name(mp->state), "-", mp->restarts, "-", "-");
			continue;
		}
		double up = (double)(now.tv_sec - mp->started.tv_sec) +
		            (double)(now.tv_nsec - mp->started.tv_nsec) / 1e9;
		/* What its cgroup is charged (page cache and kernel memory
		 * included: what its limit counts), else its resident set. */
		uint64_t charged;
		long kib = mon_budget_memory(m, p, &charged) == 0 ? (long)(charged / 1024)
		                                                  : rss_kib(mp->child.pid);
		char mem[48];
		if (kib < 0)
			snprintf(mem, sizeof(mem), "?");
		else if (mp->sdf->memory_limit)
			snprintf(mem, sizeof(mem), "%.1fM/%lluM", (double)kib / 1024,
			         (unsigned long long)(mp->sdf->memory_limit >> 20));
		else
			snprintf(mem, sizeof(mem), "%.1fM", (double)kib / 1024);
		reply_printf(r, "%-20s %-8s %8d %8u %9.1fs %10s\n", mp->sdf->name,
		             mon_pd_state_name(mp->state), (int)mp->child.pid, mp->restarts, up,
		             mem);
	}
}

static void cmd_faults(struct mon *m, struct reply *r)
{
	const struct mon_history *h = m->history;
	uint64_t first = h->nfaults > MON_FAULTS_KEPT ? h->nfaults - MON_FAULTS_KEPT : 0;
	status_ok(r);
	if (first)
		reply_printf(r, "(%llu earlier faults not kept)\n", (unsigned long long)first);
	for (uint64_t i = first; i < h->nfaults; i++) {
		const typeof(h->faults[0]) *f = &h->faults[i % MON_FAULTS_KEPT];
		struct tm tm;
		char when[32];
		gmtime_r(&f->when.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		reply_printf(r, "%s.%03ldZ %s\n", when, f->when.tv_nsec / 1000000, f->text);
	}
}

struct log_reply {
	struct mon *m;
	struct reply *r;
};

static void log_line(void *arg, size_t pd, const char *text)
{
	struct log_reply *lr = arg;
	reply_printf(lr->r, "%s| %s\n", lr->m->pds[pd].sdf->name, text);
}

static void cmd_log(struct mon *m, struct reply *r, long pd)
{
	struct log_reply lr = {m, r};
	status_ok(r);
	mon_history_each(m->history, pd, 0, log_line, &lr);
}

/* "logsince SEQ [PD]", for `cordon log -f`: the number of the last line
 * written ("seq N"), then the kept lines written after line SEQ.  The
 * follower asks again with N: it polls, so the monitor never holds a
 * connection open for a reader that may be slow. */
static void cmd_log_since(struct mon *m, struct reply *r, long pd, uint64_t since)
{
	struct log_reply lr = {m, r};
	status_ok(r);
	reply_printf(r, "seq %llu\n", (unsigned long long)m->history->seq);
	mon_history_each(m->history, pd, since, log_line, &lr);
}

static long find_or_refuse(struct mon *m, struct reply *r, const char *name)
{
	long p = name ? mon_pd_find(m, name) : -1;
	if (p >= 0)
		return p;
	char list[512] = "";
	for (size_t i = 0; i < m->sys->npds; i++) {
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
		         m->pds[i].sdf->name);
	}
	if (name)
		reply_printf(r, "error: no PD named '%s' in this system (its PDs: %s)", name, list);
	else
		reply_printf(r, "error: which PD? (its PDs: %s)", list);
	reply_flush(r);
	return -1;
}

static void serve(struct mon *m, int fd)
{
	struct reply *r = malloc(sizeof(*r));
	char req[256];

	if (!r)
		return;
	r->fd = fd;
	r->len = 0;
	ssize_t n = recv(fd, req, sizeof(req) - 1, 0);
	if (n <= 0)
		goto out;
	req[n] = '\0';
	char *save = NULL;
	char *cmd = strtok_r(req, " \n", &save);
	char *arg = strtok_r(NULL, " \n", &save);
	if (!cmd) {
		reply_printf(r, "error: empty request");
	} else if (!strcmp(cmd, "ps")) {
		cmd_ps(m, r);
	} else if (!strcmp(cmd, "faults")) {
		cmd_faults(m, r);
	} else if (!strcmp(cmd, "log")) {
		long p = arg ? find_or_refuse(m, r, arg) : -1;
		if (!arg || p >= 0)
			cmd_log(m, r, p);
	} else if (!strcmp(cmd, "logsince")) {
		char *pd = strtok_r(NULL, " \n", &save), *end = NULL;
		unsigned long long since = arg ? strtoull(arg, &end, 10) : 0;
		long p = pd ? find_or_refuse(m, r, pd) : -1;
		if (!arg || end == arg || *end)
			reply_printf(r, "error: logsince needs a line number");
		else if (!pd || p >= 0)
			cmd_log_since(m, r, p, since);
	} else if (!strcmp(cmd, "stop")) {
		long p = find_or_refuse(m, r, arg);
		if (p >= 0) {
			mon_info(m, "admin: stop pd=%s", arg);
			bool was = mon_pd_stop(m, (size_t)p);
			status_ok(r);
			reply_printf(r, "%s %s\n", arg, was ? "stopped" : "was not running");
		}
	} else if (!strcmp(cmd, "restart")) {
		long p = find_or_refuse(m, r, arg);
		if (p >= 0) {
			mon_info(m, "admin: restart pd=%s", arg);
			mon_pd_stop(m, (size_t)p);
			if (mon_pd_start(m, (size_t)p) < 0) {
				reply_printf(
				    r, "error: %s did not start again; see the monitor's log", arg);
			} else {
				status_ok(r);
				reply_printf(r, "%s restarted, pid %d\n", arg,
				             (int)m->pds[p].child.pid);
			}
		}
	} else {
		reply_printf(r, "error: unknown request '%s'", cmd);
	}
	reply_flush(r);
out:
	free(r);
}

void mon_admin_accept(struct mon *m)
{
	for (;;) {
		cleanup_fd int fd = accept4(m->admin_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN: no more; anything else: try at the next event */
		}
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct timeval rcv = {0, 200000}, snd = {1, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd));
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    cred.uid != geteuid()) {
			/* Read the request first: closing a socket with unread data
			 * resets it, and the refusal would be lost. */
			char req[256];
			(void)!recv(fd, req, sizeof(req), 0);
			static const char no[] = "error: permission denied: only the user who "
			                         "started this system may administer it";
			send(fd, no, sizeof(no) - 1, MSG_NOSIGNAL);
			mon_err(m, "admin: refused a request from uid %d", (int)cred.uid);
		} else {
			serve(m, fd);
		}
	}
}
