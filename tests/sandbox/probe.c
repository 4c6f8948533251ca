/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe: checks one fact about the sandbox it runs in, from the inside.
 * Plain libc, no libcordon, no sanitizers (a PD cannot load their runtime).
 *
 *   probe CHECK [ARGS...]
 *
 * Exit 0: the fact holds.  Exit 1: it does not (why on stderr).  The
 * "die-*" checks print "armed" and then do one forbidden thing: the unit
 * test expects the PD to be killed by SIGSYS right there (native policy),
 * or the call to reach the test's seccomp listener (BEAM policy); surviving
 * prints "survived" and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SANDBOX_EXEC_FD 1000 /* sandbox/internal.h; a probe builds without it */

static const char *check;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dprintf(2, "probe %s: %s\n", check, buf);
	return 1;
}

/* Fails with errno e, or says what happened instead. */
static int expect_errno(const char *what, long r, int e)
{
	if (r >= 0)
		return fail("%s succeeded, expected %s", what, strerror(e));
	if (errno != e)
		return fail("%s: %s, expected %s", what, strerror(errno), strerror(e));
	return 0;
}

static void arm(void)
{
	write(1, "armed\n", 6);
}

static int survived(const char *what)
{
	return fail("survived %s (errno %s)", what, strerror(errno));
}

static int check_fds(int argc, char **argv)
{
	int want[1025] = {0};
	for (int i = 0; i < argc; i++)
		want[atoi(argv[i])] = 1;
	for (int fd = 0; fd <= 1024; fd++) {
		int open = fcntl(fd, F_GETFD) >= 0;
		if (open != want[fd])
			return fail("fd %d is %s", fd, open ? "open" : "closed");
	}
	return 0;
}

static int check_caps(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &hdr, d) < 0)
		return fail("capget: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return fail("capabilities left: eff %#x prm %#x inh %#x", d[i].effective,
			            d[i].permitted, d[i].inheritable);
	for (int c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0)
			break;
		if (r)
			return fail("capability %d still in the bounding set", c);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) != 0)
			return fail("capability %d ambient", c);
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return fail("no_new_privs is not set");
	if (!(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) & 1))
		return fail("SECBIT_NOROOT is not set");
	return 0;
}

static int check_exec2(void)
{
	char *argv[] = {"probe", NULL};
	int rc = 0;
	struct rlimit lim;

	/* No procfs, no other program, and the exec descriptor is gone. */
	execve("/proc/self/exe", argv, argv + 1);
	rc |= expect_errno("execve(/proc/self/exe)", -1, ENOENT);
	rc |= expect_errno(
	    "execveat(exec fd)",
	    syscall(SYS_execveat, SANDBOX_EXEC_FD, "", argv, argv + 1, AT_EMPTY_PATH), EBADF);
	rc |= expect_errno("dup2 to the exec fd", dup2(0, SANDBOX_EXEC_FD), EBADF);
	rc |= expect_errno("F_DUPFD to the exec fd", fcntl(0, F_DUPFD, SANDBOX_EXEC_FD), EINVAL);
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_max >= SANDBOX_EXEC_FD)
		rc |= fail("RLIMIT_NOFILE hard limit %llu reaches the exec fd",
		           (unsigned long long)lim.rlim_max);
	lim.rlim_cur = lim.rlim_max = SANDBOX_EXEC_FD + 1;
	rc |= expect_errno("raising RLIMIT_NOFILE", setrlimit(RLIMIT_NOFILE, &lim), EPERM);
	return rc;
}

static int check_root_ro(const char *self)
{
	int rc = 0;
	rc |= expect_errno("mkdir /x", mkdir("/x", 0755), EROFS);
	rc |= expect_errno("creat /x", open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EROFS);
	/* The program is bound read-only, nosuid, nodev; so is the root. */
	const char *paths[] = {self, "/"};
	for (int i = 0; i < 2; i++) {
		struct statvfs sv;
		unsigned long want = ST_RDONLY | ST_NOSUID | ST_NODEV;
		if (statvfs(paths[i], &sv) < 0 || (sv.f_flag & want) != want)
			rc |= fail("%s is mounted with flags %#lx", paths[i], sv.f_flag);
	}
	rc |= expect_errno("mount", mount("none", "/", "tmpfs", 0, NULL), EPERM);
	return rc;
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	dprintf(1, "sigsys syscall=%d arch=%#x\n", si->si_syscall, si->si_arch);
	_exit(0);
}

static int check_die(const char *what)
{
	static const char text[] = "x";
	void *p;

	arm();
	if (!strcmp(what, "socket-inet"))
		socket(AF_INET, SOCK_STREAM, 0);
	else if (!strcmp(what, "socket-unix"))
		socket(AF_UNIX, SOCK_STREAM, 0);
	else if (!strcmp(what, "socketpair"))
		socketpair(AF_UNIX, SOCK_STREAM, 0, (int[2]){0});
	else if (!strcmp(what, "mmap-wx"))
		mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	else if (!strcmp(what, "mprotect-wx")) {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return fail("mmap rw: %s", strerror(errno));
		dprintf(1, "mapped\n");
		mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
	} else if (!strcmp(what, "tiocsti"))
		ioctl(1, TIOCSTI, text);
	else if (!strcmp(what, "open-write"))
		open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	else if (!strcmp(what, "execve"))
		execve("/proc/self/exe", (char *[]){"probe", NULL}, (char *[]){NULL});
	else if (!strcmp(what, "kill-other"))
		kill(2, SIGTERM);
	else if (!strcmp(what, "kill-all"))
		kill(-1, SIGKILL);
	else if (!strcmp(what, "fork"))
		fork();
	else if (!strcmp(what, "clone3"))
		syscall(SYS_clone3, NULL, 0);
	else if (!strcmp(what, "setrlimit"))
		setrlimit(RLIMIT_NOFILE, &(struct rlimit){8, 8});
	else if (!strcmp(what, "mkdir"))
		mkdir("/x", 0755);
	else if (!strcmp(what, "ptrace"))
		syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
	else if (!strcmp(what, "clone-newuser"))
		syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
	else if (!strcmp(what, "clone-thread-newns")) /* a thread's flags, plus a namespace */
		syscall(SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_NEWNS, 0, NULL,
		        NULL, 0);
	else if (!strcmp(what, "ioctl-fionclex"))
		ioctl(1, FIONCLEX);
	else if (!strcmp(what, "x32"))
		syscall(0x40000000 | SYS_getpid);
	else if (!strcmp(what, "i386")) {
		long r = 20; /* getpid in the i386 table */
		__asm__ volatile("int $0x80" : "+a"(r)::"memory");
	} else
		return fail("unknown die-%s", what);
	return survived(what);
}

static void *thread_main(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

/* What the BEAM policy allows, and what it answers with an error instead
 * of refusing (the BEAM must live through them). */
static int check_beam_allowed(void)
{
	struct rlimit lim;
	pthread_t t;
	int rc = 0, got = 0, st = 0;

	/* glibc tries clone3 first: ENOSYS, then clone with a thread's flags. */
	rc |= expect_errno("clone3", syscall(SYS_clone3, NULL, 0), ENOSYS);
	if (pthread_create(&t, NULL, thread_main, &got) != 0 || pthread_join(t, NULL) != 0 ||
	    got != 42)
		rc |= fail("pthread_create: a thread did not run");
	/* A plain child, as the BEAM forks erl_child_setup. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		rc |= fail("fork/wait4: pid %d status %#x: %s", (int)pid, st, strerror(errno));
	/* W or X, never both. */
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0 || munmap(p, 8192) < 0)
		rc |= fail("mmap rw / mprotect rx: %s", strerror(errno));
	void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x == MAP_FAILED || munmap(x, 4096) < 0)
		rc |= fail("mmap rx: %s", strerror(errno));
	/* Answered with an error, not refused. */
	rc |=
	    expect_errno("open(O_CREAT)", open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EROFS);
	rc |= expect_errno("open(O_CREAT) of an existing directory",
	                   open("/", O_RDONLY | O_CREAT | O_CLOEXEC, 0644), EROFS);
	rc |= expect_errno("socket(AF_INET)", socket(AF_INET, SOCK_STREAM, 0), EACCES);
	rc |= expect_errno("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0), EACCES);
	rc |= expect_errno("socket(AF_NETLINK)", socket(AF_NETLINK, SOCK_RAW, 0), EACCES);
	struct termios tio;
	rc |= expect_errno("ioctl(TCGETS)", ioctl(1, TCGETS, &tio), ENOTTY);
	/* Reading limits. */
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || getrlimit(RLIMIT_STACK, &lim) < 0)
		rc |= fail("getrlimit: %s", strerror(errno));
	/* The wake-up pipes and the fork server's socket pair. */
	int pp[2], sp[2];
	if (pipe2(pp, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
		rc |= fail("pipe2/socketpair(AF_UNIX): %s", strerror(errno));
	/* What changes a file system is answered EROFS, never fatal. */
	rc |= expect_errno("mkdir /x", mkdir("/x", 0755), EROFS);
	rc |= expect_errno("unlink /x", unlink("/x"), EROFS);
	rc |= expect_errno("rename /x /y", rename("/x", "/y"), EROFS);
	printf("beam-allowed ok\n");
	return rc;
}

/* What the native policy must allow. */
static int check_allowed(const char *self)
{
	struct rlimit lim;
	struct sigaction sa = {.sa_handler = on_usr1};
	char buf[16];
	int rc = 0;

	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap rw: %s", strerror(errno));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0 || mprotect(p, 4096, PROT_READ) < 0)
		rc |= fail("mprotect: %s", strerror(errno));
	void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x == MAP_FAILED || munmap(x, 4096) < 0 || munmap(p, 8192) < 0)
		rc |= fail("mmap rx / munmap: %s", strerror(errno));
	free(malloc(1 << 20)); /* a big malloc: mmap and munmap */
	rc |= expect_errno("open /etc/passwd read-only", open("/etc/passwd", O_RDONLY), ENOENT);
	if (isatty(1) || errno != ENOTTY)
		rc |= fail("isatty(1): %s, expected ENOTTY", strerror(errno));
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		rc |= fail("getrlimit: %s", strerror(errno));
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || raise(SIGUSR1) != 0 || got_usr1 != SIGUSR1)
		rc |= fail("raise(SIGUSR1) toward itself did not arrive");
	if (kill(getpid(), 0) < 0)
		rc |= fail("kill(self, 0): %s", strerror(errno));
	rc |= expect_errno("kill(2, 0)", kill(2, 0), ESRCH);
	if (getpid() != 1)
		rc |= fail("getpid() is %d, not 1", (int)getpid());
	struct timespec ts = {0, 1000};
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0 || nanosleep(&(struct timespec){0, 1}, NULL))
		rc |= fail("clock: %s", strerror(errno));
	if (syscall(SYS_futex, &rc, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0) < 0)
		rc |= fail("futex wake: %s", strerror(errno));
	sched_yield();
	/* No second exec, however the file is named: the listener that let
	 * the first through is gone, and the kernel answers ENOSYS. */
	rc |= expect_errno("execveat(exec fd)",
	                   syscall(SYS_execveat, SANDBOX_EXEC_FD, "", (char *[]){NULL},
	                           (char *[]){NULL}, AT_EMPTY_PATH),
	                   ENOSYS);
	rc |= expect_errno("execveat(exec fd, absolute path)",
	                   syscall(SYS_execveat, SANDBOX_EXEC_FD, self, (char *[]){NULL},
	                           (char *[]){NULL}, AT_EMPTY_PATH),
	                   ENOSYS);
	/* The ctl socket the test hands in at fd 4: send and receive. */
	if (send(4, "ping", 4, 0) != 4 || recv(4, buf, sizeof(buf), 0) != 4 ||
	    memcmp(buf, "pong", 4) != 0)
		rc |= fail("ctl socket: %s", strerror(errno));
	printf("allowed ok\n"); /* stdio: fstat, write */
	return rc;
}

int main(int argc, char **argv)
{
	struct utsname u;

	if (argc < 2)
		return 2;
	/* Some checks try what must fail inside a PD (mounting over /, say).
	 * Run by hand on the host, as root, they would succeed and do harm:
	 * refuse to run anywhere but as the init of a fresh pid namespace. */
	if (getpid() != 1) {
		fprintf(stderr, "probe: refusing to run outside a sandbox (pid %d, not 1)\n",
		        (int)getpid());
		return 2;
	}
	check = argv[1];
	if (!strcmp(check, "block")) {
		char c;
		return read(0, &c, 1) < 0; /* until the test closes the other end */
	}
	if (!strcmp(check, "hello"))
		return printf("hello from pid %d\n", (int)getpid()) < 0;
	if (!strcmp(check, "passwd"))
		return expect_errno("open /etc/passwd", open("/etc/passwd", O_RDONLY), ENOENT);
	if (!strcmp(check, "pid1")) {
		if (getpid() != 1 || getppid() != 0)
			return fail("pid %d ppid %d", (int)getpid(), (int)getppid());
		return 0;
	}
	if (!strcmp(check, "nosignal") && argc == 3) {
		int rc = expect_errno("kill(test pid, 0)", kill(atoi(argv[2]), 0), ESRCH);
		return rc | expect_errno("kill(-1, 0)", kill(-1, 0), ESRCH);
	}
	if (!strcmp(check, "fds"))
		return check_fds(argc - 2, argv + 2);
	if (!strcmp(check, "swap"))
		return !(write(5, "5", 1) == 1 && write(6, "6", 1) == 1);
	if (!strcmp(check, "caps"))
		return check_caps();
	if (!strcmp(check, "rootro"))
		return check_root_ro(argv[0]);
	if (!strcmp(check, "hostname") && argc == 3) {
		if (uname(&u) < 0 || strcmp(u.nodename, argv[2]) != 0)
			return fail("hostname is '%s'", u.nodename);
		return 0;
	}
	if (!strcmp(check, "uid") && argc == 3) {
		uid_t want = (uid_t)atoi(argv[2]);
		if (getuid() != want || geteuid() != want || getgid() != want)
			return fail("uid %d euid %d gid %d", (int)getuid(), (int)geteuid(),
			            (int)getgid());
		return 0;
	}
	if (!strcmp(check, "nonet")) {
		struct sockaddr_in sin = {.sin_family = AF_INET,
		                          .sin_port = htons(53),
		                          .sin_addr.s_addr = htonl(0x08080808)};
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return fail("socket: %s", strerror(errno));
		return expect_errno("connect 8.8.8.8", connect(s, (void *)&sin, sizeof(sin)),
		                    ENETUNREACH);
	}
	if (!strcmp(check, "exec2"))
		return check_exec2();
	if (!strcmp(check, "allowed"))
		return check_allowed(argv[0]);
	if (!strcmp(check, "beam-allowed"))
		return check_beam_allowed();
	if (!strcmp(check, "sigsys")) {
		struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
		sigaction(SIGSYS, &sa, NULL);
		socket(AF_INET, SOCK_STREAM, 0);
		return survived("socket with a SIGSYS handler");
	}
	if (!strncmp(check, "die-", 4))
		return check_die(check + 4);
	return fail("unknown check");
}
