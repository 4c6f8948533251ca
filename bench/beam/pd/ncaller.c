/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native caller of beam-bench (bench/beam/calls.c): the baseline that
 * runs in the same system, at the same priority as the BEAM PD, against
 * the same callee (target.c), on the BEAM PD's command, so its figures
 * interleave with the BEAM's.
 *
 *   channel 0: to the target (pp, a queue toward it)
 *   channel 1: to the BEAM PD (a queue each way, no calls)
 *
 * Commands from the BEAM PD (one queue message each, integers little
 * endian):
 *   'C' u32 n, u32 words, u32 warm
 *       warm untimed calls, then n timed ones, each label 1 with `words`
 *       words to the target (its echo), each checked; answers with 'S'
 *       messages of u32 samples (ns per call) and one 'D' u32 n
 *   'Q' u32 n, u32 size
 *       a burst of n messages of size bytes to the target's queue, sent as
 *       a native producer does (until FULL, then again on notified()),
 *       timed from the first send until the target has consumed them all
 *       (asked with label-3 calls); answers 'B' u64 ns, u64 bytes
 * Anything wrong is answered 'E' text, and printed.
 */
#include <cordon.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TARGET 0
#define BEAM   1

#define MAX_SAMPLES (1u << 20)
#define CHUNK       4096u /* samples per 'S' message: 16 KiB */

static uint32_t samples[MAX_SAMPLES];
static uint8_t msg[1 << 17];

static struct {
	bool on;
	uint32_t left, size;
	uint64_t t0, until, bytes;
} burst;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Results go back through a queue sized for a whole batch (calls.c); if it
 * ever fills, wait for the BEAM PD to drain it. */
static void answer(const void *buf, size_t len)
{
	int r;
	while ((r = cordon_queue_send(BEAM, buf, len)) == CORDON_EQUEUE_FULL)
		;
	if (r < 0)
		cordon_dbg_printf("ERROR: answer to the BEAM PD: %d\n", r);
}

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	char text[256];
	va_list ap;
	text[0] = 'E';
	va_start(ap, fmt);
	int n = vsnprintf(text + 1, sizeof(text) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(text) - 2)
		n = (int)sizeof(text) - 2;
	cordon_dbg_printf("ERROR: %s\n", text + 1);
	answer(text, (size_t)n + 1);
}

static uint64_t consumed(void)
{
	cordon_msginfo r = cordon_ppcall(TARGET, cordon_msginfo_new(3, 0));
	return cordon_msginfo_get_label(r) == 0 ? cordon_mr_get(0) : UINT64_MAX;
}

static void calls(uint32_t n, uint32_t words, uint32_t warm)
{
	if (n > MAX_SAMPLES || words > CORDON_MAX_MRS) {
		fail("calls: %u calls of %u words is too many", n, words);
		return;
	}
	for (uint32_t i = 0; i < warm + n; i++) {
		uint64_t t0 = now_ns();
		for (uint32_t w = 0; w < words; w++)
			cordon_mr_set(w, i + w);
		cordon_msginfo r = cordon_ppcall(TARGET, cordon_msginfo_new(1, (uint16_t)words));
		uint64_t t1 = now_ns();
		if (cordon_msginfo_get_label(r) != 101 || cordon_msginfo_get_count(r) != words ||
		    (words && cordon_mr_get(0) != i)) {
			fail("call %u: label %llu count %u", i,
			     (unsigned long long)cordon_msginfo_get_label(r),
			     cordon_msginfo_get_count(r));
			return;
		}
		if (i >= warm)
			samples[i - warm] = t1 - t0 > UINT32_MAX ? UINT32_MAX : (uint32_t)(t1 - t0);
	}
	static uint8_t out[1 + CHUNK * 4];
	for (uint32_t i = 0; i < n; i += CHUNK) {
		uint32_t k = n - i < CHUNK ? n - i : CHUNK;
		out[0] = 'S';
		memcpy(out + 1, samples + i, (size_t)k * 4);
		answer(out, 1 + (size_t)k * 4);
	}
	out[0] = 'D';
	memcpy(out + 1, &n, 4);
	answer(out, 5);
}

/* Send until the queue is full or the burst is over; when over, wait for
 * the target to have consumed it all and answer. */
static void pump(void)
{
	while (burst.left) {
		int r = cordon_queue_send(TARGET, msg, burst.size);
		if (r == CORDON_EQUEUE_FULL)
			return; /* notified(TARGET) when the target has made room */
		if (r < 0) {
			burst.on = false;
			fail("burst: send: %d", r);
			return;
		}
		burst.left--;
	}
	uint64_t c;
	while ((c = consumed()) < burst.until)
		;
	uint64_t t1 = now_ns();
	burst.on = false;
	if (c == UINT64_MAX) {
		fail("burst: the target's byte count failed");
		return;
	}
	uint8_t out[17] = {'B'};
	uint64_t ns = t1 - burst.t0;
	memcpy(out + 1, &ns, 8);
	memcpy(out + 9, &burst.bytes, 8);
	answer(out, sizeof(out));
}

static void start_burst(uint32_t n, uint32_t size)
{
	if (burst.on || size == 0 || size > sizeof(msg) || size > cordon_queue_max_msg(TARGET)) {
		fail("burst: %u-byte messages: not possible here", size);
		return;
	}
	uint64_t before = consumed();
	if (before == UINT64_MAX) {
		fail("burst: the target's byte count failed");
		return;
	}
	memset(msg, 0xa5, size);
	burst.on = true;
	burst.left = n;
	burst.size = size;
	burst.bytes = (uint64_t)n * size;
	burst.until = before + burst.bytes;
	burst.t0 = now_ns();
	pump();
}

static void command(const uint8_t *m, size_t len)
{
	uint32_t a[3] = {0, 0, 0};
	memcpy(a, m + 1, len - 1 > sizeof(a) ? sizeof(a) : len - 1);
	switch (m[0]) {
	case 'C':
		calls(a[0], a[1], a[2]);
		break;
	case 'Q':
		start_burst(a[0], a[1]);
		break;
	default:
		fail("unknown command '%c'", m[0]);
	}
}

void init(void)
{
	cordon_dbg_puts("ncaller up\n");
}

void notified(cordon_channel ch)
{
	static uint8_t cmd[64];
	ssize_t len;

	if (ch == TARGET && burst.on)
		pump();
	if (ch != BEAM)
		return;
	while ((len = cordon_queue_recv(BEAM, cmd, sizeof(cmd))) > 0)
		command(cmd, (size_t)len);
}
