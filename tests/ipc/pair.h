/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test harness for ipc/: two ends of one channel in shared memfd pages,
 * mapped as a PD would map them (own page read-write, peer page and rx ring
 * read-only), each surrounded by PROT_NONE guard pages so a read out of
 * bounds faults at once.  The pages are MAP_SHARED, so a fork()ed child
 * plays one end while the parent plays the other (or the monitor).
 */
#ifndef CORDON_TESTS_IPC_PAIR_H
#define CORDON_TESTS_IPC_PAIR_H

#include <stdint.h>
#include <sys/types.h>

#include "ipc/ipc.h"

struct pair {
	int fd_a, fd_b;                        /* end pages of a and b */
	int fd_ab, fd_ba;                      /* rings a -> b and b -> a, or -1 */
	uint32_t ring;                         /* ring size, bytes */
	struct ipc_end *a_own;                 /* a's page, read-write (also the monitor's) */
	struct ipc_end *b_own;                 /* b's page, read-write (also the monitor's) */
	const struct ipc_end *a_peer, *b_peer; /* read-only views */
	uint8_t *ab_w, *ba_w;                  /* ring writers' mappings */
	const uint8_t *ab_r, *ba_r;            /* ring readers' mappings */
	struct ipc_chan a, b;
};

/* Flags of a's end; b's are mirrored (a's TX is b's RX, a's CALLER b's
 * CALLEE, ...).  ring: bytes of each ring needed by the flags.  Both ends
 * are brought up (ipc_end_up) and started (ipc_chan_start).  Aborts the
 * test on failure. */
void pair_open(struct pair *p, uint32_t a_flags, uint32_t ring);
void pair_close(struct pair *p);
uint32_t pair_mirror(uint32_t flags);
/* Restart end b as the monitor and b's new incarnation would: ipc_end_down,
 * ipc_end_up, then a fresh ipc_chan_init + ipc_chan_start of p->b. */
void pair_restart_b(struct pair *p);
uint64_t pair_now_ns(void);
/* fork(); the child is killed when this process dies (a failed test
 * must not leave helpers behind). */
pid_t pair_fork(void);

#endif
