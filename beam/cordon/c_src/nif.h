/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cordon NIF: a BEAM PD's channels, queues, regions and grants, for the
 * Elixir library in beam/cordon/lib.  Internal to the NIF.
 *
 *   nif.c     load (boot, as libcordon does), the function table, terms
 *   chan.c    notify, subscribe, protected calls both ways, monitors
 *   data.c    queues and memory regions
 *   waiter.c  the waiter thread
 *
 * Threads.  Erlang processes call the NIFs on scheduler threads, any number
 * at once; ipc/ wants one owner thread per channel.  So each channel has a
 * mutex, and every ipc_* call on it, from any thread, is made under it: the
 * mutex turns "one owner thread" into "one owner at a time", which is all
 * ipc/ needs (its private state is then never touched concurrently, and
 * the shared-memory protocol never cared which thread writes).
 *
 * One exception: sleeping.  Only the waiter thread ever sleeps on a futex,
 * with no mutex held; scheduler threads only spin, briefly.  That keeps
 * the `waiting` word of each own page (set by whoever sleeps, see
 * ipc/wait.c) with a single writer, and no NIF call blocks its scheduler:
 *
 *  - a protected call from Elixir is published on the scheduler thread,
 *    which spins for the reply up to NIF_CALL_SPIN_NS (a native callee
 *    that is awake answers in about a microsecond); if none came, the
 *    call is handed to the waiter thread, which sleeps on the reply and
 *    sends it to the caller as a message ({:cordon_reply, Ref, Result});
 *  - everything the peers do (notifications, calls to serve, queue edges,
 *    deaths and restarts) is found by the waiter thread and sent as
 *    messages to the channel's subscriber, with enif_send.
 *
 * Unasked messages coalesce, as seL4 notifications do (a notification is
 * a word of bits: signals merge, a sender cannot queue work on the
 * receiver).  The events the NIF sends a subscriber without being asked,
 * {:cordon_notify, ch}, {:cordon_peer_down, ch} and {:cordon_peer_up, ch},
 * are sent at most once per channel until the subscriber acknowledges
 * them with ack/1 (Cordon.Channel.ack/1; Cordon.Server does it for its
 * callbacks).  Meanwhile notifications only set notify_pending, and the
 * peer's life changes only move lc->life away from told_life.  The ack
 * sends what accumulated at once: a down and/or an up for the life change
 * since told_life (ipc_life_change), then one notify.  So a peer that
 * notifies or restarts as fast as it can puts at most three messages per
 * channel in the subscriber's mailbox, however long it takes to read
 * them.  The other messages are answers (:cordon_reply to a call, one
 * :cordon_protected at a time, one {:DOWN, ...} per monitor/1).
 *
 * Lock order: a channel's mutex, then nothing (messages are built under it
 * and sent after it is released: enif_send may take the VM's locks, and
 * the VM calls our resource down callback holding its own).
 */
#ifndef CORDON_NIF_H
#define CORDON_NIF_H

#include <stdbool.h>
#include <stdint.h>

#include <erl_nif.h>

#include "ipc/ipc.h"
#include "libcordon/pd.h"

/* How long a scheduler thread spins for a protected call's reply before
 * handing the call to the waiter thread: long enough for a native callee
 * that is awake, or being woken on the other CPU (~20 µs on these VMs);
 * far below the millisecond a NIF may hold a scheduler. */
#define NIF_CALL_SPIN_NS      60000u
/* ... and when the call had to wake the callee (ipc_call_state.woke): about
 * one cross-CPU wake-up, so a callee woken on our own CPU is not held off
 * it for the whole bound. */
#define NIF_CALL_WOKE_SPIN_NS 25000u

/* What the VM calls a timeslice, for enif_consume_timeslice: about 1 ms. */
#define NIF_TIMESLICE_NS 1000000u

/* Queue messages and region slices above this size are copied on a dirty
 * scheduler: a memcpy of 64 KiB takes a few µs, of 64 MiB milliseconds. */
#define NIF_DIRTY_BYTES (64u * 1024u)

/* A protected call from Elixir that waits for its turn or its reply. */
struct nif_call {
	struct nif_call *next;
	ErlNifPid pid;  /* who gets {:cordon_reply, ref, result} */
	ErlNifEnv *env; /* owns ref */
	ERL_NIF_TERM ref;
	uint64_t info;
	uint64_t mr[IPC_MAX_MRS];
};

/* A Cordon.monitor/1 on the channel's peer. */
struct nif_mon {
	struct nif_mon *next;
	ErlNifPid pid;
	ErlNifEnv *env; /* owns ref */
	ERL_NIF_TERM ref;
};

enum nif_call_state {
	CALL_IDLE, /* no call of ours on the wire */
	CALL_SPIN, /* published; a scheduler thread spins for the reply */
	CALL_WAIT, /* published; the waiter thread waits for the reply */
};

struct nif_chan {
	ErlNifMutex *lock;  /* everything below, and every ipc_* call on lc */
	struct lc_chan *lc; /* ipc/ state, peer name, reported breakage */

	/* The subscriber: gets notifications, peer events and calls to serve. */
	bool has_owner;
	ErlNifPid owner;
	ErlNifMonitor owner_mon;
	/* Coalescing (see "Unasked messages" above): what the subscriber has
	 * not been told yet, and whether it acknowledged the last telling. */
	bool notify_pending; /* a notification it has not been told of */
	bool unacked;        /* events were sent; nothing more until ack/1 */
	uint32_t told_life;  /* the peer's life as the subscriber last heard */
	bool call_forwarded; /* a call taken from the peer awaits the owner's reply */
	uint32_t forwarded_seq;

	/* Our protected calls to the peer. */
	enum nif_call_state call_state;
	struct ipc_call_state cs;
	struct nif_call *current;           /* CALL_WAIT: who waits */
	struct nif_call *fifo, **fifo_tail; /* calls waiting for their turn */
	unsigned fifo_len;

	struct nif_mon *mons; /* Cordon.monitor/1 */

	uint8_t *rxbuf; /* queue receive buffer: max message of the rx ring */
	size_t rxcap;
};

struct nif_state {
	bool booted;
	char why[256]; /* why not, when not booted */
	unsigned nchans;
	struct nif_chan chans[IPC_MAX_CHANNELS]; /* lc_pd.chans order */
	struct nif_chan *by_id[IPC_MAX_CHANNELS];
	ErlNifResourceType *res_type; /* for monitoring subscribers */
	void *res;                    /* nif_monitor_resource() */
	ErlNifTid waiter;
	bool waiter_running;
	uint32_t kick; /* bumped (and futex-woken) to make the waiter re-look */
	uint32_t stop; /* nonzero: the waiter thread ends */
	long ncpus;
};

extern struct nif_state nif;

/* Atoms, made once at load. */
struct nif_atoms {
	ERL_NIF_TERM ok, error, true_, false_, undefined, cordon_notify, cordon_peer_down,
	    cordon_peer_up, cordon_protected, cordon_reply, down, cordon_pd, noproc, peer_down,
	    broken, invalid, full, empty, no_queue, too_big, wait, busy, not_booted, id, peer,
	    notify, call, serve, tx_queue, rx_queue, max_msg, name, size, read, write, fd, port,
	    tcp_listen, kind, restarted;
};
extern struct nif_atoms atoms;

/* nif.c */
/* The PD: what libcordon's boot made of the boot information. */
struct lc_pd *nif_pd(void);
/* Raise ArgumentError with a formatted message (an Elixir exception struct,
 * so Elixir shows it as `** (ArgumentError) message`). */
ERL_NIF_TERM nif_argerr(ErlNifEnv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raise ArgumentError: this VM is not a PD (no boot information), and why. */
ERL_NIF_TERM nif_not_booted(ErlNifEnv *env);
/* The channel an argument names, held by this PD, with the flags in need
 * (0: any); NULL after raising ArgumentError in *err. */
struct nif_chan *nif_chan_arg(ErlNifEnv *env, ERL_NIF_TERM t, uint32_t need, const char *what,
                              ERL_NIF_TERM *err);
/* The one resource object subscribers are monitored with, or NULL. */
void *nif_monitor_resource(void);
/* Make the waiter thread look at every channel again. */
void nif_kick(void);
/* An error term {:error, reason} for a reply label of Cordon's own, or the
 * ok tuple {:ok, label, [words]}. */
ERL_NIF_TERM nif_reply_term(ErlNifEnv *env, uint64_t info, const uint64_t mr[IPC_MAX_MRS]);
/* The first count(info) message words of mr, as a list. */
ERL_NIF_TERM nif_words(ErlNifEnv *env, uint64_t info, const uint64_t mr[IPC_MAX_MRS]);
/* A C string as a binary. */
ERL_NIF_TERM nif_binary(ErlNifEnv *env, const char *s);
/* Charge the calling process `percent` of a timeslice (clamped to 100; 0
 * charges nothing), for work a NIF call did beyond its few reductions. */
void nif_consume(ErlNifEnv *env, uint64_t percent);
/* Report a channel's breakage (stderr and the monitor), once per break. */
void nif_check_broken(struct nif_chan *c);

/* chan.c */
ERL_NIF_TERM nif_notify(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_subscribe(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_ack(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_unsubscribe(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_call(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_reply(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_monitor(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_demonitor(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_peer_up(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
/* The subscriber pid died: forget it, fail the call it was serving. */
void nif_owner_down(ErlNifEnv *env, void *obj, ErlNifPid *pid, ErlNifMonitor *mon);
/* Waiter thread: the channel's outgoing call in CALL_WAIT is over (or the
 * next in the fifo must start).  Under c->lock; messages go into out. */
struct nif_out;
void nif_calls_progress(struct nif_chan *c, struct nif_out *out);
/* Waiter thread, under c->lock: forward a call the peer made to the
 * subscriber, if there is one and it is not serving another. */
void nif_serve_calls(struct nif_chan *c, struct nif_out *out);
/* Waiter thread, under c->lock, after ipc_poll reported IPC_EV_LIFE. */
void nif_life_changed(struct nif_chan *c, struct nif_out *out);
/* Under c->lock: send the subscriber what it has not been told (peer
 * down/up, one notify), unless it has not acknowledged the last events. */
void nif_events_deliver(struct nif_chan *c, struct nif_out *out);

/* data.c */
ERL_NIF_TERM nif_queue_send(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_queue_recv(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_region_read(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_region_write(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM nif_regions(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);

/* waiter.c */
/* Messages built under a channel's lock, sent after it is released. */
struct nif_out {
	ErlNifEnv *env; /* process independent; terms are built in it */
	unsigned n, cap;
	ErlNifPid *to;
	ERL_NIF_TERM *msg;
};
void nif_out_init(struct nif_out *out);
/* Queue msg (built in out->env) for pid.  Never fails: without memory
 * the message is dropped and said so on stderr. */
void nif_out_add(struct nif_out *out, const ErlNifPid *pid, ERL_NIF_TERM msg);
/* Send everything queued (no lock held), and start afresh. */
void nif_out_send(struct nif_out *out);
void nif_out_free(struct nif_out *out);
void *nif_waiter_main(void *arg);

#endif
