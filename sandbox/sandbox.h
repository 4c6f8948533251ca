/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox — start a program as a confined protection domain (Linux backend
 * of the kernel role).
 *
 *     struct sandbox_fd fds[] = { { null_fd, 0 }, { out_w, 1 }, { err_w, 2 },
 *                                 { boot_fd, 3 }, ... };
 *     struct sandbox_spec spec = { .name = "sensor", .program = "/abs/sensor",
 *                                  .fds = fds, .nfds = 4,
 *                                  .policy = SANDBOX_POLICY_NATIVE };
 *     struct sandbox_child child;
 *     char why[256];
 *     if (sandbox_spawn(&spec, &child, why, sizeof why) < 0)
 *             ... why says what failed, e.g. "exec: Exec format error" ...
 *     ... poll child.pidfd; it becomes readable when the PD exits ...
 *     ... and child.notify_fd (SANDBOX_POLICY_BEAM), readable when the PD
 *         makes a call its policy refuses: sandbox_notify_receive(), then
 *         sandbox_kill() and sandbox_notify_refuse() ...
 *     sandbox_kill(&child);       // SIGKILL the PD and everything in it
 *     sandbox_reap(&child, &st);  // waitid on the pidfd; closes it and the listener
 *
 * What a PD gets (see docs/security.md):
 *  - new user, pid, mount, network, IPC, UTS and cgroup namespaces; it is
 *    pid 1 of its own pid namespace, so killing it kills all it started;
 *  - an empty root (tmpfs, then read-only) holding only its program, the
 *    program's ELF interpreter and shared libraries, and the extra read-only
 *    paths in the spec, each bind-mounted read-only, nosuid, nodev, from a
 *    descriptor the caller opened (so a path through directories the PD's
 *    user cannot search still works);
 *  - exactly the descriptors in spec.fds, at the given numbers; everything
 *    else is closed;
 *  - no_new_privs, no capabilities (effective, permitted, inheritable,
 *    ambient, bounding), and the seccomp allowlist of its policy, applied
 *    before exec;
 *  - the PD's name as hostname.
 *
 * Failures in the child before exec come back through a close-on-exec pipe,
 * so sandbox_spawn() returns only once the program is really running (or
 * has certainly failed, leaving nothing behind).
 */
#ifndef CORDON_SANDBOX_H
#define CORDON_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum sandbox_policy {
	SANDBOX_POLICY_NATIVE = 0, /* libcordon PDs: the small allowlist */
	SANDBOX_POLICY_BEAM,       /* the Erlang runtime; refused calls go to a
	                              seccomp listener (child.notify_fd) */
	SANDBOX_POLICY_NONE,       /* no seccomp filter: tests and benchmarks only */
};

struct sandbox_fd {
	int src; /* descriptor in the caller */
	int dst; /* number it gets in the PD */
};

struct sandbox_spec {
	const char *name;    /* PD name: hostname and messages */
	const char *program; /* absolute path of the ELF to run */
	char *const *argv;   /* NULL: { program, NULL } */
	char *const *envp;   /* NULL: an empty environment */
	const struct sandbox_fd *fds;
	size_t nfds;
	const char *const *ro_paths; /* extra files or directories, bound read-only
	                                at the same path; may be NULL */
	size_t nro_paths;
	enum sandbox_policy policy;
	int dev_null; /* nonzero: the host's /dev/null at /dev/null
	                 (the BEAM needs it at boot) */
	int nice;     /* scheduling niceness for the PD (>= 0:
	                 it cannot hold CAP_SYS_NICE) */
	uid_t uid;    /* the PD's uid and gid, mapped to themselves in its
	                 user namespace (a root caller only); 0: nobody
	                 (65534) for a root caller, the caller's own
	                 otherwise */
	/* Called once the PD's process exists but before it runs anything of
	 * its own (it waits on the sync pipe): e.g. to put it in its cgroup
	 * (budget_cg_attach), so nothing it execs is ever outside.  pid is in
	 * the caller's pid namespace.  A negative return fails the spawn with
	 * that -errno and its message in why.  NULL: nothing to do. */
	int (*place)(void *arg, pid_t pid, char *why, size_t whylen);
	void *place_arg;
};

struct sandbox_child {
	pid_t pid;     /* in the caller's pid namespace */
	int pidfd;     /* close-on-exec; readable when the PD exits */
	int notify_fd; /* SANDBOX_POLICY_BEAM: the seccomp listener of
	                  the PD's filter (close-on-exec), readable
	                  when any process of the PD makes a call the
	                  policy does not allow; the call waits for
	                  an answer.  -1 for the other policies.  The
	                  PD never holds it (it could approve its own
	                  calls): its child closed it before exec. */
};

/* A call the policy refused, as the kernel reported it to the listener. */
struct sandbox_syscall {
	uint64_t id; /* the kernel's cookie, for sandbox_notify_refuse */
	pid_t pid;   /* the calling thread, in the caller's pid
	                namespace (0 if it is not visible there) */
	int nr;      /* system call number (x86_64) */
	uint64_t ip; /* instruction pointer at the call */
	uint64_t args[6];
};

/* Start the PD.  Returns 0, or -errno with a message (without trailing
 * newline) in why.  Never leaves a process, mount or descriptor behind on
 * failure. */
int sandbox_spawn(const struct sandbox_spec *spec, struct sandbox_child *child, char *why,
                  size_t whylen);

/* SIGKILL the PD through its pidfd.  Safe to call on an exited PD. */
int sandbox_kill(const struct sandbox_child *child);

/* Wait for the PD to exit, fill *status as waitpid() does, close the pidfd
 * and the seccomp listener.  Returns 0 or -errno. */
int sandbox_reap(struct sandbox_child *child, int *status);
/* Has the child ended (its pidfd readable), so sandbox_reap would not wait?
 * Never waits; false without a child. */
bool sandbox_exited(const struct sandbox_child *child);

/* Read one refused call from child->notify_fd without blocking: 0, -EAGAIN
 * when none is pending (or it vanished: the caller was killed meanwhile),
 * -EPIPE when no process uses the filter any more (the PD has exited; the
 * listener stays hung up until sandbox_reap closes it), -EBADF without a
 * listener, or another -errno.  The calling thread stays blocked in the
 * kernel until it is answered or killed. */
int sandbox_notify_receive(const struct sandbox_child *child, struct sandbox_syscall *call);

/* Answer a refused call: it fails with -err in the PD.  Kill the PD first
 * when the refusal is fatal, so the thread never runs on; answering a call
 * whose thread is gone returns -ENOENT, which is then no error. */
int sandbox_notify_refuse(const struct sandbox_child *child, uint64_t id, int err);

/* The files the program needs in its root: itself, its ELF interpreter and
 * its shared libraries, resolved as ld.so would.  Returns a NULL-terminated
 * array of absolute paths (free with sandbox_free_deps), or NULL with a
 * message in why. */
char **sandbox_elf_deps(const char *program, char *why, size_t whylen);
void sandbox_free_deps(char **deps);

struct sock_fprog;

/* Compile the policy into classic BPF in *prog (prog->filter is malloc'd;
 * free it).  Returns 0, 1 for "no filter" (SANDBOX_POLICY_NONE), or -errno
 * with a message.  Compiled in the parent so the child never allocates.
 * Public for bench/, which times it and installs it as sandbox_spawn does. */
int policy_compile(enum sandbox_policy policy, struct sock_fprog *prog, char *why, size_t whylen);

#endif
