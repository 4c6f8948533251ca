/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resource budgets of the PDs (budget/): the monitor's side.
 *
 * At boot the monitor opens a cgroup hierarchy (v2, else v1) and makes the
 * system's cgroup, cordon-<monitor pid>-<start time>; the first start of a PD that
 * declares limits or a budget below its period makes its cgroup (a PD
 * that declares none gets none, and its priority maps to nice), and every start has sandbox_spawn
 * move the new process in before it runs anything (spec.place).  Each end compares the cgroup's
 * OOM-kill count with the one at start.  The cgroup lives until the system stops (mkdir and rmdir
 * of cgroups take the kernel's cgroup locks and RCU grace periods, seconds on a busy machine: a
 * restart should not pay them), then every cgroup is removed.
 *
 * A system that declares no budget opens no hierarchy and says nothing of
 * budgets; its priorities map to nice.  When no hierarchy can be used, one
 * that declares any is refused, naming each PD and limit: a limit that is
 * silently not enforced is worse than none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "budget/budget.h"
#include "monitor/internal.h"

/* What PD p asks for that only a cgroup can give, as "memory=64M tasks=4
 * budget=200us/1000us"; "" when nothing. */
static void declared(const struct sdf_pd *pd, char *buf, size_t len)
{
	char size[32];
	size_t n = 0;
	buf[0] = '\0';
	if (pd->memory_limit) {
		budget_format_size(pd->memory_limit, size, sizeof(size));
		n += (size_t)snprintf(buf + n, len - n, "memory=%s", size);
	}
	if (pd->max_tasks && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%stasks=%u", n ? " " : "", pd->max_tasks);
	if (pd->budget_us < pd->period_us && n < len)
		snprintf(buf + n, len - n, "%sbudget=%lluus/period=%lluus", n ? " " : "",
		         (unsigned long long)pd->budget_us, (unsigned long long)pd->period_us);
}

int mon_budget_open(struct mon *m)
{
	char name[64], why[1024], what[160];
	size_t declaring = 0;
	for (size_t p = 0; p < m->sys->npds; p++) {
		declared(&m->sys->pds[p], what, sizeof(what));
		declaring += what[0] != '\0';
	}
	/* Nothing for a cgroup to enforce: no hierarchy is opened (no
	 * cgroup made, nothing said), and priority maps to nice. */
	if (!declaring)
		return 0;
	int e = budget_owner_name(name, sizeof(name));
	if (e < 0)
		snprintf(why, sizeof(why), "cannot name the system's cgroup: %s", strerror(-e));
	else if ((e = budget_open(name, NULL, &m->budget, why, sizeof(why))) == 0) {
		char dirs[1024] = "";
		size_t n = 0;
		for (size_t i = 0; budget_dir(m->budget, i) && n < sizeof(dirs); i++)
			n += (size_t)snprintf(dirs + n, sizeof(dirs) - n, " %s",
			                      budget_dir(m->budget, i));
		mon_log(m, "MON|INFO:", "budgets: %s at%s",
		        budget_mode_name(budget_mode(m->budget)), dirs);
		return 0;
	}
	mon_log(m, "MON|ERROR:", "resource budgets cannot be enforced here: %s", why);
	for (size_t p = 0; p < m->sys->npds; p++) {
		declared(&m->sys->pds[p], what, sizeof(what));
		if (what[0])
			mon_log(m,
			        "MON|ERROR:", "pd=%s declares %s: refusing to run it without them",
			        m->sys->pds[p].name, what);
	}
	mon_log(m, "MON|ERROR:",
	        "  hint: run cordon as root on a machine with cgroup v2 (memory, cpu and "
	        "pids controllers) or v1 (memory, cpu and pids hierarchies), or as a user "
	        "in a delegated cgroup v2 subtree: systemd-run --user --scope -p "
	        "Delegate=yes cordon run ...; or remove the PDs' <limits> and "
	        "budget/period");
	return -1;
}

/* Without cgroups, priority is approximated with nice, relative to the
 * highest priority in the system (a PD cannot lower its nice below 0). */
static int nice_of(const struct mon *m, size_t p)
{
	unsigned top = 0;
	for (size_t i = 0; i < m->sys->npds; i++)
		if (m->sys->pds[i].priority > top)
			top = m->sys->pds[i].priority;
	return (int)((top - m->sys->pds[p].priority) * 19u / SDF_MAX_PRIORITY);
}

static int place(void *arg, pid_t pid, char *why, size_t whylen)
{
	return budget_cg_attach(arg, pid, why, whylen);
}

int mon_budget_pd_prepare(struct mon *m, size_t p, struct sandbox_spec *spec, char *why,
                          size_t whylen)
{
	struct mon_pd *mp = &m->pds[p];
	const struct sdf_pd *pd = mp->sdf;

	mp->oom_kills = 0;
	mp->oom_base = 0;
	char what[160];
	declared(pd, what, sizeof(what));
	if (!m->budget || !what[0]) {
		/* No hierarchy, or nothing for a cgroup to enforce: no cgroup,
		 * so a restart pays no cgroup locks (seconds on a loaded
		 * machine: the soak test's restarts took 6-13 s with them);
		 * priority maps to nice. */
		spec->nice = nice_of(m, p);
		return 0;
	}
	struct budget_limits lim = {
	    .memory = pd->memory_limit,
	    .tasks = pd->max_tasks,
	    .budget_us = pd->budget_us,
	    .period_us = pd->period_us,
	    .priority = pd->priority,
	};
	if (!mp->cg && budget_cg_create(m->budget, pd->name, &lim, &mp->cg, why, whylen) < 0)
		return -1;
	budget_cg_oom_kills(mp->cg, &mp->oom_base);
	spec->place = place;
	spec->place_arg = mp->cg;
	return 0;
}

void mon_budget_pd_ended(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	uint64_t n = 0;
	if (mp->cg && budget_cg_oom_kills(mp->cg, &n) == 0 && n > mp->oom_base)
		mp->oom_kills = n - mp->oom_base;
}

static void destroy(struct mon *m, size_t p)
{
	struct mon_pd *mp = &m->pds[p];
	if (!mp->cg)
		return;
	int e = budget_cg_destroy(mp->cg);
	mp->cg = NULL;
	if (e < 0)
		mon_log(m, "MON|ERROR:", "pd=%s: its cgroup could not be removed: %s",
		        mp->sdf->name, strerror(-e));
}

void mon_budget_describe(const struct mon *m, size_t p, char *how, size_t len)
{
	const struct mon_pd *mp = &m->pds[p];
	if (!mp->oom_kills)
		return;
	char size[32], rest[160];
	snprintf(rest, sizeof(rest), "%s", how);
	if (mp->sdf->memory_limit)
		budget_format_size(mp->sdf->memory_limit, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "none");
	snprintf(how, len, "memory limit exceeded (oom-kill) limit=%s %s", size, rest);
}

int mon_budget_memory(const struct mon *m, size_t p, uint64_t *bytes)
{
	const struct mon_pd *mp = &m->pds[p];
	return mp->cg ? budget_cg_memory(mp->cg, bytes) : -ENOENT;
}

void mon_budget_close(struct mon *m)
{
	for (size_t p = 0; m->pds && p < m->sys->npds; p++)
		destroy(m, p);
	budget_close(m->budget);
	m->budget = NULL;
}
