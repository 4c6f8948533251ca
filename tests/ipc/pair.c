/* SPDX-License-Identifier: BSD-2-Clause */
/* The ipc/ test harness: see pair.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "tests/ipc/pair.h"

#define GUARD 4096u

static void die(const char *what)
{
	perror(what);
	abort();
}

static int mem(const char *name, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		die("memfd");
	return fd;
}

/* size bytes of fd between two PROT_NONE guard pages. */
static void *guarded(int fd, size_t size, int prot)
{
	uint8_t *r = mmap(NULL, size + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		die("mmap reserve");
	void *p = mmap(r + GUARD, size, prot, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void unguard(const void *p, size_t size)
{
	if (p)
		munmap((uint8_t *)p - GUARD, size + 2 * GUARD);
}

uint32_t pair_mirror(uint32_t f)
{
	uint32_t m = 0;
	if (f & IPC_CH_NOTIFY)
		m |= IPC_CH_PEER_NOTIFY;
	if (f & IPC_CH_PEER_NOTIFY)
		m |= IPC_CH_NOTIFY;
	if (f & IPC_CH_CALLER)
		m |= IPC_CH_CALLEE;
	if (f & IPC_CH_CALLEE)
		m |= IPC_CH_CALLER;
	if (f & IPC_CH_TX_QUEUE)
		m |= IPC_CH_RX_QUEUE;
	if (f & IPC_CH_RX_QUEUE)
		m |= IPC_CH_TX_QUEUE;
	return m;
}

static void init_b(struct pair *p)
{
	uint32_t fb = pair_mirror(p->a.flags);
	if (ipc_chan_init(&p->b, 1, fb, p->b_own, p->b_peer, p->ba_w, p->ba_w ? p->ring : 0,
	                  p->ab_r, p->ab_r ? p->ring : 0) < 0)
		die("ipc_chan_init b");
	ipc_chan_start(&p->b);
}

void pair_open(struct pair *p, uint32_t fa, uint32_t ring)
{
	uint32_t fb = pair_mirror(fa);

	memset(p, 0, sizeof(*p));
	p->fd_ab = p->fd_ba = -1;
	p->ring = ring;
	p->fd_a = mem("end-a", IPC_PAGE_SIZE);
	p->fd_b = mem("end-b", IPC_PAGE_SIZE);
	p->a_own = guarded(p->fd_a, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE);
	p->b_own = guarded(p->fd_b, IPC_PAGE_SIZE, PROT_READ | PROT_WRITE);
	p->a_peer = guarded(p->fd_b, IPC_PAGE_SIZE, PROT_READ);
	p->b_peer = guarded(p->fd_a, IPC_PAGE_SIZE, PROT_READ);
	if (fa & IPC_CH_TX_QUEUE) {
		p->fd_ab = mem("ring-ab", ring);
		p->ab_w = guarded(p->fd_ab, ring, PROT_READ | PROT_WRITE);
		p->ab_r = guarded(p->fd_ab, ring, PROT_READ);
	}
	if (fb & IPC_CH_TX_QUEUE) {
		p->fd_ba = mem("ring-ba", ring);
		p->ba_w = guarded(p->fd_ba, ring, PROT_READ | PROT_WRITE);
		p->ba_r = guarded(p->fd_ba, ring, PROT_READ);
	}
	ipc_end_init(p->a_own);
	ipc_end_init(p->b_own);
	ipc_end_up(p->a_own);
	ipc_end_up(p->b_own);
	if (ipc_chan_init(&p->a, 0, fa, p->a_own, p->a_peer, p->ab_w, p->ab_w ? ring : 0, p->ba_r,
	                  p->ba_r ? ring : 0) < 0)
		die("ipc_chan_init a");
	ipc_chan_start(&p->a);
	init_b(p);
}

void pair_restart_b(struct pair *p)
{
	ipc_end_down(p->b_own);
	ipc_end_up(p->b_own);
	init_b(p);
}

void pair_close(struct pair *p)
{
	unguard(p->a_own, IPC_PAGE_SIZE);
	unguard(p->b_own, IPC_PAGE_SIZE);
	unguard(p->a_peer, IPC_PAGE_SIZE);
	unguard(p->b_peer, IPC_PAGE_SIZE);
	unguard(p->ab_w, p->ring);
	unguard(p->ab_r, p->ring);
	unguard(p->ba_w, p->ring);
	unguard(p->ba_r, p->ring);
	close(p->fd_a);
	close(p->fd_b);
	if (p->fd_ab >= 0)
		close(p->fd_ab);
	if (p->fd_ba >= 0)
		close(p->fd_ba);
	memset(p, 0, sizeof(*p));
}

uint64_t pair_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

pid_t pair_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* A failed test must not leave its helper behind (holding the
		 * runner's pipes open). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
	}
	return pid;
}
