/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc — the algorithms over the shared-memory ABI in ipc/abi.h: notify,
 * protected call and reply, queues, and waiting for any of them.  Used by
 * libcordon inside a PD, by the BEAM NIF, and (for the monitor's few writes)
 * by the monitor.  No allocation, and no I/O but the waits and wakes of the
 * OS seam, ipc/os.h (futex, futex_waitv, sched_yield on Linux).
 *
 * Usage inside a PD (what libcordon does):
 *
 *     struct ipc_chan ch;                     // private memory, one per channel
 *     ipc_chan_init(&ch, id, flags, own, peer, txq, txq_size, rxq, rxq_size);
 *     ipc_chan_start(&ch);                    // once, before serving
 *     struct ipc_spin spin;
 *     ipc_spin_init(&spin, boot->spin_ns, ncpus);
 *     for (;;) {
 *         unsigned ev = ipc_poll(&ch);        // IPC_EV_* since the last poll
 *         if (ipc_take_call(&ch, &info, mr))  // a protected call is waiting
 *             ipc_reply(&ch, handle(info, mr), mr);
 *         ...                                 // ipc_queue_send/recv, then
 *         ipc_queue_flush(&ch);               // the batched queue wake-ups
 *         ipc_wait_any(chans, n, &spin);      // flushes too; sleeps until some
 *     }                                       // peer page changes
 *
 * Threads: every PD-side function below is for the one thread that owns the
 * struct ipc_chan (libcordon's event loop, or one NIF thread).  They share
 * memory with exactly one other party per word, as abi.h describes.
 *
 * Hostile input: everything read from `peer` or from the rx ring is copied
 * out once and checked.  A violation marks the channel broken (ch->broken,
 * ch->broken_what) and the operation fails; nothing is reported from here
 * (no I/O): the caller reports it, once, and may read ch->broken_what.  A
 * broken channel heals when the peer's `life` changes (the monitor restarted
 * it) and its page validates again.
 */
#ifndef CORDON_IPC_H
#define CORDON_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/abi.h"

/* ---- Monitor side: the only writes the monitor makes to an end page. ---- */

/* Fresh page (zeroed by ftruncate): set magic, version, life = down, epoch 0.
 * Only the monitor, before any PD maps the page. */
void ipc_end_init(struct ipc_end *e);

/* The owner is about to (re)start: clear what it wrote that is state of one
 * incarnation (waiting, its call payload, call_life; the reply payload stays
 * with reply_seq, for a caller still copying it), keep every counter
 * (see abi.h: restarts), bump the epoch and mark it up; then bump `event` and
 * wake, so a peer sleeping on the page sees the restart.  Only the monitor,
 * only while the owner is not running.  Call it before starting the owner:
 * a ppcall to a PD that is not up fails at once with the PEER_DOWN label. */
void ipc_end_up(struct ipc_end *e);

/* The owner died or was stopped: mark it down, bump `event`, and wake every
 * futex a peer may sleep on in this page (event, reply_seq, life), so blocked
 * callers return the PEER_DOWN label and event loops see the change.  Only
 * the monitor, after the owner stopped running. */
void ipc_end_down(struct ipc_end *e);

/* ---- The monitor page (abi.h, struct ipc_mon): its one word, both sides. ---- */

/* Fresh page: magic and version, event 0.  Only the monitor, before the PD
 * maps it. */
void ipc_mon_init(struct ipc_mon *m);

/* The monitor queued a control message for the PD: bump `event` (release)
 * and wake the PD's waits.  Only the monitor, after the message is queued,
 * so a PD that sees the new event finds the message. */
void ipc_mon_tell(struct ipc_mon *m);

/* PD side: the current event (acquire).  When it differs from the value
 * last seen, remember it first, then drain the ctl socket: a message queued
 * after the snapshot bumps it again. */
uint32_t ipc_mon_event(const struct ipc_mon *m);

/* PD side: the word a wait sleeps on to hear the monitor, and the value it
 * expects (the event last seen), for ipc_wait_any_extra or ipc_wait_words. */
void ipc_mon_wait_word(const struct ipc_mon *m, uint32_t seen, const uint32_t **word,
                       uint32_t *expect);

/* ---- Status codes and labels. ----
 *
 * The public API (include/cordon.h, installed alone, so it cannot include
 * this) carries the same values as CORDON_LABEL_* and CORDON_EQUEUE_*;
 * libcordon/api.c ties each pair with a _Static_assert, so neither can
 * change alone.  The BEAM library gets them from the NIF (Cordon.NIF.label/1),
 * never as literals. */

#define IPC_LABEL_BITS      52u
#define IPC_LABEL_MAX       ((UINT64_C(1) << IPC_LABEL_BITS) - 1)
#define IPC_LABEL_PEER_DOWN (IPC_LABEL_MAX)
#define IPC_LABEL_INVALID   (IPC_LABEL_MAX - 1)
#define IPC_LABEL_BROKEN    (IPC_LABEL_MAX - 2)
/* The largest label a PD's own protocol should use: the three above it are
 * Cordon's answers, which a caller cannot tell from a callee's reply.  The
 * BEAM library refuses larger ones; cordon.h leaves it to the programmer. */
#define IPC_LABEL_USER_MAX  (IPC_LABEL_MAX - 3)

/* msginfo as seL4_MessageInfo: count in bits 0..6, label in bits 12..63. */
static inline uint64_t ipc_info(uint64_t label, unsigned count)
{
	return ((label & IPC_LABEL_MAX) << 12) | (uint64_t)(count & 0x7f);
}
static inline unsigned ipc_info_count(uint64_t info)
{
	return (unsigned)(info & 0x7f);
}
static inline uint64_t ipc_info_label(uint64_t info)
{
	return info >> 12;
}

#define IPC_EQ_FULL    (-1) /* no room now; notified when there is */
#define IPC_EQ_EMPTY   (-2) /* nothing to receive */
#define IPC_EQ_NOQUEUE (-3) /* no queue in that direction */
#define IPC_EQ_TOOBIG  (-4) /* larger than ipc_queue_max_msg() or than cap */
#define IPC_EQ_BROKEN  (-5) /* the peer corrupted the channel */
#define IPC_EQ_DOWN    (-6) /* full (send) or empty (recv), and the peer is down */

/* ---- PD side: one channel as seen by one end. ---- */

struct ipc_chan {
	/* Set by ipc_chan_init, constant afterwards. */
	uint32_t id;                /* channel id, 0..62 */
	uint32_t flags;             /* IPC_CH_* of this end */
	struct ipc_end *own;        /* this end's page, mapped read-write */
	const struct ipc_end *peer; /* the peer's page, read-only, hostile */
	uint8_t *txq;               /* ring toward the peer (RW) or NULL */
	const uint8_t *rxq;         /* ring from the peer (RO, hostile) or NULL */
	uint32_t txq_size;          /* bytes, power of two, or 0 */
	uint32_t rxq_size;          /* bytes, power of two, or 0 */

	/* Private state of the owning thread. */
	uint32_t seen_event;  /* peer->event at the last ipc_poll */
	uint32_t seen_notify; /* peer->notify_seq delivered so far */
	uint32_t seen_call;   /* peer->call_seq taken so far */
	uint32_t seen_life;   /* peer->life at the last ipc_poll */
	uint32_t seen_want;   /* peer->queue_want_space answered so far */
	uint32_t taken_call;  /* call_seq of the call taken, not yet replied */
	bool call_taken;      /* ipc_take_call returned a call; ipc_reply due */
	uint64_t tx_head;     /* == own->queue_head (we are its only writer) */
	uint64_t rx_tail;     /* == own->queue_tail (we are its only writer) */
	uint64_t tx_flushed;  /* tx_head at the last empty-edge check */
	uint64_t rx_answered; /* rx_tail at the last fenced want_space check */

	/* Broken state: set by the first violation found, cleared when the
	 * peer's life changes and its page validates again. */
	bool broken;
	uint32_t broken_life;    /* peer->life when it broke */
	const char *broken_what; /* static string: what was wrong */
	uint32_t broken_count;   /* how many times it broke (for reporting once) */
};

/* Set up the private view of one channel.  Mappings are the caller's; rings
 * must be power-of-two sized within IPC_QUEUE_MIN..IPC_QUEUE_MAX.  Returns 0,
 * or -EINVAL for a bad id, size or missing pointer.  Does not read the peer. */
int ipc_chan_init(struct ipc_chan *ch, uint32_t id, uint32_t flags, struct ipc_end *own,
                  const struct ipc_end *peer, uint8_t *txq, uint32_t txq_size, const uint8_t *rxq,
                  uint32_t rxq_size);

/* Start serving: snapshot the peer's life and call state (so calls addressed
 * to an earlier incarnation of this PD are dropped, see abi.h call_life),
 * repair queue indices a previous incarnation left inconsistent, then bump
 * own->event so a peer that broke on them re-validates.  Once per PD start,
 * by the owner thread, before the first ipc_poll. */
void ipc_chan_start(struct ipc_chan *ch);

/* Events ipc_poll reports. */
#define IPC_EV_NOTIFY 1u /* the peer notified (coalesced) */
#define IPC_EV_LIFE   2u /* the peer died, was stopped or restarted */
#define IPC_EV_BROKEN 4u /* the channel broke during this poll */
#define IPC_EV_HEALED                                                                              \
	8u /* a broken channel validates again (rx queue                                           \
	      records that do not parse are dropped then) */

/* What happened on the channel since the last poll: IPC_EV_* bits.  Snapshots
 * peer->event first (acquire), so a change after it makes ipc_wait_any return
 * at once.  Owner thread only.  Calls are collected with ipc_take_call. */
unsigned ipc_poll(struct ipc_chan *ch);

/* What a change of the peer's life from `old` to `now` means to someone who
 * last heard `old`: it went down, came up, or both (a restart seen only once
 * it was over is a down followed by an up). */
static inline void ipc_life_change(uint32_t old, uint32_t now, bool *down, bool *up)
{
	bool was_up = old & IPC_LIFE_UP, is_up = now & IPC_LIFE_UP;
	bool same = IPC_LIFE_EPOCH(old) == IPC_LIFE_EPOCH(now);
	*down = was_up && (!is_up || !same);
	*up = is_up && (!was_up || !same);
}

/* Is the peer up (its life has IPC_LIFE_UP)?  Advisory: hostile peer. */
bool ipc_peer_up(const struct ipc_chan *ch);

/* Send a notification: bump own notify_seq and event (release, pairs with
 * the acquire of event in the peer's ipc_poll), then wake the peer if it
 * sleeps.  Never blocks.  Owner thread only; no permission check here. */
void ipc_notify(struct ipc_chan *ch);

/* Spinning policy shared by the waits of one thread.
 *
 * Before it sleeps a wait may spin for a budget of cur_ns, which adapts to
 * what spinning achieved: a spin that paid doubles it (up to max_ns), one
 * that did not halves it, down to IPC_SPIN_MIN_NS; after IPC_SPIN_OFF_AFTER
 * failures in a row it is 0 (off).  While off, one wait in probe_every
 * spins for max_ns to find out whether spinning pays again: a probe must
 * outlast the peer's wake-up, since once both ends sleep only a spin that
 * long sees the peer answer.  Each failed probe doubles probe_every, from
 * IPC_SPIN_PROBE_MIN up to IPC_SPIN_PROBE_MAX waits, so where spinning never
 * pays (one CPU) probes cost max_ns / IPC_SPIN_PROBE_MAX per wait.
 *
 * A spin pays only when it saw the change within its budget and was not
 * descheduled meanwhile (no gap over IPC_SPIN_GAP_NS between two looks at the
 * clock).  When both processes share a CPU the peer can act only while the
 * spinner is off the CPU, so a change found after a preemption is no evidence
 * for spinning; counted as a success it would keep the budget high, and the
 * spinner would hold the only CPU for the whole budget after every wait. */
#define IPC_SPIN_MIN_NS    1000u /* floor of a nonzero budget */
#define IPC_SPIN_OFF_AFTER 8u    /* failures in a row that switch spinning off */
#define IPC_SPIN_PROBE_MIN 16u   /* while off: waits between probes, at first */
#define IPC_SPIN_PROBE_MAX 256u  /* ... and after repeated failed probes */
#define IPC_SPIN_GAP_NS                                                                            \
	3000u /* a longer gap between two clock reads of a                                         \
	         spin means it was descheduled */

struct ipc_spin {
	uint32_t max_ns;      /* upper bound (boot->spin_ns); 0: never spin */
	uint32_t cur_ns;      /* current budget: 0 (off) or within [min, max] */
	uint32_t fails;       /* failed spins in a row */
	uint32_t idle;        /* while off: waits since the last probe */
	uint32_t probe_every; /* while off: waits between probes */
	uint32_t gap_ticks;   /* IPC_SPIN_GAP_NS in cycle-counter ticks, learned
	                         while spinning; 0: unknown (read the clock) */
	uint64_t spins;       /* statistics: waits a spin satisfied in time */
	uint64_t late;        /* statistics: waits a spin satisfied late (after its
	                         budget or a preemption); counted as failures */
	uint64_t sleeps;      /* statistics: waits that went to the futex */
};

/* max_ns from the boot info; ncpus online (spinning is disabled when 1). */
void ipc_spin_init(struct ipc_spin *s, uint32_t max_ns, long ncpus);

/* The policy without the clock, so it can be scripted (tests): the budget
 * for the next wait in ns (0: do not spin; advances the probe count), then
 * the outcome of a spin of that budget.  ipc_spin_paid classifies a spin
 * that saw the change after elapsed_ns, with max_gap_ns the longest time
 * between two consecutive clock reads during it.  Owner thread only. */
uint32_t ipc_spin_budget(struct ipc_spin *s);
void ipc_spin_outcome(struct ipc_spin *s, uint32_t budget, bool paid);
bool ipc_spin_paid(uint32_t budget, uint64_t elapsed_ns, uint64_t max_gap_ns);

/* Sleep until some channel's peer page may have changed since its last
 * ipc_poll (its `event`, or for a broken channel its `life`), spinning
 * first within the spin budget.  Returns 0 (re-poll everything; wake-ups may
 * be spurious) or -errno from futex_waitv (not EAGAIN/EINTR, which are 0).
 * At most IPC_MAX_CHANNELS channels.  Owner thread only. */
int ipc_wait_any(struct ipc_chan *const *chans, unsigned n, struct ipc_spin *spin);

/* The word of the peer's page a wait on ch sleeps on, and the value it
 * expects: the peer's event, or for a broken channel its life (its event is
 * noise until the monitor restarts it).  For a thread that builds its own
 * futex_waitv set (the BEAM NIF's waiter); ipc_wait_any* use it.  Owner
 * thread of ch only. */
void ipc_chan_wait_word(const struct ipc_chan *ch, const uint32_t **word, uint32_t *expect);

/* The wait under ipc_wait_any*, for a thread that builds its own wait set
 * (the BEAM NIF's waiter: its channels, its calls' reply words, the monitor
 * page and a private kick word).  Spins first (if may_spin, within the
 * budget of spin), then sets `waiting` on the nowns own pages, fences and
 * sleeps until some *words[i] differs from expect[i] (nwords at most
 * IPC_OS_WAIT_MAX).  Returns 0 (re-read every word: wake-ups may be
 * spurious) or -errno from the OS wait.  may_spin false: the caller knows
 * the change cannot come soon (the policy learns nothing from that wait).
 * Owner thread of every page in owns only. */
int ipc_wait_words(const uint32_t *const *words, const uint32_t *expect, unsigned nwords,
                   struct ipc_end *const *owns, unsigned nowns, struct ipc_spin *spin,
                   bool may_spin);

/* A polite busy-wait step: the CPU's spin hint (the peer's cache line
 * moves sooner, the sibling hyperthread runs).  For anyone who spins on a
 * shared word: ipc/wait.c, the NIF's call spin, the benchmarks' baselines.
 * An architecture's, not an OS's: it stays here, not in ipc/os.h. */
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

/* ipc_wait_any, also returning when one of nextra further words (at most
 * IPC_WAIT_EXTRA_MAX; e.g. the monitor page's event) differs from
 * extra_expect[i].  n may be 0 when nextra is not: a PD without channels
 * still hears its monitor.  No allocation. */
#define IPC_WAIT_EXTRA_MAX 4u
int ipc_wait_any_extra(struct ipc_chan *const *chans, unsigned n, const uint32_t *const *extra,
                       const uint32_t *extra_expect, unsigned nextra, struct ipc_spin *spin);

/* Protected call (this end has IPC_CH_CALLER): send info and the first
 * count(info) registers of mr, block until the reply, copy the reply's
 * registers into mr and return the reply info, whose count is clamped to
 * IPC_MAX_MRS.  Returns label IPC_LABEL_PEER_DOWN (count 0) if the callee is
 * down or its life changes before it replies, IPC_LABEL_BROKEN if the
 * channel is broken, IPC_LABEL_INVALID without IPC_CH_CALLER.  Owner thread
 * only. */
uint64_t ipc_call(struct ipc_chan *ch, uint64_t info, uint64_t mr[IPC_MAX_MRS],
                  struct ipc_spin *spin);

/* The same call in two halves, for a caller that must not block where it
 * issues the call (the BEAM NIF issues it on a scheduler thread and waits
 * for the reply elsewhere).  ipc_call_start publishes the call and returns
 * true, or returns false with the failure reply in *fail (INVALID, BROKEN
 * or PEER_DOWN, count 0).  ipc_call_done returns true once the call is over,
 * with the reply info in *rinfo and its registers in mr (PEER_DOWN when the
 * callee died or restarted first); false while it is pending, after which
 * the words to sleep on are peer->reply_seq (expect cs->seen_reply) and
 * peer->life (expect cs->life).  Owner thread of ch only, and no other call
 * on ch until this one is done. */
struct ipc_call_state {
	uint32_t seq;        /* own call_seq of the call */
	uint32_t life;       /* the callee's life when it was issued */
	uint32_t seen_reply; /* peer reply_seq at the last look */
	bool woke;           /* the callee slept and had to be woken */
};
bool ipc_call_start(struct ipc_chan *ch, uint64_t info, const uint64_t mr[IPC_MAX_MRS],
                    struct ipc_call_state *cs, uint64_t *fail);
bool ipc_call_done(struct ipc_chan *ch, struct ipc_call_state *cs, uint64_t *rinfo,
                   uint64_t mr[IPC_MAX_MRS]);

/* Callee (IPC_CH_CALLEE): is a call waiting?  If so copy its info and
 * count(info) registers (clamped to IPC_MAX_MRS; the rest of mr untouched)
 * out of the peer's page (acquire of call_seq pairs with the caller's
 * release) and return true; ipc_reply must follow.  Calls addressed to an
 * earlier incarnation of this PD are dropped.  Owner thread only. */
bool ipc_take_call(struct ipc_chan *ch, uint64_t *info, uint64_t mr[IPC_MAX_MRS]);

/* Answer the call ipc_take_call returned: write the registers and info, then
 * reply_seq (release, pairs with the caller's acquire) and wake the caller
 * if it sleeps.  No-op when no call was taken.  Owner thread only. */
void ipc_reply(struct ipc_chan *ch, uint64_t info, const uint64_t mr[IPC_MAX_MRS]);

/* Is size a valid queue ring size: a power of two within
 * IPC_QUEUE_MIN..IPC_QUEUE_MAX?  For the boot check and ipc_chan_init. */
static inline bool ipc_ring_size_ok(uint32_t size)
{
	return size >= IPC_QUEUE_MIN && size <= IPC_QUEUE_MAX && (size & (size - 1)) == 0;
}

/* Largest message a ring of ring_size bytes carries: half the ring minus a
 * header, so a record always fits either before the end or after a wrap. */
size_t ipc_queue_max_msg(uint32_t ring_size);

/* Producer (IPC_CH_TX_QUEUE): append one message of 1..max_msg bytes.
 * Returns 0, or IPC_EQ_FULL (nothing sent; the consumer will notify when it
 * frees space), IPC_EQ_DOWN (full and the peer is down), IPC_EQ_TOOBIG,
 * IPC_EQ_NOQUEUE, IPC_EQ_BROKEN.  The message is visible to the consumer at
 * once, but the notification of a consumer that may have found the queue
 * empty is batched: it is sent by the next ipc_queue_flush (which every
 * ipc_wait_any* does for its channels), by a send that finds the queue full,
 * or once an eighth of the ring was written since the last check.  Owner
 * thread only. */
int ipc_queue_send(struct ipc_chan *ch, const void *buf, size_t len);

/* Consumer (IPC_CH_RX_QUEUE): take the oldest message into buf.  Returns its
 * length, or IPC_EQ_EMPTY (the producer notifies when it adds one),
 * IPC_EQ_DOWN (empty and the peer is down), IPC_EQ_TOOBIG (larger than cap;
 * not consumed), IPC_EQ_NOQUEUE, IPC_EQ_BROKEN.  Notifies a producer that
 * waits for space once at least half the ring is free, when the queue is
 * drained (IPC_EQ_EMPTY) or at the next ipc_queue_flush.  Owner thread
 * only. */
ssize_t ipc_queue_recv(struct ipc_chan *ch, void *buf, size_t cap);

/* Both ends of ch's queues: send the notifications ipc_queue_send and
 * ipc_queue_recv deferred (the empty -> non-empty edge toward the consumer,
 * the answer to a producer waiting for space).  One seq_cst fence when
 * anything is pending, two compares otherwise.  Call it before anything that
 * may block or take long: libcordon's loop does after each entry point
 * returns and ipc_wait_any* does before it spins or sleeps.  No-op on a
 * broken channel.  Owner thread only. */
void ipc_queue_flush(struct ipc_chan *ch);

#endif
