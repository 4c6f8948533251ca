/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot: read the boot information the monitor handed in at IPC_FD_BOOT,
 * check it, and map every object it names.
 *
 * The monitor is trusted, but a mistake there must not become memory
 * corruption here: the information is copied out of the shared page once,
 * and every count, name, id, size and descriptor is checked before use.
 * Every descriptor is also fstat'ed, so a memfd smaller than what we map
 * is refused now instead of becoming a SIGBUS later.
 */
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcordon/internal.h"
#include "util/why.h"

#define KNOWN_CH_FLAGS                                                                             \
	(IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY | IPC_CH_CALLER | IPC_CH_CALLEE | IPC_CH_TX_QUEUE |    \
	 IPC_CH_RX_QUEUE)

static bool name_ok(const char name[IPC_NAME_MAX])
{
	return name[0] != '\0' && memchr(name, '\0', IPC_NAME_MAX) != NULL;
}

/* Descriptor numbers must be in range and each used once: two objects on
 * one descriptor would be one object seen twice. */
struct fdset {
	uint64_t bits[LC_FD_LIMIT / 64];
};

static bool fd_claim(struct fdset *s, int32_t fd)
{
	if (fd < IPC_FD_FIRST || fd >= LC_FD_LIMIT)
		return false;
	uint64_t bit = UINT64_C(1) << (fd % 64);
	if (s->bits[fd / 64] & bit)
		return false;
	s->bits[fd / 64] |= bit;
	return true;
}

static int check_channel(const struct ipc_boot_channel *c, unsigned i, uint64_t *ids,
                         struct fdset *fds, char *why, size_t whylen)
{
	if (c->id >= IPC_MAX_CHANNELS)
		return why_fail(why, whylen, -1, "channel %u: id %u out of range (0..%u)", i, c->id,
		                IPC_MAX_CHANNELS - 1);
	if (*ids & (UINT64_C(1) << c->id))
		return why_fail(why, whylen, -1, "channel %u: id %u given twice", i, c->id);
	*ids |= UINT64_C(1) << c->id;
	if (c->flags & ~KNOWN_CH_FLAGS)
		return why_fail(why, whylen, -1, "channel %u: unknown flags %#x", c->id,
		                c->flags & ~KNOWN_CH_FLAGS);
	if (!name_ok(c->peer))
		return why_fail(why, whylen, -1, "channel %u: peer name empty or not terminated",
		                c->id);
	if (!fd_claim(fds, c->own_fd) || !fd_claim(fds, c->peer_fd))
		return why_fail(why, whylen, -1,
		                "channel %u: bad or reused end page descriptor (%d, %d)", c->id,
		                c->own_fd, c->peer_fd);
	if (c->flags & IPC_CH_TX_QUEUE) {
		if (!ipc_ring_size_ok(c->txq_size) || !fd_claim(fds, c->txq_fd))
			return why_fail(why, whylen, -1,
			                "channel %u: bad tx queue (fd %d, %u bytes)", c->id,
			                c->txq_fd, c->txq_size);
	} else if (c->txq_fd != -1 || c->txq_size != 0) {
		return why_fail(why, whylen, -1, "channel %u: tx queue given without the flag",
		                c->id);
	}
	if (c->flags & IPC_CH_RX_QUEUE) {
		if (!ipc_ring_size_ok(c->rxq_size) || !fd_claim(fds, c->rxq_fd))
			return why_fail(why, whylen, -1,
			                "channel %u: bad rx queue (fd %d, %u bytes)", c->id,
			                c->rxq_fd, c->rxq_size);
	} else if (c->rxq_fd != -1 || c->rxq_size != 0) {
		return why_fail(why, whylen, -1, "channel %u: rx queue given without the flag",
		                c->id);
	}
	return 0;
}

static int check_map(const struct ipc_boot *b, unsigned i, struct fdset *fds, char *why,
                     size_t whylen)
{
	const struct ipc_boot_map *m = &b->maps[i];
	uint64_t page = IPC_PAGE_SIZE;

	if (!name_ok(m->region))
		return why_fail(why, whylen, -1, "map %u: region name empty or not terminated", i);
	if (m->vaddr == 0 || m->size == 0 || (m->vaddr | m->size) % page ||
	    m->vaddr + m->size < m->vaddr)
		return why_fail(why, whylen, -1, "map %u (region %s): bad range %#llx+%#llx", i,
		                m->region, (unsigned long long)m->vaddr,
		                (unsigned long long)m->size);
	if (m->perms == 0 || (m->perms & ~(IPC_PERM_R | IPC_PERM_W | IPC_PERM_X)))
		return why_fail(why, whylen, -1, "map %u (region %s): bad perms %#x", i, m->region,
		                m->perms);
	if (m->has_setvar > 1)
		return why_fail(why, whylen, -1, "map %u (region %s): bad has_setvar", i,
		                m->region);
	if (!fd_claim(fds, m->fd))
		return why_fail(why, whylen, -1, "map %u (region %s): bad or reused descriptor %d",
		                i, m->region, m->fd);
	for (unsigned j = 0; j < i; j++) {
		const struct ipc_boot_map *o = &b->maps[j];
		if (m->vaddr < o->vaddr + o->size && o->vaddr < m->vaddr + m->size)
			return why_fail(why, whylen, -1,
			                "map %u (region %s) overlaps map %u (region %s)", i,
			                m->region, j, o->region);
	}
	return 0;
}

static int check_grant(const struct ipc_boot_grant *g, unsigned i, struct fdset *fds, char *why,
                       size_t whylen)
{
	if (!name_ok(g->name))
		return why_fail(why, whylen, -1, "grant %u: name empty or not terminated", i);
	if (g->kind != IPC_GRANT_TCP_LISTEN)
		return why_fail(why, whylen, -1, "grant %s: unknown kind %u", g->name, g->kind);
	if (g->port == 0 || g->port > 65535)
		return why_fail(why, whylen, -1, "grant %s: port %u out of range", g->name,
		                g->port);
	if (!fd_claim(fds, g->fd))
		return why_fail(why, whylen, -1, "grant %s: bad or reused descriptor %d", g->name,
		                g->fd);
	return 0;
}

/* Who: boot, on a private copy (so nothing changes between check and use). */
int lc_boot_check(const struct ipc_boot *b, char *why, size_t whylen)
{
	struct fdset fds;
	uint64_t ids = 0;

	memset(&fds, 0, sizeof(fds));
	if (b->magic != IPC_BOOT_MAGIC)
		return why_fail(why, whylen, -1, "bad magic %#x (not boot information)", b->magic);
	if (b->version != IPC_VERSION)
		return why_fail(why, whylen, -1, "version %u, this libcordon speaks %u", b->version,
		                IPC_VERSION);
	if (b->ncpus == 0 || b->ncpus > 4096)
		return why_fail(why, whylen, -1, "ncpus %u, expected 1..4096", b->ncpus);
	if (!name_ok(b->name))
		return why_fail(why, whylen, -1, "PD name empty or not terminated");
	if (b->nchannels > IPC_MAX_CHANNELS)
		return why_fail(why, whylen, -1, "%u channels, at most %u", b->nchannels,
		                IPC_MAX_CHANNELS);
	if (b->nmaps > IPC_MAX_MAPS)
		return why_fail(why, whylen, -1, "%u maps, at most %u", b->nmaps, IPC_MAX_MAPS);
	if (b->ngrants > IPC_MAX_GRANTS)
		return why_fail(why, whylen, -1, "%u grants, at most %u", b->ngrants,
		                IPC_MAX_GRANTS);
	if (!fd_claim(&fds, b->ctl_fd))
		return why_fail(why, whylen, -1, "bad control socket descriptor %d", b->ctl_fd);
	if (!fd_claim(&fds, b->mon_fd))
		return why_fail(why, whylen, -1, "bad or reused monitor page descriptor %d",
		                b->mon_fd);
	for (unsigned i = 0; i < b->nchannels; i++)
		if (check_channel(&b->channels[i], i, &ids, &fds, why, whylen) < 0)
			return -1;
	for (unsigned i = 0; i < b->nmaps; i++)
		if (check_map(b, i, &fds, why, whylen) < 0)
			return -1;
	for (unsigned i = 0; i < b->ngrants; i++) {
		if (check_grant(&b->grants[i], i, &fds, why, whylen) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(b->grants[i].name, b->grants[j].name) == 0)
				return why_fail(why, whylen, -1, "grant %s given twice",
				                b->grants[i].name);
	}
	return 0;
}

/* Map len bytes of fd: read-write or read-only, shared, at addr if fixed. */
static void *map(struct lc_pd *pd, int fd, size_t len, int prot, uint64_t addr, const char *what,
                 char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		why_fail(why, whylen, -1, "%s: fd %d: %s", what, fd, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < len) {
		why_fail(why, whylen, -1, "%s: fd %d is not a memory object of at least %zu bytes",
		         what, fd, len);
		return NULL;
	}
	int flags = MAP_SHARED | (addr ? MAP_FIXED_NOREPLACE : 0);
	void *p = mmap((void *)(uintptr_t)addr, len, prot, flags, fd, 0);
	if (p == MAP_FAILED) {
		why_fail(why, whylen, -1, "%s: mmap of fd %d (%zu bytes%s): %s", what, fd, len,
		         addr ? " at a fixed address" : "",
		         errno == EEXIST ? "the address range is already in use" : strerror(errno));
		return NULL;
	}
	if (addr && p != (void *)(uintptr_t)addr) {
		/* A kernel before 4.17 treats MAP_FIXED_NOREPLACE as a hint. */
		munmap(p, len);
		why_fail(why, whylen, -1, "%s: could not map at %#llx", what,
		         (unsigned long long)addr);
		return NULL;
	}
	pd->mapped[pd->nmapped].addr = p;
	pd->mapped[pd->nmapped].len = len;
	pd->mapped[pd->nmapped].fd = fd;
	pd->nmapped++;
	return p;
}

void lc_boot_unmap(struct lc_pd *pd)
{
	for (unsigned i = 0; i < pd->nmapped; i++)
		munmap(pd->mapped[i].addr, pd->mapped[i].len);
	pd->nmapped = 0;
}

static int map_channel(struct lc_pd *pd, const struct ipc_boot_channel *c, char *why, size_t whylen)
{
	struct lc_chan *lc = &pd->chans[pd->nchans];
	uint8_t *txq = NULL;
	const uint8_t *rxq = NULL;
	char what[48];

	snprintf(what, sizeof(what), "channel %u", c->id);
	struct ipc_end *own =
	    map(pd, c->own_fd, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE, 0, what, why, whylen);
	const struct ipc_end *peer =
	    map(pd, c->peer_fd, IPC_PAGE_SIZE, PROT_READ, 0, what, why, whylen);
	if (!own || !peer)
		return -1;
	if (c->flags & IPC_CH_TX_QUEUE) {
		txq = map(pd, c->txq_fd, c->txq_size, PROT_READ | PROT_WRITE, 0, what, why, whylen);
		if (!txq)
			return -1;
	}
	if (c->flags & IPC_CH_RX_QUEUE) {
		rxq = map(pd, c->rxq_fd, c->rxq_size, PROT_READ, 0, what, why, whylen);
		if (!rxq)
			return -1;
	}
	memset(lc, 0, sizeof(*lc));
	if (ipc_chan_init(&lc->ipc, c->id, c->flags, own, peer, txq, c->txq_size, rxq,
	                  c->rxq_size) < 0)
		return why_fail(why, whylen, -1, "channel %u: rejected by ipc_chan_init", c->id);
	memcpy(lc->peer, c->peer, IPC_NAME_MAX);
	pd->by_id[c->id] = lc;
	pd->wait[pd->nchans] = &lc->ipc;
	pd->nchans++;
	return 0;
}

/* The main program's load bias and program headers: the first object
 * dl_iterate_phdr reports is the executable itself. */
struct main_obj {
	bool found;
	uintptr_t bias;
	const ElfW(Phdr) * phdr;
	size_t phnum;
};

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct main_obj *m = data;
	m->found = true;
	m->bias = info->dlpi_addr;
	m->phdr = info->dlpi_phdr;
	m->phnum = info->dlpi_phnum;
	return 1; /* stop after the first */
}

/* A setvar target must be an aligned uintptr_t inside a writable segment
 * of the program: the offset comes from the monitor's reading of the ELF,
 * and a wrong one must not become a write anywhere else. */
static int set_variable(const struct main_obj *m, const struct ipc_boot_map *bm, char *why,
                        size_t whylen)
{
	uintptr_t addr = m->bias + (uintptr_t)bm->setvar_off;

	if (addr % sizeof(uintptr_t) || addr < m->bias)
		return why_fail(why, whylen, -1, "map of region %s: setvar offset %#llx misaligned",
		                bm->region, (unsigned long long)bm->setvar_off);
	for (size_t i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *ph = &m->phdr[i];
		uintptr_t lo = m->bias + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		if (addr >= lo && addr + sizeof(uintptr_t) <= hi) {
			*(uintptr_t *)addr = (uintptr_t)bm->vaddr;
			return 0;
		}
	}
	return why_fail(why, whylen, -1,
	                "map of region %s: setvar offset %#llx is not in a writable segment of the "
	                "program",
	                bm->region, (unsigned long long)bm->setvar_off);
}

static int map_all(const struct ipc_boot *b, struct lc_pd *pd, char *why, size_t whylen)
{
	struct stat st;
	struct main_obj main_obj = {0};

	if (fstat(b->ctl_fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return why_fail(why, whylen, -1, "control descriptor %d is not a socket",
		                b->ctl_fd);
	pd->ctl_fd = b->ctl_fd;
	pd->mon = map(pd, b->mon_fd, IPC_PAGE_SIZE, PROT_READ, 0, "monitor page", why, whylen);
	if (!pd->mon)
		return -1;
	if (pd->mon->magic != IPC_MON_MAGIC || pd->mon->version != IPC_VERSION)
		return why_fail(why, whylen, -1, "monitor page: bad magic or version");
	pd->mon_seen = __atomic_load_n(&pd->mon->event, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < b->nchannels; i++)
		if (map_channel(pd, &b->channels[i], why, whylen) < 0)
			return -1;
	for (unsigned i = 0; i < b->nmaps; i++) {
		const struct ipc_boot_map *bm = &b->maps[i];
		int prot = ((bm->perms & IPC_PERM_R) ? PROT_READ : 0) |
		           ((bm->perms & IPC_PERM_W) ? PROT_WRITE : 0) |
		           ((bm->perms & IPC_PERM_X) ? PROT_EXEC : 0);
		char what[IPC_NAME_MAX + 16];
		snprintf(what, sizeof(what), "region %s", bm->region);
		void *addr = map(pd, bm->fd, bm->size, prot, pd->maps_anywhere ? 0 : bm->vaddr,
		                 what, why, whylen);
		if (!addr)
			return -1;
		struct lc_region *r = &pd->regions[pd->nregions++];
		memcpy(r->name, bm->region, IPC_NAME_MAX);
		r->addr = addr;
		r->size = bm->size;
		r->perms = bm->perms;
	}
	for (unsigned i = 0; i < b->ngrants; i++) {
		const struct ipc_boot_grant *g = &b->grants[i];
		if (fstat(g->fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			return why_fail(why, whylen, -1, "grant %s: descriptor %d is not a socket",
			                g->name, g->fd);
		pd->grants[pd->ngrants++] = *g;
	}
	for (unsigned i = 0; i < b->nmaps; i++) {
		if (!b->maps[i].has_setvar)
			continue;
		if (!main_obj.found)
			dl_iterate_phdr(first_object, &main_obj);
		if (!main_obj.found)
			return why_fail(why, whylen, -1, "cannot find the program's load address");
		if (set_variable(&main_obj, &b->maps[i], why, whylen) < 0)
			return -1;
	}
	return 0;
}

/* The boot information, copied out of the shared page: checked once, used
 * many times.  Static: it is 11 KiB, too much for a signal-free stack
 * budget, and there is one per process. */
static struct ipc_boot boot_copy;

/* Who: main, once; or a test, on a zeroed pd. */
int lc_boot(int fd, struct lc_pd *pd, char *why, size_t whylen)
{
	struct stat st;

	pd->ctl_fd = -1;
	if (fstat(fd, &st) < 0)
		return why_fail(why, whylen, -1,
		                "no boot information at fd %d (%s): a PD is started by "
		                "`cordon run`, not by hand",
		                fd, strerror(errno));
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(struct ipc_boot))
		return why_fail(why, whylen, -1,
		                "fd %d is not boot information (%lld bytes, need %zu)", fd,
		                (long long)st.st_size, sizeof(struct ipc_boot));
	const void *p = mmap(NULL, sizeof(struct ipc_boot), PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return why_fail(why, whylen, -1, "mmap of the boot information: %s",
		                strerror(errno));
	memcpy(&boot_copy, p, sizeof(boot_copy));
	munmap((void *)p, sizeof(struct ipc_boot));

	if (lc_boot_check(&boot_copy, why, whylen) < 0)
		return -1;
	memcpy(pd->name, boot_copy.name, IPC_NAME_MAX);
	pd->spin_ns = boot_copy.spin_ns;
	pd->ncpus = boot_copy.ncpus ? boot_copy.ncpus : 1;
	if (map_all(&boot_copy, pd, why, whylen) < 0) {
		lc_boot_unmap(pd);
		pd->nchans = 0;
		pd->nregions = 0;
		pd->ngrants = 0;
		pd->mon = NULL;
		pd->ctl_fd = -1;
		memset(pd->by_id, 0, sizeof(pd->by_id));
		return -1;
	}
	return 0;
}
