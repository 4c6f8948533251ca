/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Starting a PD, timed from outside: the same program started by a plain
 * fork and execve, and by sandbox_spawn with no seccomp filter and with the
 * native one.  Started with nothing at descriptor 3, libcordon finds no
 * boot information, says so on stderr (here /dev/null) and exits 1 before
 * init(): each figure is from the start to that exit, and the exit status
 * is checked so a sandbox failure (status 127) is not timed as a start.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/pd.h"
#include "sandbox/sandbox.h"

static const struct {
	const char *id, *label;
	bool baseline;
} figs[ST_COUNT] = {
    [ST_FORK_EXEC] = {"fork-exec", "fork + execve of the PD's program, to its exit", true},
    [ST_NONE] = {"sandbox-none", "sandbox_spawn without seccomp (POLICY_NONE), to exit", true},
    [ST_NATIVE] = {"sandbox-native", "sandbox_spawn with the native seccomp filter, to exit", true},
    [ST_NONE_SPAWN] = {"sandbox-none-spawn",
                       "sandbox_spawn without seccomp: until it returned (exec done)", false},
    [ST_NATIVE_SPAWN] = {"sandbox-native-spawn",
                         "sandbox_spawn with seccomp: until it returned (exec done)", false},
    [ST_DEPS] = {"elf-deps", "sandbox_elf_deps of the program (part of every spawn)", false},
    [ST_POLICY] = {"policy-compile",
                   "policy_compile(POLICY_NATIVE) (part of every spawn with seccomp)", false},
};

void start_init(struct start *s, const char *program)
{
	memset(s, 0, sizeof(*s));
	s->program = program;
	s->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (s->null_fd < 0)
		die_errno("/dev/null");
	for (int i = 0; i < ST_COUNT; i++) {
		snprintf(s->r[i].id, sizeof(s->r[i].id), "%s", figs[i].id);
		snprintf(s->r[i].label, sizeof(s->r[i].label), "%s", figs[i].label);
		s->r[i].place = PLACE_NONE;
		s->r[i].kind = KIND_LATENCY;
		s->r[i].rt_mult = 1;
		s->r[i].baseline = figs[i].baseline;
		s->r[i].batch = 1;
	}
}

void start_fini(struct start *s)
{
	close(s->null_fd);
}

/* libcordon without boot information exits 1; anything else is a failure
 * to start (127: the exec or the sandbox failed). */
static void check_status(const struct start *s, const char *how, int st)
{
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
		die("%s of %s: status 0x%x, want exit 1 (libcordon without boot information)", how,
		    s->program, st);
}

static void fork_exec(struct start *s)
{
	char *const argv[] = {(char *)s->program, NULL};
	char *const envp[] = {NULL};
	int st;

	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		/* Every other descriptor is close-on-exec: nothing at fd 3. */
		if (dup2(s->null_fd, 0) < 0 || dup2(s->null_fd, 1) < 0 || dup2(s->null_fd, 2) < 0)
			_exit(127);
		execve(s->program, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	add_sample(&s->r[ST_FORK_EXEC], (double)(now_ns() - t0));
	check_status(s, "fork+exec", st);
}

static void sandboxed(struct start *s, enum sandbox_policy policy)
{
	const struct sandbox_fd fds[] = {{s->null_fd, 0}, {s->null_fd, 1}, {s->null_fd, 2}};
	const struct sandbox_spec spec = {
	    .name = "server",
	    .program = s->program,
	    .fds = fds,
	    .nfds = 3,
	    .policy = policy,
	};
	struct sandbox_child child;
	char why[256];
	int st;
	bool native = policy == SANDBOX_POLICY_NATIVE;

	uint64_t t0 = now_ns();
	int e = sandbox_spawn(&spec, &child, why, sizeof(why));
	if (e < 0)
		die("sandbox_spawn %s: %s", s->program, why);
	uint64_t t1 = now_ns();
	e = sandbox_reap(&child, &st);
	if (e < 0)
		die("sandbox_reap: %s", strerror(-e));
	uint64_t t2 = now_ns();
	add_sample(&s->r[native ? ST_NATIVE_SPAWN : ST_NONE_SPAWN], (double)(t1 - t0));
	add_sample(&s->r[native ? ST_NATIVE : ST_NONE], (double)(t2 - t0));
	check_status(s, native ? "sandbox_spawn (native)" : "sandbox_spawn (none)", st);
}

static void deps(struct start *s)
{
	char why[256];
	uint64_t t0 = now_ns();
	char **d = sandbox_elf_deps(s->program, why, sizeof(why));
	uint64_t t1 = now_ns();
	if (!d)
		die("sandbox_elf_deps %s: %s", s->program, why);
	sandbox_free_deps(d);
	add_sample(&s->r[ST_DEPS], (double)(t1 - t0));
}

static void policy(struct start *s)
{
	struct sock_fprog prog = {0};
	char why[256];
	uint64_t t0 = now_ns();
	int e = policy_compile(SANDBOX_POLICY_NATIVE, &prog, why, sizeof(why));
	uint64_t t1 = now_ns();
	if (e != 0)
		die("policy_compile: %s", why);
	free(prog.filter);
	add_sample(&s->r[ST_POLICY], (double)(t1 - t0));
}

void start_round(struct start *s, unsigned turn)
{
	for (unsigned i = 0; i < 5; i++)
		switch ((i + turn) % 5) {
		case 0:
			fork_exec(s);
			break;
		case 1:
			sandboxed(s, SANDBOX_POLICY_NONE);
			break;
		case 2:
			sandboxed(s, SANDBOX_POLICY_NATIVE);
			break;
		case 3:
			deps(s);
			break;
		case 4:
			policy(s);
			break;
		}
}
