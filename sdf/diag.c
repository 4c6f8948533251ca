/* SPDX-License-Identifier: BSD-2-Clause */
/* Diagnostics: one grep-able first line, then a hint line.  Output is
 * flushed per diagnostic so it interleaves sanely with other output. */
#include <stdio.h>

#include "sdf/internal.h"

static void emit(struct sdf_diag *d, const char *kind, const char *file, int line, const char *elem,
                 const char *hint, const char *fmt, va_list ap)
{
	if (!d || !d->out)
		return;
	if (line > 0)
		fprintf(d->out, "%s:%d: %s: ", file, line, kind);
	else
		fprintf(d->out, "%s: %s: ", file, kind);
	if (elem)
		fprintf(d->out, "<%s>: ", elem);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
	if (hint)
		fprintf(d->out, "  hint: %s\n", hint);
	fflush(d->out);
}

void diag_error(struct sdf_diag *d, const char *file, int line, const char *elem, const char *hint,
                const char *fmt, ...)
{
	va_list ap;

	if (d)
		d->errors++;
	va_start(ap, fmt);
	emit(d, "error", file, line, elem, hint, fmt, ap);
	va_end(ap);
}

void diag_warning(struct sdf_diag *d, const char *file, int line, const char *elem,
                  const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (d)
		d->warnings++;
	va_start(ap, fmt);
	emit(d, "warning", file, line, elem, hint, fmt, ap);
	va_end(ap);
}
