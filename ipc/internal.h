/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private helpers of ipc/: atomics on ABI words, futex calls, and marking a
 * channel broken.  Not installed; only the ipc sources include it.
 */
#ifndef CORDON_IPC_INTERNAL_H
#define CORDON_IPC_INTERNAL_H

#include "ipc/ipc.h"

/* ABI words are plain integers in shared memory; every access to one goes
 * through these, so the compiler neither tears, caches nor re-reads them
 * (a hostile peer may change a word between two plain reads). */
#define LOAD_RELAXED(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define LOAD_ACQUIRE(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define FENCE_SEQ_CST()     __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* The owner is the only writer of its own counters, so a bump is a plain
 * read followed by a release store: no locked RMW needed. */
static inline uint32_t bump_release(uint32_t *p)
{
	uint32_t v = LOAD_RELAXED(p) + 1;
	STORE_RELEASE(p, v);
	return v;
}

/* futex.c: shared (not FUTEX_PRIVATE_FLAG) futexes, since the words live in
 * memfd pages mapped by two processes. */
void ipc_futex_wake(const uint32_t *word);
/* Wait on words[i] while *words[i] == expect[i]; n <= 128.  Returns 0 when
 * woken, a value differed (EAGAIN) or on a signal (EINTR); else -errno. */
int ipc_futex_waitv(const uint32_t *const *words, const uint32_t *expect, unsigned n);

/* wait.c: spin (if may_spin, within the policy's budget), then advertise
 * `waiting` on the given own pages and sleep until one of the words differs
 * from its expected value. */
int ipc_wait_words(const uint32_t *const *words, const uint32_t *expect, unsigned nwords,
                   struct ipc_end *const *owns, unsigned nowns, struct ipc_spin *spin,
                   bool may_spin);

/* chan.c: mark ch broken (first reason wins); returns false for chaining. */
bool ipc_break(struct ipc_chan *ch, const char *what);
/* chan.c: the peer's page and ring indices are consistent right now. */
bool ipc_peer_valid(struct ipc_chan *ch);
/* queue.c: on healing, drop rx records the broken incarnation left. */
void ipc_queue_rx_resync(struct ipc_chan *ch);

/* A polite busy-wait step: the CPU's spin hint (the peer's cache line
 * moves sooner, the sibling hyperthread runs).  Used by the spin before
 * sleeping, and by the benchmarks' raw spin baselines. */
static inline void ipc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif
