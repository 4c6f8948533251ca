/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_spawn: start a program as a confined PD (see sandbox.h for what
 * it gets, docs/security.md for why).
 *
 * Parent and child split the work so that the child never allocates:
 *
 *   parent: validate the spec, find the program's libraries (deps.c), plan
 *           the root (plan.c), compile the seccomp filter (policy.c),
 *           allocate every array the child will write to, make two
 *           close-on-exec pipes (report, sync), then clone3() with all the
 *           new namespaces and CLONE_PIDFD but without CLONE_VM: the child
 *           is a copy of this process (as after fork), so it may read the
 *           prepared data and use its own stack, and touches nothing shared.
 *   parent: writes the child's uid/gid maps, opens every file and
 *           directory of the root with its own rights through the child's
 *           mount namespace and sends the descriptors (trees_send), then
 *           wakes the child.
 *   child:  takes its unprivileged identity, places the descriptors,
 *           builds its root from the descriptors it received (never by
 *           path: the way there may be a directory its user cannot
 *           search) and enters it, drops every privilege, installs the
 *           filter and execs.
 *           A policy with a listener (BEAM, native) installs it so: the
 *           child writes the listener's number to the parent, which copies
 *           it with pidfd_getfd; the child closes its own before the exec,
 *           so the PD never holds it (whoever holds it answers the PD's
 *           refused calls).  For a native PD, every execveat goes to it,
 *           and the parent lets the child's own exec through, then closes
 *           it (allow_first_exec).
 *           Only raw syscall()s: glibc's set*id wrappers would try to
 *           signal the parent's other threads, malloc could be locked by
 *           them, and ASan (SANITIZE=1) must find nothing to intercept.
 *           Any failure is written to the report pipe as { errno, what } and
 *           the child exits 127.
 *   parent: reads the report pipe.  End of file with nothing read means the
 *           exec happened (the pipe is close-on-exec); a report means the
 *           child failed, and it is killed and reaped before returning.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/internal.h"

/* The path of the one exec (AT_EMPTY_PATH).  The child's copy of this
 * memory has it at the same address, which allow_first_exec checks. */
static const char empty_path[] = "";

/* Descriptors per message when the parent sends the root's sources. */
#define TREES_PER_MSG 64

/* Where the host's root stays reachable while the child builds its own. */
#define OLDROOT "/.cordon-oldroot"

/* The identity a PD gets when the monitor runs as root: nobody.  An
 * unprivileged monitor can only map its own uid, so its PDs keep it. */
#define NOBODY 65534

/* Exec as uid 0 grants nothing, setuid changes no capabilities, no ambient
 * capability can be raised, keep-caps stays off: each locked. */
#define SECUREBITS_LOCKED                                                                          \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |                           \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |   \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

struct clone_args_v0 { /* struct clone_args up to CLONE_ARGS_SIZE_VER0 */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

struct ksigaction { /* the kernel's struct sigaction on x86_64 */
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* One step of building the root, precomputed by the parent. */
struct op {
	enum plan_kind kind;
	const char *path;   /* in the new root */
	char *src;          /* OLDROOT + path: FILE and TREE */
	const char *target; /* LINK */
	int fd;             /* FILE and TREE: an O_PATH descriptor of the source
	                       in the child's mount namespace, opened by the
	                       parent with its own rights (trees_send); -1 */
};

/* What the child writes back when it fails. */
struct report {
	int err;
	char what[252];
};

/* Everything the child uses, prepared by the parent.  The child works on
 * its own copy (no CLONE_VM), so it may write to it. */
struct child {
	const struct sandbox_spec *spec;
	char *const *argv;
	char *const *envp;
	struct op *ops;
	size_t nops;
	int *tmp;           /* spec->nfds scratch descriptors */
	int *keep;          /* spec->nfds + 3: descriptors that survive */
	int hi;             /* above every descriptor number in play */
	int err_fd;         /* report pipe, write end */
	int sync_fd;        /* sync pipe, read end */
	int lfd_pipe;       /* pipe on which the seccomp listener's number goes
	                       to the parent, or -1 without a listener */
	int tree_sock;      /* socket the FILE and TREE sources arrive on, or -1 */
	size_t ntrees;      /* how many */
	int parent_ends[4]; /* the parent's pipe and socket ends, closed at once */
	uid_t uid;
	gid_t gid;
	int drop_groups;
	int filter;
	struct sock_fprog prog;
};

/* ---- the child: raw syscalls only, no allocation ---- */

static void put(struct report *r, size_t *n, const char *s)
{
	while (s && *s && *n + 1 < sizeof(r->what))
		r->what[(*n)++] = *s++;
	r->what[*n] = '\0';
}

static _Noreturn void child_fail(const struct child *c, const char *what, const char *arg)
{
	struct report r;
	size_t n = 0;

	r.err = errno ? errno : EIO;
	put(&r, &n, what);
	if (arg) {
		put(&r, &n, " ");
		put(&r, &n, arg);
	}
	syscall(SYS_write, c->err_fd, &r, sizeof(r));
	for (;;)
		syscall(SYS_exit_group, 127);
}

static int sys_fcntl_dupfd(int fd, int min)
{
	return (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, min);
}

static void reset_signals(void)
{
	struct ksigaction dfl = {.handler = SIG_DFL};
	for (int sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
}

/* Give every spec->fds[i].src the number dst, whatever the overlaps between
 * sources, destinations and our own pipes: first everything moves above
 * c->hi (beyond every number in play), then each lands on its dst. */
static void place_fds(struct child *c)
{
	const struct sandbox_spec *spec = c->spec;
	struct rlimit lim;

	/* hi may exceed the soft limit; the hard limit is ours to use. */
	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &lim) < 0)
		child_fail(c, "getrlimit", NULL);
	lim.rlim_cur = lim.rlim_max;
	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL) < 0)
		child_fail(c, "setrlimit", NULL);
	if ((c->err_fd = sys_fcntl_dupfd(c->err_fd, c->hi)) < 0 ||
	    (c->sync_fd = sys_fcntl_dupfd(c->sync_fd, c->hi)) < 0 ||
	    (c->lfd_pipe >= 0 && (c->lfd_pipe = sys_fcntl_dupfd(c->lfd_pipe, c->hi)) < 0) ||
	    (c->tree_sock >= 0 && (c->tree_sock = sys_fcntl_dupfd(c->tree_sock, c->hi)) < 0))
		child_fail(c, "moving the sync pipes", NULL);
	for (size_t i = 0; i < spec->nfds; i++)
		if ((c->tmp[i] = sys_fcntl_dupfd(spec->fds[i].src, c->hi)) < 0)
			child_fail(c, "dup", "of a handed descriptor");
	for (size_t i = 0; i < spec->nfds; i++)
		if (syscall(SYS_dup3, c->tmp[i], spec->fds[i].dst, 0) < 0)
			child_fail(c, "dup3", "to a handed descriptor's number");
}

/* Close everything but the handed descriptors, the exec fd and the pipes. */
static void close_others(struct child *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->spec->nfds; i++)
		c->keep[n++] = c->spec->fds[i].dst;
	c->keep[n++] = SANDBOX_EXEC_FD;
	c->keep[n++] = c->err_fd;
	c->keep[n++] = c->sync_fd;
	if (c->lfd_pipe >= 0)
		c->keep[n++] = c->lfd_pipe;
	for (size_t i = 1; i < n; i++) /* insertion sort: no allocation */
		for (size_t j = i; j > 0 && c->keep[j - 1] > c->keep[j]; j--) {
			int t = c->keep[j];
			c->keep[j] = c->keep[j - 1];
			c->keep[j - 1] = t;
		}
	unsigned lo = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned k = (unsigned)c->keep[i];
		if (k > lo && syscall(SYS_close_range, lo, k - 1, 0) < 0)
			child_fail(c, "close_range", NULL);
		lo = k + 1;
	}
	if (syscall(SYS_close_range, lo, ~0u, 0) < 0)
		child_fail(c, "close_range", NULL);
}

static void bind_ro(struct child *c, const struct op *op, int rec)
{
	struct mount_attr attr = {
	    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	/* A clone of the source the parent opened: its path may cross
	 * directories this PD's user cannot search (a 0700 home, a mktemp -d
	 * directory); the description granted the file, not the way to it. */
	int tree = (int)syscall(SYS_open_tree, op->fd, "",
	                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
	                            (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		child_fail(c, "bind", op->path);
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, op->path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		child_fail(c, "bind", op->path);
	syscall(SYS_close, tree);
	/* mount_setattr only adds flags: whatever the host locked (noexec...)
	 * stays, which a plain MS_REMOUNT could not promise. */
	if (syscall(SYS_mount_setattr, AT_FDCWD, op->path, rec ? AT_RECURSIVE : 0, &attr,
	            sizeof(attr)) < 0)
		child_fail(c, "read-only", op->path);
}

/* The host's /dev/null, bound read-only (writes to a device are not writes
 * to the mount) but without nodev, so it stays a device.  Nothing else of
 * the host's /dev is reachable. */
static void bind_dev_null(struct child *c)
{
	struct mount_attr attr = {.attr_set =
	                              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC};
	int fd;

	if (syscall(SYS_mkdirat, AT_FDCWD, "/dev", 0755) < 0 && errno != EEXIST)
		child_fail(c, "mkdir", "/dev");
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null",
	                  O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		child_fail(c, "create", "/dev/null");
	syscall(SYS_close, fd);
	if (syscall(SYS_mount, OLDROOT "/dev/null", "/dev/null", NULL, MS_BIND, NULL) < 0)
		child_fail(c, "bind", "/dev/null");
	if (syscall(SYS_mount_setattr, AT_FDCWD, "/dev/null", 0, &attr, sizeof(attr)) < 0)
		child_fail(c, "read-only", "/dev/null");
}

/* The sources of the FILE and TREE ops, in plan order, as the parent sent
 * them (trees_send). */
static void trees_receive(struct child *c)
{
	size_t got = 0, i = 0;

	while (got < c->ntrees) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(TREES_PER_MSG * sizeof(int))];
		} u;
		char byte;
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		struct msghdr msg = {.msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = u.buf,
		                     .msg_controllen = sizeof(u.buf)};
		long r;
		do
			r = syscall(SYS_recvmsg, c->tree_sock, &msg, MSG_CMSG_CLOEXEC);
		while (r < 0 && errno == EINTR);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		if (r != 1 || (msg.msg_flags & MSG_CTRUNC) || !cm || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(sizeof(int)))
			child_fail(c, "receiving the root's sources", NULL);
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < n; k++, got++) {
			while (i < c->nops && c->ops[i].kind != PLAN_FILE &&
			       c->ops[i].kind != PLAN_TREE)
				i++;
			if (i == c->nops)
				child_fail(c, "receiving the root's sources", "(too many)");
			memcpy(&c->ops[i++].fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
		}
	}
}

static void build_root(struct child *c)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
	                                    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};

	/* Nothing we mount may propagate back to the host. */
	if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(c, "making the mounts private", NULL);
	if (syscall(SYS_mount, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	            "mode=0755,size=1m,nr_inodes=4096") < 0)
		child_fail(c, "mount tmpfs", NULL);
	if (syscall(SYS_mkdirat, AT_FDCWD, "/tmp" OLDROOT, 0700) < 0)
		child_fail(c, "mkdir", OLDROOT);
	/* The tmpfs becomes the root and the host's stays at OLDROOT, /tmp
	 * included (pivot_root took the tmpfs off it), as bind sources. */
	if (syscall(SYS_pivot_root, "/tmp", "/tmp" OLDROOT) < 0)
		child_fail(c, "pivot_root", NULL);
	if (syscall(SYS_chdir, "/") < 0)
		child_fail(c, "chdir", "/");
	for (size_t i = 0; i < c->nops; i++) {
		const struct op *op = &c->ops[i];
		int fd;
		switch (op->kind) {
		case PLAN_DIR:
			if (syscall(SYS_mkdirat, AT_FDCWD, op->path, 0755) < 0)
				child_fail(c, "mkdir", op->path);
			break;
		case PLAN_LINK:
			if (syscall(SYS_symlinkat, op->target, AT_FDCWD, op->path) < 0)
				child_fail(c, "symlink", op->path);
			break;
		case PLAN_FILE:
			fd = (int)syscall(SYS_openat, AT_FDCWD, op->path,
			                  O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
			if (fd < 0)
				child_fail(c, "create", op->path);
			syscall(SYS_close, fd);
			bind_ro(c, op, 0);
			break;
		case PLAN_TREE:
			if (syscall(SYS_mkdirat, AT_FDCWD, op->path, 0755) < 0)
				child_fail(c, "mkdir", op->path);
			bind_ro(c, op, 1);
			break;
		}
	}
	if (c->spec->dev_null)
		bind_dev_null(c);
	if (syscall(SYS_umount2, OLDROOT, MNT_DETACH) < 0)
		child_fail(c, "detaching the host's root", NULL);
	if (syscall(SYS_unlinkat, AT_FDCWD, OLDROOT, AT_REMOVEDIR) < 0)
		child_fail(c, "rmdir", OLDROOT);
	if (syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
		child_fail(c, "making the root read-only", NULL);
}

static void drop_privileges(struct child *c)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	for (int cap = 0; cap < 64; cap++)
		if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the last capability this kernel knows */
			child_fail(c, "dropping the bounding set", NULL);
		}
	if (syscall(SYS_prctl, PR_SET_SECUREBITS, SECUREBITS_LOCKED, 0, 0, 0) < 0)
		child_fail(c, "securebits", NULL);
	if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		child_fail(c, "clearing ambient capabilities", NULL);
	for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i] = (struct __user_cap_data_struct){0, 0, 0};
	if (syscall(SYS_capset, &hdr, data) < 0)
		child_fail(c, "capset", NULL);
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(c, "no_new_privs", NULL);
}

/* The seccomp filter, last.  With a listener, the parent takes its own
 * copy of it (pidfd_getfd: the parent's rights, not the PD's budget of
 * descriptors in flight, which a PD of the same user could have drained),
 * then the child closes its own: only calls the filter allows are left to
 * make (write, read, close, execveat), and the PD must not hold the
 * descriptor that answers its own refused calls.  It is close-on-exec too
 * (the kernel creates it so), but that is not what this relies on. */
static void install_filter(struct child *c)
{
	unsigned flags = c->lfd_pipe >= 0 ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	long lfd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &c->prog);
	char byte;
	long r;

	if (lfd < 0)
		child_fail(c, "seccomp", NULL);
	if (c->lfd_pipe < 0)
		return;
	int ifd = (int)lfd;
	do
		r = syscall(SYS_write, c->lfd_pipe, &ifd, sizeof(ifd));
	while (r < 0 && errno == EINTR);
	if (r != (long)sizeof(ifd))
		child_fail(c, "telling the seccomp listener", NULL);
	/* The parent's second byte: it holds its copy now.  End of file: it
	 * gave up. */
	do
		r = syscall(SYS_read, c->sync_fd, &byte, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		syscall(SYS_exit_group, 127);
	if (syscall(SYS_close, ifd) < 0)
		child_fail(c, "closing the seccomp listener", NULL);
}

static _Noreturn void child_main(struct child *c)
{
	const struct sandbox_spec *spec = c->spec;
	struct rlimit lim = {SANDBOX_NOFILE, SANDBOX_NOFILE};
	struct timespec zero = {0, 0};
	uint64_t nomask = 0;
	char byte;
	long r;

	for (int i = 0; i < 4; i++)
		if (c->parent_ends[i] >= 0)
			syscall(SYS_close, c->parent_ends[i]);
	if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail(c, "PR_SET_PDEATHSIG", NULL);
	reset_signals();

	/* The parent writes our uid/gid maps, then one byte.  End of file: it
	 * gave up (or died: we cannot compare getppid(), which is 0 here). */
	do
		r = syscall(SYS_read, c->sync_fd, &byte, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		syscall(SYS_exit_group, 127);

	/* Our unprivileged identity.  The capabilities of the new user
	 * namespace survive (neither uid is that namespace's root). */
	if (c->drop_groups && syscall(SYS_setgroups, 0, NULL) < 0)
		child_fail(c, "setgroups", NULL);
	if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0)
		child_fail(c, "setresgid", NULL);
	if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
		child_fail(c, "setresuid", NULL);
	/* Our own session: kill(0, ...) from the monitor's process group
	 * must not reach us, nor ours it. */
	if (syscall(SYS_setsid) < 0)
		child_fail(c, "setsid", NULL);

	place_fds(c);
	trees_receive(c);
	build_root(c);
	if (syscall(SYS_sethostname, spec->name, strlen(spec->name)) < 0)
		child_fail(c, "sethostname", spec->name);

	/* The exec trick (internal.h): the program at SANDBOX_EXEC_FD. */
	int fd = (int)syscall(SYS_openat, AT_FDCWD, spec->program, O_PATH | O_CLOEXEC);
	if (fd < 0)
		child_fail(c, "open", spec->program);
	if (syscall(SYS_dup3, fd, SANDBOX_EXEC_FD, O_CLOEXEC) < 0)
		child_fail(c, "dup3", "to the exec descriptor");
	close_others(c);
	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL) < 0)
		child_fail(c, "setrlimit(RLIMIT_NOFILE)", NULL);
	if (spec->nice && syscall(SYS_setpriority, PRIO_PROCESS, 0, spec->nice) < 0)
		child_fail(c, "setpriority", NULL);
	drop_privileges(c);

	/* Changing credentials cleared the parent-death signal: set it again,
	 * then make sure the parent did not die before that (its end of the
	 * sync pipe would be closed). */
	if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail(c, "PR_SET_PDEATHSIG", NULL);
	struct pollfd pfd = {.fd = c->sync_fd, .events = POLLIN};
	if (syscall(SYS_ppoll, &pfd, 1, &zero, NULL, sizeof(uint64_t)) != 0)
		syscall(SYS_exit_group, 127);

	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &nomask, NULL, sizeof(nomask)) < 0)
		child_fail(c, "sigprocmask", NULL);
	if (c->filter)
		install_filter(c);
	syscall(SYS_execveat, SANDBOX_EXEC_FD, empty_path, c->argv, c->envp, AT_EMPTY_PATH);
	child_fail(c, "exec", NULL);
}

/* ---- the parent ---- */

static int check_spec(const struct sandbox_spec *spec, char *why, size_t whylen)
{
	if (!spec->name || !spec->name[0] || strlen(spec->name) > 64)
		return sandbox_fail(why, whylen, -EINVAL, "a PD name has 1 to 64 characters");
	if (!spec->program || spec->program[0] != '/')
		return sandbox_fail(why, whylen, -EINVAL, "program must be an absolute path: %s",
		                    spec->program ? spec->program : "(null)");
	if (spec->nfds > SANDBOX_NOFILE || (spec->nfds && !spec->fds))
		return sandbox_fail(why, whylen, -EINVAL, "too many descriptors for a PD");
	for (size_t i = 0; i < spec->nfds; i++) {
		const struct sandbox_fd *f = &spec->fds[i];
		if (f->dst < 0 || f->dst >= SANDBOX_NOFILE)
			return sandbox_fail(why, whylen, -EINVAL,
			                    "descriptor number %d is outside 0..%d", f->dst,
			                    SANDBOX_NOFILE - 1);
		if (f->src < 0 || fcntl(f->src, F_GETFD) < 0)
			return sandbox_fail(why, whylen, -EBADF,
			                    "descriptor %d for the PD's %d is not open", f->src,
			                    f->dst);
		for (size_t j = 0; j < i; j++)
			if (spec->fds[j].dst == f->dst)
				return sandbox_fail(why, whylen, -EINVAL,
				                    "descriptor number %d is given twice", f->dst);
	}
	if (spec->nro_paths && !spec->ro_paths)
		return sandbox_fail(why, whylen, -EINVAL, "nro_paths without ro_paths");
	if (spec->uid && geteuid() != 0)
		return sandbox_fail(why, whylen, -EPERM,
		                    "uid %u: only a root caller can map a uid of its choice",
		                    (unsigned)spec->uid);
	return 0;
}

/* The root: the program and what ld.so needs, the extra read-only paths. */
static int plan_root(const struct sandbox_spec *spec, struct plan *plan, char *why, size_t whylen)
{
	char **deps = NULL;
	int origin_exe = 0;
	int rc = deps_find(spec->program, &deps, &origin_exe, why, whylen);

	for (size_t i = 0; rc == 0 && deps[i]; i++)
		rc = plan_add(plan, deps[i], why, whylen);
	for (size_t i = 0; rc == 0 && i < spec->nro_paths; i++)
		rc = plan_add(plan, spec->ro_paths[i], why, whylen);
	if (rc == 0 && origin_exe)
		rc = plan_add_link(plan, "/proc/self/exe", spec->program, why, whylen);
	if (rc == 0)
		plan_finish(plan);
	sandbox_free_deps(deps);
	return rc;
}

static int write_file(pid_t pid, const char *name, const char *text, char *why, size_t whylen)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return sandbox_fail(why, whylen, -errno, "%s: %s", path, strerror(errno));
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	if (n != (ssize_t)strlen(text))
		return sandbox_fail(why, whylen, n < 0 ? -e : -EIO, "%s: %s", path,
		                    n < 0 ? strerror(e) : "short write");
	return 0;
}

static int write_maps(const struct child *c, pid_t pid, char *why, size_t whylen)
{
	char map[64];
	int rc = 0;

	/* An unprivileged writer must deny setgroups before writing gid_map.
	 * A privileged one keeps it allowed so the child can drop its
	 * supplementary groups; no PD holds CAP_SETGID afterwards. */
	if (!c->drop_groups)
		rc = write_file(pid, "setgroups", "deny", why, whylen);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)c->uid, (unsigned)c->uid);
	if (rc == 0)
		rc = write_file(pid, "uid_map", map, why, whylen);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)c->gid, (unsigned)c->gid);
	if (rc == 0)
		rc = write_file(pid, "gid_map", map, why, whylen);
	return rc;
}

/* The seccomp listener of the child's filter: the child writes its number
 * on `numfd` once the filter is installed; the parent copies it out of the
 * child with pidfd_getfd and wakes the child again (`syncfd`), which then
 * closes its own.  -ECHILD when the child ended first (its report says
 * why). */
static int take_listener(int pidfd, int numfd, int syncfd, int *out, char *why, size_t whylen)
{
	int num = -1;
	size_t got = 0;

	while (got < sizeof(num)) {
		ssize_t n = read(numfd, (char *)&num + got, sizeof(num) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sandbox_fail(why, whylen, -errno,
			                    "reading the listener's number: %s", strerror(errno));
		if (n == 0)
			return -ECHILD;
		got += (size_t)n;
	}
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0); /* close-on-exec */
	if (fd < 0)
		return sandbox_fail(why, whylen, -errno, "taking the seccomp listener: %s",
		                    strerror(errno));
	ssize_t n;
	do
		n = write(syncfd, "", 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		int e = errno;
		close(fd);
		return sandbox_fail(why, whylen, -e, "waking the child: %s", strerror(e));
	}
	*out = fd;
	return 0;
}

/*
 * Exactly one exec for a native PD (the exec trick, docs/security.md).  Its
 * policy sends every execveat to the listener, so the first one, the
 * child's own, waits here: it is let through if it is what the child
 * makes (from the child, on SANDBOX_EXEC_FD, with our "" as the path, which
 * the child's copy of our memory holds at the same address), then the
 * caller closes the listener.  With no listener, the kernel answers every
 * later execveat ENOSYS, however it names its file: an absolute path
 * (which makes the kernel ignore the descriptor), a relative one, another
 * descriptor, a memfd.  A filter cannot read the path; this does not need
 * to.  Returns 0 once the exec was let through, -ECHILD when the child
 * ended or reported a failure first, or another -errno.
 */
static int allow_first_exec(pid_t pid, int listener, int report_fd, const char *empty, char *why,
                            size_t whylen)
{
	struct pollfd pfd[2] = {{.fd = listener, .events = POLLIN},
	                        {.fd = report_fd, .events = POLLIN}};
	struct sandbox_child l = {.pid = pid, .pidfd = -1, .notify_fd = listener};
	struct sandbox_syscall call;
	int rc;

	do
		rc = poll(pfd, 2, -1);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return sandbox_fail(why, whylen, -errno, "poll: %s", strerror(errno));
	if (!(pfd[0].revents & POLLIN))
		return -ECHILD;
	if ((rc = sandbox_notify_receive(&l, &call)) < 0)
		return rc == -EAGAIN || rc == -EPIPE
		           ? -ECHILD
		           : sandbox_fail(why, whylen, rc, "seccomp: %s", strerror(-rc));
	if (call.pid != pid || call.nr != SYS_execveat || call.args[0] != SANDBOX_EXEC_FD ||
	    call.args[1] != (uintptr_t)empty || call.args[4] != AT_EMPTY_PATH) {
		sandbox_notify_refuse(&l, call.id, EPERM);
		return sandbox_fail(why, whylen, -EPERM,
		                    "the child's first exec was not its own (syscall %d)", call.nr);
	}
	if ((rc = notify_continue(listener, call.id)) < 0)
		return sandbox_fail(why, whylen, rc, "letting the exec through: %s", strerror(-rc));
	return 0;
}

/* Open every FILE and TREE source with the parent's rights, through the
 * child's mount namespace (/proc/PID/root: a bind in the child needs a
 * mount of its own namespace), and send them to the child in plan order.
 * The child cannot open them itself: its user may not search the
 * directories on the way. */
static int trees_send(pid_t pid, const struct child *c, int sock, char *why, size_t whylen)
{
	int fds[TREES_PER_MSG];
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i <= c->nops; i++) {
		if (i < c->nops && c->ops[i].kind != PLAN_FILE && c->ops[i].kind != PLAN_TREE)
			continue;
		if (i < c->nops) {
			char path[PATH_MAX + 32];
			snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, c->ops[i].path);
			if ((fds[n] = open(path, O_PATH | O_CLOEXEC)) < 0) {
				rc = sandbox_fail(why, whylen, -errno, "%s: %s", c->ops[i].path,
				                  strerror(errno));
				break;
			}
			n++;
		}
		if (n == TREES_PER_MSG || (i == c->nops && n)) {
			union {
				struct cmsghdr h;
				char buf[CMSG_SPACE(TREES_PER_MSG * sizeof(int))];
			} u;
			struct iovec iov = {.iov_base = "t", .iov_len = 1};
			struct msghdr msg = {.msg_iov = &iov,
			                     .msg_iovlen = 1,
			                     .msg_control = u.buf,
			                     .msg_controllen = CMSG_SPACE(n * sizeof(int))};
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(n * sizeof(int));
			memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
			ssize_t r;
			do
				r = sendmsg(sock, &msg, MSG_NOSIGNAL);
			while (r < 0 && errno == EINTR);
			if (r != 1)
				rc =
				    sandbox_fail(why, whylen, -errno,
				                 "sending the root's sources: %s", strerror(errno));
			while (n)
				close(fds[--n]);
		}
	}
	while (n)
		close(fds[--n]);
	return rc;
}

/* Wait for the child's verdict: 0 when it exec'd, -errno with its report. */
static int read_report(int fd, char *why, size_t whylen)
{
	struct report r;
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = read(fd, (char *)&r + got, sizeof(r) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sandbox_fail(why, whylen, -errno, "reading the child's report: %s",
			                    strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return 0;
	if (got != sizeof(r))
		return sandbox_fail(why, whylen, -EIO, "the child's report was cut short");
	r.what[sizeof(r.what) - 1] = '\0';
	if (r.err <= 0)
		r.err = EIO;
	return sandbox_fail(why, whylen, -r.err, "%s: %s", r.what, strerror(r.err));
}

/*
 * With autogroups (CONFIG_SCHED_AUTOGROUP, on in most distributions' kernels)
 * the child's setsid() put the PD in an autogroup of its own, and a task's
 * nice only orders it against the tasks of its own autogroup: between PDs,
 * each in its own session, the nice from spec->nice meant nothing (measured:
 * two spinners on one CPU at nice 0 and 13 got 1.00 : 1).  The group's nice
 * orders groups: give it the PD's.  Written here, after the exec, because
 * the kernel lets a caller without CAP_SYS_ADMIN in the initial user
 * namespace (the child) change autogroups only ten times a second,
 * machine-wide; so the PD ran at its group's default nice for the
 * microseconds since its exec.  Best effort: without autogroups (no file,
 * or a PD placed in a cgroup, where autogroups do not apply) nothing
 * changes, and an unprivileged caller can meet that rate limit.
 */
static void set_autogroup_nice(pid_t pid, int nice)
{
	char path[64], text[16];
	snprintf(path, sizeof(path), "/proc/%d/autogroup", (int)pid);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	int n = snprintf(text, sizeof(text), "%d", nice);
	if (write(fd, text, (size_t)n) < 0) {
		/* best effort, as above */
	}
	close(fd);
}

static int max_fd(const struct sandbox_spec *spec, const int *pipes, size_t npipes)
{
	int m = SANDBOX_EXEC_FD;
	for (size_t i = 0; i < spec->nfds; i++)
		m = spec->fds[i].src > m ? spec->fds[i].src : m;
	for (size_t i = 0; i < npipes; i++)
		m = pipes[i] > m ? pipes[i] : m;
	return m;
}

int sandbox_spawn(const struct sandbox_spec *spec, struct sandbox_child *child, char *why,
                  size_t whylen)
{
	struct plan plan = {0};
	struct child c = {
	    .spec = spec, .lfd_pipe = -1, .tree_sock = -1, .parent_ends = {-1, -1, -1, -1}};
	int report[2] = {-1, -1}, syncp[2] = {-1, -1}, notify[2] = {-1, -1}, trees[2] = {-1, -1};
	int pidfd = -1;
	int listener = -1;
	char *const default_argv[] = {(char *)spec->program, NULL};
	char *const empty_env[] = {NULL};
	pid_t pid = -1;
	int rc;

	child->pid = -1;
	child->pidfd = -1;
	child->notify_fd = -1;
	if (whylen)
		why[0] = '\0';
	if ((rc = check_spec(spec, why, whylen)) < 0)
		return rc;
	if ((rc = policy_compile(spec->policy, &c.prog, why, whylen)) < 0)
		return rc;
	c.filter = rc == 0;
	if ((rc = plan_root(spec, &plan, why, whylen)) < 0)
		goto out;

	c.ops = calloc(plan.n ? plan.n : 1, sizeof(*c.ops));
	c.tmp = calloc(spec->nfds + 1, sizeof(*c.tmp));
	c.keep = calloc(spec->nfds + 4, sizeof(*c.keep));
	if (!c.ops || !c.tmp || !c.keep) {
		rc = sandbox_fail(why, whylen, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < plan.n; i++, c.nops++) {
		struct op *op = &c.ops[i];
		op->kind = plan.v[i].kind;
		op->path = plan.v[i].path;
		op->target = plan.v[i].target;
		op->fd = -1;
		c.ntrees += op->kind == PLAN_FILE || op->kind == PLAN_TREE;
		if (asprintf(&op->src, "%s%s", OLDROOT, op->path) < 0) {
			op->src = NULL;
			rc = sandbox_fail(why, whylen, -ENOMEM, "out of memory");
			goto out;
		}
	}
	c.argv = spec->argv ? spec->argv : default_argv;
	c.envp = spec->envp ? spec->envp : empty_env;
	c.drop_groups = geteuid() == 0;
	c.uid = c.drop_groups ? NOBODY : geteuid();
	c.gid = c.drop_groups ? NOBODY : getegid();
	if (spec->uid && c.drop_groups)
		c.uid = c.gid = spec->uid;

	if (pipe2(report, O_CLOEXEC) < 0 || pipe2(syncp, O_CLOEXEC) < 0) {
		rc = sandbox_fail(why, whylen, -errno, "pipe: %s", strerror(errno));
		goto out;
	}
	if (c.filter && policy_listener(spec->policy) && pipe2(notify, O_CLOEXEC) < 0) {
		rc = sandbox_fail(why, whylen, -errno, "pipe: %s", strerror(errno));
		goto out;
	}
	if (c.ntrees && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, trees) < 0) {
		rc = sandbox_fail(why, whylen, -errno, "socketpair: %s", strerror(errno));
		goto out;
	}
	int pipes[] = {report[0], report[1], syncp[0], syncp[1],
	               notify[0], notify[1], trees[0], trees[1]};
	c.hi = max_fd(spec, pipes, 8) + 1;
	c.tree_sock = trees[1];
	c.parent_ends[3] = trees[0];
	c.err_fd = report[1];
	c.sync_fd = syncp[0];
	c.lfd_pipe = notify[1];
	c.parent_ends[0] = report[0];
	c.parent_ends[1] = syncp[1];
	c.parent_ends[2] = notify[0];

	/* Signals stay blocked until the child has reset every handler: the
	 * caller's handlers must never run in it. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	struct clone_args_v0 args = {
	    .flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
	             CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_PIDFD,
	    .pidfd = (uintptr_t)&pidfd,
	    .exit_signal = SIGCHLD,
	};
	long r = syscall(SYS_clone3, &args, sizeof(args));
	if (r == 0)
		child_main(&c);
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		rc = sandbox_fail(why, whylen, -e, "clone3: %s", strerror(e));
		goto out;
	}
	pid = (pid_t)r;
	close(report[1]);
	close(syncp[0]);
	report[1] = syncp[0] = -1;
	if (notify[1] >= 0) {
		close(notify[1]);
		notify[1] = -1;
	}
	if (trees[1] >= 0) {
		close(trees[1]);
		trees[1] = -1;
	}

	if ((rc = write_maps(&c, pid, why, whylen)) < 0)
		goto out;
	if (spec->place && (rc = spec->place(spec->place_arg, pid, why, whylen)) < 0)
		goto out;
	if (trees[0] >= 0 && (rc = trees_send(pid, &c, trees[0], why, whylen)) < 0)
		goto out;
	ssize_t n;
	do
		n = write(syncp[1], "", 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		rc = sandbox_fail(why, whylen, -errno, "waking the child: %s", strerror(errno));
		goto out;
	}
	rc = 0;
	if (notify[0] >= 0)
		rc = take_listener(pidfd, notify[0], syncp[1], &listener, why, whylen);
	if (rc == 0 && listener >= 0 && !policy_default_notifies(spec->policy)) {
		/* The listener served the one exec; closed, it answers any
		 * other ENOSYS. */
		rc = allow_first_exec(pid, listener, report[0], empty_path, why, whylen);
		close(listener);
		listener = -1;
	}
	if (rc == 0 || rc == -ECHILD) {
		bool before = rc == -ECHILD;
		rc = read_report(report[0], why, whylen);
		if (rc == 0 && before)
			rc = sandbox_fail(why, whylen, -ECHILD, "the child ended before its exec");
	}
	if (rc == 0 && spec->nice)
		set_autogroup_nice(pid, spec->nice);
out:
	if (rc < 0 && pidfd >= 0) {
		/* Nothing left behind: the child, its namespaces and mounts. */
		siginfo_t si;
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
		close(pidfd);
		pidfd = -1;
	}
	if (rc == 0) {
		child->pid = pid;
		child->pidfd = pidfd;
		child->notify_fd = listener;
		listener = -1;
	}
	if (listener >= 0)
		close(listener);
	for (int i = 0; i < 2; i++) {
		if (report[i] >= 0)
			close(report[i]);
		if (syncp[i] >= 0)
			close(syncp[i]);
		if (notify[i] >= 0)
			close(notify[i]);
		if (trees[i] >= 0)
			close(trees[i]);
	}
	for (size_t i = 0; i < c.nops; i++)
		free(c.ops[i].src);
	free(c.ops);
	free(c.tmp);
	free(c.keep);
	free(c.prog.filter);
	plan_free(&plan);
	return rc < 0 ? rc : 0;
}

int sandbox_kill(const struct sandbox_child *child)
{
	if (child->pidfd < 0)
		return -EBADF;
	if (syscall(SYS_pidfd_send_signal, child->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return -errno;
	return 0;
}

bool sandbox_exited(const struct sandbox_child *child)
{
	struct pollfd pfd = {.fd = child->pidfd, .events = POLLIN};
	if (child->pidfd < 0)
		return false;
	while (poll(&pfd, 1, 0) < 0)
		if (errno != EINTR)
			return false;
	return pfd.revents & POLLIN;
}

int sandbox_reap(struct sandbox_child *child, int *status)
{
	siginfo_t si;

	if (child->pidfd < 0)
		return -EBADF;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)child->pidfd, &si, WEXITED) < 0)
		if (errno != EINTR)
			return -errno;
	if (status) {
		switch (si.si_code) {
		case CLD_EXITED:
			*status = (si.si_status & 0xff) << 8;
			break;
		case CLD_DUMPED:
			*status = (si.si_status & 0x7f) | 0x80;
			break;
		default:
			*status = si.si_status & 0x7f;
			break;
		}
	}
	close(child->pidfd);
	child->pidfd = -1;
	if (child->notify_fd >= 0) {
		close(child->notify_fd);
		child->notify_fd = -1;
	}
	return 0;
}
