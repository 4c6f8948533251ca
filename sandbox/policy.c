/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Compile a PD's seccomp policy into classic BPF with libseccomp, in the
 * parent: the child must not allocate after clone, so it only hands the
 * finished program to seccomp(2).
 *
 * What a call no row allows meets depends on the PD's kind:
 *  - native: SCMP_ACT_TRAP.  The kernel forces SIGSYS with si_syscall set;
 *    libcordon's handler reports the call over the ctl socket and dies.
 *    Its one exception is execveat, sent to a listener that exists only
 *    until the sandbox's own exec has run (spawn.c, allow_first_exec).
 *  - BEAM: SCMP_ACT_NOTIFY.  The BEAM has no such handler (a SIGSYS would
 *    kill it with nothing said), so the call is suspended and reported to
 *    the seccomp listener the parent holds (spawn.c, notify.c); the monitor
 *    names the call and kills the PD.  The report comes from the kernel,
 *    not from the PD, and a NIF installing its own SIGSYS handler cannot
 *    survive the refusal.
 *
 * Only x86_64 is allowed.  A call through another ABI on the same kernel
 * (i386 via int 0x80, x32 with __X32_SYSCALL_BIT) kills the process: the
 * table names x86_64 numbers and means nothing for the others.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/internal.h"
#include "sandbox/policy.h"

static int add_rules(scmp_filter_ctx ctx, const struct policy_rule *t, size_t n, char *why,
                     size_t whylen)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(t[i].syscall);
		if (nr == __NR_SCMP_ERROR)
			return sandbox_fail(why, whylen, -EINVAL, "seccomp: unknown syscall %s",
			                    t[i].syscall);
		int rc = seccomp_rule_add_array(ctx, t[i].action, nr, t[i].nargs, t[i].args);
		if (rc < 0)
			return sandbox_fail(why, whylen, rc, "seccomp: rule for %s: %s",
			                    t[i].syscall, strerror(-rc));
	}
	return 0;
}

/* libseccomp 2.5 exports only to a descriptor: go through a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog, char *why, size_t whylen)
{
	int fd = memfd_create("cordon-seccomp", MFD_CLOEXEC), rc;
	struct stat st;
	void *buf = NULL;

	if (fd < 0)
		return sandbox_fail(why, whylen, -errno, "memfd_create: %s", strerror(errno));
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		rc = sandbox_fail(why, whylen, rc, "seccomp_export_bpf: %s", strerror(-rc));
		goto out;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = sandbox_fail(why, whylen, -EINVAL, "seccomp: bad filter size");
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size))) {
		rc = sandbox_fail(why, whylen, -ENOMEM, "out of memory");
		goto out;
	}
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		rc = sandbox_fail(why, whylen, -EIO, "seccomp: reading the filter back");
		goto out;
	}
	prog->filter = buf;
	prog->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int policy_listener(enum sandbox_policy policy)
{
	return policy == SANDBOX_POLICY_BEAM || policy == SANDBOX_POLICY_NATIVE;
}

int policy_default_notifies(enum sandbox_policy policy)
{
	return policy == SANDBOX_POLICY_BEAM;
}

int policy_compile(enum sandbox_policy policy, struct sock_fprog *prog, char *why, size_t whylen)
{
	scmp_filter_ctx ctx = NULL;
	const struct policy_rule *table = policy_native;
	size_t ntable = policy_native_len;
	int rc;

	prog->filter = NULL;
	prog->len = 0;
	switch (policy) {
	case SANDBOX_POLICY_NONE:
		return 1;
	case SANDBOX_POLICY_BEAM:
		table = policy_beam, ntable = policy_beam_len;
		break;
	case SANDBOX_POLICY_NATIVE:
		break;
	default:
		return sandbox_fail(why, whylen, -EINVAL, "unknown sandbox policy %d", (int)policy);
	}
	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return sandbox_fail(why, whylen, -ENOSYS,
		                    "the seccomp policies are written for x86_64");
	if (!(ctx =
	          seccomp_init(policy_default_notifies(policy) ? SCMP_ACT_NOTIFY : SCMP_ACT_TRAP)))
		return sandbox_fail(why, whylen, -ENOMEM, "seccomp_init failed");
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0) {
		rc = sandbox_fail(why, whylen, rc, "seccomp: bad-arch action: %s", strerror(-rc));
		goto out;
	}
	if ((rc = add_rules(ctx, table, ntable, why, whylen)) < 0)
		goto out;
	rc = export_bpf(ctx, prog, why, whylen);
out:
	seccomp_release(ctx);
	return rc;
}
