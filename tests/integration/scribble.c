/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile PD and its victims.  By name:
 *
 *   vandal  maps its own channel page and queue ring (it may: they are its
 *           own) and fills them with random bytes, over and over, notifying
 *           the victim each time.
 *   victim  drains the queue from the vandal on every notification and says
 *           what it got; it also serves protected calls from friend.
 *   friend  calls the victim once at start and prints the answer.
 *
 * The test restarts friend after the victim reported the broken channel,
 * to show the victim still serves its other channels.
 */
#include <cordon.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "ipc/abi.h"

#define VANDAL 0
#define FRIEND 1

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void scribble(void *p, size_t n)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)next();
}

static void vandal(void)
{
	const struct ipc_boot *boot =
	    mmap(NULL, sizeof(*boot), PROT_READ, MAP_SHARED, IPC_FD_BOOT, 0);
	if (boot == MAP_FAILED) {
		cordon_dbg_puts("vandal: cannot map the boot information\n");
		return;
	}
	const struct ipc_boot_channel *bc = &boot->channels[0];
	void *page = mmap(NULL, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bc->own_fd, 0);
	void *ring = mmap(NULL, bc->txq_size, PROT_READ | PROT_WRITE, MAP_SHARED, bc->txq_fd, 0);
	if (page == MAP_FAILED || ring == MAP_FAILED) {
		cordon_dbg_puts("vandal: cannot map its own channel\n");
		return;
	}
	/* One honest message first, so the victim is reading the queue. */
	cordon_queue_send(VANDAL, "hello", 5);
	for (int round = 0; round < 200; round++) {
		scribble(ring, bc->txq_size);
		scribble(page, IPC_PAGE_SIZE);
		cordon_notify(VANDAL);
	}
	cordon_dbg_puts("vandal: scribbled 200 times\n");
}

void init(void)
{
	if (!strcmp(cordon_name(), "vandal"))
		vandal();
	if (!strcmp(cordon_name(), "friend")) {
		cordon_mr_set(0, 41);
		cordon_msginfo r = cordon_ppcall(FRIEND, cordon_msginfo_new(0, 1));
		cordon_dbg_printf("friend: victim answered label %llu value %llu\n",
		                  (unsigned long long)cordon_msginfo_get_label(r),
		                  (unsigned long long)cordon_mr_get(0));
	}
}

void notified(cordon_channel ch)
{
	char buf[4096];
	ssize_t n;
	if (ch != VANDAL)
		return;
	while ((n = cordon_queue_recv(VANDAL, buf, sizeof(buf))) > 0)
		cordon_dbg_printf("victim: got %zd bytes\n", n);
	if (n == CORDON_EQUEUE_BROKEN)
		cordon_dbg_puts("victim: the queue from vandal is broken\n");
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	cordon_mr_set(0, cordon_mr_get(0) + 1);
	return cordon_msginfo_new(0, 1);
}
