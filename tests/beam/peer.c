/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native side of the cordon library's tests (beam/cordon/test): a PD
 * the BEAM PD calls, notifies and queues to.  Channel 0 to the BEAM PD:
 *
 *   protected calls, by label:
 *     1  echo: the same words back, label 101
 *     2  sum: one word, the sum of the words (mod 2^64)
 *     3  crash: a NULL write; the PD dies of SIGSEGV mid-call
 *     4  region: write words[0] bytes of the pattern (i * 7 + 1) & 0xff
 *        into region "shared" and reply with their sum
 *     5  region sum: the sum of the first words[0] bytes of "shared"
 *     6  slow: sleep words[0] milliseconds, then reply label 106 (a reply
 *        that comes after the caller's spin, through the waiter thread)
 *     7  refuse: reply CORDON_LABEL_INVALID
 *     8  notify back words[0] times
 *     9  storm: notify back as fast as it can for words[0] milliseconds,
 *        then reply with how many notifications it sent (word 0)
 *   anything else: label 999, no words.
 *
 *   notified: notify back (ping-pong).
 *   queue (both ways): every message received is sent back unchanged, in
 *   order; when the way back is full the echo waits for room.
 */
#include <cordon.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define CH 0

uintptr_t shared; /* setvar_vaddr of region "shared" */

void init(void)
{
	cordon_dbg_puts("peer up\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t pattern_sum(unsigned long n, int write)
{
	volatile uint8_t *p = (volatile uint8_t *)shared;
	uint64_t sum = 0;
	for (unsigned long i = 0; i < n; i++) {
		if (write)
			p[i] = (uint8_t)((i * 7 + 1) & 0xff);
		sum += p[i];
	}
	return sum;
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	uint16_t n = cordon_msginfo_get_count(msg);
	uint64_t a = n ? cordon_mr_get(0) : 0;

	switch (cordon_msginfo_get_label(msg)) {
	case 1:
		return cordon_msginfo_new(101, n);
	case 2: {
		uint64_t sum = 0;
		for (uint16_t i = 0; i < n; i++)
			sum += cordon_mr_get(i);
		cordon_mr_set(0, sum);
		return cordon_msginfo_new(0, 1);
	}
	case 3:
		*(volatile int *)0 = 1;
		return cordon_msginfo_new(0, 0);
	case 4:
	case 5:
		if (a > 0x4000)
			return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
		cordon_mr_set(0, pattern_sum(a, cordon_msginfo_get_label(msg) == 4));
		return cordon_msginfo_new(0, 1);
	case 6: {
		struct timespec ts = {(time_t)(a / 1000), (long)(a % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		return cordon_msginfo_new(106, 0);
	}
	case 7:
		return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
	case 8:
		for (uint64_t i = 0; i < a; i++)
			cordon_notify(ch);
		return cordon_msginfo_new(0, 0);
	case 9: {
		uint64_t sent = 0, end = now_ms() + a;
		do {
			for (unsigned i = 0; i < 1024; i++, sent++)
				cordon_notify(ch);
		} while (now_ms() < end);
		cordon_mr_set(0, sent);
		return cordon_msginfo_new(0, 1);
	}
	default:
		return cordon_msginfo_new(999, 0);
	}
}

/* A message received but not yet sent back: the queue toward the BEAM PD
 * was full.  Retried on the next notification (the BEAM PD's receive makes
 * room and notifies), so the echo never spins and calls stay served. */
static uint8_t pending[1 << 16];
static ssize_t pending_len;

void notified(cordon_channel ch)
{
	static uint8_t buf[1 << 16];

	cordon_notify(ch);
	for (;;) {
		if (pending_len > 0) {
			if (cordon_queue_send(ch, pending, (size_t)pending_len) != 0)
				return; /* still full: wait for room */
			pending_len = 0;
		}
		ssize_t len = cordon_queue_recv(ch, buf, sizeof(buf));
		if (len <= 0)
			return;
		memcpy(pending, buf, (size_t)len);
		pending_len = len;
	}
}
