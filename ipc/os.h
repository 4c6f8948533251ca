/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The OS seam of ipc/: the few things the shared-memory protocol needs from
 * the operating system, and nothing else.  Everything else in ipc/ (the
 * protocol, the spin policy, the monitor page) is OS-neutral and reaches
 * the OS only through these.  One file implements them per OS, chosen by
 * the build: ipc/os_linux.c (futex, futex_waitv, clock_gettime,
 * sched_yield).  A port to seL4 replaces that one file (a notification
 * object per word to wait on, seL4_Signal to wake, the platform timer,
 * seL4_Yield), as sDDF's os/sddf.h does for its queues.
 *
 * Who may include it: ipc/, and a PD runtime on the same OS that keeps
 * a private word of its own in the same wait set (the BEAM NIF's kick
 * word).  Everyone else waits through ipc.h.
 */
#ifndef CORDON_IPC_OS_H
#define CORDON_IPC_OS_H

#include <stdint.h>

/* Most words one ipc_os_wait may sleep on (futex_waitv's limit). */
#define IPC_OS_WAIT_MAX 128u

/* Wake every thread sleeping on *word, in any process that maps it.  The
 * caller changed *word first and fenced (ipc/wait.c: the `waiting`
 * handshake).  Never blocks, never fails (a wake nobody waits for is a
 * no-op). */
void ipc_os_wake(const uint32_t *word);

/* Sleep while *words[i] == expect[i] for every i; n is 1..IPC_OS_WAIT_MAX.
 * Returns 0 when woken, when a word already differed, or on a signal
 * (the caller re-reads every word and decides); else -errno (-ENOSYS on an
 * OS too old to wait on several words).  Spurious returns are allowed. */
int ipc_os_wait(const uint32_t *const *words, const uint32_t *expect, unsigned n);

/* A monotonic clock in nanoseconds, cheap enough to read while spinning. */
uint64_t ipc_os_now_ns(void);

/* Let another runnable thread on this CPU run (a co-scheduled peer). */
void ipc_os_yield(void);

#endif
