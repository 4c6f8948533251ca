/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * beam_nif: a NIF for tests/escape/beam.bats (not a PD: outside the folder
 * whose *.c module.mk builds as PDs), so that a BEAM PD can make
 * the system calls Erlang itself never would, as a compromised NIF (or a
 * bug in one) could.  Erlang module 'Elixir.Hostile.Nif'.
 *
 *   ptrace()        ptrace(PTRACE_TRACEME) from the calling scheduler thread
 *   fork_unshare()  fork a child (as the BEAM forks erl_child_setup) that
 *                   calls unshare(CLONE_NEWUSER); wait for it
 *   inflight_exit() put the PD's stdout and stderr in flight in an
 *                   SCM_RIGHTS cycle (a socket whose own queue holds it),
 *                   then exit: the pipes' write ends outlive the PD until
 *                   the kernel's unix garbage collector runs
 *   inflight_fill() send descriptors into a socketpair it keeps, until the
 *                   kernel refuses more (the per-user limit on descriptors
 *                   in flight, ETOOMANYREFS); returns {Count, Errno}
 *
 * Each says what it is about to do with a write(2) of its own before the
 * call (IO.puts from Erlang may still sit in a port's queue when the PD is
 * killed).  ptrace and fork_unshare return {survived, Result} if the call
 * came back, which it must not: the policy refuses both, and the monitor
 * kills the PD.
 */
#define _GNU_SOURCE
#include <erl_nif.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0) {
		/* nothing to be done: the test then misses the line */
	}
}

static ERL_NIF_TERM survived(ErlNifEnv *env, long r)
{
	return enif_make_tuple2(env, enif_make_atom(env, "survived"), enif_make_long(env, r));
}

static ERL_NIF_TERM do_ptrace(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	say("nif: calling ptrace\n");
	long r = syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
	return survived(env, r < 0 ? -errno : r);
}

static ERL_NIF_TERM fork_unshare(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	int st = 0;
	pid_t pid = fork();
	if (pid == 0) {
		say("nif child: calling unshare\n");
		syscall(SYS_unshare, CLONE_NEWUSER);
		_exit(3);
	}
	if (pid < 0)
		return enif_make_tuple2(env, enif_make_atom(env, "fork_failed"),
		                        enif_make_int(env, errno));
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return survived(env, st);
}

/* Send n copies of fd over sock in one message; the sendmsg result. */
static ssize_t send_fds(int sock, int fd, int n)
{
	union {
		char buf[CMSG_SPACE(253 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 'x';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	for (int i = 0; i < n; i++)
		memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static ERL_NIF_TERM inflight_exit(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	int sv[2], status;
	struct stat st;

	/* The kernel's unix garbage collector runs when a unix socket is
	 * released: release every other one first (erl_child_setup's, the
	 * ctl socket), so none is left to release after the cycle is made. */
	kill(-1, SIGKILL);
	while (waitpid(-1, &status, 0) < 0 && errno == EINTR)
		;
	for (int fd = 3; fd < 1024; fd++)
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
			close(fd);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return enif_make_tuple2(env, enif_make_atom(env, "socketpair_failed"),
		                        enif_make_int(env, errno));
	/* sv[1]'s own receive queue holds sv[1], stdout and stderr. */
	if (send_fds(sv[0], sv[1], 1) < 0 || send_fds(sv[0], 1, 1) < 0 || send_fds(sv[0], 2, 1) < 0)
		return enif_make_tuple2(env, enif_make_atom(env, "sendmsg_failed"),
		                        enif_make_int(env, errno));
	say("nif: stdout and stderr in flight; exiting\n");
	/* sv[0] first: its release runs the collector while sv[1] is still
	 * ours; sv[1]'s release is no socket release (its queue keeps it). */
	close(sv[0]);
	close(sv[1]);
	_exit(3);
}

static ERL_NIF_TERM inflight_fill(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	static int sv[2] = {-1, -1}; /* kept open: the descriptors stay in flight */
	long sent = 0;
	int e = 0;
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return enif_make_tuple2(env, enif_make_atom(env, "socketpair_failed"),
		                        enif_make_int(env, errno));
	/* A datagram each, 253 descriptors (SCM_MAX_FD) at a time, then one
	 * at a time, until the kernel says no. */
	for (int n = 253; n > 0;) {
		if (send_fds(sv[0], 0, n) >= 0) {
			sent += n;
			continue;
		}
		e = errno;
		if (e != ETOOMANYREFS)
			break;
		n = n > 1 ? n / 2 : 0;
	}
	return enif_make_tuple2(env, enif_make_long(env, sent),
	                        enif_make_atom(env, e == ETOOMANYREFS ? "etoomanyrefs"
	                                            : e == EAGAIN     ? "eagain"
	                                                              : "other"));
}

static ErlNifFunc funcs[] = {
    {"ptrace", 0, do_ptrace, 0},
    {"fork_unshare", 0, fork_unshare, 0},
    {"inflight_exit", 0, inflight_exit, 0},
    {"inflight_fill", 0, inflight_fill, 0},
};

ERL_NIF_INIT(Elixir.Hostile.Nif, funcs, NULL, NULL, NULL, NULL)
