/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SANDBOX_POLICY_BEAM: the seccomp allowlist of a BEAM PD (beam.smp, its
 * helper erl_child_setup, and the cordon NIF).
 *
 * Measured with strace -f on beam.smp started as monitor/beam.c starts it,
 * with an Elixir application and the cordon NIF, then trimmed: every row
 * says why the runtime needs it.  Larger than the native policy, because
 * the BEAM is a multi-threaded runtime with a JIT, an I/O poller, timers
 * and a fork server; smaller than what the BEAM can use (no sockets, no
 * file writes, no namespaces).
 *
 * Two things a native PD cannot do and a BEAM PD can, and why that is not
 * more authority:
 *  - fork and exec.  beam.smp always starts erl_child_setup (its fork
 *    server, needed even when no port program is ever spawned; the VM
 *    halts at boot without it), by fork + execve of a path in the root.
 *    An exec'd program keeps this filter, no_new_privs, the PD's namespaces
 *    and its empty read-only root, which holds only the Erlang runtime and
 *    the application; what it can run, the BEAM could already do itself
 *    (the BEAM loads and JIT-compiles code by design).  Fork is limited to
 *    a plain child (no CLONE_VM, no new namespace); clone3 is refused with
 *    ENOSYS (its flags are behind a pointer seccomp cannot read) so glibc
 *    falls back to clone, whose flags it can.
 *  - the JIT maps its code twice from a memfd (one view writable, one
 *    executable): never both writable and executable in one mapping.
 *
 * No network: socket() fails with EACCES for every family, so
 * gen_tcp:listen/2 returns {error, eacces} instead of killing the VM (a
 * library probing the network must not take the PD down).  Network access
 * comes only through a grant: a socket the monitor created, bound and put
in listening state, handed in as a descriptor; the few calls that act on
a socket the PD already holds (accept, setsockopt, ...) are allowed, since
without a grant it holds none that reach anything.
 * Anything not listed is refused: the filter's default action notifies
 * the seccomp listener the monitor holds (policy.c, spawn.c), and the
 * monitor kills the PD with a "seccomp syscall=NAME" fault line.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "sandbox/internal.h"
#include "sandbox/policy.h"

#define WX               (PROT_WRITE | PROT_EXEC)
/* O_TMPFILE without O_DIRECTORY: glibc's __O_TMPFILE includes O_DIRECTORY, which
 * opendir() sets, so it cannot be the mask */
#define OPEN_CREATE_BITS (O_CREAT | 020000000)
#define NEW_NS                                                                                     \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)
/* glibc's pthread_create: a thread in this process, no new namespace */
#define THREAD_MASK (CLONE_THREAD | CLONE_VM | NEW_NS)
#define THREAD_VAL  (CLONE_THREAD | CLONE_VM)

#define ALLOW SCMP_ACT_ALLOW

/* clang-format off */
const struct policy_rule policy_beam[] = {
	/* the exec of beam.smp, and erl_child_setup's */
	{ "execveat", ALLOW, 2, { ARG_EQ(0, SANDBOX_EXEC_FD), ARG_EQ(4, AT_EMPTY_PATH) },
	  "the first exec, of beam.smp through fd SANDBOX_EXEC_FD" },
	{ "execve", ALLOW, 0, { },
	  "beam.smp execs erl_child_setup, its fork server (mandatory); the program keeps "
	  "this filter, no_new_privs and the read-only root" },
	{ "clone", ALLOW, 1, { ARG_MASKED(0, THREAD_MASK, THREAD_VAL) },
	  "scheduler, poller, async and NIF threads; never a new namespace" },
	{ "clone", ALLOW, 1, { ARG_MASKED(0, THREAD_MASK, 0) },
	  "the fork of erl_child_setup: a plain child, no shared memory, no new namespace" },
	{ "clone3", SCMP_ACT_ERRNO(ENOSYS), 0, { },
	  "flags behind a pointer: answered ENOSYS so glibc falls back to clone" },
	{ "wait4", ALLOW, 0, { }, "erl_child_setup reaps; the VM's children only (pid namespace)" },
	{ "setsid", ALLOW, 0, { }, "erl_child_setup starts port programs in their own session" },

	/* ld.so, glibc start-up, code loading */
	{ "openat", ALLOW, 1, { ARG_MASKED(2, OPEN_CREATE_BITS, 0) },
	  "libraries, .beam/.app/.boot files; /dev/null for writing (erts needs it at boot). "
	  "Never creating: the root is read-only, so a write-mode open of anything but "
	  "/dev/null fails with EROFS in the kernel" },
	{ "openat", SCMP_ACT_ERRNO(EROFS), 1, { ARG_MASKED(2, O_CREAT, O_CREAT) },
	  "creating a file: EROFS (the root is read-only), so File.write returns an error "
	  "instead of the VM dying" },
	/* the rest of what changes a file system: answered EROFS (the root is
	 * read-only), never reaching the kernel, so File.mkdir, File.rm and
	 * friends return an error instead of killing the VM */
	{ "mkdir", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.mkdir: {error, erofs}" },
	{ "mkdirat", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.mkdir: {error, erofs}" },
	{ "rmdir", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.rmdir: {error, erofs}" },
	{ "unlink", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.rm: {error, erofs}" },
	{ "unlinkat", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.rm: {error, erofs}" },
	{ "rename", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.rename: {error, erofs}" },
	{ "renameat", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.rename: {error, erofs}" },
	{ "renameat2", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.rename: {error, erofs}" },
	{ "symlink", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.ln_s: {error, erofs}" },
	{ "symlinkat", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.ln_s: {error, erofs}" },
	{ "link", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.ln: {error, erofs}" },
	{ "linkat", SCMP_ACT_ERRNO(EROFS), 0, { }, "File.ln: {error, erofs}" },
	{ "access", ALLOW, 0, { }, "ld.so; the code server checks files" },
	{ "readlink", ALLOW, 0, { }, "ld.so; file:read_link_info in the code server" },
	{ "newfstatat", ALLOW, 0, { }, "file sizes for the code server; stdio" },
	{ "getdents64", ALLOW, 0, { }, "the code server lists ebin directories" },
	{ "getcwd", ALLOW, 0, { }, "init and file:get_cwd at boot" },
	{ "chdir", ALLOW, 0, { }, "erl_child_setup changes to a port's cwd (read-only root)" },
	{ "pread64", ALLOW, 0, { }, "ld.so; file reads by the code server" },
	{ "lseek", ALLOW, 0, { }, "file reads" },
	{ "mmap", ALLOW, 1, { ARG_MASKED(2, WX, 0) }, "heaps, carriers, memory regions" },
	{ "mmap", ALLOW, 1, { ARG_MASKED(2, WX, PROT_WRITE) }, "writable, not executable" },
	{ "mmap", ALLOW, 1, { ARG_MASKED(2, WX, PROT_EXEC) },
	  "library text; the JIT's executable view of its memfd (not writable)" },
	{ "mprotect", ALLOW, 1, { ARG_MASKED(2, WX, 0) }, "RELRO, guard pages" },
	{ "mprotect", ALLOW, 1, { ARG_MASKED(2, WX, PROT_WRITE) }, "writable, not executable" },
	{ "mprotect", ALLOW, 1, { ARG_MASKED(2, WX, PROT_EXEC) }, "executable, not writable" },
	{ "munmap", ALLOW, 0, { }, "allocators release carriers" },
	{ "madvise", ALLOW, 0, { }, "allocators return memory (MADV_DONTNEED)" },
	{ "mremap", ALLOW, 0, { }, "allocators grow carriers" },
	{ "brk", ALLOW, 0, { }, "malloc's main heap" },
	{ "memfd_create", ALLOW, 0, { }, "the JIT maps its code area twice from a memfd" },
	{ "ftruncate", ALLOW, 0, { }, "sizing the JIT's memfd (the root has no writable file)" },
	{ "arch_prctl", ALLOW, 1, { ARG_EQ(0, 0x1002 /* ARCH_SET_FS */) },
	  "ld.so and new threads set the thread pointer (TLS)" },
	{ "set_tid_address", ALLOW, 0, { }, "glibc start-up, thread start" },
	{ "set_robust_list", ALLOW, 0, { }, "glibc start-up, thread start" },
	{ "rseq", ALLOW, 0, { }, "glibc registers restartable sequences per thread" },
	{ "prlimit64", ALLOW, 1, { ARG_EQ(2, 0) },
	  "reading RLIMIT_STACK and RLIMIT_NOFILE (max ports); never setting" },
	{ "getrandom", ALLOW, 0, { }, "the VM's random seeds; malloc; stack protector" },
	{ "getrusage", ALLOW, 1, { ARG_EQ(0, 0 /* RUSAGE_SELF */) },
	  "erlang:statistics(runtime): the distribution handshake's challenge" },
	{ "uname", ALLOW, 0, { }, "os:type/os:version at boot" },
	{ "sysinfo", ALLOW, 0, { }, "memory size for allocator defaults" },
	{ "sched_getaffinity", ALLOW, 0, { }, "the VM counts CPUs for its schedulers" },
	{ "prctl", ALLOW, 1, { ARG_EQ(0, PR_SET_NAME) }, "threads name themselves" },
	{ "getpid", ALLOW, 0, { }, "os:getpid; raise()" },
	{ "gettid", ALLOW, 0, { }, "raise(), thread ids" },
	{ "getuid", ALLOW, 0, { }, "identity probes (nobody)" },
	{ "geteuid", ALLOW, 0, { }, "identity probes (nobody)" },
	{ "getgid", ALLOW, 0, { }, "identity probes" },
	{ "getegid", ALLOW, 0, { }, "identity probes" },
	{ "getppid", ALLOW, 0, { }, "erl_child_setup watches its parent" },

	/* descriptors: stdio, erts' internal pipes, the fork server's socket,
	 * the cordon NIF's boot memfd, pages and ctl socket */
	{ "read", ALLOW, 0, { }, "files, pipes, the boot memfd" },
	{ "readv", ALLOW, 0, { }, "file reads in the efile driver" },
	{ "write", ALLOW, 0, { }, "stdout/stderr (relayed by the monitor), wake-up pipes" },
	{ "writev", ALLOW, 0, { }, "stdio, port output" },
	{ "close", ALLOW, 0, { }, "everything it opened" },
	{ "close_range", ALLOW, 0, { }, "erl_child_setup closes inherited descriptors" },
	{ "dup", ALLOW, 0, { }, "erts and erl_child_setup place descriptors" },
	{ "dup2", ALLOW, 0, { }, "erts and erl_child_setup place descriptors" },
	{ "dup3", ALLOW, 0, { }, "erts and erl_child_setup place descriptors" },
	{ "fcntl", ALLOW, 0, { }, "O_NONBLOCK and FD_CLOEXEC on its own descriptors" },
	{ "pipe2", ALLOW, 0, { }, "wake-up pipes between schedulers and the poller" },
	{ "ioctl", SCMP_ACT_ERRNO(ENOTTY), 1, { ARG_EQ(1, TCGETS) },
	  "isatty(): answered 'not a terminal'; every other ioctl is refused" },
	{ "ioctl", SCMP_ACT_ERRNO(ENOTTY), 1, { ARG_EQ(1, TIOCGWINSZ) },
	  "io:columns() (ExUnit's formatter, IEx) asks the terminal's size: answered 'not a "
	  "terminal', as for a pipe" },
	{ "ioctl", ALLOW, 1, { ARG_EQ(1, FIONREAD) }, "bytes readable on a pipe" },
	{ "ioctl", ALLOW, 1, { ARG_EQ(1, FIONBIO) }, "non-blocking mode" },
	{ "socketpair", ALLOW, 1, { ARG_EQ(0, AF_UNIX) },
	  "the channel to erl_child_setup: a private pair, nothing reachable" },
	{ "socket", SCMP_ACT_ERRNO(EACCES), 0, { },
	  "no network without a grant: gen_tcp and friends get {error, eacces}" },
	{ "sendmsg", ALLOW, 0, { }, "erl_child_setup's socketpair; the ctl socket to the monitor" },
	{ "recvmsg", ALLOW, 0, { }, "erl_child_setup's socketpair; the ctl socket" },
	{ "sendto", ALLOW, 0, { }, "send() on those sockets" },
	{ "recvfrom", ALLOW, 0, { }, "recv() on those sockets" },
	{ "getsockopt", ALLOW, 0, { }, "socket options of the handed-in sockets" },
	{ "shutdown", ALLOW, 0, { }, "closing the fork server's socket; a granted connection" },
	/* a grant's socket (tcp_listen): the monitor created, bound and listened
	 * on it; these act only on sockets the PD holds, and it can make none */
	{ "listen", ALLOW, 0, { }, "gen_tcp re-listens on a granted socket (backlog only)" },
	{ "accept4", ALLOW, 0, { }, "connections on a granted listening socket" },
	{ "accept", ALLOW, 0, { }, "connections on a granted listening socket" },
	{ "getsockname", ALLOW, 0, { }, "inet:sockname of a granted socket" },
	{ "getpeername", ALLOW, 0, { }, "inet:peername of an accepted connection" },
	{ "setsockopt", ALLOW, 0, { }, "gen_tcp options (nodelay, buffers) on granted sockets" },

	/* waiting: the I/O poller, timers, futexes */
	{ "epoll_create", ALLOW, 0, { }, "the VM's I/O pollset" },
	{ "epoll_create1", ALLOW, 0, { }, "the VM's I/O pollset" },
	{ "epoll_ctl", ALLOW, 0, { }, "pollset updates" },
	{ "epoll_wait", ALLOW, 0, { }, "the poller thread" },
	{ "epoll_pwait", ALLOW, 0, { }, "the poller thread" },
	{ "poll", ALLOW, 0, { }, "erl_child_setup; short waits" },
	{ "ppoll", ALLOW, 0, { }, "the scheduler's own poll" },
	{ "pselect6", ALLOW, 0, { }, "erl_child_setup waits on its sockets" },
	{ "timerfd_create", ALLOW, 0, { }, "the poller's timeouts" },
	{ "timerfd_settime", ALLOW, 0, { }, "the poller's timeouts" },
	{ "futex", ALLOW, 0, { }, "thread synchronisation; notifications and protected calls" },
	{ "futex_waitv", ALLOW, 0, { }, "the cordon NIF waits on all its channels at once" },
	{ "sched_yield", ALLOW, 0, { }, "spinning locks; adaptive IPC waits" },
	{ "clock_gettime", ALLOW, 0, { }, "time (vDSO fallback)" },
	{ "clock_getres", ALLOW, 0, { }, "the VM checks its clock sources" },
	{ "clock_nanosleep", ALLOW, 0, { }, "timer:sleep in NIF threads, usleep" },
	{ "nanosleep", ALLOW, 0, { }, "usleep() in older code" },

	/* signals and exit */
	{ "rt_sigaction", ALLOW, 0, { }, "the VM's signal handlers (SIGTERM: init:stop)" },
	{ "rt_sigprocmask", ALLOW, 0, { }, "threads block signals" },
	{ "rt_sigreturn", ALLOW, 0, { }, "return from a handler" },
	{ "rt_sigtimedwait", ALLOW, 0, { }, "the signal dispatcher thread" },
	{ "sigaltstack", ALLOW, 0, { }, "handlers on their own stack" },
	{ "kill", ALLOW, 0, { },
	  "the VM signals itself and erl_child_setup its port programs; the pid "
	  "namespace holds nothing else" },
	{ "tgkill", ALLOW, 0, { }, "raise() and thread signals, inside the pid namespace" },
	{ "exit", ALLOW, 0, { }, "a thread ends" },
	{ "exit_group", ALLOW, 0, { }, "the VM halts" },
};
/* clang-format on */

const size_t policy_beam_len = sizeof(policy_beam) / sizeof(policy_beam[0]);
