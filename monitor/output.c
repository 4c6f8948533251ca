/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Relaying PD output: each line a PD writes to its standard output or error
 * is printed as "NAME| line".  A PD is untrusted, so a line longer than the
 * buffer is cut (and marked) rather than grown without bound, and control
 * characters are shown as '?': a carriage return or an escape sequence must
 * not let a PD overwrite its own prefix on the operator's terminal and pass
 * its words off as the monitor's (the '\r' of a CRLF line end is dropped,
 * not shown).  Tabs and UTF-8 text pass; the C1
 * controls' UTF-8 forms (U+0080..U+009F, which some terminals obey) do not.
 *
 * A PD must not be able to freeze or starve the monitor through its output,
 * which all runs in the monitor's one event loop:
 *  - a turn reads at most RELAY_TURN_BYTES of one stream, then returns to
 *    the loop (the descriptor is level-triggered: the rest waits for the
 *    next turn, after the supervision and admin events of that turn);
 *  - each stream prints at most RELAY_LINES_PER_SEC lines a second; the
 *    rest are read, counted and dropped, and the count is reported
 *    ("MON|WARN: pd=x output: 12345 lines dropped") when the window ends
 *    and when the stream does, so no loss is silent;
 *  - once the PD is gone its pipes are read until they are empty, never
 *    until an end of file: a write end the PD left in flight (an SCM_RIGHTS
 *    cycle lives until the kernel's unix garbage collector runs) would
 *    keep a loop waiting for one spinning forever.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor/internal.h"

/* Bytes one stream may be read in one turn of the loop: a few reads, so a
 * flooding PD costs each turn at most a few microseconds. */
#define RELAY_TURN_BYTES    (16 * 1024)
/* Lines one stream may print per second.  A BEAM crash report is about 90
 * lines, a boot a few dozen: far below.  What a terminal or a log file
 * receives from a flooding PD is then bounded (lines are at most 1 KiB). */
#define RELAY_LINES_PER_SEC 1000
/* What a PD's pipes can hold when it is gone (the largest pipe an
 * unprivileged process may make is 1 MiB): the last read at its end. */
#define RELAY_END_BYTES     (1024 * 1024 + 1024)

void mon_relay_init(struct mon_relay *r, int fd)
{
	r->fd = fd;
	r->len = 0;
	r->window_ms = mon_now_ms();
	r->lines = 0;
	r->dropped = 0;
}

static void report_dropped(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	if (!r->dropped)
		return;
	mon_log(m, "MON|WARN:", "pd=%s output: %llu lines dropped (over %d lines/s on %s)",
	        pd->sdf->name, (unsigned long long)r->dropped, RELAY_LINES_PER_SEC,
	        r == &pd->err ? "stderr" : "stdout");
	r->dropped = 0;
}

/* A new budget window once a second has passed; the last one's drops are
 * reported first. */
static void budget_window(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	uint64_t now = mon_now_ms();
	if (now - r->window_ms < 1000)
		return;
	report_dropped(m, pd, r);
	r->window_ms = now;
	r->lines = 0;
}

/* Copy n bytes of PD output into out, control characters replaced. */
static void defang(char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool c1 = c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		          (unsigned char)s[i + 1] <= 0x9f;
		if (c1) {
			out[i] = '?';
			out[++i] = '?';
		} else {
			out[i] = (c < 0x20 && c != '\t') || c == 0x7f ? '?' : (char)c;
		}
	}
}

static void emit(struct mon *m, const struct mon_pd *pd, struct mon_relay *r, const char *raw,
                 size_t n, bool cut)
{
	if (r->lines >= RELAY_LINES_PER_SEC) {
		r->dropped++;
		return;
	}
	r->lines++;
	char s[sizeof(r->buf)];
	if (n > sizeof(s))
		n = sizeof(s);
	defang(s, raw, n);
	flockfile(m->log);
	if (m->timestamps)
		mon_log_stamp(m->log);
	fprintf(m->log, "%s| %.*s%s\n", pd->sdf->name, (int)n, s, cut ? " [...]" : "");
	funlockfile(m->log);
	mon_history_line(m, (size_t)(pd - m->pds), s, n);
	mon_vm_heard(m, (size_t)(pd - m->pds), s, n);
}

/* Print every complete line in the buffer; keep the unfinished rest. */
static void drain_lines(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	size_t start = 0;
	for (;;) {
		char *nl = memchr(r->buf + start, '\n', r->len - start);
		if (!nl)
			break;
		size_t n = (size_t)(nl - (r->buf + start));
		/* A CRLF line end (the BEAM's) is a line end: its '\r' is
		 * dropped, every other control character is still shown. */
		if (n && r->buf[start + n - 1] == '\r')
			n--;
		emit(m, pd, r, r->buf + start, n, false);
		start = (size_t)(nl - r->buf) + 1;
	}
	memmove(r->buf, r->buf + start, r->len - start);
	r->len -= start;
	if (r->len == sizeof(r->buf)) {
		emit(m, pd, r, r->buf, r->len, true);
		r->len = 0;
	}
}

/* Read at most `budget` bytes; 1 while the stream is open, 0 once it has
 * ended (closed here). */
static bool pump(struct mon *m, const struct mon_pd *pd, struct mon_relay *r, size_t budget)
{
	if (r->fd < 0)
		return false;
	budget_window(m, pd, r);
	while (budget) {
		size_t want = sizeof(r->buf) - r->len;
		ssize_t n = read(r->fd, r->buf + r->len, want < budget ? want : budget);
		if (n > 0) {
			budget -= (size_t)n;
			r->len += (size_t)n;
			drain_lines(m, pd, r);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		/* EOF or a real error: the stream is over. */
		close(r->fd);
		r->fd = -1;
		break;
	}
	if (r->fd < 0 && r->len) {
		emit(m, pd, r, r->buf, r->len, false);
		r->len = 0;
	}
	fflush(m->log);
	return r->fd >= 0;
}

bool mon_relay_pump(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	bool open = pump(m, pd, r, RELAY_TURN_BYTES);
	if (!open)
		report_dropped(m, pd, r);
	return open;
}

void mon_relay_end(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	/* Bounded, and never waiting: whatever is in the pipe now is all the
	 * PD wrote (every process of it is gone), and nothing more will come
	 * that is worth waiting for. */
	pump(m, pd, r, RELAY_END_BYTES);
	if (r->fd >= 0) {
		close(r->fd); /* removes it from the epoll set: the only reference */
		r->fd = -1;
	}
	if (r->len) {
		emit(m, pd, r, r->buf, r->len, false);
		r->len = 0;
	}
	report_dropped(m, pd, r);
	fflush(m->log);
}
