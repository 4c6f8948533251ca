/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc-bench: Cordon's IPC next to the baselines it must beat, measured in
 * one run on one machine.  See docs/performance.md.
 */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

static void usage(FILE *f)
{
	fputs("usage: ipc-bench [--quick] [--iterations N] [--markdown | --json]\n"
	      "                 [--pinned-only] [--cpus A,B] [--spin-ns NS] [--ring BYTES]\n"
	      "\n"
	      "Measures Cordon IPC between two processes (protected call, notify, queue,\n"
	      "memory-region copy) and, in the same run, the baselines: a raw futex and a\n"
	      "raw spin ping-pong, a socketpair and a pipe round trip, memcpy.  Prints\n"
	      "medians and p99s per op and each figure as a ratio to its baselines.\n"
	      "\n"
	      "  --quick          a smoke run of a few seconds: few samples, pinned only\n"
	      "  --iterations N   round trips per ping-pong case (default 20000), spread\n"
	      "                   over 10 interleaved rounds (1 with --quick)\n"
	      "  --markdown       Markdown tables, as in docs/performance.md\n"
	      "  --json           JSON, for tools\n"
	      "  --pinned-only    only the runs pinned to two CPUs (no float, no same)\n"
	      "  --cpus A,B       the two CPUs of the pinned runs (default: the first two\n"
	      "                   this process may use)\n"
	      "  --spin-ns NS     spin bound of the adaptive-spin policy (default 20000,\n"
	      "                   what the monitor sets on more than one CPU)\n"
	      "  --ring BYTES     queue ring size, a power of two (default 262144)\n"
	      "  --only TEXT      run only the figures whose id contains TEXT (ids: see\n"
	      "                   --json), e.g. --only futex\n"
	      "  --help           this text\n",
	      f);
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_ITER = 256, O_MD, O_JSON, O_PIN, O_CPUS, O_SPIN, O_RING, O_ONLY };
	static const struct option longs[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"quick", no_argument, NULL, 'q'},
	    {"iterations", required_argument, NULL, O_ITER},
	    {"markdown", no_argument, NULL, O_MD},
	    {"json", no_argument, NULL, O_JSON},
	    {"pinned-only", no_argument, NULL, O_PIN},
	    {"cpus", required_argument, NULL, O_CPUS},
	    {"spin-ns", required_argument, NULL, O_SPIN},
	    {"ring", required_argument, NULL, O_RING},
	    {"only", required_argument, NULL, O_ONLY},
	    {NULL, 0, NULL, 0},
	};
	long iterations = 0;
	int c;
	while ((c = getopt_long(argc, argv, "hq", longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'q':
			o->quick = true;
			break;
		case O_ITER:
			iterations = parse_number("--iterations", optarg, 100, 100000000);
			break;
		case O_MD:
			o->format = OUT_MARKDOWN;
			break;
		case O_JSON:
			o->format = OUT_JSON;
			break;
		case O_PIN:
			o->pin_only = true;
			break;
		case O_CPUS: {
			char *comma = strchr(optarg, ',');
			if (!comma)
				die("--cpus: want A,B, got %s", optarg);
			*comma = 0;
			o->cpu[0] = (int)parse_number("--cpus", optarg, 0, CPU_SETSIZE - 1);
			o->cpu[1] = (int)parse_number("--cpus", comma + 1, 0, CPU_SETSIZE - 1);
			break;
		}
		case O_SPIN:
			o->spin_ns = (uint32_t)parse_number("--spin-ns", optarg, 1, 1000000000);
			break;
		case O_RING:
			o->ring = (uint32_t)parse_number("--ring", optarg, 16384, 64 << 20);
			if (o->ring & (o->ring - 1))
				die("--ring: %u is not a power of two", o->ring);
			break;
		case O_ONLY:
			o->only = optarg;
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
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
