/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox internals: shared by spawn.c, plan.c, policy.c and the unit tests.
 * Nothing here is part of the contract in sandbox.h.
 */
#ifndef CORDON_SANDBOX_INTERNAL_H
#define CORDON_SANDBOX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sandbox/sandbox.h"
#include "util/why.h"

/*
 * The exec trick (see spawn.c and docs/security.md):
 *
 * The child opens its program O_PATH|O_CLOEXEC at SANDBOX_EXEC_FD, lowers
 * RLIMIT_NOFILE (soft and hard) to SANDBOX_NOFILE, and installs a seccomp
 * filter that allows execveat() only as execveat(SANDBOX_EXEC_FD, "", ...,
 * AT_EMPTY_PATH).  The exec closes that fd (close-on-exec), and the PD can
 * never own descriptor number SANDBOX_EXEC_FD again (it is above the hard
 * limit, which it cannot raise without CAP_SYS_RESOURCE), so after the one
 * exec there is no second.
 *
 * SANDBOX_NOFILE bounds the PD's descriptors: it must exceed every dst the
 * monitor hands in (IPC_FD_FIRST + 4 fds per channel * 63 + 64 maps + ctl is
 * about 325).  SANDBOX_EXEC_FD stays below 1024, the usual soft limit, so
 * the child can place it without raising its own limit.
 */
#define SANDBOX_NOFILE  512
#define SANDBOX_EXEC_FD 1000

_Static_assert(SANDBOX_EXEC_FD >= SANDBOX_NOFILE, "the exec fd must be unreachable to the PD");

/* ---- plan.c: what the child mounts in its empty root ---- */

enum plan_kind {
	PLAN_DIR,  /* an empty directory (a component of a deeper path) */
	PLAN_LINK, /* a symlink with the host's target, replicated as is */
	PLAN_FILE, /* a regular file, bind-mounted read-only */
	PLAN_TREE, /* a directory, bind-mounted read-only with its submounts */
};

struct plan_entry {
	enum plan_kind kind;
	char *path;   /* absolute, no symlink in any component but maybe the last */
	char *target; /* PLAN_LINK only */
};

struct plan {
	struct plan_entry *v; /* parents always precede their children */
	size_t n, cap;
};

/* Add an absolute host path: every directory on the way, every symlink
 * met (so both the link and what it points to exist in the root), and the
 * file or directory itself.  Returns 0 or -errno with a message. */
int plan_add(struct plan *p, const char *path, char *why, size_t whylen);

/* Add a symlink that exists only in the PD's root (and the directories on
 * its way), without looking at the host.  Returns 0 or -errno. */
int plan_add_link(struct plan *p, const char *path, const char *target, char *why, size_t whylen);

/* Drop entries that lie under a PLAN_TREE (the bind already shows them). */
void plan_finish(struct plan *p);
void plan_free(struct plan *p);

/* ---- deps.c: what ld.so will open ---- */

/* sandbox_elf_deps() returning its status: 0 with the list in *out, or
 * -errno with a message.  Also says whether the program's own
 * DT_RUNPATH/DT_RPATH uses $ORIGIN: ld.so expands that from
 * readlink("/proc/self/exe"), which the PD's root then has to answer
 * (spawn.c adds a plain symlink there; there is no procfs). */
int deps_find(const char *program, char ***out, int *origin_exe, char *why, size_t whylen);

/* ---- policy.c / policy_native.c: seccomp filters ---- */

/* policy_compile: in sandbox.h (the benchmarks time it). */

/* Nonzero when the policy's filter is installed with a listener, which
 * the parent takes from the child before its exec: BEAM (refused calls go
 * there) and native (every execveat goes there; the parent lets the first
 * through and closes it). */
int policy_listener(enum sandbox_policy policy);
/* Nonzero when the policy's default action is SCMP_ACT_NOTIFY (BEAM): the
 * listener is the caller's for the PD's life. */
int policy_default_notifies(enum sandbox_policy policy);

/* notify.c: answer notification `id` on `listener` with "let the call
 * run" (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Only for a call of code we
 * trust (spawn.c, the child's own exec).  0 or -errno. */
int notify_continue(int listener, uint64_t id);

/* Write a message into why (if whylen > 0) and return ret, a -errno. */
#define sandbox_fail why_fail

#endif
