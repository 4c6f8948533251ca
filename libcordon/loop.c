/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event loop: boot, init(), then forever: read the monitor's messages,
 * poll every channel and dispatch its events to the entry points, one at
 * a time, and sleep until some peer page or the monitor page changes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libcordon/internal.h"

/* Set only when the program uses microkit.h's microkit_name (microkit.c
 * defines it, and the weak reference does not pull that file in). */
extern char microkit_name[] __attribute__((weak));

void lc_check_broken(struct lc_chan *c)
{
	struct ipc_chan *ch = &c->ipc;
	char what[96];

	if (!ch->broken || ch->broken_count == c->reported_broken)
		return;
	c->reported_broken = ch->broken_count;
	snprintf(what, sizeof(what), "%s", ch->broken_what ? ch->broken_what : "corrupt");
	lc_err("channel %u to %s is broken: %s; it stays unusable until %s restarts", ch->id,
	       c->peer, what, c->peer);
	lc_ctl_send(IPC_CTL_BROKEN, ch->id, what);
}

/* Tell peer_down/peer_up what changed since they last heard (ipc_life_change:
 * a restart seen only once it is over is a down followed by an up). */
static void life_changed(struct lc_chan *c)
{
	bool down, up;

	ipc_life_change(c->life, c->ipc.seen_life, &down, &up);
	c->life = c->ipc.seen_life;
	if (down)
		peer_down(c->ipc.id);
	if (up)
		peer_up(c->ipc.id);
}

static void serve(struct lc_chan *c)
{
	struct ipc_chan *ch = &c->ipc;
	uint64_t info;

	unsigned ev = ipc_poll(ch);
	if (ev & IPC_EV_HEALED)
		lc_err("channel %u to %s works again", ch->id, c->peer);
	if (ev & IPC_EV_LIFE)
		life_changed(c);
	if ((ev & IPC_EV_NOTIFY) && lc_hears(&c->ipc))
		notified(ch->id);
	/* One call per pass: the caller blocks, so there is at most one. */
	if (ipc_take_call(ch, &info, lc_pd.mr)) {
		cordon_msginfo reply = protected(ch->id, info);
		ipc_reply(ch, reply, lc_pd.mr);
	}
	lc_check_broken(c);
}

void lc_queue_flush(void)
{
	if (!lc_pd.queued)
		return;
	lc_pd.queued = false;
	for (unsigned i = 0; i < lc_pd.nchans; i++)
		ipc_queue_flush(&lc_pd.chans[i].ipc);
}

static void serve_monitor(void)
{
	uint32_t ev = ipc_mon_event(lc_pd.mon);
	if (ev == lc_pd.mon_seen)
		return;
	/* Snapshot first: a message queued after it bumps event again. */
	lc_pd.mon_seen = ev;
	lc_ctl_drain();
}

int lc_main(void)
{
	char why[256];

	if (lc_boot(IPC_FD_BOOT, &lc_pd, why, sizeof(why)) < 0) {
		lc_err("boot: %s", why);
		return 1;
	}
	if (microkit_name)
		memcpy(microkit_name, lc_pd.name, IPC_NAME_MAX);
	if (lc_fault_install() < 0) {
		lc_err("cannot install fault handlers: %s", strerror(errno));
		return 1;
	}
	ipc_spin_init(&lc_pd.spin, lc_pd.spin_ns, lc_pd.ncpus);
	for (unsigned i = 0; i < lc_pd.nchans; i++) {
		ipc_chan_start(&lc_pd.chans[i].ipc);
		lc_pd.chans[i].life = lc_pd.chans[i].ipc.seen_life;
	}

	init();
	/* Ready: a death from now on is a crash, not a failed start. */
	lc_ctl_send(IPC_CTL_READY, 0, NULL);
	lc_queue_flush();

	for (;;) {
		const uint32_t *mon_word;
		uint32_t mon_expect;
		serve_monitor();
		lc_queue_flush();
		for (unsigned i = 0; i < lc_pd.nchans; i++) {
			serve(&lc_pd.chans[i]);
			lc_queue_flush();
		}
		lc_dbg_flush();
		ipc_mon_wait_word(lc_pd.mon, lc_pd.mon_seen, &mon_word, &mon_expect);
		/* ipc_wait_any_extra flushes every channel's queues, too. */
		int e = ipc_wait_any_extra(lc_pd.wait, lc_pd.nchans, &mon_word, &mon_expect, 1,
		                           &lc_pd.spin);
		if (e < 0) {
			lc_err("cannot wait for events: %s (Linux 5.16 or later is needed)",
			       strerror(-e));
			return 1;
		}
	}
}
