/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcordon internals: the PD's state, shared by its files.  Not installed.
 *
 *   boot.c      validate the boot information at fd 3, map every object
 *   loop.c      the event loop: poll channels, dispatch entry points, wait
 *   ctl.c       control messages to and from the monitor
 *   api.c       cordon_* calls, each checked against the PD's capabilities
 *   dbg.c       debug output (fd 1) and error lines (fd 2)
 *   fault.c     fatal-signal handlers that report to the monitor, then die
 *   defaults.c  weak entry points
 *   main.c      main(): the only symbol a PD gets from us uninvited
 *
 * Threads: everything here belongs to the PD's one thread (cordon.h).
 */
#ifndef CORDON_LIBCORDON_INTERNAL_H
#define CORDON_LIBCORDON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cordon.h"
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

/* The PD: one per process. */
extern struct lc_pd lc_pd;

/* boot.c */
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

/* loop.c */
/* Boot, install the fault handlers, start the channels, init(), then serve
 * events forever.  Returns only on a fatal error (the exit status). */
int lc_main(void);
/* Report ch's breakage to the monitor and stderr, once per break. */
void lc_check_broken(struct lc_chan *ch);
/* Send the queue notifications ipc/ batched (ipc_queue_flush on every
 * channel) if a queue was used since the last flush.  After each entry
 * point returns and before a protected call blocks, so cordon.h's "the
 * consumer gets notified" needs nothing from the PD. */
void lc_queue_flush(void);

/* ctl.c */
/* Send one control message to the monitor; best effort (the monitor may be
 * gone).  Returns 0 or -1. */
int lc_ctl_send(uint32_t type, uint32_t channel, const char *what);
/* Read every control message the monitor queued and act on it. */
void lc_ctl_drain(void);

/* fault.c */
/* Handlers for the fatal signals, on an alternate stack.  0 or -1. */
int lc_fault_install(void);

/* dbg.c */
void lc_dbg_flush(void);
/* One line on stderr, "<pdname>: " prefixed; flushes debug output first. */
void lc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
