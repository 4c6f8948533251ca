/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A Cordon channel between two processes of a benchmark (chan.h), set up
 * the way the monitor sets one up: one memfd page per end, ipc_end_init and
 * ipc_end_up by the "monitor" before either side starts; each side maps its
 * own page read-write and the peer's read-only, then ipc_chan_init and
 * ipc_chan_start.  The serving side runs a PD's event loop: ipc_poll,
 * ipc_take_call, ipc_reply, ipc_wait_any.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/chan.h"

static void *map_fd(int fd, size_t len, off_t off, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		die_errno("mmap channel memfd");
	return p;
}

/* What the monitor does before starting either PD. */
void chan_create(struct chan *c)
{
	c->fd = memfd_create("ipc-bench-chan", MFD_CLOEXEC);
	if (c->fd < 0)
		die_errno("memfd_create");
	size_t len = 2 * IPC_PAGE_SIZE + 2 * (size_t)c->ring;
	if (ftruncate(c->fd, (off_t)len) < 0)
		die_errno("ftruncate channel");
	struct ipc_end *ends = map_fd(c->fd, 2 * IPC_PAGE_SIZE, 0, PROT_READ | PROT_WRITE);
	for (int i = 0; i < 2; i++) {
		ipc_end_init(&ends[i]);
		ipc_end_up(&ends[i]);
	}
	munmap(ends, 2 * IPC_PAGE_SIZE);
	c->mon = shared_alloc(sizeof(*c->mon));
	c->mon->magic = IPC_MON_MAGIC;
	c->mon->version = IPC_VERSION;
	c->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
}

/* What libcordon does at PD start. */
void chan_attach(struct chan *c, int side)
{
	off_t ring0 = 2 * IPC_PAGE_SIZE;
	c->own = map_fd(c->fd, IPC_PAGE_SIZE, (off_t)side * IPC_PAGE_SIZE, PROT_READ | PROT_WRITE);
	c->peer = map_fd(c->fd, IPC_PAGE_SIZE, (off_t)(1 - side) * IPC_PAGE_SIZE, PROT_READ);
	c->txq = NULL;
	c->rxq = NULL;
	if (c->ring) {
		c->txq =
		    map_fd(c->fd, c->ring, ring0 + (off_t)side * c->ring, PROT_READ | PROT_WRITE);
		c->rxq = map_fd(c->fd, c->ring, ring0 + (off_t)(1 - side) * c->ring, PROT_READ);
	}
	if (ipc_chan_init(&c->ch, 0, c->flags[side], c->own, c->peer, c->txq, c->ring, c->rxq,
	                  c->ring) < 0)
		die("ipc_chan_init refused the channel");
	ipc_chan_start(&c->ch);
	ipc_spin_init(&c->spin, c->spin_ns, c->ncpus);
}

void chan_destroy(struct chan *c)
{
	close(c->fd);
	shared_free(c->mon, sizeof(*c->mon));
}

void chan_detach(struct chan *c, uint64_t *spins, uint64_t *sleeps)
{
	*spins = c->spin.spins;
	*sleeps = c->spin.sleeps;
	munmap(c->own, IPC_PAGE_SIZE);
	munmap((void *)c->peer, IPC_PAGE_SIZE);
	if (c->ring) {
		munmap(c->txq, c->ring);
		munmap((void *)c->rxq, c->ring);
	}
}

/* As libcordon's event loop waits: the channels and the monitor page. */
void chan_wait(struct chan *c)
{
	struct ipc_chan *chans[1] = {&c->ch};
	const uint32_t *mon_word = &c->mon->event;
	const uint32_t mon_seen = 0;
	int e = ipc_wait_any_extra(chans, 1, &mon_word, &mon_seen, 1, &c->spin);
	if (e < 0)
		die("ipc_wait_any: error %d", e);
}

void chan_call(struct chan *c, uint64_t label)
{
	uint64_t r = ipc_call(&c->ch, ipc_info(label, c->nmr), c->mr, &c->spin);
	if (ipc_info_label(r) != label || ipc_info_count(r) != c->nmr)
		die("ipc_call: reply label %llu count %u, want %llu count %u",
		    (unsigned long long)ipc_info_label(r), ipc_info_count(r),
		    (unsigned long long)label, c->nmr);
}

void chan_serve_calls(struct chan *c)
{
	for (;;) {
		uint64_t info;
		ipc_poll(&c->ch);
		if (ipc_take_call(&c->ch, &info, c->mr)) {
			ipc_reply(&c->ch, info, c->mr);
			if (ipc_info_label(info) == CHAN_LABEL_STOP)
				return;
		}
		chan_wait(c);
	}
}
