/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * driver: a temperature sensor driver, with the sensor simulated: a room
 * whose heater switches on and off every HALF_CYCLE samples, so the
 * temperature climbs toward 28 C and falls back toward 20 C, plus a little
 * noise from a seeded PRNG (the same sequence at every start).
 *
 * Channel APP (to the Elixir app, which may call us):
 *
 *   notified      the sampling clock: take one sample.  libcordon has no
 *                 timers (a PD waits only on its channels), so the app's
 *                 periodic notification plays the sensor's conversion clock,
 *                 as a timer interrupt would on a board.
 *   notify back   when a sample crosses the threshold, upwards (>= it) or
 *                 downwards (below it by HYSTERESIS, so noise around the
 *                 threshold does not chatter).
 *   READ          -> label OK; mr0 the latest sample in millidegrees Celsius
 *                 (int64), mr1 how many samples this start took, mr2 1 if
 *                 above the threshold, mr3 the threshold (millidegrees).
 *   SET_THRESHOLD mr0 the threshold in millidegrees, -50000..150000
 *                 -> label OK; mr0 the previous one.
 *   anything else -> CORDON_LABEL_INVALID.
 */
#include <cordon.h>
#include <stdbool.h>
#include <stdint.h>

#define APP 0 /* our end of the channel to the app */

enum { OK = 0, READ = 1, SET_THRESHOLD = 2 };

#define HALF_CYCLE 60    /* samples with the heater on, then off */
#define HEATER_ON  28000 /* where the room tends, millidegrees */
#define HEATER_OFF 20000
#define NOISE      100 /* +- millidegrees */
#define HYSTERESIS 500
#define THRESH_MIN (-50000)
#define THRESH_MAX 150000
#define SEED       0x5eed5eedu

static int64_t room = HEATER_OFF; /* the simulated room, without noise */
static int64_t reading = HEATER_OFF;
static uint64_t samples;
static int64_t threshold = 25000;
static bool above;
static uint32_t rng = SEED;

static uint32_t xorshift32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* "-1.250" for -1250: millidegrees as degrees, exactly. */
static const char *degrees(int64_t mdeg, char buf[24])
{
	uint64_t m = mdeg < 0 ? -(uint64_t)mdeg : (uint64_t)mdeg;
	char tmp[24];
	int n = 0;
	for (unsigned i = 0; i < 3; i++, m /= 10)
		tmp[n++] = (char)('0' + m % 10);
	tmp[n++] = '.';
	do {
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (mdeg < 0)
		tmp[n++] = '-';
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

static void sample(void)
{
	char a[24], b[24];

	samples++;
	int64_t target = (samples - 1) / HALF_CYCLE % 2 == 0 ? HEATER_ON : HEATER_OFF;
	room += (target - room) / 16; /* first-order lag toward the heater's target */
	reading = room + (int64_t)(xorshift32() % (2 * NOISE + 1)) - NOISE;

	bool now = above ? reading >= threshold - HYSTERESIS : reading >= threshold;
	if (now == above)
		return;
	above = now;
	cordon_dbg_printf("driver: %s C crossed %s C %s (sample %llu)\n", degrees(reading, a),
	                  degrees(threshold, b), above ? "upwards" : "downwards",
	                  (unsigned long long)samples);
	cordon_notify(APP);
}

void init(void)
{
	char t[24];
	cordon_dbg_printf("driver: sensor up, threshold %s C, sampling on the app's clock\n",
	                  degrees(threshold, t));
}

void notified(cordon_channel ch)
{
	if (ch == APP)
		sample();
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	if (ch != APP)
		return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);

	switch (cordon_msginfo_get_label(msg)) {
	case READ:
		cordon_mr_set(0, (uint64_t)reading);
		cordon_mr_set(1, samples);
		cordon_mr_set(2, above);
		cordon_mr_set(3, (uint64_t)threshold);
		return cordon_msginfo_new(OK, 4);
	case SET_THRESHOLD: {
		int64_t t = (int64_t)cordon_mr_get(0);
		if (cordon_msginfo_get_count(msg) != 1 || t < THRESH_MIN || t > THRESH_MAX)
			return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
		cordon_mr_set(0, (uint64_t)threshold);
		threshold = t;
		return cordon_msginfo_new(OK, 1);
	}
	default:
		return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
	}
}
