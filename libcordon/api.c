/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cordon_* calls.  Each checks the channel against what the boot
 * information gave this PD, and on misuse prints
 *     <pdname>: cordon_X: channel N ...
 * on stderr and does nothing, as Microkit's libmicrokit does.
 */
#include <string.h>

#include "libcordon/internal.h"

/* cordon.h is installed alone, so it cannot include ipc/ipc.h; these tie
 * each of its constants to the one ipc/ defines, and the calls below pass
 * ipc/'s labels and codes through unchanged. */
#define SAME(a, b) _Static_assert((a) == (b), #a " must equal " #b)
SAME(CORDON_MAX_CHANNELS, IPC_MAX_CHANNELS);
SAME(CORDON_MAX_MRS, IPC_MAX_MRS);
SAME(CORDON_LABEL_BITS, IPC_LABEL_BITS);
SAME(CORDON_LABEL_MAX, IPC_LABEL_MAX);
SAME(CORDON_LABEL_PEER_DOWN, IPC_LABEL_PEER_DOWN);
SAME(CORDON_LABEL_INVALID, IPC_LABEL_INVALID);
SAME(CORDON_LABEL_BROKEN, IPC_LABEL_BROKEN);
SAME(CORDON_EQUEUE_FULL, IPC_EQ_FULL);
SAME(CORDON_EQUEUE_EMPTY, IPC_EQ_EMPTY);
SAME(CORDON_EQUEUE_NOQUEUE, IPC_EQ_NOQUEUE);
SAME(CORDON_EQUEUE_TOOBIG, IPC_EQ_TOOBIG);
SAME(CORDON_EQUEUE_BROKEN, IPC_EQ_BROKEN);
SAME(CORDON_EQUEUE_DOWN, IPC_EQ_DOWN);
#undef SAME

struct lc_pd lc_pd = {.ctl_fd = -1};

/* The channel if this PD holds it and the end has `need` (0: any). */
static struct lc_chan *held(const char *fn, cordon_channel ch, uint32_t need, const char *lacks)
{
	struct lc_chan *c = ch < CORDON_MAX_CHANNELS ? lc_pd.by_id[ch] : NULL;

	if (!c) {
		lc_err("%s: channel %u is not a channel of this PD", fn, ch);
		return NULL;
	}
	if (need && !(c->ipc.flags & need)) {
		lc_err("%s: channel %u (to %s) %s", fn, ch, c->peer, lacks);
		return NULL;
	}
	return c;
}

void cordon_notify(cordon_channel ch)
{
	struct lc_chan *c = held("cordon_notify", ch, IPC_CH_NOTIFY,
	                         "does not allow this PD to notify (notify=\"false\")");
	if (c)
		ipc_notify(&c->ipc);
}

cordon_msginfo cordon_ppcall(cordon_channel ch, cordon_msginfo msginfo)
{
	struct lc_chan *c = held("cordon_ppcall", ch, IPC_CH_CALLER,
	                         "does not allow protected calls from this PD (its end is not pp)");
	if (!c)
		return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
	if (cordon_msginfo_get_count(msginfo) > CORDON_MAX_MRS) {
		lc_err("cordon_ppcall: channel %u: %u message registers, at most %u", ch,
		       cordon_msginfo_get_count(msginfo), CORDON_MAX_MRS);
		return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
	}
	lc_dbg_flush(); /* we may block: say what we had to say first */
	lc_queue_flush();
	cordon_msginfo r = ipc_call(&c->ipc, msginfo, lc_pd.mr, &lc_pd.spin);
	lc_check_broken(c);
	return r;
}

void cordon_mr_set(unsigned int mr, uint64_t value)
{
	if (mr >= CORDON_MAX_MRS) {
		lc_err("cordon_mr_set: message register %u out of range (0..%u)", mr,
		       CORDON_MAX_MRS - 1);
		return;
	}
	lc_pd.mr[mr] = value;
}

uint64_t cordon_mr_get(unsigned int mr)
{
	if (mr >= CORDON_MAX_MRS) {
		lc_err("cordon_mr_get: message register %u out of range (0..%u)", mr,
		       CORDON_MAX_MRS - 1);
		return 0;
	}
	return lc_pd.mr[mr];
}

int cordon_queue_send(cordon_channel ch, const void *buf, size_t len)
{
	struct lc_chan *c =
	    held("cordon_queue_send", ch, IPC_CH_TX_QUEUE, "has no queue from this PD to its peer");
	if (!c)
		return CORDON_EQUEUE_NOQUEUE;
	int r = ipc_queue_send(&c->ipc, buf, len);
	lc_pd.queued = true;
	lc_check_broken(c);
	return r;
}

ssize_t cordon_queue_recv(cordon_channel ch, void *buf, size_t cap)
{
	struct lc_chan *c =
	    held("cordon_queue_recv", ch, IPC_CH_RX_QUEUE, "has no queue from its peer to this PD");
	if (!c)
		return CORDON_EQUEUE_NOQUEUE;
	ssize_t r = ipc_queue_recv(&c->ipc, buf, cap);
	lc_pd.queued = true;
	lc_check_broken(c);
	return r;
}

size_t cordon_queue_max_msg(cordon_channel ch)
{
	struct lc_chan *c =
	    held("cordon_queue_max_msg", ch, IPC_CH_TX_QUEUE | IPC_CH_RX_QUEUE, "has no queue");
	if (!c)
		return 0;
	/* The direction this PD sends in, else the one it receives in. */
	return ipc_queue_max_msg(c->ipc.txq ? c->ipc.txq_size : c->ipc.rxq_size);
}

static void child_request(const char *fn, uint32_t type, cordon_child child)
{
	if (child >= CORDON_MAX_CHANNELS) {
		lc_err("%s: child %u out of range (0..%u)", fn, child, CORDON_MAX_CHANNELS - 1);
		return;
	}
	/* Whether `child` is really ours is the monitor's to check. */
	if (lc_ctl_send(type, child, NULL) < 0)
		lc_err("%s: child %u: the monitor did not take the request", fn, child);
}

void cordon_pd_restart(cordon_child child)
{
	child_request("cordon_pd_restart", IPC_CTL_PD_RESTART, child);
}

void cordon_pd_stop(cordon_child child)
{
	child_request("cordon_pd_stop", IPC_CTL_PD_STOP, child);
}

int cordon_grant_fd(const char *name)
{
	if (!name) {
		lc_err("cordon_grant_fd: no grant name given");
		return -1;
	}
	for (unsigned i = 0; i < lc_pd.ngrants; i++)
		if (!strncmp(lc_pd.grants[i].name, name, IPC_NAME_MAX))
			return lc_pd.grants[i].fd;
	lc_err("cordon_grant_fd: this PD has no grant named '%.*s'", IPC_NAME_MAX, name);
	return -1;
}
