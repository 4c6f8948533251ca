/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A PD for the budget tests.  Its name says what it does:
 *
 *   hog*     allocates 1 MiB at a time and touches every page, forever,
 *            saying so every 8 MiB: only its memory limit stops it
 *   spin*    spins forever and, every 250 ms of wall time, reports the CPU
 *            time it got in that window (CLOCK_PROCESS_CPUTIME_ID) next to
 *            the wall time (CLOCK_MONOTONIC), in microseconds
 *   ask*     makes one protected call on channel 0 and prints the answer
 *   anything else: says it is up and answers protected calls (mr0 + 1)
 */
#include <cordon.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static uint64_t usec(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void hog(void)
{
	for (size_t mib = 1;; mib++) {
		char *p = malloc(1 << 20);
		if (!p) {
			cordon_dbg_printf("hog: malloc failed after %zu MiB\n", mib - 1);
			exit(1);
		}
		memset(p, 0xa5, 1 << 20); /* touch every page: charge it */
		if (mib % 8 == 0)
			cordon_dbg_printf("hog: %zu MiB touched\n", mib);
	}
}

static void spin(void)
{
	uint64_t wall0 = usec(CLOCK_MONOTONIC), cpu0 = usec(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned window = 1;;) {
		uint64_t wall = usec(CLOCK_MONOTONIC);
		if (wall - wall0 < 250000)
			continue;
		uint64_t cpu = usec(CLOCK_PROCESS_CPUTIME_ID);
		cordon_dbg_printf("window=%u cpu_us=%llu wall_us=%llu\n", window++,
		                  (unsigned long long)(cpu - cpu0),
		                  (unsigned long long)(wall - wall0));
		wall0 = wall;
		cpu0 = cpu;
	}
}

void init(void)
{
	const char *me = cordon_name();
	cordon_dbg_printf("%s: up\n", me);
	if (starts_with(me, "hog"))
		hog();
	if (starts_with(me, "spin"))
		spin();
	if (starts_with(me, "ask")) {
		cordon_mr_set(0, 41);
		cordon_ppcall(0, cordon_msginfo_new(0, 1));
		cordon_dbg_printf("%s: answer %llu\n", me, (unsigned long long)cordon_mr_get(0));
	}
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	cordon_mr_set(0, cordon_mr_get(0) + 1);
	return cordon_msginfo_new(0, 1);
}
