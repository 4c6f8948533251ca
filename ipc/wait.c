/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Waiting: adaptive spinning, then the `waiting` handshake and the OS's
 * wait on several words (ipc/os.h; futex_waitv on Linux).  OS-neutral.
 *
 * The handshake is the store-buffer pattern.  The sleeper stores
 * own->waiting = 1, fences (seq_cst) and re-reads the words it will sleep
 * on; the waker stores a word, fences (seq_cst) and reads peer->waiting.
 * With both fences at least one side sees the other's store: either the
 * sleeper sees the new word and does not sleep, or the waker sees waiting
 * and wakes it.  ipc_os_wait (futex_waitv) compares each word again inside
 * the kernel, which closes the gap between our re-read and the sleep.
 *
 * While a thread spins its `waiting` is 0, so a peer that changes a word
 * skips the wake syscall: spinning saves the waker's syscall as well as the
 * sleeper's wake-up latency.
 */
#include <errno.h>

#include "ipc/internal.h"

#define SPIN_YIELD_NS                                                                              \
	20000u /* yield the CPU this often while spinning, so a                                    \
	          co-scheduled peer on our CPU gets to run */
#define SPIN_CLOCK_EVERY                                                                           \
	16u /* spin iterations between clock reads: a few                                          \
	       hundred ns, well under IPC_SPIN_GAP_NS */

static bool any_changed(const uint32_t *const *words, const uint32_t *expect, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (LOAD_ACQUIRE(words[i]) != expect[i])
			return true;
	return false;
}

/* Who: any thread, once, before its first wait. */
void ipc_spin_init(struct ipc_spin *s, uint32_t max_ns, long ncpus)
{
	/* On one CPU the peer cannot run while we spin: spinning only delays it. */
	s->max_ns = ncpus > 1 ? max_ns : 0;
	s->cur_ns = s->max_ns;
	s->fails = 0;
	s->idle = 0;
	s->probe_every = IPC_SPIN_PROBE_MIN;
	s->gap_ticks = 0;
	s->spins = 0;
	s->late = 0;
	s->sleeps = 0;
}

static uint32_t spin_floor(const struct ipc_spin *s)
{
	return s->max_ns < IPC_SPIN_MIN_NS ? s->max_ns : IPC_SPIN_MIN_NS;
}

/* Who: the owner of s, once per wait that may spin.  While spinning is off,
 * every probe_every-th call returns max_ns: a probe. */
uint32_t ipc_spin_budget(struct ipc_spin *s)
{
	if (s->cur_ns || !s->max_ns)
		return s->cur_ns;
	if (++s->idle < s->probe_every)
		return 0;
	s->idle = 0;
	return s->max_ns;
}

/* Who: the owner of s, after spinning for budget (from ipc_spin_budget).
 * Success doubles the budget (a successful probe turns spinning back on at
 * the probe's length); failure halves it down to the floor and switches
 * spinning off after IPC_SPIN_OFF_AFTER failures in a row; a failed probe
 * doubles the interval to the next. */
void ipc_spin_outcome(struct ipc_spin *s, uint32_t budget, bool paid)
{
	uint32_t floor = spin_floor(s);

	if (!budget || !s->max_ns)
		return;
	if (paid) {
		uint64_t c = s->cur_ns ? (uint64_t)s->cur_ns * 2 : budget;
		s->cur_ns = c > s->max_ns ? s->max_ns : (uint32_t)c;
		s->fails = 0;
		s->probe_every = IPC_SPIN_PROBE_MIN;
		return;
	}
	if (!s->cur_ns) {
		uint32_t p = s->probe_every * 2;
		s->probe_every = p > IPC_SPIN_PROBE_MAX ? IPC_SPIN_PROBE_MAX : p;
		return;
	}
	if (++s->fails >= IPC_SPIN_OFF_AFTER) {
		s->cur_ns = 0;
		s->idle = 0;
		s->probe_every = IPC_SPIN_PROBE_MIN;
		return;
	}
	uint32_t c = s->cur_ns / 2;
	s->cur_ns = c < floor ? floor : c;
}

/* Who: anyone.  The spin loop reads the clock every SPIN_CLOCK_EVERY
 * iterations and once more when it sees the change, so without a preemption
 * no gap comes near IPC_SPIN_GAP_NS, and the change is seen at most one gap
 * after the budget ran out. */
bool ipc_spin_paid(uint32_t budget, uint64_t elapsed_ns, uint64_t max_gap_ns)
{
	return max_gap_ns <= IPC_SPIN_GAP_NS && elapsed_ns <= (uint64_t)budget + IPC_SPIN_GAP_NS;
}

/* An unordered cycle counter, 0 where there is none.  Timing the moment a
 * spin sees the change with clock_gettime would cost more than the rest of
 * the wait: its ordered counter read waits for the cache line we just
 * missed on (measured: +150 ns per wait here, half of a spinning round
 * trip).  This one does not wait, and only has to tell a preemption (many
 * µs) from none. */
static inline uint64_t ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
	uint64_t v;
	__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
	return v;
#else
	return 0;
#endif
}

/* ns since a clock sample taken at tick clast, from the tick counter once
 * s->gap_ticks is known (saturated at twice IPC_SPIN_GAP_NS: enough to say
 * "preempted"), else from the clock. */
static uint64_t ns_since(const struct ipc_spin *s, uint64_t last, uint64_t clast)
{
	uint64_t c = ticks();
	if (!s->gap_ticks || c < clast)
		return ipc_os_now_ns() - last;
	uint64_t d = c - clast;
	if (d >= 2 * (uint64_t)s->gap_ticks)
		return 2 * (uint64_t)IPC_SPIN_GAP_NS;
	return d * IPC_SPIN_GAP_NS / s->gap_ticks;
}

/* Spin for up to budget ns.  Returns true when some word changed; *paid
 * then says whether that counts for spinning (ipc_spin_paid).  Learns
 * s->gap_ticks from its clock samples. */
static bool spin_for(const uint32_t *const *words, const uint32_t *expect, unsigned nwords,
                     uint32_t budget, struct ipc_spin *s, bool *paid)
{
	uint64_t start = ipc_os_now_ns(), c0 = ticks();
	uint64_t last = start, clast = c0, last_yield = start, max_gap = 0;

	for (unsigned it = 1;; it++) {
		if (any_changed(words, expect, nwords)) {
			uint64_t gap = ns_since(s, last, clast);
			if (gap > max_gap)
				max_gap = gap;
			*paid = ipc_spin_paid(budget, last - start + gap, max_gap);
			return true;
		}
		ipc_cpu_relax();
		if (it % SPIN_CLOCK_EVERY == 0) {
			uint64_t t = ipc_os_now_ns(), c = ticks();
			if (t - last > max_gap)
				max_gap = t - last;
			last = t;
			clast = c;
			if (t - start >= 2000 && c > c0) {
				uint64_t g = (c - c0) * IPC_SPIN_GAP_NS / (t - start);
				s->gap_ticks = g > UINT32_MAX ? UINT32_MAX : g ? (uint32_t)g : 1;
			}
			if (t - start >= budget)
				return false;
			if (t - last_yield >= SPIN_YIELD_NS) {
				ipc_os_yield();
				last_yield = t;
			}
		}
	}
}

/* Who: the owner thread of the pages in owns.  Returns when some word may
 * differ from its expected value; the caller re-reads (acquire) and decides.
 * The acquire loads in any_changed pair with the peer's release stores of
 * the words.  may_spin false: sleep at once, because the caller knows the
 * change cannot come soon (the policy learns nothing from such a wait). */
int ipc_wait_words(const uint32_t *const *words, const uint32_t *expect, unsigned nwords,
                   struct ipc_end *const *owns, unsigned nowns, struct ipc_spin *spin,
                   bool may_spin)
{
	/* Changed already (the peer acted while we were busy or preempted):
	 * no spin, and no evidence for or against spinning. */
	if (any_changed(words, expect, nwords))
		return 0;
	uint32_t budget = may_spin ? ipc_spin_budget(spin) : 0;
	if (budget) {
		bool paid = false;
		bool seen = spin_for(words, expect, nwords, budget, spin, &paid);
		ipc_spin_outcome(spin, budget, seen && paid);
		if (seen) {
			if (paid)
				spin->spins++;
			else
				spin->late++;
			return 0;
		}
	}

	for (unsigned i = 0; i < nowns; i++)
		STORE_RELAXED(&owns[i]->waiting, 1);
	FENCE_SEQ_CST(); /* pairs with the waker's fence between its store and
	                    its read of waiting */
	int r = 0;
	if (!any_changed(words, expect, nwords)) {
		spin->sleeps++;
		r = ipc_os_wait(words, expect, nwords);
	}
	/* Clearing late only costs the peer a useless wake syscall. */
	for (unsigned i = 0; i < nowns; i++)
		STORE_RELAXED(&owns[i]->waiting, 0);
	return r;
}

/* Who: the owner thread of every channel in chans.  Each channel's
 * seen_event (or seen_life, while broken) was snapshotted by its last
 * ipc_poll; any change since makes this return.  Flushes each channel's
 * queues first.  extra[i] are further futex
 * words (the monitor page's event) with the values the caller last saw. */
int ipc_wait_any_extra(struct ipc_chan *const *chans, unsigned n, const uint32_t *const *extra,
                       const uint32_t *extra_expect, unsigned nextra, struct ipc_spin *spin)
{
	const uint32_t *words[IPC_MAX_CHANNELS + IPC_WAIT_EXTRA_MAX];
	uint32_t expect[IPC_MAX_CHANNELS + IPC_WAIT_EXTRA_MAX];
	struct ipc_end *owns[IPC_MAX_CHANNELS];

	if (n > IPC_MAX_CHANNELS || nextra > IPC_WAIT_EXTRA_MAX)
		return -EINVAL;
	if (n + nextra == 0)
		return -EINVAL; /* nothing could ever wake us */
	for (unsigned i = 0; i < n; i++) {
		struct ipc_chan *ch = chans[i];
		/* Never sleep on a queue edge we owe the peer (ipc/queue.c). */
		ipc_queue_flush(ch);
		ipc_chan_wait_word(ch, &words[i], &expect[i]);
		owns[i] = ch->own;
	}
	for (unsigned i = 0; i < nextra; i++) {
		words[n + i] = extra[i];
		expect[n + i] = extra_expect[i];
	}
	return ipc_wait_words(words, expect, n + nextra, owns, n, spin, true);
}

/* Who: the owner thread of ch.  A broken channel's event is noise until the
 * monitor restarts the peer (its life changes); after that, the restarted
 * peer's repair bumps event, and ipc_poll re-validates. */
void ipc_chan_wait_word(const struct ipc_chan *ch, const uint32_t **word, uint32_t *expect)
{
	bool on_life = ch->broken && ch->seen_life == ch->broken_life;
	*word = on_life ? &ch->peer->life : &ch->peer->event;
	*expect = on_life ? ch->seen_life : ch->seen_event;
}

int ipc_wait_any(struct ipc_chan *const *chans, unsigned n, struct ipc_spin *spin)
{
	return ipc_wait_any_extra(chans, n, NULL, NULL, 0, spin);
}
