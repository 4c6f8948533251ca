/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc-bench: Cordon's IPC next to the baselines it must beat, measured in
 * one run on one machine.  See docs/performance.md.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

static void parse(int argc, char **argv, struct opts *o)
{
	long iterations = 0, spin_ns = o->spin_ns, ring = o->ring;
	int format = o->format;
	const char *cpus = NULL;
	const struct bench_opt opts[] = {
	    {"quick", 'q', NULL, "a smoke run of a few seconds: few samples, pinned only",
	     .flag = &o->quick},
	    {"iterations", 0, "N",
	     "round trips per ping-pong case (default 20000), spread\n"
	     "over 10 interleaved rounds (1 with --quick)",
	     .number = &iterations, .min = 100, .max = 100000000},
	    {"markdown", 0, NULL, "Markdown tables, as in docs/performance.md", .choice = &format,
	     .value = OUT_MARKDOWN},
	    {"json", 0, NULL, "JSON, for tools", .choice = &format, .value = OUT_JSON},
	    {"pinned-only", 0, NULL, "only the runs pinned to two CPUs (no float, no same)",
	     .flag = &o->pin_only},
	    {"cpus", 0, "A,B",
	     "the two CPUs of the pinned runs (default: the first two\n"
	     "this process may use)",
	     .text = &cpus},
	    {"spin-ns", 0, "NS",
	     "spin bound of the adaptive-spin policy (default 20000,\n"
	     "what the monitor sets on more than one CPU)",
	     .number = &spin_ns, .min = 1, .max = 1000000000},
	    {"ring", 0, "BYTES", "queue ring size, a power of two (default 262144)",
	     .number = &ring, .min = 16384, .max = 64 << 20},
	    {"only", 0, "TEXT",
	     "run only the figures whose id contains TEXT (ids: see\n"
	     "--json), e.g. --only futex",
	     .text = &o->only},
	    {NULL},
	};
	bench_parse(argc, argv,
	            "[--quick] [--iterations N] [--markdown | --json]\n"
	            "[--pinned-only] [--cpus A,B] [--spin-ns NS] [--ring BYTES]",
	            "Measures Cordon IPC between two processes (protected call, notify, queue,\n"
	            "memory-region copy) and, in the same run, the baselines: a raw futex and a\n"
	            "raw spin ping-pong, a socketpair and a pipe round trip, memcpy.  Prints\n"
	            "medians and p99s per op and each figure as a ratio to its baselines.\n",
	            opts);
	o->format = format;
	o->spin_ns = (uint32_t)spin_ns;
	o->ring = (uint32_t)ring;
	if (o->ring & (o->ring - 1))
		die("--ring: %u is not a power of two", o->ring);
	if (cpus) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", cpus);
		char *comma = strchr(buf, ',');
		if (!comma)
			die("--cpus: want A,B, got %s", cpus);
		*comma = 0;
		o->cpu[0] = (int)parse_number("--cpus", buf, 0, CPU_SETSIZE - 1);
		o->cpu[1] = (int)parse_number("--cpus", comma + 1, 0, CPU_SETSIZE - 1);
	}
	o->rounds = o->quick ? 1 : 10;
	if (o->quick)
		o->pin_only = true;
	long total = iterations ? iterations : o->quick ? 200 : 20000;
	o->iterations = total / o->rounds;
	o->queue_bytes = (o->quick ? 2l << 20 : 1l << 30) / o->rounds;
	o->copy_large = o->quick ? (size_t)8 << 20 : (size_t)64 << 20;
}

int main(int argc, char **argv)
{
	struct opts o = {
	    .cpu = {-1, -1},
	    .spin_ns = 20000,
	    .ring = 256u << 10,
	    .copy_small = (size_t)1 << 20,
	    .format = OUT_TEXT,
	};
	parse(argc, argv, &o);
	bool two = pick_cpus(&o);
	if (!two)
		fprintf(stderr, "ipc-bench: fewer than two CPUs: no pinned runs\n");

	/* Rounds interleave the cases: the hypervisor moves our vCPUs and
	 * other tenants come and go, so a figure and its baseline are taken
	 * in alternation rather than minutes apart. */
	struct result *all = NULL;
	size_t n = 0;
	for (int round = 0; round < o.rounds; round++) {
		struct result *r = NULL;
		size_t rn = 0;
		bench_memcpy(&o, o.copy_small, result_add(&r, &rn));
		bench_memcpy(&o, o.copy_large, result_add(&r, &rn));
		for (int pl = PLACE_PINNED; pl <= PLACE_SAME; pl++) {
			if ((pl == PLACE_PINNED && !two) ||
			    (pl != PLACE_PINNED && o.pin_only && two))
				continue;
			bench_baselines(&o, (enum place)pl, &r, &rn);
			if (pl != PLACE_SAME)
				bench_rings(&o, (enum place)pl, &r, &rn);
			bench_cordon(&o, (enum place)pl, &r, &rn);
		}
		bench_region(&o, o.copy_small, result_add(&r, &rn));
		bench_region(&o, o.copy_large, result_add(&r, &rn));
		merge_round(&all, &n, r, rn);
	}
	finish_results(all, n);
	report(&o, all, n);
	free(all);
	return 0;
}
