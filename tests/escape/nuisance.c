/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PDs of tests/escape/monitor.bats, chosen by name: what a PD can do to the
 * monitor itself, and the neighbours that must not notice.
 *
 *   flood*   writes empty lines to its stdout as fast as it can, forever
 *   crash*   says "crash: up" and is ready; the next notification on its
 *            channel 0 kills it (SIGSEGV, or SIGILL where
 *            UBSan traps the null store): its supervisor restarts it,
 *            and each restart proves the monitor still supervises.  It dies
 *            after init() returned, so each death is a crash, not a failed
 *            start (which would back off and, repeated, give up)
 *   tick*    notifies its channel 0 every 300 ms, forever (crash's clock)
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

static void tick(void)
{
	struct timespec t = {0, 300 * 1000 * 1000};
	for (;;) {
		nanosleep(&t, NULL);
		cordon_notify(0);
	}
}

void init(void)
{
	const char *name = cordon_name();
	if (starts_with(name, "flood"))
		flood();
	if (starts_with(name, "tick"))
		tick();
	if (starts_with(name, "crash")) {
		cordon_dbg_printf("crash: up\n");
		return;
	}
	cordon_dbg_printf("%s: idle\n", name);
}

void notified(cordon_channel ch)
{
	(void)ch;
	if (starts_with(cordon_name(), "crash"))
		*(volatile int *)0 = 1;
}
