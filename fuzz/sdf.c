/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-sdf: sdf_load() over arbitrary bytes as a system description.
 *
 * The input is written to a memfd and loaded as /proc/self/fd/N, with the
 * fuzzer's images/ directory (fuzz/image.c built a few ways) on the search
 * path, so "pd.elf", "pd-fixed.elf", ... resolve and descriptions reach the
 * ELF checks and setvar resolution.  Diagnostics go to /dev/null: that runs
 * every format string with the fuzzed names in it (diag.out = NULL would
 * skip the formatting altogether).
 *
 * Beyond "no crash, no leak, no sanitizer report", a description sdf_load
 * accepts must be a plan nothing downstream needs to re-check (sdf.h): every
 * index in range, every value within its documented bounds.  A violation
 * aborts, so the fuzzer reports it as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ipc/abi.h"
#include "sdf/sdf.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];
static char images[4096];
static const char *search[2];
static FILE *devnull;

static void die(const char *what)
{
	perror(what);
	abort();
}

/* Not a bug in the input's handling: the harness itself cannot run. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ssize_t n = readlink("/proc/self/exe", images, sizeof(images) - 16);
	if (n <= 0)
		die("fuzz-sdf: readlink /proc/self/exe");
	images[n] = '\0';
	char *slash = strrchr(images, '/');
	strcpy(slash ? slash + 1 : images, "images");
	search[0] = images;
	memfd = memfd_create("fuzz.system", MFD_CLOEXEC);
	if (memfd < 0)
		die("fuzz-sdf: memfd_create");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	devnull = fopen("/dev/null", "we");
	if (!devnull)
		die("fuzz-sdf: /dev/null");
	return 0;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-sdf: accepted plan breaks: %s\n", #cond);            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_name(const char *name)
{
	CHECK(name != NULL);
	CHECK(name[0] != '\0');
	CHECK(strlen(name) <= SDF_NAME_MAX);
}

static void check_plan(const struct sdf_system *sys)
{
	CHECK(sys->nsups >= 1);
	CHECK(sys->sups[0].parent == -1);
	for (size_t r = 0; r < sys->nregions; r++) {
		const struct sdf_region *mr = &sys->regions[r];
		check_name(mr->name);
		CHECK(sdf_region_find(sys, mr->name) == (long)r);
		CHECK(mr->page_size == IPC_PAGE_SIZE);
		CHECK(mr->size > 0 && mr->size % mr->page_size == 0);
	}
	for (size_t p = 0; p < sys->npds; p++) {
		const struct sdf_pd *pd = &sys->pds[p];
		check_name(pd->name);
		CHECK(sdf_pd_find(sys, pd->name) == (long)p);
		CHECK(pd->program && pd->program[0] == '/');
		CHECK(pd->priority <= SDF_MAX_PRIORITY);
		CHECK(pd->parent >= -1 && pd->parent < (long)p); /* parents first */
		CHECK((pd->parent == -1) == (pd->child_id == -1));
		CHECK(pd->child_id >= -1 && pd->child_id <= SDF_MAX_CHANNEL_ID);
		CHECK(pd->parent != -1 ? pd->sup == -1
		                       : (pd->sup >= 0 && pd->sup < (long)sys->nsups));
		CHECK(pd->nmaps <= IPC_MAX_MAPS);
		CHECK(pd->budget_us <= pd->period_us);
		for (size_t i = 0; i < pd->nmaps; i++) {
			const struct sdf_map *m = &pd->maps[i];
			CHECK(m->region < sys->nregions);
			CHECK(m->vaddr % IPC_PAGE_SIZE == 0);
			CHECK(m->perms != 0);
			CHECK((m->perms & ~(IPC_PERM_R | IPC_PERM_W | IPC_PERM_X)) == 0);
			CHECK(m->vaddr + sys->regions[m->region].size > m->vaddr);
			for (size_t j = 0; j < i; j++) {
				const struct sdf_map *o = &pd->maps[j];
				uint64_t osz = sys->regions[o->region].size;
				uint64_t msz = sys->regions[m->region].size;
				CHECK(m->vaddr >= o->vaddr + osz || o->vaddr >= m->vaddr + msz);
			}
		}
	}
	for (size_t c = 0; c < sys->nchannels; c++) {
		const struct sdf_channel *ch = &sys->channels[c];
		CHECK(ch->end[0].pd < sys->npds && ch->end[1].pd < sys->npds);
		CHECK(ch->end[0].pd != ch->end[1].pd);
		CHECK(!(ch->end[0].pp && ch->end[1].pp));
		for (int e = 0; e < 2; e++) {
			const struct sdf_end *end = &ch->end[e];
			uint32_t q = end->queue_size;
			CHECK(end->id <= SDF_MAX_CHANNEL_ID);
			CHECK(q == 0 ||
			      (q >= IPC_QUEUE_MIN && q <= IPC_QUEUE_MAX && !(q & (q - 1))));
			/* One id per PD: the PD addresses its channels by it. */
			for (size_t d = 0; d < c; d++)
				for (int f = 0; f < 2; f++)
					CHECK(sys->channels[d].end[f].pd != end->pd ||
					      sys->channels[d].end[f].id != end->id);
		}
		for (int e = 0; e < 2; e++)
			if (ch->end[e].pp) /* calls go only toward higher priority */
				CHECK(sys->pds[ch->end[e].pd].priority <
				      sys->pds[ch->end[1 - e].pd].priority);
	}
	for (size_t s = 0; s < sys->nsups; s++) {
		const struct sdf_supervisor *sd = &sys->sups[s];
		CHECK(sd->name != NULL);
		CHECK(s == 0 || (sd->parent >= 0 && sd->parent < (long)s));
		CHECK(sd->strategy <= SDF_STRATEGY_REST_FOR_ONE);
		for (size_t i = 0; i < sd->nchildren; i++) {
			const struct sdf_child *k = &sd->children[i];
			if (k->is_supervisor) {
				CHECK(k->index > 0 && k->index < sys->nsups);
				CHECK(sys->sups[k->index].parent == (long)s);
			} else {
				CHECK(k->index < sys->npds);
				CHECK(sys->pds[k->index].sup == (long)s);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_canary(data, size);
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		die("fuzz-sdf: writing the memfd");

	struct sdf_diag diag = SDF_DIAG_INIT(devnull);
	struct sdf_system *sys = sdf_load(path, search, &diag);
	if (sys) {
		CHECK(diag.errors == 0);
		check_plan(sys);
		sdf_print_summary(sys, devnull);
		sdf_free(sys);
	} else {
		CHECK(diag.errors > 0);
	}
	return 0;
}
