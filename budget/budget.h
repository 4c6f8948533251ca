/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * budget — resource budgets of protection domains, with Linux cgroups.
 *
 *     struct budget_root *root;
 *     char why[512];
 *     if (budget_open("cordon-1234", NULL, &root, why, sizeof why) < 0)
 *             ... no usable hierarchy; why says which and why not ...
 *     struct budget_limits lim = { .memory = 64 << 20, .tasks = 0,
 *                                  .budget_us = 200, .period_us = 1000,
 *                                  .priority = 100 };
 *     struct budget_cg *cg;
 *     budget_cg_create(root, "sensor", &lim, &cg, why, sizeof why);
 *     ... spawn the PD stopped; budget_cg_attach(cg, pid, ...) before it
 *         runs anything (sandbox_spec.place) ...
 *     ... the PD ends and is reaped; budget_cg_oom_kills(cg, &kills) ...
 *     ... a restart attaches the new process to the same cgroup ...
 *     budget_cg_destroy(cg);      // removes its cgroup
 *     budget_close(root);         // removes the system's cgroup
 *
 * Two backends, chosen by budget_open():
 *  - cgroup v2: a cgroup2 hierarchy where the memory, cpu and pids
 *    controllers can be enabled below the caller's own cgroup (root, or a
 *    delegated subtree for an unprivileged caller);
 *  - cgroup v1: memory, cpu and pids hierarchies mounted, each writable
 *    below the caller's own cgroup (cpuacct gives usage when it shares
 *    cpu's hierarchy).
 * v2 is preferred.  Every cgroup is made below the caller's own cgroup in
 * each hierarchy, never above it: whatever confines the caller confines
 * the PDs too.
 *
 * Layout: <own cgroup>/<system name>/<pd name>.  A stale system cgroup named
 * "cordon-<pid>-<start>" (budget_owner_name) whose process is gone (a
 * monitor that was SIGKILLed: no such pid, or a pid of another start time)
 * is removed by the next budget_open() in the same place.
 *
 * Library functions return 0 or -errno, with a message (no trailing newline)
 * in why.  Not thread-safe: one caller (the monitor's event loop).
 */
#ifndef CORDON_BUDGET_H
#define CORDON_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum budget_mode {
	BUDGET_OFF = 0,
	BUDGET_V1, /* cgroup v1 hierarchies */
	BUDGET_V2, /* the cgroup2 unified hierarchy */
};

struct budget_limits {
	uint64_t memory;    /* bytes; 0: no limit */
	unsigned tasks;     /* processes + threads; 0: no limit */
	uint64_t budget_us; /* Microkit budget; a quota only when < period_us */
	uint64_t period_us; /* Microkit period */
	unsigned priority;  /* 0..254, higher wins under contention */
};

/* Where to look, for tests; NULL members (or a NULL pointer) mean the real
 * /proc/self/mountinfo and /proc/self/cgroup. */
struct budget_where {
	const char *mountinfo;
	const char *self_cgroup;
	int no_v2; /* skip v2 (tests of the v1 path on a v2 machine) */
};

struct budget_root;
struct budget_cg;

/* The calling monitor's cgroup name, "cordon-<pid>-<start time>": unique
 * for the machine's uptime, so budget_open in another monitor removes a
 * cgroup of this one only once this process is gone. */
int budget_owner_name(char *buf, size_t len);

/* Find a usable hierarchy and create the system's cgroup `name` (one path
 * component) in it.  -errno with why naming every backend tried. */
int budget_open(const char *name, const struct budget_where *where, struct budget_root **out,
                char *why, size_t whylen);
enum budget_mode budget_mode(const struct budget_root *root);
const char *budget_mode_name(enum budget_mode mode); /* "cgroup v2", ... */
/* The system cgroup's directory in hierarchy i (0, 1, ...), NULL after the
 * last: one for v2, one per mounted controller hierarchy for v1. */
const char *budget_dir(const struct budget_root *root, size_t i);
/* Remove the system's cgroup (every PD's must be destroyed first) and undo
 * any move of the caller made by budget_open.  Frees root; NULL is fine. */
void budget_close(struct budget_root *root);

/* Create PD `pd`'s cgroup below the system's, with its limits set. */
int budget_cg_create(struct budget_root *root, const char *pd, const struct budget_limits *lim,
                     struct budget_cg **out, char *why, size_t whylen);
/* Move process `pid` (and on v1 only that thread; call it before the
 * process starts others) into the PD's cgroup. */
int budget_cg_attach(struct budget_cg *cg, pid_t pid, char *why, size_t whylen);
/* How many processes of the cgroup the kernel's OOM killer killed. */
int budget_cg_oom_kills(const struct budget_cg *cg, uint64_t *n);
/* Memory charged to the cgroup now, bytes. */
int budget_cg_memory(const struct budget_cg *cg, uint64_t *bytes);
/* CPU time used by the cgroup, microseconds (v2 cpu.stat usage_usec, v1
 * cpuacct.usage; -ENOENT on v1 when cpuacct is not mounted with cpu). */
int budget_cg_cpu_usec(const struct budget_cg *cg, uint64_t *usec);
/* The cgroup's directory in hierarchy i, as budget_dir(). */
const char *budget_cg_dir(const struct budget_cg *cg, size_t i);
/* Kill what is left in the cgroup, remove it, free cg.  NULL is fine. */
int budget_cg_destroy(struct budget_cg *cg);

/* ---- the arithmetic, exposed for tests and documentation ---- */

/* The CFS quota and period that give budget/period on Linux: the kernel
 * takes periods of 1 ms to 1 s and quotas of at least 1 ms, so a pair
 * outside is scaled, keeping the ratio (rounded up to a 1 ms quota when the
 * ratio is below 1/1000).  Returns 0 with *quota = 0 when budget >= period
 * (no quota: a whole CPU, Microkit's default). */
int budget_cpu_quota(uint64_t budget_us, uint64_t period_us, uint64_t *quota_us,
                     uint64_t *cfs_period_us);
/* cgroup v2 cpu.weight (1..10000) for a Microkit priority (0..254):
 * exponential, 1 at 0 and 10000 at 254, so every 19 levels double the
 * share and a much higher priority nearly always wins. */
unsigned budget_weight(unsigned priority);
/* cgroup v1 cpu.shares for the same weight (the kernel's conversion). */
unsigned budget_shares(unsigned weight);
/* "64M", "1536K", "12345": bytes as the description would write them. */
void budget_format_size(uint64_t bytes, char *buf, size_t len);

#endif
