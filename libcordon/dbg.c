/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Debug output: the PD's standard output (fd 1), which the monitor relays
 * line by line with the PD's name in front.  Line-buffered here so a line
 * is one write(); the loop flushes before it blocks and cordon_ppcall
 * before it calls, so nothing printed sits in the buffer while the PD
 * waits.  Error lines go to stderr (fd 2), "<pdname>: " prefixed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libcordon/internal.h"

static char out_buf[1024];
static size_t out_len;

/* write() all of it, retrying EINTR and short writes; output that cannot be
 * written (the monitor closed the pipe) is dropped. */
static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void lc_dbg_flush(void)
{
	write_all(1, out_buf, out_len);
	out_len = 0;
}

void cordon_dbg_putc(int c)
{
	if (out_len == sizeof(out_buf))
		lc_dbg_flush();
	out_buf[out_len++] = (char)c;
	if (c == '\n')
		lc_dbg_flush();
}

void cordon_dbg_puts(const char *s)
{
	if (!s)
		s = "(null)";
	for (; *s; s++)
		cordon_dbg_putc((unsigned char)*s);
}

void cordon_dbg_printf(const char *fmt, ...)
{
	char small[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		cordon_dbg_puts(small);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		cordon_dbg_puts(small); /* truncated beats nothing */
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	cordon_dbg_puts(big);
	free(big);
}

void lc_err(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	lc_dbg_flush();
	int n = snprintf(line, sizeof(line), "%s: ", lc_pd.name[0] ? lc_pd.name : "cordon");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	line[len++] = '\n';
	write_all(2, line, len);
}

const char *cordon_name(void)
{
	return lc_pd.name;
}
