/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The recovery benchmark's client PD (bench/recovery.c).  Once at start
 * and again each time the server comes back (peer_up), it makes one
 * protected call and, when the call is served, prints the CLOCK_MONOTONIC
 * time it returned:
 *
 *     served NS
 *
 * peer_down prints "down NS": the monitor has seen the server's exit and
 * marked its channel down (printed only when this PD runs between the down
 * and the up; otherwise it learns both at once).
 *
 * A call that meets a server not (yet) running returns the PEER_DOWN label;
 * the client then waits for the next peer_up rather than spinning, so the
 * monitor keeps the CPU it needs to restart the server.
 */
#include <cordon.h>
#include <time.h>

#define SERVER 0

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void call(void)
{
	cordon_mr_set(0, 41);
	cordon_msginfo r = cordon_ppcall(SERVER, cordon_msginfo_new(1, 1));
	unsigned long long t = now_ns();
	uint64_t label = cordon_msginfo_get_label(r);
	if (label == 0 && cordon_msginfo_get_count(r) == 1 && cordon_mr_get(0) == 42)
		cordon_dbg_printf("served %llu\n", t);
	else if (label != CORDON_LABEL_PEER_DOWN)
		cordon_dbg_printf("BAD reply: label %llu count %u mr0 %llu\n",
		                  (unsigned long long)label, cordon_msginfo_get_count(r),
		                  (unsigned long long)cordon_mr_get(0));
}

void init(void)
{
	call();
}

void peer_down(cordon_channel ch)
{
	cordon_dbg_printf("down %llu\n", now_ns());
}

void peer_up(cordon_channel ch)
{
	call();
}
