/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Channels from Elixir: notify, subscribe, protected calls both ways, and
 * monitors on the peer.  See nif.h for the threads and the lock.
 */
#include <string.h>

#include "beam/cordon/c_src/nif.h"
#include "ipc/os.h"

/* Calls that may wait for their turn on one channel; more is a runaway. */
#define FIFO_MAX 4096u

static ERL_NIF_TERM chan_term(ErlNifEnv *env, const struct nif_chan *c)
{
	return enif_make_uint(env, c->lc->ipc.id);
}

/* Label and words from Elixir: a label of 0..max (IPC_LABEL_USER_MAX for
 * a call, IPC_LABEL_MAX for a reply, which may fail the call with one of
 * Cordon's labels), a proper list of at most IPC_MAX_MRS unsigned 64-bit
 * integers. */
static bool get_msg(ErlNifEnv *env, ERL_NIF_TERM label_t, ERL_NIF_TERM words_t, uint64_t max,
                    uint64_t *info, uint64_t mr[IPC_MAX_MRS], ERL_NIF_TERM *err)
{
	ErlNifUInt64 label, w;
	unsigned len;

	if (!enif_get_uint64(env, label_t, &label) || label > max) {
		*err = nif_argerr(env, "a label is an integer 0..%llu", (unsigned long long)max);
		return false;
	}
	if (!enif_get_list_length(env, words_t, &len) || len > IPC_MAX_MRS) {
		*err =
		    nif_argerr(env, "message words are a list of at most %u integers", IPC_MAX_MRS);
		return false;
	}
	ERL_NIF_TERM head, tail = words_t;
	for (unsigned i = 0; i < len; i++) {
		enif_get_list_cell(env, tail, &head, &tail);
		if (!enif_get_uint64(env, head, &w)) {
			*err = nif_argerr(env, "message word %u is not an integer 0..2^64-1", i);
			return false;
		}
		mr[i] = w;
	}
	*info = ipc_info(label, len);
	return true;
}

/* The channel argument of a NIF that also needs its calling process
 * (*self): NULL after raising ArgumentError in *err. */
static struct nif_chan *caller_chan(ErlNifEnv *env, ERL_NIF_TERM t, uint32_t need,
                                    const char *lacks, const char *fn, ErlNifPid *self,
                                    ERL_NIF_TERM *err)
{
	struct nif_chan *c = nif_chan_arg(env, t, need, lacks, err);
	if (c && !enif_self(env, self)) {
		*err = nif_argerr(env, "%s needs a calling process", fn);
		return NULL;
	}
	return c;
}

/* ---- notify, subscribe ---- */

ERL_NIF_TERM nif_notify(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	struct nif_chan *c =
	    nif_chan_arg(env, argv[0], IPC_CH_NOTIFY,
	                 "does not allow this PD to notify (notify=\"false\")", &err);
	if (!c)
		return err;
	enif_mutex_lock(c->lock);
	ipc_notify(&c->lc->ipc);
	enif_mutex_unlock(c->lock);
	return atoms.ok;
}

/* A taken call whose server is gone: fail it, so the caller does not wait
 * forever.  Under c->lock. */
static void fail_forwarded(struct nif_chan *c)
{
	uint64_t mr[IPC_MAX_MRS] = {0};
	if (!c->call_forwarded)
		return;
	c->call_forwarded = false;
	ipc_reply(&c->lc->ipc, ipc_info(IPC_LABEL_PEER_DOWN, 0), mr);
}

ERL_NIF_TERM nif_subscribe(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	ErlNifPid self, other;
	struct nif_chan *c = caller_chan(env, argv[0], 0, NULL, "subscribe/1", &self, &err);
	if (!c)
		return err;

	enif_mutex_lock(c->lock);
	if (c->has_owner && enif_compare_pids(&c->owner, &self) != 0 &&
	    enif_is_process_alive(env, &c->owner)) {
		other = c->owner;
		enif_mutex_unlock(c->lock);
		return enif_make_tuple2(env, atoms.error,
		                        enif_make_tuple2(env, enif_make_atom(env, "subscribed"),
		                                         enif_make_pid(env, &other)));
	}
	if (c->has_owner && enif_compare_pids(&c->owner, &self) != 0) {
		/* The old owner is dead, its down callback not yet run. */
		enif_demonitor_process(env, nif.res, &c->owner_mon);
		fail_forwarded(c);
	}
	if (!c->has_owner || enif_compare_pids(&c->owner, &self) != 0) {
		void *res = nif_monitor_resource();
		if (!res || enif_monitor_process(env, res, &self, &c->owner_mon) != 0) {
			enif_mutex_unlock(c->lock);
			return nif_argerr(env, "cannot monitor the calling process");
		}
		c->owner = self;
		c->has_owner = true;
		/* A new subscriber hears of peer changes from now on (and of
		 * a notification that came while nobody subscribed). */
		c->told_life = c->lc->life;
	}
	c->unacked = false; /* subscribing again acknowledges, too */
	struct nif_out out;
	nif_out_init(&out);
	nif_events_deliver(c, &out);
	enif_mutex_unlock(c->lock);
	nif_out_send(&out);
	nif_out_free(&out);
	nif_kick(); /* a call waiting for a server can be served now */
	return atoms.ok;
}

/* Under c->lock: is the calling process the channel's subscriber? */
static bool is_subscriber(const struct nif_chan *c, ErlNifPid *self)
{
	return c->has_owner && enif_compare_pids(&c->owner, self) == 0;
}

static ERL_NIF_TERM not_subscribed(ErlNifEnv *env)
{
	return enif_make_tuple2(env, atoms.error, enif_make_atom(env, "not_subscribed"));
}

/* ack(ch) -> :ok | {:error, :not_subscribed}: the subscriber received the
 * events sent so far; send what accumulated since (nif.h, unasked
 * messages). */
ERL_NIF_TERM nif_ack(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	ErlNifPid self;
	struct nif_chan *c = caller_chan(env, argv[0], 0, NULL, "ack/1", &self, &err);
	if (!c)
		return err;
	struct nif_out out;
	nif_out_init(&out);
	enif_mutex_lock(c->lock);
	bool mine = is_subscriber(c, &self);
	if (mine) {
		c->unacked = false;
		nif_events_deliver(c, &out);
	}
	enif_mutex_unlock(c->lock);
	nif_out_send(&out);
	nif_out_free(&out);
	return mine ? atoms.ok : not_subscribed(env);
}

ERL_NIF_TERM nif_unsubscribe(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	ErlNifPid self;
	struct nif_chan *c = caller_chan(env, argv[0], 0, NULL, "unsubscribe/1", &self, &err);
	if (!c)
		return err;
	enif_mutex_lock(c->lock);
	bool mine = is_subscriber(c, &self);
	if (mine) {
		enif_demonitor_process(env, nif.res, &c->owner_mon);
		c->has_owner = false;
		fail_forwarded(c);
	}
	enif_mutex_unlock(c->lock);
	return mine ? atoms.ok : not_subscribed(env);
}

void nif_owner_down(ErlNifEnv *env, void *obj, ErlNifPid *pid, ErlNifMonitor *mon)
{
	for (unsigned i = 0; i < nif.nchans; i++) {
		struct nif_chan *c = &nif.chans[i];
		enif_mutex_lock(c->lock);
		if (c->has_owner && enif_compare_monitors(&c->owner_mon, mon) == 0) {
			c->has_owner = false;
			fail_forwarded(c);
		}
		enif_mutex_unlock(c->lock);
	}
}

/* ---- protected calls from Elixir ---- */

static struct nif_call *call_new(ErlNifEnv *env, const ErlNifPid *pid, uint64_t info,
                                 const uint64_t mr[IPC_MAX_MRS], ERL_NIF_TERM *ref)
{
	struct nif_call *q = enif_alloc(sizeof(*q));
	if (!q)
		return NULL;
	q->env = enif_alloc_env();
	if (!q->env) {
		enif_free(q);
		return NULL;
	}
	q->next = NULL;
	q->pid = *pid;
	*ref = enif_make_ref(env);
	q->ref = enif_make_copy(q->env, *ref);
	q->info = info;
	memcpy(q->mr, mr, sizeof(uint64_t) * ipc_info_count(info));
	return q;
}

static void call_free(struct nif_call *q)
{
	enif_free_env(q->env);
	enif_free(q);
}

/* {:cordon_reply, ref, result} to the process waiting for q. */
static void call_answer(struct nif_out *out, struct nif_call *q, uint64_t info,
                        const uint64_t mr[IPC_MAX_MRS])
{
	ERL_NIF_TERM msg =
	    enif_make_tuple3(out->env, atoms.cordon_reply, enif_make_copy(out->env, q->ref),
	                     nif_reply_term(out->env, info, mr));
	nif_out_add(out, &q->pid, msg);
	call_free(q);
}

void nif_calls_progress(struct nif_chan *c, struct nif_out *out)
{
	uint64_t info, mr[IPC_MAX_MRS];

	if (c->call_state == CALL_WAIT && ipc_call_done(&c->lc->ipc, &c->cs, &info, mr)) {
		if (c->current) /* NULL: its caller could not be told (nif_call) */
			call_answer(out, c->current, info, mr);
		c->current = NULL;
		c->call_state = CALL_IDLE;
	}
	while (c->call_state == CALL_IDLE && c->fifo) {
		struct nif_call *q = c->fifo;
		c->fifo = q->next;
		if (!c->fifo)
			c->fifo_tail = &c->fifo;
		c->fifo_len--;
		if (!ipc_call_start(&c->lc->ipc, q->info, q->mr, &c->cs, &info)) {
			call_answer(out, q, info, mr);
			continue;
		}
		c->current = q;
		c->call_state = CALL_WAIT;
	}
}

/* call(ch, label, words) -> {:ok, label, words} | {:error, reason}
 *                         | {:wait, ref}: the result comes as a message */
ERL_NIF_TERM nif_call(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err, ref;
	ErlNifPid self;
	uint64_t info, rinfo, mr[IPC_MAX_MRS];
	/* The message first: a bad label is the caller's error on any channel. */
	if (!get_msg(env, argv[1], argv[2], IPC_LABEL_USER_MAX, &info, mr, &err))
		return err;
	struct nif_chan *c =
	    caller_chan(env, argv[0], IPC_CH_CALLER,
	                "does not allow protected calls from this PD (its end is not pp)", "call/3",
	                &self, &err);
	if (!c)
		return err;
	struct ipc_chan *ch = &c->lc->ipc;

	enif_mutex_lock(c->lock);
	if (c->call_state != CALL_IDLE || c->fifo) {
		/* One call at a time on a channel (the ABI's, as seL4's): wait
		 * for the turn; the waiter thread starts it. */
		struct nif_call *q =
		    c->fifo_len < FIFO_MAX ? call_new(env, &self, info, mr, &ref) : NULL;
		if (q) {
			*c->fifo_tail = q;
			c->fifo_tail = &q->next;
			c->fifo_len++;
		}
		enif_mutex_unlock(c->lock);
		if (!q)
			return enif_make_tuple2(env, atoms.error, atoms.busy);
		nif_kick();
		return enif_make_tuple2(env, atoms.wait, ref);
	}
	if (!ipc_call_start(ch, info, mr, &c->cs, &rinfo)) {
		nif_check_broken(c);
		enif_mutex_unlock(c->lock);
		return nif_reply_term(env, rinfo, mr);
	}
	c->call_state = CALL_SPIN;
	enif_mutex_unlock(c->lock);

	/* Spin on this scheduler for the reply, briefly (nif.h).  Only this
	 * thread touches c->cs while the state is CALL_SPIN, and
	 * ipc_call_done reads nothing else of the channel's private state. */
	bool done = false;
	if (nif.ncpus > 1) {
		/* A callee we had to wake answers after its wake-up at best:
		 * spin about that long, not the full bound, so a callee woken
		 * on our CPU is not kept off it for long. */
		uint64_t budget = c->cs.woke ? NIF_CALL_WOKE_SPIN_NS : NIF_CALL_SPIN_NS;
		uint64_t start = ipc_os_now_ns();
		for (unsigned it = 1; !(done = ipc_call_done(ch, &c->cs, &rinfo, mr)); it++) {
			ipc_cpu_relax();
			if (it % 64 == 0 && ipc_os_now_ns() - start > budget)
				break;
		}
		/* Tell the VM what the spin cost, or a process calling in a
		 * loop runs for many milliseconds before it is scheduled out
		 * (a call counts a few reductions, however long it spun). */
		nif_consume(env, (ipc_os_now_ns() - start) * 100 / NIF_TIMESLICE_NS);
	}

	enif_mutex_lock(c->lock);
	if (done || ipc_call_done(ch, &c->cs, &rinfo, mr)) {
		c->call_state = CALL_IDLE;
		bool more = c->fifo != NULL;
		enif_mutex_unlock(c->lock);
		if (more)
			nif_kick();
		return nif_reply_term(env, rinfo, mr);
	}
	struct nif_call *q = call_new(env, &self, info, mr, &ref);
	if (!q) {
		/* Cannot wait: the call is on the wire, so its reply must still
		 * be consumed; leave that to the waiter with no one to tell. */
		c->call_state = CALL_WAIT;
		c->current = NULL;
		enif_mutex_unlock(c->lock);
		nif_kick();
		return nif_argerr(env, "out of memory");
	}
	c->current = q;
	c->call_state = CALL_WAIT;
	enif_mutex_unlock(c->lock);
	nif_kick();
	return enif_make_tuple2(env, atoms.wait, ref);
}

/* ---- serving calls made by the peer ---- */

/* reply(ch, seq, label, words) -> :ok | {:error, :stale} */
ERL_NIF_TERM nif_reply(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	unsigned seq;
	uint64_t info, mr[IPC_MAX_MRS];
	struct nif_chan *c =
	    nif_chan_arg(env, argv[0], IPC_CH_CALLEE,
	                 "serves no protected calls (the peer's end is not pp)", &err);
	if (!c)
		return err;
	if (!enif_get_uint(env, argv[1], &seq))
		return nif_argerr(env, "not a call token");
	if (!get_msg(env, argv[2], argv[3], IPC_LABEL_MAX, &info, mr, &err))
		return err;
	enif_mutex_lock(c->lock);
	bool current = c->call_forwarded && c->forwarded_seq == seq;
	if (current) {
		c->call_forwarded = false;
		ipc_reply(&c->lc->ipc, info, mr);
	}
	enif_mutex_unlock(c->lock);
	/* No kick: the peer's next call comes after this reply, and bumps the
	 * event the waiter sleeps on. */
	return current ? atoms.ok
	               : enif_make_tuple2(env, atoms.error, enif_make_atom(env, "stale"));
}

/* Waiter thread, under c->lock: take a call for the subscriber. */
void nif_serve_calls(struct nif_chan *c, struct nif_out *out)
{
	uint64_t info, mr[IPC_MAX_MRS];

	if (!c->has_owner || c->call_forwarded || !ipc_take_call(&c->lc->ipc, &info, mr))
		return;
	c->call_forwarded = true;
	c->forwarded_seq = c->lc->ipc.taken_call;
	ErlNifEnv *e = out->env;
	ERL_NIF_TERM msg[5] = {atoms.cordon_protected, chan_term(e, c),
	                       enif_make_uint64(e, ipc_info_label(info)), nif_words(e, info, mr),
	                       enif_make_uint(e, c->forwarded_seq)};
	nif_out_add(out, &c->owner, enif_make_tuple_from_array(e, msg, 5));
}

/* ---- peer life: subscriber events and monitors ---- */

static ERL_NIF_TERM down_msg(ErlNifEnv *e, struct nif_chan *c, ERL_NIF_TERM ref,
                             ERL_NIF_TERM reason)
{
	ERL_NIF_TERM t[5] = {atoms.down, ref, atoms.cordon_pd,
	                     enif_make_tuple2(e, chan_term(e, c), nif_binary(e, c->lc->peer)),
	                     reason};
	return enif_make_tuple_from_array(e, t, 5);
}

/* Waiter thread, under c->lock, after ipc_poll reported IPC_EV_LIFE: tell
 * the monitors what changed since they last heard (a restart seen only
 * once it is over is a down followed by an up). */
void nif_life_changed(struct nif_chan *c, struct nif_out *out)
{
	bool down, up;
	ErlNifEnv *e = out->env;

	ipc_life_change(c->lc->life, c->lc->ipc.seen_life, &down, &up);
	c->lc->life = c->lc->ipc.seen_life;
	if (down) {
		/* A call the dead peer made is void: its next incarnation
		 * ignores replies to it. */
		fail_forwarded(c);
		ERL_NIF_TERM reason = up ? atoms.restarted : enif_make_atom(e, "down");
		for (struct nif_mon *m = c->mons, *next; m; m = next) {
			next = m->next;
			nif_out_add(out, &m->pid,
			            down_msg(e, c, enif_make_copy(e, m->ref), reason));
			enif_free_env(m->env);
			enif_free(m);
		}
		c->mons = NULL;
	}
	/* The subscriber hears of it from nif_events_deliver, which the
	 * waiter's pass calls next. */
}

void nif_events_deliver(struct nif_chan *c, struct nif_out *out)
{
	ErlNifEnv *e = out->env;
	bool down, up;

	if (!c->has_owner || c->unacked)
		return;
	ipc_life_change(c->told_life, c->lc->life, &down, &up);
	c->told_life = c->lc->life;
	if (down)
		nif_out_add(out, &c->owner,
		            enif_make_tuple2(e, atoms.cordon_peer_down, chan_term(e, c)));
	if (up)
		nif_out_add(out, &c->owner,
		            enif_make_tuple2(e, atoms.cordon_peer_up, chan_term(e, c)));
	if (c->notify_pending)
		nif_out_add(out, &c->owner,
		            enif_make_tuple2(e, atoms.cordon_notify, chan_term(e, c)));
	c->unacked = down || up || c->notify_pending;
	c->notify_pending = false;
}

/* monitor(ch) -> ref; {:DOWN, ref, :cordon_pd, {ch, peer}, reason} follows
 * once, when the peer goes down (reason :down or :restarted), or at once
 * with :noproc when it is not up now. */
ERL_NIF_TERM nif_monitor(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	ErlNifPid self;
	struct nif_chan *c = caller_chan(env, argv[0], 0, NULL, "monitor/1", &self, &err);
	if (!c)
		return err;
	ERL_NIF_TERM ref = enif_make_ref(env);
	struct nif_mon *m = enif_alloc(sizeof(*m));
	ErlNifEnv *menv = m ? enif_alloc_env() : NULL;
	if (!menv) {
		enif_free(m);
		return nif_argerr(env, "out of memory");
	}
	m->pid = self;
	m->env = menv;
	m->ref = enif_make_copy(menv, ref);

	enif_mutex_lock(c->lock);
	/* Up as far as the waiter has reported: a death it has not yet
	 * seen will still reach this monitor. */
	bool up = c->lc->life & IPC_LIFE_UP;
	if (up) {
		m->next = c->mons;
		c->mons = m;
	}
	enif_mutex_unlock(c->lock);
	if (!up) {
		struct nif_out out;
		nif_out_init(&out);
		nif_out_add(&out, &self,
		            down_msg(out.env, c, enif_make_copy(out.env, ref), atoms.noproc));
		nif_out_send(&out);
		nif_out_free(&out);
		enif_free_env(menv);
		enif_free(m);
	}
	return ref;
}

/* demonitor(ch, ref) -> true if it was active */
ERL_NIF_TERM nif_demonitor(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	struct nif_chan *c = nif_chan_arg(env, argv[0], 0, NULL, &err);
	if (!c)
		return err;
	if (!enif_is_ref(env, argv[1]))
		return nif_argerr(env, "not a monitor reference");
	bool found = false;
	enif_mutex_lock(c->lock);
	for (struct nif_mon **p = &c->mons; *p; p = &(*p)->next) {
		if (enif_is_identical((*p)->ref, argv[1])) {
			struct nif_mon *m = *p;
			*p = m->next;
			enif_free_env(m->env);
			enif_free(m);
			found = true;
			break;
		}
	}
	enif_mutex_unlock(c->lock);
	return found ? atoms.true_ : atoms.false_;
}

/* peer_up(ch) -> boolean: is the peer running, as far as the waiter knows */
ERL_NIF_TERM nif_peer_up(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	struct nif_chan *c = nif_chan_arg(env, argv[0], 0, NULL, &err);
	if (!c)
		return err;
	enif_mutex_lock(c->lock);
	bool up = c->lc->life & IPC_LIFE_UP;
	enif_mutex_unlock(c->lock);
	return up ? atoms.true_ : atoms.false_;
}
