/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The recovery benchmark's server PD (bench/recovery.c): serves protected
 * calls (mr0 + 1).  At each start it prints one line with two
 * CLOCK_MONOTONIC stamps, so the benchmark can split a restart into its
 * steps:
 *
 *     up ctor=NS init=NS
 *
 * ctor is taken by a constructor, before libcordon's main(): the program
 * has been exec'ed and ld.so is done.  init is taken in init(): libcordon
 * has read its boot information and mapped its channels.  PDs have no time
 * namespace, so the stamps compare with the benchmark's own clock.
 *
 * Started without boot information (the start-time baselines run it that
 * way) libcordon prints why and exits 1 before init().
 */
#include <cordon.h>
#include <time.h>

static unsigned long long ctor_ns;

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

__attribute__((constructor)) static void stamp(void)
{
	ctor_ns = now_ns();
}

void init(void)
{
	cordon_dbg_printf("up ctor=%llu init=%llu\n", ctor_ns, now_ns());
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	cordon_mr_set(0, cordon_mr_get(0) + 1);
	return cordon_msginfo_new(0, 1);
}
