/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc/os.h on Linux: futex and futex_waitv (Linux 5.16), clock_gettime
 * (vDSO, no syscall), sched_yield.  The only file of ipc/ that names a
 * Linux system call.
 *
 * The futexes are shared, not FUTEX_PRIVATE_FLAG: the words live in memfd
 * pages that two processes map (one read-write, one read-only), and the
 * kernel keys shared futexes on the inode and offset, so both mappings name
 * the same futex.  Waiting on a read-only mapping is allowed.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ipc/os.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

_Static_assert(IPC_OS_WAIT_MAX == FUTEX_WAITV_MAX, "ipc_os_wait's limit is futex_waitv's");

/* Who: whoever just changed *word and saw the peer advertise `waiting`.
 * Wakes every sleeper (a PD may have more than one thread in a NIF). */
void ipc_os_wake(const uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Who: a thread about to sleep, after it set `waiting` and fenced. */
int ipc_os_wait(const uint32_t *const *words, const uint32_t *expect, unsigned n)
{
	struct futex_waitv w[FUTEX_WAITV_MAX];

	if (n == 0 || n > FUTEX_WAITV_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		w[i].val = expect[i];
		w[i].uaddr = (uint64_t)(uintptr_t)words[i];
		w[i].flags = FUTEX_32; /* shared: no FUTEX2_PRIVATE */
		w[i].__reserved = 0;
	}
	long r = syscall(SYS_futex_waitv, w, n, 0, NULL, 0);
	if (r >= 0 || errno == EAGAIN || errno == EINTR)
		return 0;
	return -errno;
}

uint64_t ipc_os_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ipc_os_yield(void)
{
	sched_yield();
}
