/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * boot-seeds DIR: write valid boot blocks, packed as fuzz/boot.c reads them,
 * into DIR/seed-*: the starting points of fuzz/corpus/fuzz-boot/.  Rerun
 * (make BUILD=... build/fuzz/boot-seeds) when struct ipc_boot changes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/abi.h"

static struct ipc_boot b;
static int next_fd;

static void header(const char *name, unsigned nch, unsigned nmaps, unsigned ngrants)
{
	memset(&b, 0, sizeof(b));
	b.magic = IPC_BOOT_MAGIC;
	b.version = IPC_VERSION;
	b.nchannels = nch;
	b.nmaps = nmaps;
	b.ngrants = ngrants;
	b.ncpus = 2;
	b.spin_ns = 20000;
	next_fd = IPC_FD_FIRST;
	b.ctl_fd = next_fd++;
	b.mon_fd = next_fd++;
	snprintf(b.name, sizeof(b.name), "%s", name);
}

static void channel(unsigned i, unsigned id, unsigned flags, unsigned txq, unsigned rxq)
{
	struct ipc_boot_channel *c = &b.channels[i];
	c->id = id;
	c->flags = flags;
	c->own_fd = next_fd++;
	c->peer_fd = next_fd++;
	c->txq_fd = txq ? next_fd++ : -1;
	c->rxq_fd = rxq ? next_fd++ : -1;
	c->txq_size = txq;
	c->rxq_size = rxq;
	if (txq)
		c->flags |= IPC_CH_TX_QUEUE;
	if (rxq)
		c->flags |= IPC_CH_RX_QUEUE;
	snprintf(c->peer, sizeof(c->peer), "peer%u", id);
}

static void map(unsigned i, uint64_t vaddr, uint64_t size, unsigned perms, int setvar)
{
	struct ipc_boot_map *m = &b.maps[i];
	m->vaddr = vaddr;
	m->size = size;
	m->perms = perms;
	m->fd = next_fd++;
	m->has_setvar = setvar != 0;
	m->setvar_off = setvar ? 0x4010 : 0;
	snprintf(m->region, sizeof(m->region), "region%u", i);
}

static void grant(unsigned i, const char *name, unsigned port)
{
	struct ipc_boot_grant *g = &b.grants[i];
	g->kind = IPC_GRANT_TCP_LISTEN;
	g->fd = next_fd++;
	g->port = port;
	snprintf(g->name, sizeof(g->name), "%s", name);
}

static void put(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	FILE *f = fopen(path, "we");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(&b, offsetof(struct ipc_boot, channels), 1, f);
	fwrite(b.channels, sizeof(b.channels[0]), b.nchannels, f);
	fwrite(b.maps, sizeof(b.maps[0]), b.nmaps, f);
	fwrite(b.grants, sizeof(b.grants[0]), b.ngrants, f);
	if (fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: boot-seeds DIR\n");
		return 2;
	}
	const char *dir = argv[1];

	header("lonely", 0, 0, 0);
	put(dir, "empty");

	header("client", 2, 2, 0);
	channel(0, 0, IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY | IPC_CH_CALLER, 0, 0);
	channel(1, 62, IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY, 4096, 65536);
	map(0, 0x4000000, 0x2000, IPC_PERM_R | IPC_PERM_W, 1);
	map(1, 0x5000000, 0x1000, IPC_PERM_R, 0);
	put(dir, "client");

	header("server", 3, 0, 0);
	channel(0, 1, IPC_CH_CALLEE | IPC_CH_PEER_NOTIFY, 0, 0);
	channel(1, 2, IPC_CH_NOTIFY, 0, IPC_QUEUE_MAX);
	channel(2, 3, 0, IPC_QUEUE_MIN, IPC_QUEUE_MIN);
	put(dir, "server");

	header("busy", IPC_MAX_CHANNELS, 4, IPC_MAX_GRANTS);
	for (unsigned i = 0; i < IPC_MAX_CHANNELS; i++)
		channel(i, IPC_MAX_CHANNELS - 1 - i, i % 16, (i % 3) ? 0 : 8192,
		        (i % 5) ? 0 : 4096);
	for (unsigned i = 0; i < 4; i++)
		map(i, 0x10000000 + 0x100000 * (uint64_t)i, 0x100000, IPC_PERM_R | (i & 1 ? 2 : 4),
		    0);
	for (unsigned i = 0; i < IPC_MAX_GRANTS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "grant%u", i);
		grant(i, name, 8000 + i);
	}
	put(dir, "busy");

	header("web", 1, 1, 2);
	channel(0, 0, IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY, 4096, 4096);
	map(0, 0x20000000, 0x1000, IPC_PERM_R | IPC_PERM_W, 0);
	grant(0, "http", 8080);
	grant(1, "admin", 65535);
	put(dir, "web");
	return 0;
}
