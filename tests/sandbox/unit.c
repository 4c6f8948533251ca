/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sandbox/: each test states one claim about what a PD gets or
 * cannot do, and checks it from inside a real PD with a probe program
 * (tests/sandbox/probe.c), or checks the planning code directly.
 *
 * Facts about namespaces, descriptors, privileges and the root are probed
 * under SANDBOX_POLICY_NONE, so that the seccomp filter cannot hide a
 * missing layer; the native policy is probed separately, every allowed form
 * beside a forbidden one that must kill the PD with SIGSYS.  So is the BEAM
 * policy, whose refusals reach the test's seccomp listener (as they reach
 * the monitor's): each forbidden form must arrive there as its system call.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/filter.h>

#include "sandbox/internal.h"
#include "sandbox/policy.h"

#define PROBE SB_DIR "/probe"

struct run {
	int status;
	char out[8192];
	size_t len;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void assert_no_child(void)
{
	siginfo_t si;
	assert_int_equal(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void assert_contains(const char *s, const char *sub)
{
	if (!strstr(s, sub))
		fail_msg("'%s' does not contain '%s'", s, sub);
}

/* Spawn argv[0] as a PD with stdin /dev/null, stdout and stderr one pipe,
 * plus extra descriptors; collect its output and exit status. */
static int run_pd(enum sandbox_policy policy, char *const argv[], const struct sandbox_fd *extra,
                  size_t nextra, struct run *r, char *why, size_t whylen)
{
	struct sandbox_fd fds[8];
	struct sandbox_child child;
	int p[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	assert_true(null >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fds[n++] = (struct sandbox_fd){null, 0};
	fds[n++] = (struct sandbox_fd){p[1], 1};
	fds[n++] = (struct sandbox_fd){p[1], 2};
	for (size_t i = 0; i < nextra; i++)
		fds[n++] = extra[i];
	struct sandbox_spec spec = {
	    .name = "probe",
	    .program = argv[0],
	    .argv = argv,
	    .fds = fds,
	    .nfds = n,
	    .policy = policy,
	};
	int rc = sandbox_spawn(&spec, &child, why, whylen);
	close(null);
	close(p[1]);
	memset(r, 0, sizeof(*r));
	if (rc == 0) {
		ssize_t k;
		while ((k = read(p[0], r->out + r->len, sizeof(r->out) - 1 - r->len)) > 0)
			r->len += (size_t)k;
		assert_int_equal(sandbox_reap(&child, &r->status), 0);
		assert_int_equal(child.pidfd, -1);
	}
	close(p[0]);
	return rc;
}

/* Run the probe with these arguments; it must exit 0. */
static void probe_ok(enum sandbox_policy policy, const char *check, const char *arg)
{
	char *argv[] = {PROBE, (char *)check, (char *)arg, NULL};
	char why[256];
	struct run r;
	int rc = run_pd(policy, argv, NULL, 0, &r, why, sizeof(why));
	if (rc != 0)
		fail_msg("spawn: %s", why);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
		fail_msg("probe %s: status %#x, output:\n%s", check, r.status, r.out);
}

/* ---- the plan, deps and the policy table ---- */

static void policy_every_rule_has_a_reason(void **state)
{
	for (size_t i = 0; i < policy_native_len + policy_beam_len; i++) {
		const struct policy_rule *r =
		    i < policy_native_len ? &policy_native[i] : &policy_beam[i - policy_native_len];
		assert_non_null(r->why);
		assert_true(strlen(r->why) > 8);
		assert_true(r->nargs <= POLICY_MAX_ARGS);
		if (seccomp_syscall_resolve_name(r->syscall) == __NR_SCMP_ERROR)
			fail_msg("unknown syscall %s", r->syscall);
	}
}

static void policy_compiles_native_and_beam(void **state)
{
	struct sock_fprog prog;
	char why[256] = "";

	assert_int_equal(policy_compile(SANDBOX_POLICY_NATIVE, &prog, why, sizeof(why)), 0);
	assert_true(prog.len > 10);
	free(prog.filter);
	assert_int_equal(policy_compile(SANDBOX_POLICY_NONE, &prog, why, sizeof(why)), 1);
	assert_null(prog.filter);
	assert_int_equal(policy_compile(SANDBOX_POLICY_BEAM, &prog, why, sizeof(why)), 0);
	assert_true(prog.len > 10);
	free(prog.filter);
	assert_int_equal(policy_compile((enum sandbox_policy)99, &prog, why, sizeof(why)), -EINVAL);
	assert_contains(why, "unknown sandbox policy");
}

static const struct plan_entry *plan_find(const struct plan *p, const char *path, size_t *at)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].path, path)) {
			*at = i;
			return &p->v[i];
		}
	fail_msg("%s is not in the plan", path);
	return NULL;
}

static void plan_replicates_links_and_parents(void **state)
{
	struct plan p = {0};
	char why[256];
	char real[4096];
	size_t a, b;

	assert_int_equal(plan_add(&p, PROBE, why, sizeof(why)), 0);
	assert_non_null(realpath(PROBE, real));
	assert_int_equal(plan_find(&p, real, &a)->kind, PLAN_FILE);
	/* Every parent directory comes before what it holds. */
	for (size_t i = 0; i < p.n; i++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", p.v[i].path);
		*strrchr(dir, '/') = '\0';
		if (dir[0]) {
			plan_find(&p, dir, &b);
			assert_true(b < i);
		}
	}
	/* /lib64 is a symlink on Debian: the link and its target both appear. */
	struct stat st;
	if (lstat("/lib64", &st) == 0 && S_ISLNK(st.st_mode)) {
		assert_int_equal(plan_add(&p, "/lib64/ld-linux-x86-64.so.2", why, sizeof(why)), 0);
		const struct plan_entry *e = plan_find(&p, "/lib64", &a);
		assert_int_equal(e->kind, PLAN_LINK);
		assert_non_null(realpath("/lib64/ld-linux-x86-64.so.2", real));
		assert_int_equal(plan_find(&p, real, &b)->kind, PLAN_FILE);
	}
	assert_int_equal(plan_add(&p, "/nonexistent/x", why, sizeof(why)), -ENOENT);
	assert_contains(why, "/nonexistent");
	assert_int_equal(plan_add(&p, "relative", why, sizeof(why)), -EINVAL);
	plan_free(&p);
}

static void plan_finish_drops_what_a_tree_covers(void **state)
{
	struct plan p = {0};
	char why[256];
	size_t at;

	assert_int_equal(plan_add(&p, SB_DIR "/probe", why, sizeof(why)), 0);
	assert_int_equal(plan_add(&p, SB_DIR "/origin", why, sizeof(why)), 0);
	assert_int_equal(plan_add(&p, SB_DIR "/origin/lib/libsbtest.so", why, sizeof(why)), 0);
	plan_finish(&p);
	assert_int_equal(plan_find(&p, SB_DIR "/origin", &at)->kind, PLAN_TREE);
	for (size_t i = 0; i < p.n; i++)
		assert_null(strstr(p.v[i].path, "/origin/"));
	plan_free(&p);
}

static int has_suffix(char **v, const char *suffix)
{
	for (size_t i = 0; v[i]; i++) {
		size_t n = strlen(v[i]), m = strlen(suffix);
		if (n >= m && !strcmp(v[i] + n - m, suffix))
			return 1;
	}
	return 0;
}

static void deps_finds_interpreter_and_libc(void **state)
{
	char why[256];
	char **v = sandbox_elf_deps(PROBE, why, sizeof(why));
	if (!v)
		fail_msg("%s", why);
	assert_string_equal(v[0], PROBE);
	assert_true(has_suffix(v, "/ld-linux-x86-64.so.2"));
	assert_true(has_suffix(v, "/libc.so.6"));
	sandbox_free_deps(v);
}

static void deps_follow_origin_runpath(void **state)
{
	char why[256];
	int origin = 0;
	char **v;

	assert_int_equal(deps_find(SB_DIR "/origin/origin", &v, &origin, why, sizeof(why)), 0);
	assert_true(has_suffix(v, "/origin/lib/libsbtest.so"));
	assert_true(origin);
	sandbox_free_deps(v);
	assert_int_equal(deps_find(SB_DIR "/origin-nolib", &v, &origin, why, sizeof(why)), -ENOENT);
	assert_null(v);
	assert_contains(why, "library libsbtest.so needed by");
}

static void deps_refuse_missing_non_elf_and_bad_interp(void **state)
{
	char why[256];

	assert_null(sandbox_elf_deps("/nonexistent/x", why, sizeof(why)));
	assert_string_equal(why, "program not found: /nonexistent/x");
	assert_null(sandbox_elf_deps(SB_DIR "/not-elf", why, sizeof(why)));
	assert_contains(why, "Exec format error");
	assert_null(sandbox_elf_deps(SB_DIR "/probe-badinterp", why, sizeof(why)));
	assert_contains(why, "interpreter /nonexistent/ld.so");
	assert_null(sandbox_elf_deps(SB_DIR "/probe-interp-not-elf", why, sizeof(why)));
	assert_contains(why, "/not-elf: not an ELF file");
	assert_null(sandbox_elf_deps(SB_DIR "/probe-aarch64", why, sizeof(why)));
	assert_contains(why, "built for another machine");
	assert_null(sandbox_elf_deps("relative", why, sizeof(why)));
}

/* ---- what a PD gets (no seccomp filter: the other layers alone) ---- */

static void pd_cannot_open_host_files(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "passwd", NULL);
	probe_ok(SANDBOX_POLICY_NATIVE, "passwd", NULL);
}

static void pd_is_pid_1_with_no_parent(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "pid1", NULL);
}

static void pd_cannot_see_or_signal_the_test(void **state)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	probe_ok(SANDBOX_POLICY_NONE, "nosignal", pid);
}

static void pd_has_only_the_handed_fds(void **state)
{
	char *argv[] = {PROBE, "fds", "0", "1", "2", "7", "300", NULL};
	int a = open("/dev/null", O_RDONLY | O_CLOEXEC), b = dup(a); /* b: not close-on-exec */
	struct sandbox_fd extra[] = {{a, 7}, {b, 300}};
	char why[256];
	struct run r;

	assert_int_equal(run_pd(SANDBOX_POLICY_NONE, argv, extra, 2, &r, why, sizeof(why)), 0);
	close(a);
	close(b);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status))
		fail_msg("status %#x: %s", r.status, r.out);
}

/* Sources and destinations overlap: 50 -> 51 and 51 -> 50. */
static void pd_fds_may_swap_numbers(void **state)
{
	char *argv[] = {PROBE, "swap", NULL};
	int pa[2], pb[2];
	char why[256], buf[4];
	struct run r;

	assert_int_equal(pipe2(pa, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pb, O_CLOEXEC), 0);
	assert_int_equal(dup3(pa[1], 50, O_CLOEXEC), 50);
	assert_int_equal(dup3(pb[1], 51, O_CLOEXEC), 51);
	close(pa[1]);
	close(pb[1]);
	struct sandbox_fd extra[] = {{50, 6}, {51, 5}};
	assert_int_equal(run_pd(SANDBOX_POLICY_NONE, argv, extra, 2, &r, why, sizeof(why)), 0);
	close(50);
	close(51);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	assert_int_equal(read(pa[0], buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], '6');
	assert_int_equal(read(pb[0], buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], '5');
	close(pa[0]);
	close(pb[0]);
}

static void pd_has_no_privileges(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "caps", NULL);
}

static void pd_root_is_read_only(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "rootro", NULL);
}

static void pd_hostname_is_its_name(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "hostname", "probe");
}

static void pd_runs_unprivileged(void **state)
{
	char uid[16];
	snprintf(uid, sizeof(uid), "%d", geteuid() == 0 ? 65534 : (int)geteuid());
	probe_ok(SANDBOX_POLICY_NONE, "uid", uid);
}

static void pd_has_no_network(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "nonet", NULL);
}

static void pd_cannot_exec_twice(void **state)
{
	probe_ok(SANDBOX_POLICY_NONE, "exec2", NULL);
}

static void pd_finds_origin_runpath_libraries(void **state)
{
	char *argv[] = {SB_DIR "/origin/origin", NULL};
	char why[256];
	struct run r;
	assert_int_equal(run_pd(SANDBOX_POLICY_NATIVE, argv, NULL, 0, &r, why, sizeof(why)), 0);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status))
		fail_msg("status %#x: %s", r.status, r.out);
}

/* ---- the native policy ---- */

static void native_allows_what_pds_need(void **state)
{
	char *argv[] = {PROBE, "allowed", NULL};
	int ctl[2];
	char why[256], buf[8];
	struct run r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl), 0);
	/* The answer is queued before the PD asks. */
	assert_int_equal(send(ctl[0], "pong", 4, 0), 4);
	struct sandbox_fd extra[] = {{ctl[1], 4}};
	assert_int_equal(run_pd(SANDBOX_POLICY_NATIVE, argv, extra, 1, &r, why, sizeof(why)), 0);
	close(ctl[1]);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status))
		fail_msg("status %#x: %s", r.status, r.out);
	assert_contains(r.out, "allowed ok");
	assert_int_equal(recv(ctl[0], buf, sizeof(buf), 0), 4);
	close(ctl[0]);
}

static void native_kills(void **state)
{
	char check[64];
	snprintf(check, sizeof(check), "die-%s", (const char *)*state);
	char *argv[] = {PROBE, check, NULL};
	char why[256];
	struct run r;
	int sig = SIGSYS;

	/* Without the filter the probe is not killed by SIGSYS: it is the
	 * filter that kills it below.  A kernel without the i386 or x32 ABI
	 * answers those with SIGSEGV or ENOSYS: then any death will do. */
	assert_int_equal(run_pd(SANDBOX_POLICY_NONE, argv, NULL, 0, &r, why, sizeof(why)), 0);
	assert_false(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSYS);
	if ((!strcmp(check, "die-i386") || !strcmp(check, "die-x32")) && WIFSIGNALED(r.status))
		sig = WTERMSIG(r.status);

	assert_int_equal(run_pd(SANDBOX_POLICY_NATIVE, argv, NULL, 0, &r, why, sizeof(why)), 0);
	assert_contains(r.out, "armed");
	if (!WIFSIGNALED(r.status) || WTERMSIG(r.status) != sig)
		fail_msg("%s: status %#x, expected signal %d, output:\n%s", check, r.status, sig,
		         r.out);
}

static void native_trap_reports_the_syscall(void **state)
{
	char *argv[] = {PROBE, "sigsys", NULL};
	char why[256], want[64];
	struct run r;

	assert_int_equal(run_pd(SANDBOX_POLICY_NATIVE, argv, NULL, 0, &r, why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "sigsys syscall=%d arch=0xc000003e", SYS_socket);
	assert_contains(r.out, want);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
}

/* ---- the BEAM policy: refused calls reach the listener ---- */

/* A PD under SANDBOX_POLICY_BEAM, its output collected like run_pd's, and
 * the caller's end of its seccomp listener watched as the monitor watches
 * it: a refused call is read (*nr: its number, else -1), the PD killed and
 * the call answered. */
static void run_beam(char *const argv[], struct run *r, int *nr)
{
	struct sandbox_fd fds[3];
	struct sandbox_child child;
	char why[256];
	int p[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(null >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fds[0] = (struct sandbox_fd){null, 0};
	fds[1] = (struct sandbox_fd){p[1], 1};
	fds[2] = (struct sandbox_fd){p[1], 2};
	struct sandbox_spec spec = {.name = "beam",
	                            .program = argv[0],
	                            .argv = argv,
	                            .fds = fds,
	                            .nfds = 3,
	                            .policy = SANDBOX_POLICY_BEAM};
	if (sandbox_spawn(&spec, &child, why, sizeof(why)) < 0)
		fail_msg("spawn: %s", why);
	close(null);
	close(p[1]);
	assert_true(child.notify_fd >= 0);
	assert_true(fcntl(child.notify_fd, F_GETFD) & FD_CLOEXEC);
	memset(r, 0, sizeof(*r));
	*nr = -1;
	for (bool open_out = true; open_out;) {
		struct pollfd pfd[2] = {{.fd = p[0], .events = POLLIN},
		                        {.fd = child.notify_fd, .events = POLLIN}};
		assert_true(poll(pfd, 2, -1) > 0);
		if (pfd[1].revents & POLLIN) {
			struct sandbox_syscall call;
			int e = sandbox_notify_receive(&child, &call);
			if (e == 0) {
				if (*nr < 0)
					*nr = call.nr;
				assert_int_equal(sandbox_kill(&child), 0);
				e = sandbox_notify_refuse(&child, call.id, EPERM);
				assert_true(e == 0 || e == -ENOENT);
			} else {
				assert_int_equal(e, -EAGAIN);
			}
		}
		if (pfd[0].revents) {
			ssize_t k = read(p[0], r->out + r->len, sizeof(r->out) - 1 - r->len);
			if (k > 0)
				r->len += (size_t)k;
			else
				open_out = false;
		}
	}
	close(p[0]);
	/* Exited, not reaped yet: the listener is hung up, and receive says
	 * so without blocking. */
	siginfo_t si;
	struct sandbox_syscall none;
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PIDFD, (id_t)child.pidfd, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(sandbox_notify_receive(&child, &none), -EPIPE);
	assert_int_equal(sandbox_reap(&child, &r->status), 0);
	assert_int_equal(child.pidfd, -1);
	assert_int_equal(child.notify_fd, -1);
	assert_int_equal(sandbox_notify_receive(&child, &none), -EBADF);
}

static void beam_allows_what_its_rules_allow(void **state)
{
	char *argv[] = {PROBE, "beam-allowed", NULL};
	struct run r;
	int nr;

	run_beam(argv, &r, &nr);
	if (nr >= 0 || !WIFEXITED(r.status) || WEXITSTATUS(r.status))
		fail_msg("refused call %d, status %#x, output:\n%s", nr, r.status, r.out);
	assert_contains(r.out, "beam-allowed ok");
}

/* *state: "die-X syscall": the probe's check and the call that must reach
 * the listener. */
static void beam_refuses(void **state)
{
	char check[64], name[32];
	struct run r;
	int nr;

	assert_int_equal(sscanf(*state, "%63s %31s", check, name), 2);
	char *argv[] = {PROBE, check, NULL};
	int want = seccomp_syscall_resolve_name(name);
	assert_true(want >= 0);
	run_beam(argv, &r, &nr);
	assert_contains(r.out, "armed");
	if (strstr(r.out, "survived") || nr != want)
		fail_msg("%s: refused call %d, expected %s (%d); output:\n%s", check, nr, name,
		         want, r.out);
	if (!WIFSIGNALED(r.status) || WTERMSIG(r.status) != SIGKILL)
		fail_msg("%s: status %#x, expected SIGKILL", check, r.status);
}

/* The PD never holds its own listener: it could approve its own calls. */
static void beam_pd_holds_no_listener(void **state)
{
	char *argv[] = {PROBE, "fds", "0", "1", "2", NULL};
	struct run r;
	int nr;

	run_beam(argv, &r, &nr);
	if (nr >= 0 || !WIFEXITED(r.status) || WEXITSTATUS(r.status))
		fail_msg("refused call %d, status %#x, output:\n%s", nr, r.status, r.out);

	/* From the outside too: no descriptor of the PD is a listener, and
	 * the one the caller holds is. */
	int before = count_fds(), hold[2];
	struct sandbox_child child;
	char why[256], path[64], link[64];
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	struct sandbox_fd fds[] = {{hold[0], 0}};
	struct sandbox_spec spec = {.name = "beam",
	                            .program = PROBE,
	                            .argv = (char *[]){PROBE, "block", NULL},
	                            .fds = fds,
	                            .nfds = 1,
	                            .policy = SANDBOX_POLICY_BEAM};
	if (sandbox_spawn(&spec, &child, why, sizeof(why)) < 0)
		fail_msg("spawn: %s", why);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", child.notify_fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "anon_inode:seccomp notify");
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)child.pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	int seen = 0;
	for (struct dirent *de; (de = readdir(d));) {
		char fd[64 + 256];
		if (de->d_name[0] == '.')
			continue;
		snprintf(fd, sizeof(fd), "%s/%s", path, de->d_name);
		n = readlink(fd, link, sizeof(link) - 1);
		assert_true(n > 0);
		link[n] = '\0';
		if (strstr(link, "seccomp"))
			fail_msg("the PD holds %s: %s", fd, link);
		seen++;
	}
	closedir(d);
	/* Its stdin, and maybe a library ld.so is loading just now. */
	assert_true(seen >= 1);
	assert_int_equal(sandbox_kill(&child), 0);
	assert_int_equal(sandbox_reap(&child, NULL), 0);
	close(hold[0]);
	close(hold[1]);
	assert_int_equal(count_fds(), before);
	assert_no_child();
}

/* ---- failures: a clear why, nothing left behind ---- */

static void spawn_fails_cleanly(enum sandbox_policy policy, const char *program, int err,
                                const char *want)
{
	char *argv[] = {(char *)program, NULL};
	char why[256] = "";
	struct run r;
	int before = count_fds();

	int rc = run_pd(policy, argv, NULL, 0, &r, why, sizeof(why));
	if (rc != err)
		fail_msg("%s: rc %d (%s), expected %d", program, rc, why, err);
	assert_contains(why, want);
	assert_no_child();
	assert_int_equal(count_fds(), before);
}

static void spawn_missing_program(void **state)
{
	spawn_fails_cleanly(SANDBOX_POLICY_NATIVE, "/nonexistent/x", -ENOENT,
	                    "program not found: /nonexistent/x");
}

static void spawn_non_elf(void **state)
{
	spawn_fails_cleanly(SANDBOX_POLICY_NATIVE, SB_DIR "/not-elf", -ENOEXEC,
	                    "Exec format error");
}

static void spawn_missing_interpreter(void **state)
{
	spawn_fails_cleanly(SANDBOX_POLICY_NATIVE, SB_DIR "/probe-badinterp", -ENOENT,
	                    "interpreter /nonexistent/ld.so");
}

static void spawn_wrong_machine(void **state)
{
	spawn_fails_cleanly(SANDBOX_POLICY_NATIVE, SB_DIR "/probe-aarch64", -ENOEXEC,
	                    "built for another machine");
}

/* These two get as far as the exec in the child: its report comes back. */
static void spawn_busy_program(void **state)
{
	int w = open(SB_DIR "/probe-busy", O_WRONLY | O_CLOEXEC);
	assert_true(w >= 0);
	spawn_fails_cleanly(SANDBOX_POLICY_NATIVE, SB_DIR "/probe-busy", -ETXTBSY,
	                    "exec: Text file busy");
	close(w);
}

static void spawn_not_executable(void **state)
{
	spawn_fails_cleanly(SANDBOX_POLICY_NONE, SB_DIR "/probe-noexec", -EACCES,
	                    "exec: Permission denied");
}

static void spawn_unknown_policy(void **state)
{
	spawn_fails_cleanly((enum sandbox_policy)99, PROBE, -EINVAL, "unknown sandbox policy");
}

static void spawn_refuses_bad_descriptors(void **state)
{
	char *argv[] = {PROBE, "hello", NULL};
	int before = count_fds();
	char why[256];
	struct run r;
	struct sandbox_fd twice[] = {{0, 5}, {0, 5}};
	struct sandbox_fd high[] = {{0, SANDBOX_NOFILE}};
	struct sandbox_fd closed[] = {{999, 5}};

	assert_int_equal(run_pd(SANDBOX_POLICY_NONE, argv, twice, 2, &r, why, sizeof(why)),
	                 -EINVAL);
	assert_contains(why, "given twice");
	assert_int_equal(run_pd(SANDBOX_POLICY_NONE, argv, high, 1, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_pd(SANDBOX_POLICY_NONE, argv, closed, 1, &r, why, sizeof(why)),
	                 -EBADF);
	assert_no_child();
	assert_int_equal(count_fds(), before);
}

/* ---- kill, reap, parent death ---- */

/* A native PD blocked reading its stdin, the read end of a pipe whose
 * write end the caller holds. */
static void spawn_block(struct sandbox_child *child, int stdin_fd)
{
	char *argv[] = {PROBE, "block", NULL};
	char why[256];
	struct sandbox_fd fds[] = {{stdin_fd, 0}};
	struct sandbox_spec spec = {.name = "blocker",
	                            .program = PROBE,
	                            .argv = argv,
	                            .fds = fds,
	                            .nfds = 1,
	                            .policy = SANDBOX_POLICY_NATIVE};
	if (sandbox_spawn(&spec, child, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

static void kill_then_reap(void **state)
{
	struct sandbox_child child;
	int hold[2], status = 0;

	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	spawn_block(&child, hold[0]);
	close(hold[0]);
	assert_true(child.pid > 0);
	assert_true(fcntl(child.pidfd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(sandbox_kill(&child), 0);
	assert_int_equal(sandbox_reap(&child, &status), 0);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(child.pidfd, -1);
	assert_int_equal(sandbox_kill(&child), -EBADF);
	close(hold[1]);
	assert_no_child();
}

/* The PD dies with the process that spawned it (PR_SET_PDEATHSIG). */
static void pd_dies_with_its_parent(void **state)
{
	int p[2], hold[2];
	pid_t helper, pd = 0;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		struct sandbox_child child;
		spawn_block(&child, hold[0]);
		if (write(p[1], &child.pid, sizeof(child.pid)) != sizeof(child.pid))
			_exit(1);
		_exit(0); /* the PD stays blocked on its stdin: we hold the other end */
	}
	close(p[1]);
	close(hold[0]);
	assert_int_equal(read(p[0], &pd, sizeof(pd)), sizeof(pd));
	close(p[0]);
	int pidfd = (int)syscall(SYS_pidfd_open, pd, 0);
	/* The PD may already be gone and reaped by init: ESRCH is a pass. */
	if (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		assert_int_equal(poll(&pfd, 1, 10000), 1);
		close(pidfd);
	} else {
		assert_int_equal(errno, ESRCH);
	}
	int st;
	assert_int_equal(waitpid(helper, &st, 0), helper);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(hold[1]);
	assert_no_child();
}

/* A native PD's policy traps: no listener. */
static void native_has_no_listener(void **state)
{
	struct sandbox_child child;
	int hold[2];
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	spawn_block(&child, hold[0]);
	assert_int_equal(child.notify_fd, -1);
	assert_int_equal(sandbox_kill(&child), 0);
	assert_int_equal(sandbox_reap(&child, NULL), 0);
	close(hold[0]);
	close(hold[1]);
}

#define KILLS(what)                                                                                \
	{                                                                                          \
		"native_kills_" what, native_kills, NULL, NULL, what                               \
	}

#define BEAM_REFUSES(what, call)                                                                   \
	{                                                                                          \
		"beam_refuses_" what, beam_refuses, NULL, NULL, "die-" what " " call               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(policy_every_rule_has_a_reason),
	    cmocka_unit_test(policy_compiles_native_and_beam),
	    cmocka_unit_test(plan_replicates_links_and_parents),
	    cmocka_unit_test(plan_finish_drops_what_a_tree_covers),
	    cmocka_unit_test(deps_finds_interpreter_and_libc),
	    cmocka_unit_test(deps_follow_origin_runpath),
	    cmocka_unit_test(deps_refuse_missing_non_elf_and_bad_interp),
	    cmocka_unit_test(pd_cannot_open_host_files),
	    cmocka_unit_test(pd_is_pid_1_with_no_parent),
	    cmocka_unit_test(pd_cannot_see_or_signal_the_test),
	    cmocka_unit_test(pd_has_only_the_handed_fds),
	    cmocka_unit_test(pd_fds_may_swap_numbers),
	    cmocka_unit_test(pd_has_no_privileges),
	    cmocka_unit_test(pd_root_is_read_only),
	    cmocka_unit_test(pd_hostname_is_its_name),
	    cmocka_unit_test(pd_runs_unprivileged),
	    cmocka_unit_test(pd_has_no_network),
	    cmocka_unit_test(pd_cannot_exec_twice),
	    cmocka_unit_test(pd_finds_origin_runpath_libraries),
	    cmocka_unit_test(native_allows_what_pds_need),
	    KILLS("socket-inet"),
	    KILLS("socket-unix"),
	    KILLS("socketpair"),
	    KILLS("mmap-wx"),
	    KILLS("mprotect-wx"),
	    KILLS("tiocsti"),
	    KILLS("open-write"),
	    KILLS("execve"),
	    KILLS("kill-other"),
	    KILLS("kill-all"),
	    KILLS("fork"),
	    KILLS("clone3"),
	    KILLS("setrlimit"),
	    KILLS("mkdir"),
	    KILLS("ptrace"),
	    KILLS("x32"),
	    KILLS("i386"),
	    cmocka_unit_test(native_trap_reports_the_syscall),
	    cmocka_unit_test(beam_allows_what_its_rules_allow),
	    BEAM_REFUSES("mmap-wx", "mmap"),
	    BEAM_REFUSES("mprotect-wx", "mprotect"),
	    BEAM_REFUSES("clone-newuser", "clone"),
	    BEAM_REFUSES("clone-thread-newns", "clone"),
	    BEAM_REFUSES("tiocsti", "ioctl"),
	    BEAM_REFUSES("ioctl-fionclex", "ioctl"),
	    BEAM_REFUSES("setrlimit", "prlimit64"),
	    BEAM_REFUSES("ptrace", "ptrace"),
	    cmocka_unit_test(beam_pd_holds_no_listener),
	    cmocka_unit_test(native_has_no_listener),
	    cmocka_unit_test(spawn_missing_program),
	    cmocka_unit_test(spawn_non_elf),
	    cmocka_unit_test(spawn_missing_interpreter),
	    cmocka_unit_test(spawn_wrong_machine),
	    cmocka_unit_test(spawn_busy_program),
	    cmocka_unit_test(spawn_not_executable),
	    cmocka_unit_test(spawn_unknown_policy),
	    cmocka_unit_test(spawn_refuses_bad_descriptors),
	    cmocka_unit_test(kill_then_reap),
	    cmocka_unit_test(pd_dies_with_its_parent),
	};
	alarm(120); /* a hung PD must fail the suite, not stall CI */
	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
