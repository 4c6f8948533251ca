/* SPDX-License-Identifier: BSD-2-Clause */
/* What the monitor remembers of a running system: the last faults and the
 * last lines of PD output, in fixed rings, so a PD that prints without end
 * costs bounded memory. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "monitor/internal.h"

void mon_history_line(struct mon *m, size_t pd, const char *s, size_t n)
{
	struct mon_history *h = m->history;
	if (!h)
		return;
	size_t slot = h->nlines++ % MON_LINES_KEPT;
	h->lines[slot].pd = (uint32_t)pd;
	if (n >= MON_LINE_MAX)
		n = MON_LINE_MAX - 1;
	memcpy(h->lines[slot].text, s, n);
	h->lines[slot].text[n] = '\0';
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
