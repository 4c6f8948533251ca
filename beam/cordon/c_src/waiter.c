/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The waiter thread: the one thread of a BEAM PD that sleeps on its
 * channels.  Each pass looks at every channel under its lock (ipc_poll,
 * the subscriber's events, calls to serve, our calls' replies, queue
 * wake-ups owed), builds the messages, releases the lock and sends them;
 * then it sleeps until a peer page, the monitor page or the kick word
 * changes, spinning first as libcordon's loop does (ipc/wait.c).
 *
 * What it sleeps on is snapshotted under each channel's lock: the peer's
 * event (its life while the channel is broken), and the reply words of a
 * call of ours it waits for.  A scheduler thread that changes what the
 * waiter should look at (a call handed over, a subscriber arriving) bumps
 * the kick word after, which is in the same futex_waitv set.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "beam/cordon/c_src/nif.h"
#include "ipc/os.h"

#define MAX_WORDS (2 * IPC_MAX_CHANNELS + 2)

/* One channel, under its lock. */
static void pass(struct nif_chan *c, struct nif_out *out)
{
	struct ipc_chan *ch = &c->lc->ipc;
	unsigned ev = ipc_poll(ch);

	if (ev & IPC_EV_HEALED)
		fprintf(stderr, "%s: channel %u to %s works again\n", nif_pd()->name, ch->id,
		        c->lc->peer);
	if (ev & IPC_EV_LIFE)
		nif_life_changed(c, out);
	if ((ev & IPC_EV_NOTIFY) && lc_hears(ch))
		c->notify_pending = true; /* coalesces: nif.h, unasked messages */
	nif_events_deliver(c, out);
	nif_serve_calls(c, out);
	nif_calls_progress(c, out);
	ipc_queue_flush(ch);
	nif_check_broken(c);
}

/* The monitor's messages: a BEAM PD has no children, so nothing it sends
 * today needs an answer; read them so the socket never fills. */
static void drain_ctl(void)
{
	struct ipc_ctl m;
	int fd = nif_pd()->ctl_fd;
	while (fd >= 0 && recv(fd, &m, sizeof(m), MSG_DONTWAIT) > 0)
		;
}

void *nif_waiter_main(void *arg)
{
	struct lc_pd *pd = nif_pd();
	const uint32_t *words[MAX_WORDS];
	uint32_t expect[MAX_WORDS];
	struct ipc_end *owns[IPC_MAX_CHANNELS];
	struct nif_out out;
	uint32_t mon_seen = pd->mon_seen;

	nif_out_init(&out);
	for (;;) {
		uint32_t kick = __atomic_load_n(&nif.kick, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&nif.stop, __ATOMIC_ACQUIRE))
			break;
		uint32_t mev = ipc_mon_event(pd->mon);
		if (mev != mon_seen) {
			mon_seen = mev;
			drain_ctl();
		}

		unsigned n = 0;
		for (unsigned i = 0; i < nif.nchans; i++) {
			struct nif_chan *c = &nif.chans[i];
			struct ipc_chan *ch = &c->lc->ipc;
			enif_mutex_lock(c->lock);
			pass(c, &out);
			ipc_chan_wait_word(ch, &words[n], &expect[n]);
			n++;
			if (c->call_state == CALL_WAIT) {
				words[n] = &ch->peer->reply_seq;
				expect[n++] = c->cs.seen_reply;
			}
			owns[i] = ch->own;
			enif_mutex_unlock(c->lock);
			nif_out_send(&out);
		}
		ipc_mon_wait_word(pd->mon, mon_seen, &words[n], &expect[n]);
		n++;
		words[n] = &nif.kick;
		expect[n++] = kick;

		int e = ipc_wait_words(words, expect, n, owns, nif.nchans, &pd->spin, true);
		if (e < 0) {
			fprintf(stderr,
			        "%s: cordon: cannot wait for events: %s (Linux 5.16 or later is "
			        "needed); channels stop working\n",
			        pd->name, strerror(-e));
			break;
		}
	}
	nif_out_free(&out);
	return NULL;
}
