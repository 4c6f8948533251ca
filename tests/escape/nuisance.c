/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PDs of tests/escape/monitor.bats, chosen by name: what a PD can do to the
 * monitor itself, and the neighbours that must not notice.
 *
 *   flood*   writes empty lines to its stdout as fast as it can, forever
 *   crash*   says "crash: up", runs for a moment, then faults (SIGSEGV, or
 *            SIGILL where UBSan traps the null store): its
 *            supervisor restarts it, and each restart proves the monitor
 *            still supervises
 */
#include <cordon.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void flood(void)
{
	static char lines[4096];
	memset(lines, '\n', sizeof(lines));
	for (;;)
		if (write(1, lines, sizeof(lines)) < 0) {
			/* the monitor closed the pipe: keep trying, as a flood would */
		}
}

static void crash(void)
{
	struct timespec t = {0, 300 * 1000 * 1000};
	cordon_dbg_printf("crash: up\n");
	nanosleep(&t, NULL);
	*(volatile int *)0 = 1;
}

void init(void)
{
	const char *name = cordon_name();
	if (starts_with(name, "flood"))
		flood();
	if (starts_with(name, "crash"))
		crash();
	cordon_dbg_printf("%s: idle\n", name);
}

void notified(cordon_channel ch)
{
	(void)ch;
}
