/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SANDBOX_POLICY_NATIVE: the seccomp allowlist of a native (libcordon) PD.
 *
 * A native PD is single-threaded, has no files but the read-only libraries
 * of its root, and talks to the world only through the descriptors the
 * monitor handed in (pipes, memfds, one SOCK_SEQPACKET ctl socket, and
 * the listening sockets of its grants).  Every
 * row says why the call is needed; the list was measured with strace -f on
 * the probes in tests/sandbox and against what libcordon does at run time.
 * Anything not here is trapped: SIGSYS with si_syscall set, which
 * libcordon's handler reports to the monitor before the PD dies.
 *
 * Each argument condition is tested both ways in tests/sandbox/unit.c: the
 * allowed form succeeds, a perturbed one is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "sandbox/internal.h"
#include "sandbox/policy.h"

/* Never both writable and executable in one call (W^X per call: see
 * docs/security.md for what this does not cover). */
#define WX (PROT_WRITE | PROT_EXEC)

/* Opening read-only: no write access, no creation, no truncation, no
 * O_TMPFILE.  The root holds only read-only libraries anyway; this keeps a
 * mistake in the root from becoming a writable file.  O_TMPFILE is
 * (__O_TMPFILE_BIT | O_DIRECTORY): refusing its own bit refuses it, and
 * leaves O_DIRECTORY (opendir) allowed. */
#define O_TMPFILE_OWN_BIT (__O_TMPFILE & ~O_DIRECTORY)
#define OPEN_WRITE_BITS   (O_ACCMODE | O_CREAT | O_TRUNC | O_TMPFILE_OWN_BIT)

#define ALLOW SCMP_ACT_ALLOW

/* clang-format off */
const struct policy_rule policy_native[] = {
	/* the exec itself: installed just before it, see "the exec trick" */
	{ "execveat", SCMP_ACT_NOTIFY, 0, { },
	  "every exec goes to the sandbox's listener, which lets exactly one through, the "
	  "sandbox's own, and is then closed: any other gets ENOSYS, whatever it names (an "
	  "absolute path makes the kernel ignore the descriptor, and a filter cannot read "
	  "the path)" },

	/* ld.so and glibc start-up */
	{ "openat", ALLOW, 1, { ARG_MASKED(2, OPEN_WRITE_BITS, O_RDONLY) },
	  "ld.so opens the shared libraries in the root; read-only only" },
	{ "access", ALLOW, 0, { }, "ld.so checks /etc/ld.so.preload (absent)" },
	{ "readlink", ALLOW, 0, { },
	  "ld.so expands $ORIGIN from /proc/self/exe (a plain symlink in the root)" },
	{ "newfstatat", ALLOW, 0, { }, "ld.so sizes libraries; stdio sizes its buffers (fstat)" },
	{ "pread64", ALLOW, 0, { }, "ld.so reads program headers and notes" },
	{ "mmap", ALLOW, 1, { ARG_MASKED(2, WX, 0) },
	  "data and anonymous memory; memory regions (MAP_SHARED|MAP_FIXED of memfds)" },
	{ "mmap", ALLOW, 1, { ARG_MASKED(2, WX, PROT_WRITE) }, "writable, not executable" },
	{ "mmap", ALLOW, 1, { ARG_MASKED(2, WX, PROT_EXEC) },
	  "ld.so maps library text executable, not writable" },
	{ "mprotect", ALLOW, 1, { ARG_MASKED(2, WX, 0) }, "ld.so's RELRO; guard pages" },
	{ "mprotect", ALLOW, 1, { ARG_MASKED(2, WX, PROT_WRITE) }, "writable, not executable" },
	{ "mprotect", ALLOW, 1, { ARG_MASKED(2, WX, PROT_EXEC) }, "executable, not writable" },
	{ "munmap", ALLOW, 0, { }, "ld.so, malloc and libcordon release mappings" },
	{ "brk", ALLOW, 0, { }, "malloc's main heap" },
	{ "arch_prctl", ALLOW, 1, { ARG_EQ(0, 0x1002 /* ARCH_SET_FS */) },
	  "ld.so sets the thread pointer for TLS" },
	{ "set_tid_address", ALLOW, 0, { }, "glibc start-up (the thread's tid pointer)" },
	{ "set_robust_list", ALLOW, 0, { }, "glibc start-up (robust futex list)" },
	{ "rseq", ALLOW, 0, { }, "glibc start-up registers restartable sequences" },
	{ "prlimit64", ALLOW, 2, { ARG_EQ(0, 0), ARG_EQ(2, 0) },
	  "glibc reads RLIMIT_STACK at start-up; reading own limits only, never setting" },
	{ "getrandom", ALLOW, 0, { }, "malloc seeds its tcache hardening; stack protector" },

	/* descriptors handed in */
	{ "read", ALLOW, 0, { }, "ld.so reads ELF headers; the boot memfd; stdin" },
	{ "write", ALLOW, 0, { }, "stdout, stderr (the monitor relays them), cordon_dbg_puts" },
	{ "writev", ALLOW, 0, { }, "stdio and glibc's fatal-error messages" },
	{ "lseek", ALLOW, 0, { }, "stdio on handed descriptors" },
	{ "close", ALLOW, 0, { }, "ld.so closes libraries; libcordon closes what it mapped" },
	{ "ioctl", SCMP_ACT_ERRNO(ENOTTY), 1, { ARG_EQ(1, TCGETS) },
	  "isatty() from stdio: answered 'not a terminal'; every other ioctl (TIOCSTI...) traps" },
	{ "sendmsg", ALLOW, 0, { }, "the ctl SOCK_SEQPACKET socket to the monitor" },
	{ "sendto", ALLOW, 0, { }, "the ctl socket (send())" },
	{ "recvmsg", ALLOW, 0, { }, "the ctl socket" },
	{ "recvfrom", ALLOW, 0, { }, "the ctl socket (recv()); granted connections" },

	/* a grant's socket (tcp_listen): the monitor created, bound and put it in
	 * listening state.  These act only on sockets the PD already holds, and
	 * it can make none (socket, socketpair, bind, connect stay trapped):
	 * without a grant they reach nothing but the ctl socket, where they fail */
	{ "accept4", ALLOW, 0, { }, "connections on a granted listening socket" },
	{ "accept", ALLOW, 0, { }, "glibc's accept() on a granted listening socket" },
	{ "listen", ALLOW, 0, { }, "a new backlog for a granted socket (it is bound already)" },
	{ "getsockname", ALLOW, 0, { }, "the address and port a granted socket listens on" },
	{ "getpeername", ALLOW, 0, { }, "the client of an accepted connection" },
	{ "setsockopt", ALLOW, 0, { },
	  "options of granted sockets and connections (timeouts, TCP_NODELAY, buffers)" },
	{ "getsockopt", ALLOW, 0, { }, "options of granted sockets (SO_ERROR, buffers)" },
	{ "shutdown", ALLOW, 0, { }, "half-closing an accepted connection" },

	/* IPC: futexes in shared memory */
	{ "futex", ALLOW, 0, { }, "notifications and protected calls wait and wake on futexes" },
	{ "futex_waitv", ALLOW, 0, { }, "the event loop waits on all its channels at once" },
	{ "sched_yield", ALLOW, 0, { }, "adaptive spinning before sleeping" },

	/* time */
	{ "clock_gettime", ALLOW, 0, { }, "timestamps, timeouts (vDSO fallback)" },
	{ "clock_nanosleep", ALLOW, 0, { }, "sleep() and usleep() in glibc" },
	{ "nanosleep", ALLOW, 0, { }, "usleep() in older code" },

	/* signals and exit */
	{ "rt_sigaction", ALLOW, 0, { }, "libcordon installs its fault handlers" },
	{ "rt_sigprocmask", ALLOW, 0, { }, "glibc masks signals around abort() and raise()" },
	{ "rt_sigreturn", ALLOW, 0, { }, "return from a signal handler" },
	{ "sigaltstack", ALLOW, 0, { }, "fault handlers run on their own stack (stack overflow)" },
	{ "getpid", ALLOW, 0, { }, "raise() and abort() (always 1: the PD is its namespace's init)" },
	{ "gettid", ALLOW, 0, { }, "raise() and abort()" },
	{ "tgkill", ALLOW, 2, { ARG_EQ(0, 1), ARG_EQ(1, 1) },
	  "raise()/abort() toward itself only: pid 1 of its own namespace" },
	{ "kill", ALLOW, 1, { ARG_EQ(0, 1) }, "kill(getpid(), sig) toward itself only" },
	{ "kill", ALLOW, 1, { ARG_EQ(1, 0) },
	  "signal 0 only probes existence: the PD's pid namespace holds nothing but itself" },
	{ "exit", ALLOW, 0, { }, "the end of the PD's only thread" },
	{ "exit_group", ALLOW, 0, { }, "exit() and _exit(): the PD ends" },
};
/* clang-format on */

const size_t policy_native_len = sizeof(policy_native) / sizeof(policy_native[0]);
