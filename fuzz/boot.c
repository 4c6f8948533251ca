/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-boot: lc_boot_check() over arbitrary boot information.
 *
 * lc_boot() copies the boot block out of its memfd, checks the copy with
 * lc_boot_check() and only then maps what it names; the check is the part
 * that reads untrusted bytes, and it touches nothing, so it is fuzzed alone.
 *
 * The input is packed, so that a few hundred bytes describe a boot block
 * with channels and maps (the real struct is 12 KiB, mostly unused slots):
 *
 *   the header (struct ipc_boot up to .channels), then
 *   min(nchannels, IPC_MAX_CHANNELS) struct ipc_boot_channel, then
 *   min(nmaps, IPC_MAX_MAPS) struct ipc_boot_map, then
 *   min(ngrants, IPC_MAX_GRANTS) struct ipc_boot_grant;
 *
 * whatever the input lacks is zero.  fuzz/boot_seeds.c writes valid seeds.
 *
 * When the check accepts, the block must be what lc_boot() relies on: an
 * independent re-check here (descriptors distinct and in range, ids
 * distinct, names terminated, maps page aligned and disjoint, grants of a
 * known kind with a port and distinct names) and every
 * channel accepted by ipc_chan_init, which lc_boot calls after mapping.  A
 * violation aborts (= a crash report).  When it refuses, the reason must be
 * a non-empty string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcordon/pd.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-boot: accepted boot information breaks: %s\n",       \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define HEADER offsetof(struct ipc_boot, channels)

static struct ipc_boot boot;
static uint8_t fd_used[LC_FD_LIMIT];

static size_t unpack(void *dst, size_t len, const uint8_t **p, size_t *n)
{
	size_t k = len < *n ? len : *n;
	memcpy(dst, *p, k);
	*p += k;
	*n -= k;
	return k;
}

static bool terminated(const char *s)
{
	return s[0] != '\0' && memchr(s, '\0', IPC_NAME_MAX) != NULL;
}

static void claim(int32_t fd)
{
	CHECK(fd >= IPC_FD_FIRST && fd < LC_FD_LIMIT);
	CHECK(!fd_used[fd]);
	fd_used[fd] = 1;
}

static void check_accepted(const struct ipc_boot *b)
{
	static uint64_t page[IPC_PAGE_SIZE / 8 * 2];
	static uint8_t ring[2];
	uint64_t ids = 0;

	CHECK(b->magic == IPC_BOOT_MAGIC && b->version == IPC_VERSION);
	CHECK(terminated(b->name));
	CHECK(b->nchannels <= IPC_MAX_CHANNELS && b->nmaps <= IPC_MAX_MAPS);
	CHECK(b->ngrants <= IPC_MAX_GRANTS);
	memset(fd_used, 0, sizeof(fd_used));
	claim(b->ctl_fd);
	claim(b->mon_fd);
	for (unsigned i = 0; i < b->nchannels; i++) {
		const struct ipc_boot_channel *c = &b->channels[i];
		struct ipc_chan ch;
		CHECK(c->id < IPC_MAX_CHANNELS && !(ids & (UINT64_C(1) << c->id)));
		ids |= UINT64_C(1) << c->id;
		CHECK(terminated(c->peer));
		claim(c->own_fd);
		claim(c->peer_fd);
		if (c->flags & IPC_CH_TX_QUEUE)
			claim(c->txq_fd);
		if (c->flags & IPC_CH_RX_QUEUE)
			claim(c->rxq_fd);
		/* ipc_chan_init reads none of the memory: stand-ins will do. */
		CHECK(ipc_chan_init(&ch, c->id, c->flags, (struct ipc_end *)page,
		                    (const struct ipc_end *)page + 1, ring, c->txq_size, ring + 1,
		                    c->rxq_size) == 0);
	}
	for (unsigned i = 0; i < b->nmaps; i++) {
		const struct ipc_boot_map *m = &b->maps[i];
		CHECK(terminated(m->region));
		CHECK(m->vaddr && m->size && (m->vaddr | m->size) % IPC_PAGE_SIZE == 0);
		CHECK(m->vaddr + m->size > m->vaddr);
		CHECK(m->perms && !(m->perms & ~(IPC_PERM_R | IPC_PERM_W | IPC_PERM_X)));
		CHECK(m->has_setvar <= 1);
		claim(m->fd);
		for (unsigned j = 0; j < i; j++) {
			const struct ipc_boot_map *o = &b->maps[j];
			CHECK(m->vaddr >= o->vaddr + o->size || o->vaddr >= m->vaddr + m->size);
		}
	}
	for (unsigned i = 0; i < b->ngrants; i++) {
		const struct ipc_boot_grant *g = &b->grants[i];
		CHECK(terminated(g->name));
		CHECK(g->kind == IPC_GRANT_TCP_LISTEN);
		CHECK(g->port >= 1 && g->port <= 65535);
		claim(g->fd);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(g->name, b->grants[j].name) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_canary(data, size);
	char why[256];

	memset(&boot, 0, sizeof(boot));
	unpack(&boot, HEADER, &data, &size);
	unsigned nch = boot.nchannels < IPC_MAX_CHANNELS ? boot.nchannels : IPC_MAX_CHANNELS;
	unsigned nmaps = boot.nmaps < IPC_MAX_MAPS ? boot.nmaps : IPC_MAX_MAPS;
	unsigned ngrants = boot.ngrants < IPC_MAX_GRANTS ? boot.ngrants : IPC_MAX_GRANTS;
	for (unsigned i = 0; i < nch; i++)
		unpack(&boot.channels[i], sizeof(boot.channels[i]), &data, &size);
	for (unsigned i = 0; i < nmaps; i++)
		unpack(&boot.maps[i], sizeof(boot.maps[i]), &data, &size);
	for (unsigned i = 0; i < ngrants; i++)
		unpack(&boot.grants[i], sizeof(boot.grants[i]), &data, &size);

	memset(why, 0x7f, sizeof(why));
	if (lc_boot_check(&boot, why, sizeof(why)) == 0) {
		check_accepted(&boot);
	} else {
		CHECK(memchr(why, '\0', sizeof(why)) != NULL);
		CHECK(why[0] != '\0' && why[0] != 0x7f);
	}
	return 0;
}
