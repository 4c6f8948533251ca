/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Copy bandwidth: memcpy between two private buffers (the baseline) and
 * memcpy from a private buffer into a memory region, a memfd mapped
 * MAP_SHARED the way the monitor maps regions into PDs.  Both destinations
 * are touched before timing, so page faults are not measured; what remains
 * is the cost of the mapping itself (shmem pages, no transparent huge pages
 * unless shmem_enabled allows them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench.h"

static void *map_private(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die_errno("mmap %zu private bytes", bytes);
	return p;
}

static void *map_region(size_t bytes)
{
	int fd = memfd_create("ipc-bench-region", MFD_CLOEXEC);
	if (fd < 0)
		die_errno("memfd_create");
	if (ftruncate(fd, (off_t)bytes) < 0)
		die_errno("ftruncate region to %zu", bytes);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die_errno("mmap %zu region bytes", bytes);
	close(fd);
	return p;
}

static void size_name(size_t bytes, char *buf, size_t len)
{
	if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
		snprintf(buf, len, "%zu MiB", bytes >> 20);
	else
		snprintf(buf, len, "%zu KiB", bytes >> 10);
}

/* One sample per copy of the whole buffer, about 2 GiB in all rounds (64
 * MiB for --quick), and at least 5 samples a round, after an untimed copy. */
static void copy_loop(const struct opts *o, void *dst, const void *src, size_t bytes,
                      struct result *r)
{
	if (!wanted(o, r->id))
		return;
	size_t total = (o->quick ? (size_t)64 << 20 : (size_t)2 << 30) / (size_t)o->rounds;
	size_t n = total / bytes < 5 ? 5 : total / bytes;
	double *samples = malloc(n * sizeof(*samples));
	if (!samples)
		die("%s: out of memory", r->id);

	memset(dst, 1, bytes);
	memcpy(dst, src, bytes);
	for (size_t i = 0; i < n; i++) {
		uint64_t t = now_ns();
		memcpy(dst, src, bytes);
		/* dst escapes: the copy cannot be elided. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		samples[i] = (double)(now_ns() - t);
	}
	r->place = PLACE_NONE;
	r->kind = KIND_BYTES;
	r->bytes = (double)bytes;
	r->batch = 1;
	keep_samples(samples, n, r);
	free(samples);
}

static void *filled(size_t bytes)
{
	unsigned char *src = map_private(bytes);
	for (size_t i = 0; i < bytes; i++)
		src[i] = (unsigned char)(i * 131);
	return src;
}

void bench_memcpy(const struct opts *o, size_t bytes, struct result *r)
{
	char sz[32];
	size_name(bytes, sz, sizeof(sz));
	snprintf(r->id, sizeof(r->id), "memcpy-%zu", bytes);
	snprintf(r->label, sizeof(r->label), "memcpy private to private, %s", sz);
	snprintf(r->base, sizeof(r->base), "%s", r->id);
	r->baseline = true;
	if (!wanted(o, r->id))
		return;
	void *src = filled(bytes), *dst = map_private(bytes);
	copy_loop(o, dst, src, bytes, r);
	munmap(src, bytes);
	munmap(dst, bytes);
}

void bench_region(const struct opts *o, size_t bytes, struct result *r)
{
	char sz[32];
	size_name(bytes, sz, sizeof(sz));
	snprintf(r->id, sizeof(r->id), "region-%zu", bytes);
	snprintf(r->label, sizeof(r->label), "memcpy private to memory region (memfd), %s", sz);
	snprintf(r->base, sizeof(r->base), "memcpy-%zu", bytes);
	if (!wanted(o, r->id))
		return;
	void *src = filled(bytes), *dst = map_region(bytes);
	copy_loop(o, dst, src, bytes, r);
	munmap(src, bytes);
	munmap(dst, bytes);
}
