/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Protected procedure calls.  The caller's page holds the call (call_mr,
 * call_info, call_life, call_seq); the callee's page holds the reply
 * (reply_mr, reply_info, reply_seq).  A call is pending while the caller's
 * call_seq differs from the callee's reply_seq; at most one is outstanding
 * per channel because the caller blocks.
 */

#include "ipc/internal.h"

static uint64_t clamp_count(uint64_t info)
{
	if (ipc_info_count(info) > IPC_MAX_MRS)
		info = (info & ~(uint64_t)0x7f) | IPC_MAX_MRS;
	return info;
}

/* Who: the owner thread of ch, on an end with IPC_CH_CALLER.
 * Publication: the payload is stored first, then call_seq with release (pairs
 * with the callee's acquire of call_seq in ipc_take_call), then event with
 * release (pairs with the acquire of event in the callee's ipc_poll, which
 * is what wakes its event loop).  call_life tells a restarted callee not to
 * run a call addressed to its previous incarnation. */
bool ipc_call_start(struct ipc_chan *ch, uint64_t info, const uint64_t mr[IPC_MAX_MRS],
                    struct ipc_call_state *cs, uint64_t *fail)
{
	struct ipc_end *own = ch->own;
	const struct ipc_end *peer = ch->peer;

	if (!(ch->flags & IPC_CH_CALLER)) {
		*fail = ipc_info(IPC_LABEL_INVALID, 0);
		return false;
	}
	if (ch->broken) {
		*fail = ipc_info(IPC_LABEL_BROKEN, 0);
		return false;
	}
	uint32_t life = LOAD_ACQUIRE(&peer->life);
	if (!(life & IPC_LIFE_UP)) {
		*fail = ipc_info(IPC_LABEL_PEER_DOWN, 0);
		return false;
	}

	info = clamp_count(info);
	unsigned count = ipc_info_count(info);
	for (unsigned i = 0; i < count; i++)
		STORE_RELAXED(&own->call_mr[i], mr[i]);
	STORE_RELAXED(&own->call_info, info);
	STORE_RELAXED(&own->call_life, life);
	cs->seq = bump_release(&own->call_seq);
	cs->life = life;
	cs->seen_reply = LOAD_RELAXED(&peer->reply_seq);
	bump_release(&own->event);
	FENCE_SEQ_CST(); /* waker's half of the `waiting` handshake */
	cs->woke = LOAD_RELAXED(&peer->waiting) != 0;
	if (cs->woke)
		ipc_os_wake(&own->event);
	return true;
}

/* Who: the owner thread of ch, after ipc_call_start.  The reply is acquired
 * through reply_seq (pairs with the release in ipc_reply); a change of the
 * callee's life, checked after reply_seq so that a callee that replied and
 * then died still delivers its reply, abandons the call. */
bool ipc_call_done(struct ipc_chan *ch, struct ipc_call_state *cs, uint64_t *rinfo,
                   uint64_t mr[IPC_MAX_MRS])
{
	const struct ipc_end *peer = ch->peer;
	uint32_t r = LOAD_ACQUIRE(&peer->reply_seq);

	if (r != cs->seq) {
		cs->seen_reply = r;
		if (LOAD_ACQUIRE(&peer->life) == cs->life)
			return false;
		*rinfo = ipc_info(IPC_LABEL_PEER_DOWN, 0);
		return true;
	}
	/* Reply registers are hostile: the count is clamped and each word
	 * copied exactly once.  A reply with one of Cordon's own failure labels
	 * (a callee may fail a call that way) carries no registers: cordon.h
	 * promises count 0 with those labels, whoever chose them. */
	uint64_t info = clamp_count(LOAD_RELAXED(&peer->reply_info));
	if (ipc_info_label(info) >= IPC_LABEL_BROKEN)
		info = ipc_info(ipc_info_label(info), 0);
	unsigned count = ipc_info_count(info);
	for (unsigned i = 0; i < count; i++)
		mr[i] = LOAD_RELAXED(&peer->reply_mr[i]);
	*rinfo = info;
	return true;
}

uint64_t ipc_call(struct ipc_chan *ch, uint64_t info, uint64_t mr[IPC_MAX_MRS],
                  struct ipc_spin *spin)
{
	struct ipc_call_state cs;
	uint64_t r;

	if (!ipc_call_start(ch, info, mr, &cs, &r))
		return r;
	while (!ipc_call_done(ch, &cs, &r, mr)) {
		/* A callee we had to wake cannot reply before the wake-up
		 * (several µs; on a shared CPU not before we give the CPU
		 * up): do not spin. */
		const uint32_t *words[2] = {&ch->peer->reply_seq, &ch->peer->life};
		uint32_t expect[2] = {cs.seen_reply, cs.life};
		int e = ipc_wait_words(words, expect, 2, &ch->own, 1, spin, !cs.woke);
		if (e < 0) {
			/* futex_waitv unusable (a kernel before 5.16): no way
			 * to block; refuse instead of burning the CPU. */
			ipc_break(ch, "futex_waitv failed (Linux 5.16 or later needed)");
			return ipc_info(IPC_LABEL_BROKEN, 0);
		}
	}
	return r;
}

/* Who: the owner thread of ch, on an end with IPC_CH_CALLEE, typically after
 * ipc_poll.  The acquire of call_seq pairs with the caller's release in
 * ipc_call, so the payload read after it is the one published with it (or
 * whatever a hostile caller scribbles meanwhile: it is copied once). */
bool ipc_take_call(struct ipc_chan *ch, uint64_t *info, uint64_t mr[IPC_MAX_MRS])
{
	const struct ipc_end *peer = ch->peer;

	if (!(ch->flags & IPC_CH_CALLEE) || ch->broken || ch->call_taken)
		return false;
	uint32_t seq = LOAD_ACQUIRE(&peer->call_seq);
	if (seq == ch->seen_call)
		return false;
	ch->seen_call = seq;
	/* A call made to our previous incarnation: its caller has already
	 * been told PEER_DOWN, so running it now would be a surprise. */
	if (LOAD_RELAXED(&peer->call_life) != LOAD_RELAXED(&ch->own->life))
		return false;
	uint64_t inf = clamp_count(LOAD_RELAXED(&peer->call_info));
	unsigned count = ipc_info_count(inf);
	for (unsigned i = 0; i < count; i++)
		mr[i] = LOAD_RELAXED(&peer->call_mr[i]);
	*info = inf;
	ch->taken_call = seq;
	ch->call_taken = true;
	return true;
}

/* Who: the owner thread of ch, after ipc_take_call returned true.  The
 * release store of reply_seq pairs with the caller's acquire in ipc_call;
 * the fence is the waker's half of the `waiting` handshake. */
void ipc_reply(struct ipc_chan *ch, uint64_t info, const uint64_t mr[IPC_MAX_MRS])
{
	struct ipc_end *own = ch->own;

	if (!ch->call_taken)
		return;
	ch->call_taken = false;
	info = clamp_count(info);
	unsigned count = ipc_info_count(info);
	for (unsigned i = 0; i < count; i++)
		STORE_RELAXED(&own->reply_mr[i], mr[i]);
	STORE_RELAXED(&own->reply_info, info);
	STORE_RELEASE(&own->reply_seq, ch->taken_call);
	FENCE_SEQ_CST();
	if (LOAD_RELAXED(&ch->peer->waiting))
		ipc_os_wake(&own->reply_seq);
}
