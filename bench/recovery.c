/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Recovery, timed from outside: bench/pd/recovery.system runs under
 * `cordon run` with its output on a pipe to us.  We kill -9 the server (its
 * pid from the monitor's "MON|INFO: pd=server started pid=N" line) at
 * t0 = CLOCK_MONOTONIC; its supervisor restarts it; the client, on
 * peer_up, makes a protected call and prints the CLOCK_MONOTONIC time it
 * was served.  PDs have no time namespace, so that time minus t0 is the
 * recovery.  Nothing sleeps: the next kill follows as soon as every line of
 * this one has been read.
 *
 * Besides the served time, each kill records when the client's peer_down
 * ran, when we read the monitor's FAULT and "started" lines (upper bounds:
 * they include our own wake-up on the pipe), and the server's two stamps
 * (constructor, init()); see pd/server.c and pd/client.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/pd.h"

#define LINE_TIMEOUT_MS 20000 /* a restart takes milliseconds */
#define TAIL            16    /* lines kept for an error message */

struct recovery {
	pid_t monitor;
	int fd; /* the monitor's stdout and stderr */
	char buf[65536];
	size_t len;
	pid_t server; /* the server's pid, in our pid namespace */
	char rundir[64];
	char tail[TAIL][256];
	unsigned ntail;
};

/* Die with the monitor's last lines, which usually say what went wrong. */
__attribute__((noreturn, format(printf, 2, 3))) static void fail(struct recovery *rc,
                                                                 const char *fmt, ...)
{
	va_list ap;
	fputs("pd-bench: recovery: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nthe monitor's last lines:\n", stderr);
	unsigned first = rc->ntail > TAIL ? rc->ntail - TAIL : 0;
	for (unsigned i = first; i < rc->ntail; i++)
		fprintf(stderr, "  %s\n", rc->tail[i % TAIL]);
	if (rc->monitor > 0)
		kill(rc->monitor, SIGKILL);
	exit(1);
}

/* The next line of the monitor's output (without its newline) into line,
 * and the time it was read.  Dies on end of file or after
 * LINE_TIMEOUT_MS without a line. */
static void next_line(struct recovery *rc, char *line, size_t cap, uint64_t *when)
{
	for (;;) {
		char *nl = memchr(rc->buf, '\n', rc->len);
		if (nl) {
			*when = now_ns();
			size_t n = (size_t)(nl - rc->buf);
			snprintf(line, cap, "%.*s", (int)n, rc->buf);
			memmove(rc->buf, nl + 1, rc->len - n - 1);
			rc->len -= n + 1;
			snprintf(rc->tail[rc->ntail++ % TAIL], sizeof(rc->tail[0]), "%s", line);
			return;
		}
		if (rc->len == sizeof(rc->buf))
			rc->len = 0; /* a line longer than the buffer: drop it */
		struct pollfd p = {.fd = rc->fd, .events = POLLIN};
		int e = poll(&p, 1, LINE_TIMEOUT_MS);
		if (e < 0 && errno == EINTR)
			continue;
		if (e < 0)
			die_errno("poll");
		if (e == 0)
			fail(rc, "no output from the monitor for %d s", LINE_TIMEOUT_MS / 1000);
		ssize_t n = read(rc->fd, rc->buf + rc->len, sizeof(rc->buf) - rc->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("reading the monitor's output");
		if (n == 0)
			fail(rc, "the monitor's output ended");
		rc->len += (size_t)n;
	}
}

/* "MON|INFO: pd=server started pid=N": the server's pid, else 0. */
static pid_t started_pid(const char *line)
{
	int pid;
	char end;
	if (sscanf(line, "MON|INFO: pd=server started pid=%d%c", &pid, &end) == 1 && pid > 0)
		return pid;
	return 0;
}

/* "client| served NS" and friends: the stamp, else 0. */
static uint64_t stamp(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);
	uint64_t t;
	if (strncmp(line, prefix, n) || sscanf(line + n, "%" SCNu64, &t) != 1)
		return 0;
	return t;
}

static void check_line(struct recovery *rc, const char *line)
{
	if (!strncmp(line, "MON|ERROR:", 10) || strstr(line, "BAD reply"))
		fail(rc, "%s", line);
}

struct recovery *recovery_start(const struct paths *p)
{
	struct recovery *rc = calloc(1, sizeof(*rc));
	int out[2];
	if (!rc)
		die("out of memory");
	/* Its own admin-socket directory: never meets another system. */
	snprintf(rc->rundir, sizeof(rc->rundir), "/tmp/cordon-pd-bench-XXXXXX");
	if (!mkdtemp(rc->rundir))
		die_errno("mkdtemp");
	if (pipe2(out, O_CLOEXEC) < 0)
		die_errno("pipe");
	fflush(NULL);
	pid_t parent = getpid();
	rc->monitor = fork();
	if (rc->monitor < 0)
		die_errno("fork");
	if (rc->monitor == 0) {
		/* If we die, the monitor stops its PDs and exits. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		if (dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(127);
		setenv("CORDON_RUNTIME_DIR", rc->rundir, 1);
		execl(p->cordon, "cordon", "run", "-n", "pd-bench", "-L", p->pd_dir, p->system,
		      (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", p->cordon, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	rc->fd = out[0];

	char line[512];
	uint64_t when;
	bool all = false, served = false;
	while (!all || !served || !rc->server) {
		next_line(rc, line, sizeof(line), &when);
		check_line(rc, line);
		if (started_pid(line))
			rc->server = started_pid(line);
		all |= !strncmp(line, "MON|INFO: all 2 PDs started", 27);
		served |= stamp(line, "client| served ") != 0;
	}
	return rc;
}

void recovery_kill(struct recovery *rc, double ev[EV_COUNT])
{
	uint64_t at[EV_COUNT] = {0};
	char line[512];
	uint64_t when;
	pid_t next = 0;

	uint64_t t0 = now_ns();
	if (kill(rc->server, SIGKILL) < 0)
		fail(rc, "kill -9 %d (the server): %s", (int)rc->server, strerror(errno));
	while (!at[EV_SERVED] || !at[EV_INIT] || !next) {
		next_line(rc, line, sizeof(line), &when);
		check_line(rc, line);
		uint64_t t;
		if (!next && (next = started_pid(line)))
			at[EV_STARTED] = when;
		else if (!strncmp(line, "MON|FAULT: pd=server ", 21))
			at[EV_FAULT] = when;
		else if ((t = stamp(line, "client| served ")))
			at[EV_SERVED] = t;
		else if ((t = stamp(line, "client| down ")))
			at[EV_DOWN] = t;
		else if (!strncmp(line, "server| up ctor=", 16) &&
		         sscanf(line, "server| up ctor=%" SCNu64 " init=%" SCNu64, &at[EV_CTOR],
		                &at[EV_INIT]) != 2)
			fail(rc, "cannot parse: %s", line);
	}
	if (at[EV_SERVED] < t0 || at[EV_INIT] < t0 || at[EV_CTOR] < t0)
		fail(rc, "a stamp from before the kill: the clocks differ?");
	rc->server = next;
	for (int i = 0; i < EV_COUNT; i++)
		ev[i] = at[i] ? (double)(at[i] - t0) : 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void recovery_stop(struct recovery *rc)
{
	char line[512];
	uint64_t when;
	int st;

	if (kill(rc->monitor, SIGTERM) < 0)
		die_errno("kill -TERM the monitor");
	for (;;) {
		next_line(rc, line, sizeof(line), &when);
		check_line(rc, line);
		if (!strcmp(line, "MON|INFO: stopped"))
			break;
	}
	while (waitpid(rc->monitor, &st, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	rc->monitor = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail(rc, "the monitor ended with status 0x%x", st);
	close(rc->fd);
	nftw(rc->rundir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(rc);
}
