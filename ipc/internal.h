/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private helpers of ipc/: atomics on ABI words, ring index checks, and
 * marking a channel broken.  Not installed; only the ipc sources (and
 * ipc's own unit tests) include it.
 */
#ifndef CORDON_IPC_INTERNAL_H
#define CORDON_IPC_INTERNAL_H

#include "ipc/ipc.h"
#include "ipc/os.h"

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

/* chan.c: mark ch broken (first reason wins); returns false for chaining. */
bool ipc_break(struct ipc_chan *ch, const char *what);
/* chan.c: the peer's page and ring indices are consistent right now. */
bool ipc_peer_valid(struct ipc_chan *ch);
/* queue.c: on healing, drop rx records the broken incarnation left. */
void ipc_queue_rx_resync(struct ipc_chan *ch);

/* Ring indices are free-running byte counts; a consistent pair has
 * 0 <= head - tail <= size (unsigned wrap-around arithmetic) and both
 * multiples of 8 (every record is padded to 8). */
static inline bool indices_ok(uint64_t head, uint64_t tail, uint32_t size)
{
	return head - tail <= size && ((head | tail) & 7) == 0;
}

#endif
