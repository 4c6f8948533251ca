/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fatal signals: tell the monitor what happened, then die of the signal.
 *
 * The handler runs on an alternate stack (a stack overflow is a SIGSEGV
 * too) and does only async-signal-safe things: one send() of an
 * IPC_CTL_FAULT datagram, sigaction, and the way back to the signal.
 *
 * Dying of the signal is subtle because a PD is pid 1 of its pid namespace,
 * and the kernel drops signals with the default action sent to such an
 * init by itself (raise, kill).  Only signals the kernel forces (a fault,
 * seccomp's SIGSYS) still kill it.  So:
 *  - a fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE from the CPU): restore
 *    SIG_DFL and return; the instruction faults again, now fatally;
 *  - a seccomp SIGSYS: returning would continue after the refused syscall,
 *    so restore SIG_DFL and make a call no policy allows (number -1); the
 *    forced SIGSYS kills;
 *  - a sent signal (SIGABRT from abort(), kill): restore SIG_DFL and
 *    re-raise; if that returns (we are pid 1), exit with 128 + the signal,
 *    as a shell reports it.  The report already names the signal.
 */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "libcordon/internal.h"

static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};

/* 64 KiB: glibc's SIGSTKSZ is no longer a constant, and send() needs
 * little; this leaves room for the kernel's signal frame with AVX-512. */
static uint8_t alt_stack[64 * 1024] __attribute__((aligned(16)));

static uint64_t fault_ip(const void *uctx)
{
	const ucontext_t *uc = uctx;
#if defined(__x86_64__)
	return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uint64_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

static void restore_default(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
}

static void on_fatal(int sig, siginfo_t *info, void *uctx)
{
	struct ipc_ctl c;

	memset(&c, 0, sizeof(c));
	c.type = IPC_CTL_FAULT;
	c.signo = sig;
	c.code = info->si_code;
	c.ip = fault_ip(uctx);
	if (sig == SIGSYS)
		c.addr = (uint64_t)info->si_syscall;
	else
		c.addr = (uint64_t)(uintptr_t)info->si_addr;
	if (lc_pd.ctl_fd >= 0)
		send(lc_pd.ctl_fd, &c, sizeof(c), MSG_DONTWAIT | MSG_NOSIGNAL);

	restore_default(sig);
	if (info->si_code > 0 && sig == SIGSYS) {
		/* The kernel's own SIGSYS (SYS_SECCOMP, or a bad syscall
		 * number): make a call no policy allows, now with the default
		 * action, and the forced SIGSYS kills.  Not the refused call
		 * again: with other arguments (zeros) the policy may allow it. */
		syscall(-1L, 0, 0, 0, 0, 0, 0);
	} else if (info->si_code > 0) {
		return; /* a CPU fault: it recurs, fatally */
	}
	/* Sent (si_code <= 0), or the repeated syscall was allowed after all. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* Who: lc_main, after boot (the handler needs the ctl descriptor). */
int lc_fault_install(void)
{
	stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof(alt_stack), .ss_flags = 0};
	struct sigaction sa;

	if (sigaltstack(&ss, NULL) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	/* Another fatal signal inside the handler stays blocked, so the kernel
	 * forces it with the default action: no second report, no loop. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaddset(&sa.sa_mask, fatal[i]);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (sigaction(fatal[i], &sa, NULL) < 0)
			return -1;
	return 0;
}
