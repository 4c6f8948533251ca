/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PDs the escape suite's attackers must not affect, chosen by name:
 *
 *   victim     holds a private region (no attacker maps it) and a region it
 *              shares read-only with two attackers; it has a channel to
 *              several attackers (each a capability they may abuse) and one
 *              to checker, whose protected calls it serves.  Every answer
 *              says whether both regions still hold the pattern written at
 *              start, and how many calls and notifications it received that
 *              the system description does not allow (forged).
 *   bystander  an unrelated PD: a private region, a protected-call counter,
 *              no channel to any attacker.
 *   checker    at each start (the test restarts it with `cordon restart`),
 *              calls the victim and the bystander once and prints one line
 *              with their answers.  Both count its calls, so the n-th
 *              round prints calls=n twice.
 *
 * Channel ids are fixed by escape.system; see there.
 */
#include <cordon.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define REGION_WORDS (0x1000 / sizeof(uint64_t))
#define FROM_CHECKER 0 /* victim and bystander: the channel checker calls on */
#define FORGE_NOTIFY 2 /* victim: its peer's end says notify="false" */
#define TO_VICTIM    0 /* checker */
#define TO_BYSTANDER 1 /* checker */

/* Set by libcordon from the <map setvar_vaddr>s of escape.system. */
uintptr_t private_vaddr;
uintptr_t shared_vaddr;

static uint64_t calls;   /* protected calls from checker */
static uint64_t forged;  /* protected calls or notifications the SDF forbids */
static uint64_t notices; /* allowed notifications from attackers */

static uint64_t pattern(uintptr_t base, size_t i)
{
	return (base ^ (i * 0x9e3779b97f4a7c15u)) | 1;
}

static void fill(uintptr_t base)
{
	uint64_t *w = (uint64_t *)base;
	for (size_t i = 0; i < REGION_WORDS; i++)
		w[i] = pattern(base, i);
}

static bool intact(uintptr_t base)
{
	const volatile uint64_t *w = (const volatile uint64_t *)base;
	for (size_t i = 0; i < REGION_WORDS; i++)
		if (w[i] != pattern(base, i))
			return false;
	return true;
}

static const char *state(bool ok)
{
	return ok ? "intact" : "CHANGED";
}

static void checker(void)
{
	cordon_msginfo r = cordon_ppcall(TO_VICTIM, cordon_msginfo_new(0, 0));
	uint64_t v_label = cordon_msginfo_get_label(r);
	uint64_t v_calls = cordon_mr_get(0), v_priv = cordon_mr_get(1), v_shared = cordon_mr_get(2);
	uint64_t v_forged = cordon_mr_get(3);
	r = cordon_ppcall(TO_BYSTANDER, cordon_msginfo_new(0, 0));
	cordon_dbg_printf("round: victim label=%llu calls=%llu private=%s shared=%s forged=%llu; "
	                  "bystander label=%llu calls=%llu private=%s\n",
	                  (unsigned long long)v_label, (unsigned long long)v_calls, state(v_priv),
	                  state(v_shared), (unsigned long long)v_forged,
	                  (unsigned long long)cordon_msginfo_get_label(r),
	                  (unsigned long long)cordon_mr_get(0), state(cordon_mr_get(1)));
}

void init(void)
{
	const char *me = cordon_name();

	if (!strcmp(me, "checker")) {
		checker();
		return;
	}
	fill(private_vaddr);
	if (shared_vaddr)
		fill(shared_vaddr);
	cordon_dbg_printf("%s: ready\n", me);
}

void notified(cordon_channel ch)
{
	if (ch == FORGE_NOTIFY) {
		forged++;
		cordon_dbg_printf("FORGED notification on channel %u\n", ch);
		return;
	}
	notices++;
	cordon_dbg_printf("notified on channel %u\n", ch);
}

cordon_msginfo protected(cordon_channel ch, cordon_msginfo msg)
{
	if (ch != FROM_CHECKER) {
		forged++;
		cordon_dbg_printf("FORGED protected call on channel %u\n", ch);
		return cordon_msginfo_new(1, 0);
	}
	calls++;
	cordon_mr_set(0, calls);
	cordon_mr_set(1, intact(private_vaddr));
	cordon_mr_set(2, shared_vaddr ? intact(shared_vaddr) : 1);
	cordon_mr_set(3, forged);
	return cordon_msginfo_new(0, 4);
}
