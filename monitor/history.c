/* SPDX-License-Identifier: BSD-2-Clause */
/* What the monitor remembers of a running system: the last faults and, per
 * PD, the last lines of its output, in fixed rings (internal.h), so a PD
 * that prints without end costs bounded memory and leaves the other PDs'
 * lines in place. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/internal.h"

struct mon_history *mon_history_new(size_t npds)
{
	struct mon_history *h = calloc(1, sizeof(*h) + npds * sizeof(h->pd[0]));
	if (h)
		h->npds = npds;
	return h;
}

void mon_history_free(struct mon_history *h)
{
	for (size_t p = 0; h && p < h->npds; p++)
		free(h->pd[p].ring);
	free(h);
}

void mon_history_line(struct mon *m, size_t pd, const char *s, size_t n)
{
	struct mon_history *h = m->history;
	if (!h || pd >= h->npds)
		return;
	if (!h->pd[pd].ring &&
	    !(h->pd[pd].ring = calloc(MON_LINES_PER_PD, sizeof(struct mon_line))))
		return; /* out of memory: the line is relayed, not kept */
	struct mon_line *l = &h->pd[pd].ring[h->pd[pd].n++ % MON_LINES_PER_PD];
	l->seq = ++h->seq;
	if (n >= MON_LINE_MAX)
		n = MON_LINE_MAX - 1;
	memcpy(l->text, s, n);
	l->text[n] = '\0';
}

/* The oldest line kept of PD p, and how many are kept. */
static uint64_t first_kept(const struct mon_history *h, size_t p)
{
	return h->pd[p].n > MON_LINES_PER_PD ? h->pd[p].n - MON_LINES_PER_PD : 0;
}

void mon_history_each(const struct mon_history *h, long pd, uint64_t since,
                      void (*fn)(void *arg, size_t pd, const char *text), void *arg)
{
	if (!h)
		return;
	/* A merge of the PDs' rings by sequence: each step takes the PD
	 * whose next kept line is the oldest. */
	uint64_t *next = calloc(h->npds ? h->npds : 1, sizeof(*next));
	if (!next)
		return;
	for (size_t p = 0; p < h->npds; p++)
		next[p] = first_kept(h, p);
	for (;;) {
		size_t best = h->npds;
		uint64_t seq = UINT64_MAX;
		for (size_t p = 0; p < h->npds; p++) {
			if ((pd >= 0 && (size_t)pd != p) || next[p] >= h->pd[p].n)
				continue;
			const struct mon_line *l = &h->pd[p].ring[next[p] % MON_LINES_PER_PD];
			if (l->seq < seq) {
				seq = l->seq;
				best = p;
			}
		}
		if (best == h->npds)
			break;
		const struct mon_line *l = &h->pd[best].ring[next[best]++ % MON_LINES_PER_PD];
		if (l->seq > since)
			fn(arg, best, l->text);
	}
	free(next);
}

void mon_fault(struct mon *m, const char *fmt, ...)
{
	char text[MON_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mon_log(m, "MON|FAULT:", "%s", text);
	struct mon_history *h = m->history;
	if (!h)
		return;
	size_t slot = h->nfaults++ % MON_FAULTS_KEPT;
	clock_gettime(CLOCK_REALTIME, &h->faults[slot].when);
	memcpy(h->faults[slot].text, text, sizeof(text));
}
