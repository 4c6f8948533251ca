/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A Cordon channel between two processes of a benchmark, set up the way the
 * monitor sets one up (cases.c): one memfd holding end 0, end 1 and, with
 * queues, the ring from each side (chan.c).  ipc-bench's Cordon cases and
 * pd-bench's seccomp cases both use it.
 *
 * Usage: fill ring, flags, spin_ns, nmr; chan_create() in the parent before
 * fork; chan_attach(side) in each process after it; then calls, serving or
 * queues; chan_detach() in each process; chan_destroy() in the parent.
 */
#ifndef CORDON_BENCH_CHAN_H
#define CORDON_BENCH_CHAN_H

#include <stdint.h>

#include "ipc/ipc.h"

#define CHAN_LABEL_ECHO 1u
#define CHAN_LABEL_STOP 2u

struct chan {
	int fd;
	uint32_t ring;       /* ring size, or 0 for no queues */
	uint32_t flags[2];   /* IPC_CH_* of each side */
	uint32_t spin_ns;    /* ipc_spin bound, as boot->spin_ns */
	unsigned nmr;        /* ppcall: message registers each way */
	uint32_t *stop;      /* notify: shared stop flag */
	struct ipc_mon *mon; /* a monitor page: libcordon's loop waits on its
	                        event beside the channels (it never changes) */
	long ncpus;
	/* Private to each process after fork. */
	struct ipc_end *own;
	const struct ipc_end *peer;
	uint8_t *txq;
	const uint8_t *rxq;
	struct ipc_chan ch;
	struct ipc_spin spin;
	uint64_t mr[IPC_MAX_MRS];
};

/* What the monitor does before starting either PD (parent, before fork). */
void chan_create(struct chan *c);
/* What libcordon does at PD start (each side, after fork). */
void chan_attach(struct chan *c, int side);
/* Unmap this side's mappings; its spin statistics go to *spins, *sleeps. */
void chan_detach(struct chan *c, uint64_t *spins, uint64_t *sleeps);
void chan_destroy(struct chan *c);
/* Wait as libcordon's event loop waits: on the channel and on the monitor
 * page's event word (which never changes here). */
void chan_wait(struct chan *c);

/* Caller: one protected call with c->nmr registers and this label; dies
 * unless the reply echoes them. */
void chan_call(struct chan *c, uint64_t label);
/* Callee: a PD's event loop serving calls (echo label and registers) until
 * one with CHAN_LABEL_STOP has been answered. */
void chan_serve_calls(struct chan *c);

#endif
