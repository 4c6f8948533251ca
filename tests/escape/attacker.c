/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The escape suite's attacker: a compromised PD that tries to get out.
 *
 * Each PD of escape.system that runs this program makes one attack, chosen
 * by its own name (a PD gets no argv), and says what happened, one line
 * each, relayed by the monitor as "NAME| ...":
 *
 *   try: WHAT            about to make an attempt the kernel should answer
 *                        by killing the PD: a call seccomp traps (the test
 *                        expects "MON|FAULT: pd=NAME seccomp syscall=X
 *                        signal=SIGSYS") or a memory fault (signal=SIGSEGV
 *                        addr=...), and no line after this one;
 *   refused: WHAT: EXXX  the kernel refused the call with that errno;
 *   ESCAPED: WHAT        the call did what an attacker wanted.  Never
 *                        expected; the test forbids it;
 *   not trapped: WHAT    a call that should have been trapped came back
 *                        (failed with an errno); the test forbids it too;
 *   done                 the attack is over and the PD lived through it.
 *
 * Nothing here is libcordon's business: the attacks use raw system calls
 * and the descriptors named in the boot information (fd 3), as hostile
 * code would.  Only verdicts go through cordon_dbg_printf.
 */
#include <cordon.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ipc/abi.h"

/* The descriptor of the sandbox's one exec (docs/security.md, "the exec
 * trick"): public knowledge, so an attacker would try it. */
#define EXEC_FD 1000

/* ---- verdicts ---- */

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

/* The call rc (with errno e) should have failed. */
static void verdict(const char *what, long rc, int e)
{
	if (rc < 0)
		cordon_dbg_printf("refused: %s: %s\n", what, ename(e));
	else
		cordon_dbg_printf("ESCAPED: %s returned %ld\n", what, rc);
}

/* Evaluate the call first, then errno: argument order is unspecified. */
#define REFUSED(what, call)                                                                        \
	do {                                                                                       \
		long rc_ = (long)(call);                                                           \
		int e_ = errno;                                                                    \
		verdict(what, rc_, e_);                                                            \
	} while (0)

/* mmap returns MAP_FAILED, not -1 as a long. */
#define MAP_REFUSED(what, call)                                                                    \
	do {                                                                                       \
		void *p_ = (call);                                                                 \
		int e_ = errno;                                                                    \
		verdict(what, p_ == MAP_FAILED ? -1 : 0, e_);                                      \
	} while (0)

/* A call seccomp should trap: announce it, make it, and if it comes back
 * say so (the PD should be dead by then). */
#define TRAPPED(what, call)                                                                        \
	do {                                                                                       \
		cordon_dbg_printf("try: %s\n", what);                                              \
		long rc_ = (long)(call);                                                           \
		int e_ = errno;                                                                    \
		if (rc_ >= 0)                                                                      \
			cordon_dbg_printf("ESCAPED: %s returned %ld\n", what, rc_);                \
		else                                                                               \
			cordon_dbg_printf("not trapped: %s failed with %s\n", what, ename(e_));    \
	} while (0)

static void done(void)
{
	cordon_dbg_puts("done\n");
}

/* ---- what the PD was given, read as an attacker would: from fd 3 ---- */

static struct ipc_boot boot;

static void read_boot(void)
{
	if (pread(IPC_FD_BOOT, &boot, sizeof(boot), 0) != (ssize_t)sizeof(boot)) {
		cordon_dbg_puts("cannot read the boot information\n");
		exit(1);
	}
}

/* The first channel of the boot information (attackers with a channel to
 * the victim have exactly one). */
static const struct ipc_boot_channel *chan0(void)
{
	if (boot.nchannels < 1) {
		cordon_dbg_puts("this attack needs a channel in escape.system\n");
		exit(1);
	}
	return &boot.channels[0];
}

static const struct ipc_boot_map *map0(void)
{
	if (boot.nmaps < 1) {
		cordon_dbg_puts("this attack needs a <map> in escape.system\n");
		exit(1);
	}
	return &boot.maps[0];
}

/* Descriptors the boot information grants with write access. */
static bool granted_rw(int fd)
{
	for (unsigned i = 0; i < boot.nchannels && i < IPC_MAX_CHANNELS; i++) {
		const struct ipc_boot_channel *c = &boot.channels[i];
		if (fd == c->own_fd || fd == c->txq_fd)
			return true;
	}
	for (unsigned i = 0; i < boot.nmaps && i < IPC_MAX_MAPS; i++)
		if (fd == boot.maps[i].fd && (boot.maps[i].perms & IPC_PERM_W))
			return true;
	return false;
}

static bool granted(int fd)
{
	if (fd <= IPC_FD_BOOT || fd == boot.ctl_fd || fd == boot.mon_fd || granted_rw(fd))
		return true;
	for (unsigned i = 0; i < boot.nchannels && i < IPC_MAX_CHANNELS; i++) {
		const struct ipc_boot_channel *c = &boot.channels[i];
		if (fd == c->peer_fd || fd == c->rxq_fd)
			return true;
	}
	for (unsigned i = 0; i < boot.nmaps && i < IPC_MAX_MAPS; i++)
		if (fd == boot.maps[i].fd)
			return true;
	for (unsigned i = 0; i < boot.ngrants && i < IPC_MAX_GRANTS; i++)
		if (fd == boot.grants[i].fd)
			return true;
	return false;
}

/* ---- files ---- */

/* Open each path of a NULL-terminated list read-only; say what happened. */
static void open_each(const char *const *paths)
{
	for (; *paths; paths++) {
		char what[96];
		snprintf(what, sizeof(what), "open %s", *paths);
		REFUSED(what, open(*paths, O_RDONLY));
	}
}

static void file_abs_path(void)
{
	static const char *const paths[] = {"/etc/shadow", "/etc/passwd", "/root", "/var/log",
	                                    NULL};
	open_each(paths);
	done();
}

static void file_dotdot(void)
{
	static const char *const paths[] = {"../../../../../../etc/passwd",
	                                    "/lib/../../../etc/passwd", NULL};
	open_each(paths);
	/* Relative to directory descriptors: .. of the root is the root. */
	REFUSED("openat(/lib O_PATH, ../../../etc/passwd)",
	        openat(open("/lib", O_PATH), "../../../etc/passwd", O_RDONLY));
	REFUSED("openat(/ O_DIRECTORY, ../etc/passwd)",
	        openat(open("/", O_RDONLY | O_DIRECTORY), "../etc/passwd", O_RDONLY));
	done();
}

static void file_proc1_root(void)
{
	static const char *const paths[] = {"/proc/1/root/etc/passwd", "/proc/self/root/etc/passwd",
	                                    "/proc/1/cwd", NULL};
	open_each(paths);
	done();
}

static void file_create(void)
{
	TRAPPED("open /escape O_WRONLY|O_CREAT", open("/escape", O_WRONLY | O_CREAT, 0600));
}

static void file_openat2(void)
{
	/* openat2's flags live in a struct seccomp cannot read, so the policy
	 * must not allow it at all. */
	struct open_how how = {.flags = O_RDWR | O_CREAT, .mode = 0600};
	TRAPPED("openat2 /escape O_RDWR|O_CREAT",
	        syscall(SYS_openat2, AT_FDCWD, "/escape", &how, sizeof(how)));
}

static void file_open_by_handle(void)
{
	/* The "shocker" attack: a forged handle of the host root's inode
	 * (ext4: inode 2) opened relative to any descriptor on that fs. */
	struct {
		struct file_handle fh;
		unsigned char bytes[8];
	} h = {.fh = {.handle_bytes = 8, .handle_type = 1}, .bytes = {2, 0, 0, 0, 0, 0, 0, 0}};
	TRAPPED("open_by_handle_at(fd 3, root inode handle)",
	        syscall(SYS_open_by_handle_at, IPC_FD_BOOT, &h.fh, O_RDONLY));
}

static void file_name_to_handle(void)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[128];
	} h = {.fh = {.handle_bytes = 128}};
	int mount_id;
	TRAPPED("name_to_handle_at /lib",
	        syscall(SYS_name_to_handle_at, AT_FDCWD, "/lib", &h.fh, &mount_id, 0));
}

static void file_write_library(void)
{
	/* The loader is in the root, read-only: a shared writable mapping of
	 * it would write the host's file. */
	int fd = open("/lib64/ld-linux-x86-64.so.2", O_RDONLY);
	if (fd < 0) {
		cordon_dbg_printf("cannot open the loader: %s\n", ename(errno));
		return;
	}
	MAP_REFUSED("mmap the loader PROT_WRITE MAP_SHARED",
	            mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	REFUSED("write to the loader's descriptor", write(fd, "x", 1));
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (ro != MAP_FAILED)
		REFUSED("mprotect the loader's shared mapping PROT_WRITE",
		        mprotect(ro, 4096, PROT_READ | PROT_WRITE));
	done();
}

static void file_unlink(void)
{
	TRAPPED("unlink /lib64/ld-linux-x86-64.so.2", unlink("/lib64/ld-linux-x86-64.so.2"));
}

/* ---- network ---- */

static void net_socket_af(int af)
{
	char what[64];
	snprintf(what, sizeof(what), "socket(family %d)", af);
	TRAPPED(what, socket(af, SOCK_DGRAM, 0));
}

static void net_socketpair(void)
{
	int sv[2];
	TRAPPED("socketpair(AF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
}

static void net_connect_ctl(void)
{
	/* Reuse the one socket the PD has, toward the host's abstract
	 * namespace (its network namespace is the PD's, but try anyway). */
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "\0cordon"};
	TRAPPED("connect(ctl socket, @cordon)",
	        connect(boot.ctl_fd, (struct sockaddr *)&sa, sizeof(sa)));
}

static void net_grant_calls(void)
{
	/* The policy allows the calls that act on a granted listening socket
	 * (listen, accept4, getsockname, ...).  Without a grant the PD holds
	 * no socket they can use: the ctl socket is connected and unbound,
	 * the rest are not sockets.  It cannot make one a listener either:
	 * bind is trapped. */
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	REFUSED("listen(ctl socket)", listen(boot.ctl_fd, 16));
	REFUSED("accept4(ctl socket)", accept4(boot.ctl_fd, NULL, NULL, 0));
	REFUSED("accept4(stdout)", accept4(1, NULL, NULL, 0));
	REFUSED("listen(the monitor page)", listen(boot.mon_fd, 16));
	if (getsockname(boot.ctl_fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family != AF_UNIX)
		cordon_dbg_printf("ESCAPED: the ctl socket has address family %d\n", ss.ss_family);
	TRAPPED("bind(ctl socket, @cordon)",
	        bind(boot.ctl_fd, (struct sockaddr *)&(struct sockaddr_un){AF_UNIX, "\0cordon"},
	             sizeof(struct sockaddr_un)));
}

static void net_ctl_sendto(void)
{
	/* sendto is allowed (libcordon's ctl socket).  Aim it elsewhere: on a
	 * connected socket the kernel ignores the address, so the datagram can
	 * only reach the monitor, which must refuse it. */
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/run/systemd/notify"};
	long rc =
	    sendto(boot.ctl_fd, "READY=1", 7, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
	cordon_dbg_printf("sendto(ctl socket, /run/systemd/notify): returned %ld\n", rc);
	done();
}

/* ---- exec, clone, ptrace ---- */

static char *const no_argv[] = {"sh", NULL};
static char *const no_envp[] = {NULL};

static void exec_execve(void)
{
	TRAPPED("execve /bin/sh", execve("/bin/sh", no_argv, no_envp));
}

static void exec_execveat_1000(void)
{
	/* The one exec: fd 1000, closed by that exec and above RLIMIT_NOFILE,
	 * so it can never be reopened; and the listener that let it through
	 * is closed, so any execveat is answered ENOSYS. */
	REFUSED("execveat(1000, \"\", AT_EMPTY_PATH)",
	        syscall(SYS_execveat, EXEC_FD, "", no_argv, no_envp, AT_EMPTY_PATH));
	TRAPPED("dup3(0, 1000)", syscall(SYS_dup3, 0, EXEC_FD, 0));
}

static void exec_execveat_other(void)
{
	int fd = open("/lib64/ld-linux-x86-64.so.2", O_RDONLY);
	REFUSED("execveat(loader fd, \"\", AT_EMPTY_PATH)",
	        syscall(SYS_execveat, fd, "", no_argv, no_envp, AT_EMPTY_PATH));
	done();
}

static void exec_every_way(void)
{
	/* Every way of naming a file to exec.  The kernel ignores the
	 * descriptor when the path is absolute, and a filter cannot read the
	 * path: the first one ran ld.so, which then loads any file in the
	 * root, before the exec rule went through the sandbox's listener. */
	static const char ld[] = "/lib64/ld-linux-x86-64.so.2";
	REFUSED("execveat(1000, absolute path, AT_EMPTY_PATH)",
	        syscall(SYS_execveat, EXEC_FD, ld, no_argv, no_envp, AT_EMPTY_PATH));
	REFUSED("execveat(1000, absolute path, 0)",
	        syscall(SYS_execveat, EXEC_FD, ld, no_argv, no_envp, 0));
	REFUSED("execveat(1000, relative path, AT_EMPTY_PATH)",
	        syscall(SYS_execveat, EXEC_FD, ld + 1, no_argv, no_envp, AT_EMPTY_PATH));
	REFUSED("execveat(1000, relative path, 0)",
	        syscall(SYS_execveat, EXEC_FD, ld + 1, no_argv, no_envp, 0));
	REFUSED("execveat(AT_FDCWD, absolute path, 0)",
	        syscall(SYS_execveat, AT_FDCWD, ld, no_argv, no_envp, 0));
	int fd = open(ld, O_PATH);
	REFUSED("fexecve(O_PATH fd of ld.so)",
	        syscall(SYS_execveat, fd, "", no_argv, no_envp, AT_EMPTY_PATH));
	REFUSED(
	    "execveat(root fd, relative path, 0)",
	    syscall(SYS_execveat, open("/", O_PATH | O_DIRECTORY), ld + 1, no_argv, no_envp, 0));
	/* A memfd: its own memfd_create is trapped (mem_memfd_create); the
	 * boot information is one, handed in. */
	REFUSED("fexecve(the boot memfd)",
	        syscall(SYS_execveat, IPC_FD_BOOT, "", no_argv, no_envp, AT_EMPTY_PATH));
	TRAPPED("execve(absolute path)", execve(ld, no_argv, no_envp));
}

static void exec_fork(void)
{
	TRAPPED("fork()", fork());
}

static void exec_clone3(void)
{
	uint64_t args[11] = {0};
	args[4] = SIGCHLD; /* exit_signal */
	TRAPPED("clone3()", syscall(SYS_clone3, args, sizeof(args)));
}

static void exec_vfork(void)
{
	TRAPPED("vfork()", syscall(SYS_vfork));
}

static void ptrace_attach(void)
{
	TRAPPED("ptrace(PTRACE_ATTACH, 2)", ptrace(PTRACE_ATTACH, 2, NULL, NULL));
}

static void ptrace_traceme(void)
{
	TRAPPED("ptrace(PTRACE_TRACEME)", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static void pvm_readv(void)
{
	char buf[64];
	struct iovec local = {buf, sizeof(buf)}, remote = {(void *)0x400000, sizeof(buf)};
	TRAPPED("process_vm_readv(pid 2)",
	        syscall(SYS_process_vm_readv, 2, &local, 1, &remote, 1, 0));
}

static void pvm_writev(void)
{
	char buf[64] = "owned";
	struct iovec local = {buf, sizeof(buf)}, remote = {(void *)0x400000, sizeof(buf)};
	TRAPPED("process_vm_writev(pid 2)",
	        syscall(SYS_process_vm_writev, 2, &local, 1, &remote, 1, 0));
}

static void pidfd_open_pid(void)
{
	TRAPPED("pidfd_open(2)", syscall(SYS_pidfd_open, 2, 0));
}

static void pidfd_getfd(void)
{
	/* Guess that fd 3 were a pidfd of someone: pidfd_getfd would copy
	 * that process's descriptor 0 into this PD. */
	TRAPPED("pidfd_getfd(3, 0)", syscall(SYS_pidfd_getfd, IPC_FD_BOOT, 0, 0));
}

/* ---- signals ---- */

static void signal_kill_all(void)
{
	TRAPPED("kill(-1, SIGKILL)", kill(-1, SIGKILL));
}

static void signal_process_group(void)
{
	TRAPPED("kill(0, SIGKILL)", kill(0, SIGKILL));
}

static void signal_guess_pids(void)
{
	/* Signal 0 is allowed (an existence probe): the PD's pid namespace
	 * holds only itself, so every other pid is unknown. */
	int visible = 0;
	for (pid_t pid = 2; pid <= 32768; pid++)
		if (kill(pid, 0) == 0 || errno != ESRCH)
			visible++;
	cordon_dbg_printf("refused: kill(2..32768, 0): %d visible\n", visible);
	TRAPPED("kill(2, SIGKILL)", kill(2, SIGKILL));
}

static void signal_tgkill(void)
{
	TRAPPED("tgkill(2, 2, SIGKILL)", syscall(SYS_tgkill, 2, 2, SIGKILL));
}

static void signal_sigqueue(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	TRAPPED("rt_sigqueueinfo(2, SIGTERM)", syscall(SYS_rt_sigqueueinfo, 2, SIGTERM, &si));
}

static void signal_pidfd_send(void)
{
	TRAPPED("pidfd_send_signal(3, SIGKILL)",
	        syscall(SYS_pidfd_send_signal, IPC_FD_BOOT, SIGKILL, NULL, 0));
}

/* ---- /proc, /sys, cgroups ---- */

static void proc_read(void)
{
	static const char *const paths[] = {"/proc/self/status",
	                                    "/proc/1/environ",
	                                    "/proc/self/mountinfo",
	                                    "/proc/kcore",
	                                    "/proc/sysrq-trigger",
	                                    "/proc/1/fd/3",
	                                    NULL};
	open_each(paths);
	done();
}

static void sys_read(void)
{
	static const char *const paths[] = {"/sys/kernel/notes", "/sys/class/net",
	                                    "/sys/firmware/dmi/tables/DMI", "/sys/kernel/security",
	                                    NULL};
	open_each(paths);
	done();
}

static void cgroup_open(void)
{
	static const char *const paths[] = {"/sys/fs/cgroup/cgroup.procs", "/proc/self/cgroup",
	                                    NULL};
	open_each(paths);
	done();
}

static void cgroup_mount(void)
{
	TRAPPED("mount cgroup2 on /", mount("none", "/", "cgroup2", 0, NULL));
}

/* ---- namespaces and mounts ---- */

static void ns_setns(void)
{
	TRAPPED("setns(3, 0)", setns(IPC_FD_BOOT, 0));
}

static void ns_unshare(void)
{
	TRAPPED("unshare(CLONE_NEWUSER|CLONE_NEWNS)", unshare(CLONE_NEWUSER | CLONE_NEWNS));
}

static void ns_mount(void)
{
	TRAPPED("mount proc on /", mount("proc", "/", "proc", 0, NULL));
}

static void ns_umount(void)
{
	TRAPPED("umount2(/, MNT_DETACH)", umount2("/", MNT_DETACH));
}

static void ns_pivot_root(void)
{
	TRAPPED("pivot_root(/lib, /lib)", syscall(SYS_pivot_root, "/lib", "/lib"));
}

static void ns_chroot(void)
{
	TRAPPED("chroot(/lib)", chroot("/lib"));
}

static void ns_fsopen(void)
{
	TRAPPED("fsopen(tmpfs)", syscall(SYS_fsopen, "tmpfs", 0));
}

/* ---- kernel facilities ---- */

static void keyring_add_key(void)
{
	TRAPPED("add_key(user, session keyring)",
	        syscall(SYS_add_key, "user", "cordon", "x", 1, KEY_SPEC_SESSION_KEYRING));
}

static void keyring_keyctl(void)
{
	TRAPPED("keyctl(KEYCTL_GET_KEYRING_ID, user keyring)",
	        syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0));
}

static void keyring_request_key(void)
{
	TRAPPED("request_key(user, cordon)",
	        syscall(SYS_request_key, "user", "cordon", NULL, KEY_SPEC_SESSION_KEYRING));
}

static void bpf_prog_load(void)
{
	struct bpf_insn prog[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insn_cnt = 2;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.license = (uint64_t)(uintptr_t) "GPL";
	TRAPPED("bpf(BPF_PROG_LOAD)", syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a)));
}

static void io_uring(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	TRAPPED("io_uring_setup(8)", syscall(SYS_io_uring_setup, 8, &p));
}

static void perf_event(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	TRAPPED("perf_event_open(cycles, any pid, cpu 0)",
	        syscall(SYS_perf_event_open, &a, -1, 0, -1, 0));
}

static void uffd_create(void)
{
	TRAPPED("userfaultfd(O_CLOEXEC)", syscall(SYS_userfaultfd, O_CLOEXEC));
}

/* ---- descriptors ---- */

static void fd_guess(void)
{
	int open_fds = 0, extra = 0;
	struct stat st;
	for (int fd = 0; fd < 1024; fd++) {
		if (fstat(fd, &st) < 0)
			continue;
		open_fds++;
		if (!granted(fd)) {
			extra++;
			cordon_dbg_printf(
			    "ESCAPED: fd %d is open but not in the boot information\n", fd);
		}
	}
	cordon_dbg_printf("refused: fstat(0..1023): %d open, %d not granted\n", open_fds, extra);
	REFUSED("fstat(1000)", fstat(1000, &st));
	REFUSED("write(3) (the boot information)", write(IPC_FD_BOOT, "x", 1));
	done();
}

static void fd_dup_high(void)
{
	TRAPPED("dup2(0, 1000)", dup2(0, 1000));
}

static void fd_mmap_guess(void)
{
	/* Every descriptor number a PD may hold, mapped shared and writable:
	 * only those granted read-write may succeed. */
	int writable = 0, escaped = 0;
	for (int fd = 0; fd < 512; fd++) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			continue;
		munmap(p, 4096);
		writable++;
		if (!granted_rw(fd)) {
			escaped++;
			cordon_dbg_printf("ESCAPED: fd %d mapped writable\n", fd);
		}
	}
	cordon_dbg_printf("refused: mmap(0..511, PROT_WRITE, MAP_SHARED): %d writable, %d not "
	                  "granted\n",
	                  writable, escaped);
	const struct ipc_boot_channel *c = chan0();
	MAP_REFUSED("mmap the peer's end page writable",
	            mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, c->peer_fd, 0));
	MAP_REFUSED("mmap the peer's queue ring writable",
	            mmap(NULL, c->rxq_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->rxq_fd, 0));
	MAP_REFUSED("mmap the monitor page writable",
	            mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, boot.mon_fd, 0));
	MAP_REFUSED("mmap the boot information writable",
	            mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, IPC_FD_BOOT, 0));
	MAP_REFUSED("mmap the ctl socket", mmap(NULL, 4096, PROT_READ, MAP_SHARED, boot.ctl_fd, 0));
	MAP_REFUSED("mmap fd 511 (not open)", mmap(NULL, 4096, PROT_READ, MAP_SHARED, 511, 0));
	done();
}

static void fd_close_all(void)
{
	/* Hang up on the monitor: stdout, stderr and the ctl socket go away
	 * under it.  Then end normally; it must simply notice. */
	cordon_dbg_puts("closing every descriptor\n");
	for (int fd = 0; fd < 1024; fd++)
		close(fd);
	_exit(0);
}

/* ---- channels ---- */

static void chan_forge_id(void)
{
	/* This PD holds one channel (id 7, notify only).  Every other id,
	 * and 7 used for a call it was not given, is refused by libcordon
	 * with CORDON_LABEL_INVALID; the kernel objects behind other ids do
	 * not exist in this PD at all. */
	unsigned ids[] = {63, 64, 1000, 0xffffffffu};
	int invalid = 0, tried = 0;
	for (unsigned ch = 0; ch < 63 + sizeof(ids) / sizeof(ids[0]); ch++) {
		unsigned id = ch < 63 ? ch : ids[ch - 63];
		cordon_notify(id);
		cordon_msginfo r = cordon_ppcall(id, cordon_msginfo_new(0x5ec, 0));
		tried++;
		if (cordon_msginfo_get_label(r) == CORDON_LABEL_INVALID)
			invalid++;
		else
			cordon_dbg_printf("ESCAPED: ppcall on channel %u returned label %llu\n", id,
			                  (unsigned long long)cordon_msginfo_get_label(r));
	}
	cordon_dbg_printf("refused: ppcall on %d channel ids: %d CORDON_LABEL_INVALID\n", tried,
	                  invalid);
	done();
}

static void futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1 << 30, NULL, NULL, 0);
}

static struct ipc_end *map_own_end(const struct ipc_boot_channel *c)
{
	void *p = mmap(NULL, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->own_fd, 0);
	if (p == MAP_FAILED) {
		cordon_dbg_printf("cannot map its own end page: %s\n", ename(errno));
		exit(1);
	}
	return p;
}

static void chan_forge_call(void)
{
	/* The channel has no pp on this end, so the victim is not this PD's
	 * callee.  Write a well-formed call into this end's page anyway,
	 * exactly as ipc_call would, and wake the victim; then notify (which
	 * this end may), so the victim shows it looked at the channel. */
	const struct ipc_boot_channel *c = chan0();
	struct ipc_end *own = map_own_end(c);
	const struct ipc_end *peer =
	    mmap(NULL, IPC_PAGE_SIZE, PROT_READ, MAP_SHARED, c->peer_fd, 0);
	if (peer == MAP_FAILED) {
		cordon_dbg_printf("cannot map the peer's end page: %s\n", ename(errno));
		return;
	}
	own->call_info = cordon_msginfo_new(0x5ec, 1);
	own->call_mr[0] = 0xdeadbeef;
	own->call_life = __atomic_load_n(&peer->life, __ATOMIC_ACQUIRE);
	__atomic_store_n(&own->call_seq, own->call_seq + 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&own->event, 1, __ATOMIC_RELEASE);
	futex_wake(&own->event);
	cordon_dbg_puts("forged a protected call on channel 0\n");
	cordon_notify(c->id);
	done();
}

static void chan_forge_notify(void)
{
	/* notify="false" on this end: bump the counters ipc_notify would. */
	const struct ipc_boot_channel *c = chan0();
	struct ipc_end *own = map_own_end(c);
	__atomic_store_n(&own->notify_seq, own->notify_seq + 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&own->event, 1, __ATOMIC_RELEASE);
	futex_wake(&own->event);
	cordon_dbg_puts("forged a notification on channel 0\n");
	done();
}

static void send_ctl(const void *m, size_t n)
{
	if (send(boot.ctl_fd, m, n, MSG_NOSIGNAL) != (ssize_t)n)
		cordon_dbg_printf("send on the ctl socket: %s\n", ename(errno));
}

static void ctl_forge(void)
{
	/* The monitor reads the ctl socket as hostile input: each of these
	 * must be refused with a message naming this PD, and act on nobody. */
	struct ipc_ctl c;
	memset(&c, 0, sizeof(c));
	c.type = IPC_CTL_PD_STOP;
	c.channel = 0; /* this PD has no children: "the victim, please" */
	send_ctl(&c, sizeof(c));
	c.type = IPC_CTL_PD_RESTART;
	c.channel = 62;
	send_ctl(&c, sizeof(c));
	c.type = IPC_CTL_BROKEN;
	c.channel = 40; /* in range, but not a channel of this PD */
	snprintf(c.what, sizeof(c.what), "forged\nMON|FAULT: pd=victim forged");
	send_ctl(&c, sizeof(c));
	c.channel = 70;
	send_ctl(&c, sizeof(c));
	c.type = IPC_CTL_CHILD_FAULT; /* monitor -> PD only */
	send_ctl(&c, sizeof(c));
	c.type = 99;
	send_ctl(&c, sizeof(c));
	send_ctl("abc", 3);
	cordon_dbg_puts("sent 7 forged control messages\n");
	done();
}

static void ctl_forge_fault(void)
{
	/* Claim to have been killed by seccomp for socket(), then just exit:
	 * the monitor must report what really happened. */
	struct ipc_ctl c;
	memset(&c, 0, sizeof(c));
	c.type = IPC_CTL_FAULT;
	c.signo = SIGSYS;
	c.code = 1; /* SYS_SECCOMP */
	c.addr = SYS_socket;
	send_ctl(&c, sizeof(c));
	cordon_dbg_puts("forged a seccomp fault report; exiting 159\n");
	_exit(128 + SIGSYS);
}

static void put(int fd, const char *s)
{
	(void)!write(fd, s, strlen(s));
}

static void log_forge(void)
{
	/* Lines that imitate the monitor, however they are cut: each must
	 * reach the log behind this PD's own prefix. */
	static const char fake[] = "MON|FAULT: pd=victim seccomp syscall=socket signal=SIGSYS "
	                           "ip=0x0 restarts=0\n";
	static char big[1024 + sizeof(fake)];
	put(1, "half a line, then\n");
	put(1, fake);
	put(2, fake);
	put(1, "\r");
	put(1, fake);
	memset(big, 'x', 1024);
	memcpy(big + 1024, fake, sizeof(fake));
	put(1, big); /* longer than the monitor's line buffer: cut */
	put(1, "victim| FORGED protected call on channel 0\n");
	done();
}

/* ---- memory ---- */

static void mem_region_ro_write(void)
{
	const struct ipc_boot_map *m = map0();
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)m->vaddr;
	cordon_dbg_printf("try: write to the read-only region %s at %#llx\n", m->region,
	                  (unsigned long long)m->vaddr);
	*p = 0x0123456789abcdefu;
	cordon_dbg_puts("ESCAPED: wrote to a read-only region\n");
}

static void mem_region_ro_remap(void)
{
	const struct ipc_boot_map *m = map0();
	void *at = (void *)(uintptr_t)m->vaddr;
	REFUSED("mprotect the read-only region PROT_WRITE",
	        mprotect(at, m->size, PROT_READ | PROT_WRITE));
	MAP_REFUSED("mmap the region's fd PROT_WRITE MAP_SHARED",
	            mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0));
	MAP_REFUSED("mmap the region's fd PROT_WRITE MAP_SHARED|MAP_FIXED over it",
	            mmap(at, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m->fd, 0));
	/* A private copy may be written: copy-on-write, the victim's pages
	 * stay as they are (the checker verifies the pattern). */
	uint64_t *cow = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, m->fd, 0);
	if (cow != MAP_FAILED) {
		memset(cow, 0xa5, m->size);
		cordon_dbg_puts("wrote a private copy-on-write mapping of the region\n");
	}
	done();
}

static void mem_peer_page(void)
{
	const struct ipc_boot_channel *c = chan0();
	MAP_REFUSED("mmap the peer's end page PROT_WRITE MAP_SHARED",
	            mmap(NULL, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->peer_fd, 0));
	MAP_REFUSED("mmap the peer's queue ring PROT_WRITE MAP_SHARED",
	            mmap(NULL, c->rxq_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->rxq_fd, 0));
	void *ro = mmap(NULL, IPC_PAGE_SIZE, PROT_READ, MAP_SHARED, c->peer_fd, 0);
	if (ro != MAP_FAILED)
		REFUSED("mprotect the peer's end page PROT_WRITE",
		        mprotect(ro, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE));
	REFUSED("write(peer's end page fd)", write(c->peer_fd, "x", 1));
	done();
}

static void mem_peer_page_write(void)
{
	const struct ipc_boot_channel *c = chan0();
	volatile uint32_t *p = mmap(NULL, IPC_PAGE_SIZE, PROT_READ, MAP_SHARED, c->peer_fd, 0);
	if (p == MAP_FAILED) {
		cordon_dbg_printf("cannot map the peer's end page: %s\n", ename(errno));
		return;
	}
	cordon_dbg_printf("try: write the peer's end page at %p\n", (void *)p);
	p[4] = 0xffffffffu; /* the peer's notify_seq */
	cordon_dbg_puts("ESCAPED: wrote the peer's end page\n");
}

static void mem_truncate_shared(void)
{
	/* Shrinking a shared memfd under the peer's mapping would make the
	 * peer's next read of the queue a SIGBUS. */
	TRAPPED("ftruncate(own queue ring, 0)", ftruncate(chan0()->txq_fd, 0));
}

static void mem_punch_hole(void)
{
	TRAPPED("fallocate(own queue ring, PUNCH_HOLE)",
	        fallocate(chan0()->txq_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
}

static void mem_madvise_remove(void)
{
	struct ipc_end *own = map_own_end(chan0());
	TRAPPED("madvise(own end page, MADV_REMOVE)", madvise(own, IPC_PAGE_SIZE, MADV_REMOVE));
}

static void mem_wx(void)
{
	TRAPPED("mmap PROT_WRITE|PROT_EXEC", mmap(NULL, 4096, PROT_WRITE | PROT_EXEC,
	                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED
	                                         ? -1
	                                         : 0);
}

static void mem_mprotect_wx(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TRAPPED("mprotect PROT_READ|PROT_WRITE|PROT_EXEC",
	        mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
}

static void mem_personality(void)
{
	TRAPPED("personality(READ_IMPLIES_EXEC)", personality(READ_IMPLIES_EXEC));
}

static void mem_memfd_create(void)
{
	TRAPPED("memfd_create(x)", syscall(SYS_memfd_create, "x", 0));
}

/* ---- terminals ---- */

static void tty_tiocsti(int fd)
{
	char what[64], c = 'x';
	snprintf(what, sizeof(what), "ioctl(%d, TIOCSTI)", fd);
	TRAPPED(what, ioctl(fd, TIOCSTI, &c));
}

/* ---- privileges ---- */

static void priv_setuid(void)
{
	TRAPPED("setuid(0)", syscall(SYS_setuid, 0));
}

static void priv_capset(void)
{
	uint32_t hdr[2] = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
	uint32_t data[6] = {~0u, ~0u, ~0u, ~0u, ~0u, ~0u};
	TRAPPED("capset(all)", syscall(SYS_capset, hdr, data));
}

static void priv_prctl(void)
{
	TRAPPED("prctl(PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN)",
	        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 21, 0, 0));
}

static void priv_seccomp(void)
{
	TRAPPED("seccomp(SECCOMP_SET_MODE_STRICT)", syscall(SYS_seccomp, 0, 0, NULL));
}

static void priv_rlimit(void)
{
	/* Raising RLIMIT_NOFILE above 1000 would let the PD own fd 1000 (the
	 * exec descriptor) again. */
	struct rlimit r = {4096, 4096};
	TRAPPED("prlimit64(0, RLIMIT_NOFILE, 4096)",
	        syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &r, NULL));
}

/* ---- the host ---- */

static void host_sethostname(void)
{
	TRAPPED("sethostname(owned)", sethostname("owned", 5));
}

static void host_clock_settime(void)
{
	struct timespec ts = {0, 0};
	TRAPPED("clock_settime(CLOCK_REALTIME, 0)",
	        syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
}

static void host_reboot(void)
{
	TRAPPED("reboot(RB_POWER_OFF)",
	        syscall(SYS_reboot, 0xfee1dead, 0x28121969, 0x4321fedc /* POWER_OFF */, NULL));
}

static void host_module_load(void)
{
	TRAPPED("finit_module(3)", syscall(SYS_finit_module, IPC_FD_BOOT, "", 0));
}

static void host_ioperm(void)
{
	TRAPPED("ioperm(0x3f8, 8, on)", syscall(SYS_ioperm, 0x3f8, 8, 1));
}

/* ---- raw system call numbers ---- */

static void raw_syscall_unassigned(void)
{
	TRAPPED("syscall(500)", syscall(500, 0, 0, 0, 0, 0, 0));
}

static void raw_syscall_x32(void)
{
	/* getpid through the x32 ABI: the filter names x86_64 numbers only
	 * and kills any call with __X32_SYSCALL_BIT. */
	TRAPPED("syscall(__X32_SYSCALL_BIT | 39)", syscall(0x40000000 | 39));
}

static void raw_syscall_int80(void)
{
	/* getpid through the i386 ABI (int 0x80, eax 20). */
	long rc = 20;
	cordon_dbg_puts("try: int $0x80 (i386 getpid)\n");
	__asm__ volatile("int $0x80" : "+a"(rc) : : "memory");
	cordon_dbg_printf("not trapped: int $0x80 returned %ld\n", rc);
}

static void raw_syscall_negative(void)
{
	TRAPPED("syscall(-1)", syscall(-1L, 0, 0, 0, 0, 0, 0));
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	void (*run)(void);
} attacks[] = {
#define A(f)                                                                                       \
	{                                                                                          \
#f, f                                                                              \
	}
    A(file_abs_path),
    A(file_dotdot),
    A(file_proc1_root),
    A(file_create),
    A(file_openat2),
    A(file_open_by_handle),
    A(file_name_to_handle),
    A(file_write_library),
    A(file_unlink),
    A(net_socketpair),
    A(net_connect_ctl),
    A(net_ctl_sendto),
    A(net_grant_calls),
    A(exec_execve),
    A(exec_execveat_1000),
    A(exec_execveat_other),
    A(exec_every_way),
    A(exec_fork),
    A(exec_clone3),
    A(exec_vfork),
    A(ptrace_attach),
    A(ptrace_traceme),
    A(pvm_readv),
    A(pvm_writev),
    A(pidfd_open_pid),
    A(pidfd_getfd),
    A(signal_kill_all),
    A(signal_process_group),
    A(signal_guess_pids),
    A(signal_tgkill),
    A(signal_sigqueue),
    A(signal_pidfd_send),
    A(proc_read),
    A(sys_read),
    A(cgroup_open),
    A(cgroup_mount),
    A(ns_setns),
    A(ns_unshare),
    A(ns_mount),
    A(ns_umount),
    A(ns_pivot_root),
    A(ns_chroot),
    A(ns_fsopen),
    A(keyring_add_key),
    A(keyring_keyctl),
    A(keyring_request_key),
    A(bpf_prog_load),
    A(io_uring),
    A(perf_event),
    A(uffd_create),
    A(fd_guess),
    A(fd_dup_high),
    A(fd_mmap_guess),
    A(fd_close_all),
    A(chan_forge_id),
    A(chan_forge_call),
    A(chan_forge_notify),
    A(ctl_forge),
    A(ctl_forge_fault),
    A(log_forge),
    A(mem_region_ro_write),
    A(mem_region_ro_remap),
    A(mem_peer_page),
    A(mem_peer_page_write),
    A(mem_truncate_shared),
    A(mem_punch_hole),
    A(mem_madvise_remove),
    A(mem_wx),
    A(mem_mprotect_wx),
    A(mem_personality),
    A(mem_memfd_create),
    A(priv_setuid),
    A(priv_capset),
    A(priv_prctl),
    A(priv_seccomp),
    A(priv_rlimit),
    A(host_sethostname),
    A(host_clock_settime),
    A(host_reboot),
    A(host_module_load),
    A(host_ioperm),
    A(raw_syscall_unassigned),
    A(raw_syscall_x32),
    A(raw_syscall_int80),
    A(raw_syscall_negative),
#undef A
};

void init(void)
{
	const char *me = cordon_name();
	char *end;

	read_boot();
	if (!strncmp(me, "net_socket_af", 13)) {
		long af = strtol(me + 13, &end, 10);
		if (*end == '\0' && af >= 0 && af < 64) {
			net_socket_af((int)af);
			return;
		}
	}
	if (!strncmp(me, "tty_tiocsti_fd", 14)) {
		long fd = strtol(me + 14, &end, 10);
		if (*end == '\0' && fd >= 0 && fd <= 2) {
			tty_tiocsti((int)fd);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		if (!strcmp(me, attacks[i].name)) {
			attacks[i].run();
			return;
		}
	cordon_dbg_printf("attacker: no attack named '%s'\n", me);
}
