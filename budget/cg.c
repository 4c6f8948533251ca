/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One PD's cgroup: create it with its limits, put the PD in it, read what
 * happened, remove it.
 *
 * v2 files: memory.max, memory.swap.max (0: a PD may not escape its limit
 * into swap), memory.oom.group (the OOM killer takes the whole PD, never
 * half of it), pids.max, cpu.max, cpu.weight.
 * v1 files: memory.limit_in_bytes and memory.memsw.limit_in_bytes (the same
 * value: no swap beyond the limit), pids.max, cpu.cfs_period_us and
 * cpu.cfs_quota_us, cpu.shares.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "budget/internal.h"

static int set(struct budget_cg *cg, size_t i, const char *file, const char *pd, char *why,
               size_t whylen, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int set(struct budget_cg *cg, size_t i, const char *file, const char *pd, char *why,
               size_t whylen, const char *fmt, ...)
{
	char text[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	int e = bfile_write(cg->dir[i], file, text);
	if (e < 0)
		return budget_fail(why, whylen, e, "pd=%s: writing %s to %s/%s: %s", pd, text,
		                   cg->dir[i], file, strerror(-e));
	return 0;
}

static int limits_v2(struct budget_cg *cg, const char *pd, const struct budget_limits *lim,
                     char *why, size_t whylen)
{
	uint64_t q, p;
	int e = 0;
	if (lim->memory) {
		e = set(cg, 0, "memory.max", pd, why, whylen, "%" PRIu64, lim->memory);
		if (!e && bfile_exists(cg->dir[0], "memory.swap.max"))
			e = set(cg, 0, "memory.swap.max", pd, why, whylen, "0");
	}
	if (!e && bfile_exists(cg->dir[0], "memory.oom.group"))
		e = set(cg, 0, "memory.oom.group", pd, why, whylen, "1");
	if (!e && lim->tasks)
		e = set(cg, 0, "pids.max", pd, why, whylen, "%u", lim->tasks);
	if (!e && budget_cpu_quota(lim->budget_us, lim->period_us, &q, &p) == 0 && q)
		e = set(cg, 0, "cpu.max", pd, why, whylen, "%" PRIu64 " %" PRIu64, q, p);
	if (!e)
		e = set(cg, 0, "cpu.weight", pd, why, whylen, "%u", budget_weight(lim->priority));
	return e;
}

static int limits_v1(struct budget_cg *cg, const char *pd, const struct budget_limits *lim,
                     char *why, size_t whylen)
{
	const struct budget_root *r = cg->root;
	uint64_t q, p;
	int e = 0;
	for (size_t i = 0; i < r->nh && !e; i++) {
		unsigned c = r->h[i].ctrl;
		if ((c & CTRL_MEMORY) && lim->memory) {
			e = set(cg, i, "memory.limit_in_bytes", pd, why, whylen, "%" PRIu64,
			        lim->memory);
			if (!e && bfile_exists(cg->dir[i], "memory.memsw.limit_in_bytes"))
				e = set(cg, i, "memory.memsw.limit_in_bytes", pd, why, whylen,
				        "%" PRIu64, lim->memory);
		}
		if (!e && (c & CTRL_PIDS) && lim->tasks)
			e = set(cg, i, "pids.max", pd, why, whylen, "%u", lim->tasks);
		if (!e && (c & CTRL_CPU)) {
			if (budget_cpu_quota(lim->budget_us, lim->period_us, &q, &p) == 0 && q) {
				e = set(cg, i, "cpu.cfs_period_us", pd, why, whylen, "%" PRIu64, p);
				if (!e)
					e = set(cg, i, "cpu.cfs_quota_us", pd, why, whylen,
					        "%" PRIu64, q);
			}
			if (!e)
				e = set(cg, i, "cpu.shares", pd, why, whylen, "%u",
				        budget_shares(budget_weight(lim->priority)));
		}
	}
	return e;
}

int budget_cg_create(struct budget_root *root, const char *pd, const struct budget_limits *lim,
                     struct budget_cg **out, char *why, size_t whylen)
{
	*out = NULL;
	if (!root || root->mode == BUDGET_OFF)
		return budget_fail(why, whylen, -EINVAL, "budgets are off");
	if (!pd || !pd[0] || strchr(pd, '/') || pd[0] == '.')
		return budget_fail(why, whylen, -EINVAL, "bad PD name '%s'", pd ? pd : "");
	struct budget_cg *cg = calloc(1, sizeof(*cg));
	if (!cg)
		return budget_fail(why, whylen, -ENOMEM, "out of memory");
	cg->root = root;
	int e = 0;
	for (size_t i = 0; i < root->nh && !e; i++) {
		if ((size_t)snprintf(cg->dir[i], sizeof(cg->dir[i]), "%s/%s", root->h[i].sys, pd) >=
		    sizeof(cg->dir[i])) {
			e = budget_fail(why, whylen, -ENAMETOOLONG, "%s/%s: path too long",
			                root->h[i].sys, pd);
		} else if (budget_os.mkdir(cg->dir[i], 0755) < 0) {
			e = budget_fail(why, whylen, -errno, "mkdir %s: %s", cg->dir[i],
			                strerror(errno));
			cg->dir[i][0] = '\0';
		}
	}
	if (!e)
		e = root->mode == BUDGET_V2 ? limits_v2(cg, pd, lim, why, whylen)
		                            : limits_v1(cg, pd, lim, why, whylen);
	if (e < 0) {
		budget_cg_destroy(cg);
		return e;
	}
	*out = cg;
	return 0;
}

int budget_cg_attach(struct budget_cg *cg, pid_t pid, char *why, size_t whylen)
{
	char text[32];
	snprintf(text, sizeof(text), "%d", (int)pid);
	for (size_t i = 0; i < cg->root->nh; i++) {
		int e = bfile_write(cg->dir[i], "cgroup.procs", text);
		if (e < 0)
			return budget_fail(why, whylen, e, "moving pid %d into %s: %s", (int)pid,
			                   cg->dir[i], strerror(-e));
	}
	return 0;
}

/* The directory of the hierarchy carrying controller c. */
static const char *dir_of(const struct budget_cg *cg, unsigned c)
{
	for (size_t i = 0; i < cg->root->nh; i++)
		if (cg->root->h[i].ctrl & c)
			return cg->dir[i];
	return NULL;
}

int budget_cg_oom_kills(const struct budget_cg *cg, uint64_t *n)
{
	const char *d = dir_of(cg, CTRL_MEMORY);
	*n = 0;
	if (!d)
		return -ENOENT;
	/* v1 memory.oom_control has carried an oom_kill count since Linux 4.13. */
	return bfile_key(d, cg->root->mode == BUDGET_V2 ? "memory.events" : "memory.oom_control",
	                 "oom_kill", n);
}

int budget_cg_memory(const struct budget_cg *cg, uint64_t *bytes)
{
	const char *d = dir_of(cg, CTRL_MEMORY);
	char buf[64];
	if (!d)
		return -ENOENT;
	int e =
	    bfile_read(d, cg->root->mode == BUDGET_V2 ? "memory.current" : "memory.usage_in_bytes",
	               buf, sizeof(buf));
	if (e < 0)
		return e;
	char *end;
	*bytes = strtoull(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

int budget_cg_cpu_usec(const struct budget_cg *cg, uint64_t *usec)
{
	if (cg->root->mode == BUDGET_V2)
		return bfile_key(cg->dir[0], "cpu.stat", "usage_usec", usec);
	const char *d = dir_of(cg, CTRL_CPUACCT);
	char buf[64];
	if (!d)
		return -ENOENT;
	int e = bfile_read(d, "cpuacct.usage", buf, sizeof(buf));
	if (e < 0)
		return e;
	char *end;
	*usec = strtoull(buf, &end, 10) / 1000u;
	return end == buf ? -EINVAL : 0;
}

const char *budget_cg_dir(const struct budget_cg *cg, size_t i)
{
	return cg && i < cg->root->nh ? cg->dir[i] : NULL;
}

/* Everything still in the cgroup gets SIGKILL.  After the monitor reaped a
 * PD (the init of its pid namespace) nothing is left, so this is for the
 * failure paths. */
static void kill_all(const char *dir, enum budget_mode mode)
{
	if (mode == BUDGET_V2 && bfile_write(dir, "cgroup.kill", "1") == 0)
		return;
	char buf[4096];
	if (bfile_read(dir, "cgroup.procs", buf, sizeof(buf)) < 0)
		return;
	for (char *p = buf, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
	}
}

int budget_cg_destroy(struct budget_cg *cg)
{
	int rc = 0;
	if (!cg)
		return 0;
	for (size_t i = 0; i < BUDGET_MAX_HIER; i++) {
		if (!cg->dir[i][0])
			continue;
		/* A killed task leaves its cgroup a moment after it dies:
		 * rmdir says EBUSY until then.  Bounded: 2 s at most. */
		int e = 0;
		for (int tries = 0; tries < 2000; tries++) {
			if (budget_os.rmdir(cg->dir[i]) == 0 || errno == ENOENT) {
				e = 0;
				break;
			}
			e = -errno;
			if (e != -EBUSY)
				break;
			if (tries == 0)
				kill_all(cg->dir[i], cg->root->mode);
			struct timespec ms = {0, 1000000};
			nanosleep(&ms, NULL);
		}
		if (e < 0 && !rc)
			rc = e;
	}
	free(cg);
	return rc;
}
