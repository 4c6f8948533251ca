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
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "monitor/internal.h"

void mon_relay_init(struct mon_relay *r, int fd)
{
	r->fd = fd;
	r->len = 0;
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

static void emit(struct mon *m, const struct mon_pd *pd, const char *raw, size_t n, bool cut)
{
	char s[sizeof(((struct mon_relay *)0)->buf)];
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
		emit(m, pd, r->buf + start, n, false);
		start = (size_t)(nl - r->buf) + 1;
	}
	memmove(r->buf, r->buf + start, r->len - start);
	r->len -= start;
	if (r->len == sizeof(r->buf)) {
		emit(m, pd, r->buf, r->len, true);
		r->len = 0;
	}
}

bool mon_relay_pump(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	if (r->fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n > 0) {
			r->len += (size_t)n;
			drain_lines(m, pd, r);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			fflush(m->log);
			return true;
		}
		/* EOF or a real error: the stream is over. */
		mon_relay_flush(m, pd, r);
		close(r->fd);
		r->fd = -1;
		fflush(m->log);
		return false;
	}
}

void mon_relay_flush(struct mon *m, const struct mon_pd *pd, struct mon_relay *r)
{
	if (r->len) {
		emit(m, pd, r->buf, r->len, false);
		r->len = 0;
	}
}
