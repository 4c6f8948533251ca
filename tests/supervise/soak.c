/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The soak test's PDs.  "srvN" serve protected calls (mr0 + 1).  "cliN"
 * call srvN on channel 0 without end and account for every call: a reply
 * with the right value, or the PEER_DOWN label while srvN is restarting.
 * Anything else is printed as BAD.  Every 16384 calls a client prints its
 * counts, so a client that hangs stops printing.  Calls come in bursts of
 * 1024 with a millisecond's pause between, so the load leaves the CPUs some
 * room for the restarts the test measures.
 */
#include <cordon.h>
#include <string.h>
#include <time.h>

#define SERVER 0

void init(void)
{
	const char *me = cordon_name();
	if (strncmp(me, "cli", 3))
		return;
	uint64_t ok = 0, down = 0, bad = 0;
	for (uint64_t n = 1;; n++) {
		cordon_mr_set(0, n);
		cordon_msginfo r = cordon_ppcall(SERVER, cordon_msginfo_new(1, 1));
		uint64_t label = cordon_msginfo_get_label(r);
		if (label == 0 && cordon_msginfo_get_count(r) == 1 && cordon_mr_get(0) == n + 1) {
			ok++;
		} else if (label == CORDON_LABEL_PEER_DOWN && cordon_msginfo_get_count(r) == 0) {
			down++;
			/* The server is restarting: give it the CPU. */
			struct timespec t = {0, 200 * 1000};
			nanosleep(&t, NULL);
		} else {
			bad++;
			cordon_dbg_printf(
			    "%s: BAD reply: label %llu count %u mr0 %llu for %llu\n", me,
			    (unsigned long long)label, cordon_msginfo_get_count(r),
			    (unsigned long long)cordon_mr_get(0), (unsigned long long)n);
		}
		if (n % 1024 == 0) {
			struct timespec t = {0, 1000 * 1000};
			nanosleep(&t, NULL);
		}
		if (n % 16384 == 0)
			cordon_dbg_printf("%s: ok=%llu down=%llu bad=%llu\n", me,
			                  (unsigned long long)ok, (unsigned long long)down,
			                  (unsigned long long)bad);
	}
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	cordon_mr_set(0, cordon_mr_get(0) + 1);
	return cordon_msginfo_new(0, 1);
}
