/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one way a library function reports a failure with a reason: a
 * message in the caller's buffer and a status code, as in
 *
 *     if (n > max)
 *         return why_fail(why, whylen, -EINVAL, "%zu entries, at most %zu", n, max);
 *
 * Header-only, so every module (host libraries and PD-side code alike)
 * uses this one copy without linking anything.  sandbox/, budget/ and
 * libcordon/ report through it.
 */
#ifndef CORDON_UTIL_WHY_H
#define CORDON_UTIL_WHY_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Format a message into why (truncated to whylen, NUL-terminated; nothing
 * is written when why is NULL or whylen 0) and return ret. */
__attribute__((format(printf, 4, 5))) static inline int why_fail(char *why, size_t whylen, int ret,
                                                                 const char *fmt, ...)
{
	if (why && whylen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

#endif
