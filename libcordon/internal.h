/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcordon internals, shared by its files (and its own unit tests).  Not
 * installed, and no other module includes it: what the BEAM NIF shares
 * with libcordon (the PD's boot and state) is libcordon/pd.h.
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
#include "libcordon/pd.h"

/* The PD: one per process. */
extern struct lc_pd lc_pd;

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
