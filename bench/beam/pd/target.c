/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The callee and queue sink of beam-bench (bench/beam/calls.c): one
 * native PD that both callers, the BEAM PD (channel 0) and the native
 * caller (channel 1), call and stream to in the same way, so the two
 * figures differ only in the caller.
 *
 *   protected calls, by label:
 *     1  echo: the same words back, label 101 (tests/beam/peer.c's echo)
 *     3  bytes: one word, every queue byte consumed on this channel so far
 *     5  slow: busy for words[0] ns (at most 1 ms), then label 105 and the
 *        same word back (a callee with work to do)
 *   anything else: label 999, no words.
 *
 *   notified: drain the channel's queue (copying each message out, as any
 *   consumer must) and count its bytes; nothing goes back, so the
 *   producer's rate is not halved by an echo.
 */
#include <cordon.h>
#include <stdint.h>
#include <time.h>

#define NCH 2

static uint64_t consumed[NCH];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void init(void)
{
	cordon_dbg_puts("target up\n");
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	switch (cordon_msginfo_get_label(msg)) {
	case 1:
		return cordon_msginfo_new(101, cordon_msginfo_get_count(msg));
	case 3:
		cordon_mr_set(0, ch < NCH ? consumed[ch] : 0);
		return cordon_msginfo_new(0, 1);
	case 5: {
		uint64_t ns = cordon_msginfo_get_count(msg) ? cordon_mr_get(0) : 0;
		uint64_t end = now_ns() + (ns < 1000000 ? ns : 1000000);
		while (now_ns() < end)
			;
		return cordon_msginfo_new(105, 1);
	}
	default:
		return cordon_msginfo_new(999, 0);
	}
}

void notified(cordon_channel ch)
{
	static uint8_t buf[1 << 17];
	ssize_t len;

	if (ch >= NCH)
		return;
	while ((len = cordon_queue_recv(ch, buf, sizeof(buf))) > 0)
		consumed[ch] += (uint64_t)len;
	if (len != CORDON_EQUEUE_EMPTY)
		cordon_dbg_printf("ERROR: queue on channel %u: %zd\n", ch, len);
}
