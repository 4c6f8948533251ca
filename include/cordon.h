/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cordon.h — the native protection-domain API.
 *
 * A native PD is an ordinary C program linked with libcordon, which owns
 * main() and the event loop.  You write the entry points; libcordon calls
 * them, one at a time, never concurrently:
 *
 *     #include <cordon.h>
 *
 *     void init(void)                  // once, after every region is mapped
 *     {                                // and every setvar_vaddr variable set
 *         cordon_dbg_puts("hello\n");
 *     }
 *
 *     void notified(cordon_channel ch) // a notification arrived on ch
 *     {
 *         cordon_notify(ch);           // ... and one goes back
 *     }
 *
 *     cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
 *     {                                // a protected call arrived on ch
 *         uint64_t x = cordon_mr_get(0);
 *         cordon_mr_set(0, x + 1);
 *         return cordon_msginfo_new(0, 1);
 *     }
 *
 * Build it the ordinary way:
 *
 *     cc pd.c $(pkg-config --cflags --libs cordon) -o pd
 *
 * and name it in a system description (see docs/system-description.md).
 * Entry points you leave out get weak defaults that print which PD lacks
 * what.  Every API call checks the channel against the PD's capabilities:
 * using a channel the PD does not hold, or a call it may not make, prints
 * the PD's name and the channel and does nothing.
 *
 * Semantics follow seL4 Microkit: notifications coalesce; a protected call
 * goes only toward an end marked pp, blocks until the callee's protected()
 * returns, and carries a label and up to CORDON_MAX_MRS message registers
 * each way.  Unlike seL4, a call to a PD that dies or is stopped returns
 * promptly with the label CORDON_LABEL_PEER_DOWN.
 *
 * Threads: the API is for the PD's one thread of control (the event loop and
 * the entry points it calls).
 */
#ifndef CORDON_H
#define CORDON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int cordon_channel; /* 0..62 */
typedef unsigned int cordon_child;   /* a child PD's id */
typedef uint64_t cordon_msginfo;     /* label and register count */

#define CORDON_MAX_CHANNELS 63u
#define CORDON_MAX_MRS      120u

/* msginfo layout, as seL4_MessageInfo: count in bits 0..6, label in 12..63. */
#define CORDON_LABEL_BITS 52u
#define CORDON_LABEL_MAX  ((UINT64_C(1) << CORDON_LABEL_BITS) - 1)

/* Labels Cordon itself puts in a reply.  A callee's protected() may return
 * them too, to fail a call (CORDON_LABEL_INVALID for a request it refuses);
 * a reply with any of them reaches the caller with count 0 and no registers,
 * so a caller can rely on that however the label was chosen. */
#define CORDON_LABEL_PEER_DOWN                                                                     \
	(CORDON_LABEL_MAX) /* callee died, was stopped                                             \
	                      or restarted mid-call */
#define CORDON_LABEL_INVALID                                                                       \
	(CORDON_LABEL_MAX - 1) /* the call was refused:                                            \
	                          no such channel, or                                              \
	                          not a pp channel */
#define CORDON_LABEL_BROKEN                                                                        \
	(CORDON_LABEL_MAX - 2) /* the peer corrupted the                                           \
	                          channel's shared memory */

static inline cordon_msginfo cordon_msginfo_new(uint64_t label, uint16_t count)
{
	return ((label & CORDON_LABEL_MAX) << 12) | (uint64_t)(count & 0x7f);
}

static inline uint64_t cordon_msginfo_get_label(cordon_msginfo info)
{
	return info >> 12;
}

static inline uint16_t cordon_msginfo_get_count(cordon_msginfo info)
{
	return (uint16_t)(info & 0x7f);
}

/* Entry points, written by the component.  init() is required. */
void init(void);
void notified(cordon_channel ch);
cordon_msginfo protected(cordon_channel ch, cordon_msginfo msginfo);
/* A child PD (a <protection_domain> nested in this one, with an id) faulted
 * or exited.  The message registers hold the details:
 *   mr0  signal number, or 0 when it exited
 *   mr1  si_code, or the exit status
 *   mr2  fault address (for SIGSYS: the syscall seccomp refused)
 *   mr3  instruction pointer
 * and msginfo's label is the signal (0 for an exit).  Return nonzero to
 * "reply", which on Linux means: restart the child (on seL4 the reply
 * resumes it; a dead Linux process cannot be resumed).  Return 0 to leave
 * it stopped; cordon_pd_restart() and cordon_pd_stop() still work later. */
int fault(cordon_child child, cordon_msginfo msginfo, cordon_msginfo *reply_msginfo);

/* The PD at the other end of ch died or was stopped (peer_down), or is
 * running again after a restart (peer_up).  A protected call to it blocked
 * at that moment has already returned CORDON_LABEL_PEER_DOWN; queue
 * messages it had not consumed stay in the ring for its next incarnation.
 * Optional: the defaults do nothing. */
void peer_down(cordon_channel ch);
void peer_up(cordon_channel ch);

/* Restart or stop one of this PD's child PDs (by its id).  Asynchronous: the
 * monitor acts on it; a restart that fails is reported to fault(). */
void cordon_pd_restart(cordon_child child);
void cordon_pd_stop(cordon_child child);

/* Send a notification on ch.  Never blocks. */
void cordon_notify(cordon_channel ch);

/* Protected procedure call on ch with the first count(msginfo) message
 * registers.  Blocks until the reply; returns the reply's msginfo, whose
 * registers are then in cordon_mr_get().  On failure the label is one of
 * CORDON_LABEL_PEER_DOWN, CORDON_LABEL_INVALID or CORDON_LABEL_BROKEN and the
 * count is 0. */
cordon_msginfo cordon_ppcall(cordon_channel ch, cordon_msginfo msginfo);

/* Message registers 0..CORDON_MAX_MRS-1 of this PD.  Out-of-range indices
 * are reported and ignored (get returns 0). */
void cordon_mr_set(unsigned int mr, uint64_t value);
uint64_t cordon_mr_get(unsigned int mr);

/* Message queues (a Cordon extension; see docs/system-description.md).
 * A queue belongs to a channel and runs in one direction.  Messages are
 * byte strings of 1..cordon_queue_max_msg(ch) bytes.  A send that does not fit
 * returns CORDON_EQUEUE_FULL and sends nothing; when the consumer next frees
 * space the producer gets notified(ch).  The consumer gets notified(ch) when
 * the queue becomes non-empty; it should then receive until
 * CORDON_EQUEUE_EMPTY. */
#define CORDON_EQUEUE_FULL    (-1) /* no room now; retry after notified() */
#define CORDON_EQUEUE_EMPTY   (-2) /* nothing to receive */
#define CORDON_EQUEUE_NOQUEUE (-3) /* no queue in that direction on ch */
#define CORDON_EQUEUE_TOOBIG                                                                       \
	(-4)                      /* message larger than the ring allows,                          \
	                             or larger than the receive buffer */
#define CORDON_EQUEUE_BROKEN (-5) /* the peer corrupted the queue */
#define CORDON_EQUEUE_DOWN   (-6) /* the peer is not running */

int cordon_queue_send(cordon_channel ch, const void *buf, size_t len);
/* Returns the message length (copied into buf), or a CORDON_EQUEUE_* code. */
ssize_t cordon_queue_recv(cordon_channel ch, void *buf, size_t cap);
size_t cordon_queue_max_msg(cordon_channel ch);

/* Grants (a Cordon extension; see docs/system-description.md, <grant>):
 * authority beyond channels and regions, opened by the monitor and handed
 * in as a descriptor.  cordon_grant_fd returns the descriptor of this PD's
 * grant `name`, or -1 (reported on stderr) when the PD has none by that
 * name.  For a tcp_listen grant it is a TCP socket, bound and listening,
 * in blocking mode: accept4() connections on it, read and write them,
 * shutdown() and close() them.  The monitor keeps the socket for the
 * system's life and hands the same one to every start of the PD, so the
 * port stays bound and connections wait in its backlog while the PD
 * restarts.  The PD cannot create sockets of its own. */
int cordon_grant_fd(const char *name);

/* Debug output: one line of the PD's standard output, prefixed with its
 * name by the monitor. */
void cordon_dbg_puts(const char *s);
void cordon_dbg_putc(int c);
void cordon_dbg_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The PD's name, from the system description. */
const char *cordon_name(void);

#ifdef __cplusplus
}
#endif
#endif
