/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Running the commands beam-bench times (`cordon run`, `erl`, `elixir`)
 * with their output on a pipe, read line by line with a deadline, so a
 * hang is a named failure with the command's last lines, not a stuck run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/beam/beam.h"

uint64_t proc_start(struct proc *p, const char *what, char *const argv[], char *const envp[],
                    const char *rundir, int sig)
{
	int out[2];

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->fd = -1;
	if (pipe2(out, O_CLOEXEC) < 0)
		die_errno("pipe");
	fflush(NULL);
	pid_t parent = getpid();
	uint64_t t0 = now_ns();
	p->pid = fork();
	if (p->pid < 0)
		die_errno("fork");
	if (p->pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, sig) < 0 || getppid() != parent)
			_exit(127);
		if (dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(127);
		if (envp)
			execve(argv[0], argv, envp);
		if (rundir)
			setenv("CORDON_RUNTIME_DIR", rundir, 1);
		if (!envp)
			execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	p->fd = out[0];
	return t0;
}

void proc_fail(struct proc *p, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: %s: ", bench_prog, p->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nits last lines:\n", stderr);
	unsigned first = p->ntail > PROC_TAIL ? p->ntail - PROC_TAIL : 0;
	for (unsigned i = first; i < p->ntail; i++)
		fprintf(stderr, "  %s\n", p->tail[i % PROC_TAIL]);
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
	exit(1);
}

bool proc_line(struct proc *p, char *line, size_t cap, uint64_t *when, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		if (nl || (p->fd < 0 && p->len)) {
			*when = now_ns();
			size_t n = nl ? (size_t)(nl - p->buf) : p->len;
			snprintf(line, cap, "%.*s", (int)n, p->buf);
			size_t drop = nl ? n + 1 : n;
			memmove(p->buf, p->buf + drop, p->len - drop);
			p->len -= drop;
			snprintf(p->tail[p->ntail++ % PROC_TAIL], sizeof(p->tail[0]), "%s", line);
			return true;
		}
		if (p->fd < 0)
			return false;
		if (p->len == sizeof(p->buf))
			p->len = 0; /* a line longer than the buffer: drop it */
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int e = poll(&pfd, 1, timeout_ms);
		if (e < 0 && errno == EINTR)
			continue;
		if (e < 0)
			die_errno("poll");
		if (e == 0)
			proc_fail(p, "no output for %d s", timeout_ms / 1000);
		ssize_t n = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("%s: reading its output", p->what);
		if (n == 0) {
			close(p->fd);
			p->fd = -1;
		}
		p->len += (size_t)n;
	}
}

uint64_t proc_finish(struct proc *p, int timeout_ms, int ok)
{
	char line[1024];
	uint64_t when;
	int st;

	while (proc_line(p, line, sizeof(line), &when, timeout_ms))
		;
	while (waitpid(p->pid, &st, 0) < 0)
		if (errno != EINTR)
			die_errno("%s: waitpid", p->what);
	uint64_t t = now_ns();
	p->pid = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != ok)
		proc_fail(p, "ended with status 0x%x", st);
	return t;
}

void rundir_make(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/cordon-beam-bench-XXXXXX");
	if (!mkdtemp(buf))
		die_errno("mkdtemp");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void tree_remove(const char *dir)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		die_errno("%s", src);
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0111 ? 0755 : 0644);
	if (out < 0)
		die_errno("%s", dst);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("reading %s", src);
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				die_errno("writing %s", dst);
			off += w;
		}
	}
	/* the umask must not take the PD's (nobody's) read access away */
	if (fchmod(out, mode & 0111 ? 0755 : 0644) < 0 || close(out) < 0)
		die_errno("%s", dst);
	close(in);
}

void tree_copy(const char *src, const char *dst)
{
	struct stat st;
	if (lstat(src, &st) < 0)
		die_errno("%s", src);
	if (S_ISREG(st.st_mode)) {
		copy_file(src, dst, st.st_mode);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		die("%s: neither a file nor a directory", src);
	if (mkdir(dst, 0755) < 0 || chmod(dst, 0755) < 0)
		die_errno("%s", dst);
	DIR *d = opendir(src);
	if (!d)
		die_errno("%s", src);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char s[4096], t[4096];
		if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= sizeof(s) ||
		    (size_t)snprintf(t, sizeof(t), "%s/%s", dst, e->d_name) >= sizeof(t))
			die("path too long under %s", src);
		tree_copy(s, t);
	}
	closedir(d);
}
