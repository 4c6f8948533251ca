/* SPDX-License-Identifier: BSD-2-Clause */
/* The one way sandbox functions report a failure: -errno plus a message. */
#include <stdarg.h>
#include <stdio.h>

#include "sandbox/internal.h"

int sandbox_fail(char *why, size_t whylen, int ret, const char *fmt, ...)
{
	if (why && whylen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return ret;
}
