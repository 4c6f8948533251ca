/* SPDX-License-Identifier: BSD-2-Clause */
/* The monitor's log: fixed tags ("MON|INFO:", "MON|ERROR:", "MON|FAULT:")
 * so every line is grep-able, and decoded signals. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <seccomp.h>

#include "monitor/internal.h"

void mon_log(struct mon *m, const char *tag, const char *fmt, ...)
{
	va_list ap;

	flockfile(m->log);
	fputs(tag, m->log);
	fputc(' ', m->log);
	va_start(ap, fmt);
	vfprintf(m->log, fmt, ap);
	va_end(ap);
	fputc('\n', m->log);
	funlockfile(m->log);
	fflush(m->log);
}

void mon_log_stamp(FILE *out)
{
	struct timespec now;
	struct tm tm;
	char when[32];
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "%s.%03ldZ ", when, now.tv_nsec / 1000000);
}

const char *mon_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

const char *mon_signame(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {
	    {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
	    {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
	    {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
	    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGSYS, "SIGSYS"},
	    {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return "signal";
}

void mon_syscall_name(uint64_t nr, char *buf, size_t len)
{
	char *name =
	    nr <= INT32_MAX ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr) : NULL;
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "#%llu", (unsigned long long)nr);
	free(name);
}
