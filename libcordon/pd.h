/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A PD's boot and state: what libcordon makes of the boot information the
 * monitor hands in at fd IPC_FD_BOOT (abi.h), for every runtime that runs
 * a PD on Linux: libcordon's own event loop, and the BEAM NIF
 * (beam/cordon/c_src), which boots the same way and then serves the
 * channels from its own threads.  Not installed: an interface between the
 * modules of this tree, not for PD programs (they have cordon.h).
 *
 * Usage (what the NIF does):
 *
 *     static struct lc_pd pd = {.ctl_fd = -1};
 *     pd.maps_anywhere = true;               // the VM owns its address space
 *     if (lc_boot(IPC_FD_BOOT, &pd, why, sizeof(why)) < 0)
 *         ...                                // not a PD, or a bad boot: why
 *     ipc_spin_init(&pd.spin, pd.spin_ns, pd.ncpus);
 *     for (unsigned i = 0; i < pd.nchans; i++)
 *         ipc_chan_start(&pd.chans[i].ipc);  // then serve them (ipc.h)
 *
 * Ownership: lc_boot maps every object and keeps the mappings (and their
 * descriptors, which the caller may close once mapped: pd->mapped) for the
 * life of the process; lc_boot_unmap undoes them (tests).  Threads: the
 * struct is written by lc_boot only; afterwards each channel belongs to
 * whoever serves it (ipc.h: one owner thread per channel).
 */
#ifndef CORDON_LIBCORDON_PD_H
#define CORDON_LIBCORDON_PD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc.h"

/* Descriptor numbers above this are refused in boot information: the
 * sandbox's RLIMIT_NOFILE is far below it. */
#define LC_FD_LIMIT 4096

struct lc_chan {
	struct ipc_chan ipc;      /* the ipc/ view; ipc.id is the channel id */
	uint32_t reported_broken; /* ipc.broken_count already reported */
	uint32_t life;            /* peer life as peer_up/peer_down last saw it */
	char peer[IPC_NAME_MAX];  /* the peer PD's name, for messages */
};

struct lc_mapping {
	void *addr;
	size_t len;
	int fd; /* the descriptor it maps (closable once mapped) */
};

/* A mapped memory region, by the name the description gives it. */
struct lc_region {
	char name[IPC_NAME_MAX];
	void *addr;
	size_t size;
	uint32_t perms; /* IPC_PERM_* */
};

struct lc_pd {
	char name[IPC_NAME_MAX];
	int ctl_fd;                /* SEQPACKET to the monitor, or -1 */
	const struct ipc_mon *mon; /* monitor page (read-only), or NULL */
	uint32_t mon_seen;         /* mon->event when the ctl socket was drained */
	uint32_t spin_ns;          /* from the boot information */
	uint32_t ncpus;            /* from the boot information, at least 1 */
	unsigned nchans;
	struct lc_chan chans[IPC_MAX_CHANNELS];  /* in boot order */
	struct lc_chan *by_id[IPC_MAX_CHANNELS]; /* by channel id, or NULL */
	struct ipc_chan *wait[IPC_MAX_CHANNELS]; /* &chans[i].ipc, for waits */
	unsigned nregions;
	struct lc_region regions[IPC_MAX_MAPS]; /* in boot order */
	unsigned ngrants;
	struct ipc_boot_grant grants[IPC_MAX_GRANTS]; /* checked copies */
	bool maps_anywhere; /* map regions where the kernel likes, not at their
	                       vaddr (set before lc_boot by the BEAM NIF: a
	                       BEAM's address space is the VM's, not ours) */
	struct ipc_spin spin;
	bool queued;              /* a queue send or receive since lc_queue_flush */
	uint64_t mr[IPC_MAX_MRS]; /* the message registers */
	/* Every mapping boot made, so a failed boot can be undone (tests). */
	unsigned nmapped;
	struct lc_mapping mapped[1 + 4 * IPC_MAX_CHANNELS + IPC_MAX_MAPS];
};

/* ---- boot.c ---- */

/* Check a private copy of the boot information: counts, names, ids, flags,
 * sizes, descriptor numbers (distinct, in range), map ranges.  Nothing is
 * touched.  Returns 0, or -1 with the reason in why. */
int lc_boot_check(const struct ipc_boot *b, char *why, size_t whylen);
/* Read and check the boot information at fd, then map every object into pd
 * and set every setvar variable.  Returns 0, or -1 with the reason in why
 * and nothing left mapped. */
int lc_boot(int fd, struct lc_pd *pd, char *why, size_t whylen);
/* Undo every mapping lc_boot made. */
void lc_boot_unmap(struct lc_pd *pd);

/* May notifications on this channel reach notified()?  The peer's notify
 * right, or a queue (queues notify on their edges).  The BEAM NIF delivers
 * them by the same rule. */
static inline bool lc_hears(const struct ipc_chan *ch)
{
	return ch->flags & (IPC_CH_PEER_NOTIFY | IPC_CH_TX_QUEUE | IPC_CH_RX_QUEUE);
}

#endif
