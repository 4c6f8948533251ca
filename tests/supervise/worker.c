/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A PD for the supervision tests.  Its name says what it does:
 *
 *   quit*    exits with status 0 in init()      (a normal end)
 *   fail*    exits with status 3 in init()      (an abnormal end)
 *   segv*    dereferences NULL in init()        (a memory fault)
 *   parent*  supervises its child PD 1 through fault(): restarts it twice,
 *            then leaves it stopped
 *   segvcall* serves protected calls by dereferencing NULL
 *   caller*  calls channel 0 once in init()
 *   anything else: says it is up and serves protected calls (mr0 + 1)
 */
#include <cordon.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A real memory fault at address 0.  The address comes through a volatile
 * so the compiler cannot see the null store and replace it with a trap
 * (SIGILL), and UBSan (trap mode, in the sanitizer build) is told to leave
 * this one function alone for the same reason. */
__attribute__((no_sanitize_undefined)) static void fault_at_null(void)
{
	volatile uintptr_t zero = 0;
	*(volatile int *)zero = 1;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void init(void)
{
	const char *me = cordon_name();
	cordon_dbg_printf("%s: up\n", me);
	if (starts_with(me, "quit"))
		exit(0);
	if (starts_with(me, "fail"))
		exit(3);
	if (starts_with(me, "segvcall"))
		return;
	if (starts_with(me, "segv"))
		fault_at_null();
	if (starts_with(me, "caller"))
		cordon_ppcall(0, cordon_msginfo_new(0, 0));
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	if (starts_with(cordon_name(), "segvcall"))
		fault_at_null();
	cordon_mr_set(0, cordon_mr_get(0) + 1);
	return cordon_msginfo_new(0, 1);
}

int fault(cordon_child child, cordon_msginfo msg, cordon_msginfo *reply)
{
	static unsigned faults;
	faults++;
	cordon_dbg_printf("%s: child %u fault %u: signal %llu addr %#llx\n", cordon_name(), child,
	                  faults, (unsigned long long)cordon_mr_get(0),
	                  (unsigned long long)cordon_mr_get(2));
	if (faults < 3)
		return 1; /* reply: restart it */
	cordon_dbg_printf("%s: leaving child %u stopped\n", cordon_name(), child);
	return 0;
}
