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
 *
 * Each says what it is about to do with a write(2) of its own before the
 * call (IO.puts from Erlang may still sit in a port's queue when the PD is
 * killed), and returns {survived, Result} if the call came back, which it
 * must not: the policy refuses both, and the monitor kills the PD.
 */
#define _GNU_SOURCE
#include <erl_nif.h>
#include <errno.h>
#include <sched.h>
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

static ErlNifFunc funcs[] = {
    {"ptrace", 0, do_ptrace, 0},
    {"fork_unshare", 0, fork_unshare, 0},
};

ERL_NIF_INIT(Elixir.Hostile.Nif, funcs, NULL, NULL, NULL, NULL)
