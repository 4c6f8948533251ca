/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The objects of a system: every channel end page, queue ring and memory
 * region is a memfd created here, sealed against resizing (a PD holding a
 * writable descriptor must not be able to shrink a page under its peer and
 * make it fault), and handed to PDs read-write or through a read-only
 * reopening that cannot be upgraded with mprotect.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "monitor/internal.h"

static void mem_reset(struct mon_mem *mem)
{
	mem->rw = -1;
	mem->ro = -1;
	mem->size = 0;
	mem->map = NULL;
}

static void mem_close(struct mon_mem *mem)
{
	if (mem->map)
		munmap(mem->map, mem->size);
	if (mem->rw >= 0)
		close(mem->rw);
	if (mem->ro >= 0)
		close(mem->ro);
	mem_reset(mem);
}

/* A zero-filled memfd of `size` bytes, its size sealed, and a read-only
 * reopening of it.  `map`: also map it read-write into the monitor. */
static int mem_create(struct mon *m, const char *what, size_t size, bool map, struct mon_mem *mem)
{
	char path[64];

	mem->size = size;
	mem->rw = memfd_create(what, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mem->rw < 0)
		goto err;
	if (ftruncate(mem->rw, (off_t)size) < 0)
		goto err;
	if (fcntl(mem->rw, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto err;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mem->rw);
	mem->ro = open(path, O_RDONLY | O_CLOEXEC);
	if (mem->ro < 0)
		goto err;
	if (map) {
		mem->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mem->rw, 0);
		if (mem->map == MAP_FAILED) {
			mem->map = NULL;
			goto err;
		}
	}
	return 0;
err:
	mon_err(m, "cannot create %s (%zu bytes): %s", what, size, strerror(errno));
	mem_close(mem);
	return -1;
}

int mon_objects_create(struct mon *m)
{
	const struct sdf_system *sys = m->sys;
	char what[128];

	for (size_t i = 0; i < sys->nregions; i++)
		mem_reset(&m->regions[i].mem);
	for (size_t p = 0; p < sys->npds; p++)
		mem_reset(&m->pds[p].page);
	for (size_t i = 0; i < sys->nchannels; i++)
		for (int e = 0; e < 2; e++) {
			mem_reset(&m->chans[i].end[e]);
			mem_reset(&m->chans[i].ring[e]);
		}

	for (size_t i = 0; i < sys->nregions; i++) {
		const struct sdf_region *r = &sys->regions[i];
		m->regions[i].sdf = r;
		snprintf(what, sizeof(what), "cordon:region:%s", r->name);
		if (mem_create(m, what, r->size, false, &m->regions[i].mem) < 0)
			return -1;
	}
	for (size_t p = 0; p < sys->npds; p++) {
		snprintf(what, sizeof(what), "cordon:monitor:%s", sys->pds[p].name);
		if (mem_create(m, what, IPC_PAGE_SIZE, true, &m->pds[p].page) < 0)
			return -1;
		ipc_mon_init(m->pds[p].page.map);
	}
	for (size_t i = 0; i < sys->nchannels; i++) {
		struct mon_chan *c = &m->chans[i];
		c->sdf = &sys->channels[i];
		for (int e = 0; e < 2; e++) {
			const struct sdf_end *end = &c->sdf->end[e];
			const char *pd = sys->pds[end->pd].name;
			snprintf(what, sizeof(what), "cordon:end:%s:%u", pd, end->id);
			if (mem_create(m, what, IPC_PAGE_SIZE, true, &c->end[e]) < 0)
				return -1;
			ipc_end_init(c->end[e].map);
			if (end->queue_size) {
				snprintf(what, sizeof(what), "cordon:queue:%s:%u", pd, end->id);
				if (mem_create(m, what, end->queue_size, false, &c->ring[e]) < 0)
					return -1;
			}
		}
	}
	return 0;
}

void mon_objects_destroy(struct mon *m)
{
	for (size_t i = 0; i < m->sys->nregions; i++)
		mem_close(&m->regions[i].mem);
	for (size_t p = 0; p < m->sys->npds; p++)
		mem_close(&m->pds[p].page);
	for (size_t i = 0; i < m->sys->nchannels; i++)
		for (int e = 0; e < 2; e++) {
			mem_close(&m->chans[i].end[e]);
			mem_close(&m->chans[i].ring[e]);
		}
}

static void copy_name(char dst[IPC_NAME_MAX], const char *src)
{
	snprintf(dst, IPC_NAME_MAX, "%s", src);
}

/* Hand `src` to the PD: append it to the fd list at the next free number. */
static int give(struct sandbox_fd *fds, size_t *nfds, size_t cap, int src)
{
	if (*nfds == cap)
		return -1;
	int dst = fds[*nfds - 1].dst + 1;
	fds[*nfds].src = src;
	fds[*nfds].dst = dst;
	(*nfds)++;
	return dst;
}

/*
 * Write PD `p`'s boot information into a fresh sealed memfd and append every
 * capability it names to `fds` (which already holds 0..IPC_FD_BOOT-1 and
 * the ctl socket).  The boot memfd itself goes to IPC_FD_BOOT.
 */
int mon_boot_write(struct mon *m, size_t p, struct sandbox_fd *fds, size_t *nfds, size_t cap)
{
	const struct sdf_system *sys = m->sys;
	const struct sdf_pd *pd = &sys->pds[p];
	struct mon_pd *mp = &m->pds[p];
	struct ipc_boot *boot = calloc(1, sizeof(*boot));
	char what[96];
	int rc = -1;

	if (!boot) {
		mon_err(m, "pd=%s: out of memory", pd->name);
		return -1;
	}
	boot->magic = IPC_BOOT_MAGIC;
	boot->version = IPC_VERSION;
	copy_name(boot->name, pd->name);
	/* Spinning before sleeping pays only when there is another CPU for
	 * the peer to run on; bound it by the cost of a cross-CPU wake-up. */
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	boot->ncpus = ncpus > 0 ? (uint32_t)ncpus : 1;
	boot->spin_ns = boot->ncpus > 1 ? 20000 : 0;
	boot->ctl_fd = IPC_FD_FIRST;
	boot->mon_fd = give(fds, nfds, cap, mp->page.ro);
	if (boot->mon_fd < 0)
		goto too_many;

	for (size_t i = 0; i < sys->nchannels; i++) {
		const struct sdf_channel *ch = &sys->channels[i];
		for (int e = 0; e < 2; e++) {
			if (ch->end[e].pd != p)
				continue;
			const struct sdf_end *own = &ch->end[e], *peer = &ch->end[1 - e];
			struct ipc_boot_channel *bc = &boot->channels[boot->nchannels++];
			bc->id = own->id;
			bc->flags = (own->notify ? IPC_CH_NOTIFY : 0) |
			            (peer->notify ? IPC_CH_PEER_NOTIFY : 0) |
			            (own->pp ? IPC_CH_CALLER : 0) | (peer->pp ? IPC_CH_CALLEE : 0);
			copy_name(bc->peer, sys->pds[peer->pd].name);
			bc->own_fd = give(fds, nfds, cap, m->chans[i].end[e].rw);
			bc->peer_fd = give(fds, nfds, cap, m->chans[i].end[1 - e].ro);
			bc->txq_fd = bc->rxq_fd = -1;
			if (own->queue_size) {
				bc->flags |= IPC_CH_TX_QUEUE;
				bc->txq_size = own->queue_size;
				bc->txq_fd = give(fds, nfds, cap, m->chans[i].ring[e].rw);
			}
			if (peer->queue_size) {
				bc->flags |= IPC_CH_RX_QUEUE;
				bc->rxq_size = peer->queue_size;
				bc->rxq_fd = give(fds, nfds, cap, m->chans[i].ring[1 - e].ro);
			}
			if (bc->own_fd < 0 || bc->peer_fd < 0 ||
			    (own->queue_size && bc->txq_fd < 0) ||
			    (peer->queue_size && bc->rxq_fd < 0))
				goto too_many;
		}
	}
	for (size_t i = 0; i < pd->nmaps; i++) {
		const struct sdf_map *map = &pd->maps[i];
		const struct mon_region *r = &m->regions[map->region];
		struct ipc_boot_map *bm = &boot->maps[boot->nmaps++];
		bm->vaddr = map->vaddr;
		bm->size = r->sdf->size;
		bm->perms = map->perms;
		bm->has_setvar = map->setvar_vaddr != NULL;
		bm->setvar_off = map->setvar_off;
		copy_name(bm->region, r->sdf->name);
		bm->fd = give(fds, nfds, cap, (map->perms & IPC_PERM_W) ? r->mem.rw : r->mem.ro);
		if (bm->fd < 0)
			goto too_many;
	}
	/* Only this PD's own grants: the sockets are per PD (monitor/grants.c). */
	for (size_t i = 0; i < pd->ngrants; i++) {
		const struct sdf_grant *g = &pd->grants[i];
		struct ipc_boot_grant *bg = &boot->grants[boot->ngrants++];
		char why[160];
		if (mon_grant_rearm(m, p, i, why, sizeof(why)) < 0) {
			mon_err(m, "pd=%s: %s", pd->name, why);
			goto out;
		}
		bg->kind = IPC_GRANT_TCP_LISTEN;
		bg->port = g->port;
		copy_name(bg->name, g->name);
		bg->fd = give(fds, nfds, cap, mp->grants[i]);
		if (bg->fd < 0)
			goto too_many;
	}

	snprintf(what, sizeof(what), "cordon:boot:%s", pd->name);
	if (mem_create(m, what, sizeof(*boot), false, &mp->boot.mem) < 0)
		goto out;
	/* The PD gets only the read-only reopening: it can read its boot
	 * information but not change what a restart will hand it again. */
	ssize_t n = pwrite(mp->boot.mem.rw, boot, sizeof(*boot), 0);
	if (n != (ssize_t)sizeof(*boot)) {
		mon_err(m, "pd=%s: writing boot information: %s", pd->name,
		        n < 0 ? strerror(errno) : "short write");
		goto out;
	}
	fds[IPC_FD_BOOT].src = mp->boot.mem.ro;
	rc = 0;
	goto out;
too_many:
	mon_err(m, "pd=%s: too many capabilities to hand in (at most %zu)", pd->name, cap);
out:
	free(boot);
	return rc;
}

void mon_regions_clear(struct mon *m, size_t p)
{
	const struct sdf_pd *pd = &m->sys->pds[p];
	for (size_t i = 0; i < pd->nmaps; i++) {
		const struct mon_region *r = &m->regions[pd->maps[i].region];
		if (!r->sdf->clear_on_restart)
			continue;
		/* Punching the whole file out gives every mapping zero pages. */
		if (fallocate(r->mem.rw, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		              (off_t)r->mem.size) < 0)
			mon_err(m, "region=%s could not be cleared: %s", r->sdf->name,
			        strerror(errno));
		else
			mon_info(m, "region=%s cleared for the restart of pd=%s", r->sdf->name,
			         pd->name);
	}
}

void mon_boot_close(struct mon_pd *mp)
{
	mem_close(&mp->boot.mem);
}
