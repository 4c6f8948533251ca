/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The report: the machine, the figures with their ratios to the baselines
 * of the same run, the targets (docs/performance.md), and the adaptive spin's
 * statistics.  Text for people, Markdown for docs/performance.md, JSON for
 * tools; all three come from the same results.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

struct result *result_add(struct result **arr, size_t *n)
{
	struct result *a = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!a)
		die("out of memory");
	*arr = a;
	memset(&a[*n], 0, sizeof(a[*n]));
	return &a[(*n)++];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double rank(const double *sorted, size_t n, double q)
{
	size_t i = (size_t)ceil(q * (double)n);
	return sorted[i ? i - 1 : 0];
}

void merge_round(struct result **all, size_t *n, struct result *round, size_t rn)
{
	for (size_t i = 0; i < rn; i++) {
		struct result *r = &round[i], *t = NULL;
		if (!r->samples)
			continue;
		for (size_t j = 0; j < *n && !t; j++)
			if ((*all)[j].place == r->place && strcmp((*all)[j].id, r->id) == 0)
				t = &(*all)[j];
		if (!t) {
			*result_add(all, n) = *r;
			continue;
		}
		double *k = realloc(t->kept, (t->samples + r->samples) * sizeof(*k));
		if (!k)
			die("out of memory");
		memcpy(k + t->samples, r->kept, r->samples * sizeof(*k));
		t->kept = k;
		t->samples += r->samples;
		for (int s = 0; s < 2; s++) {
			t->spins[s] += r->spins[s];
			t->sleeps[s] += r->sleeps[s];
		}
		free(r->kept);
	}
	free(round);
}

/* Nearest-rank percentiles: the median and the 99th percentile are actual
 * samples, never interpolations. */
void finish_results(struct result *all, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct result *r = &all[i];
		if (!r->samples)
			continue;
		qsort(r->kept, r->samples, sizeof(*r->kept), cmp_double);
		r->med_ns = rank(r->kept, r->samples, 0.5);
		r->p10_ns = rank(r->kept, r->samples, 0.1);
		r->p90_ns = rank(r->kept, r->samples, 0.9);
		r->p99_ns = rank(r->kept, r->samples, 0.99);
		free(r->kept);
		r->kept = NULL;
	}
}

const struct result *result_find(const struct result *r, size_t n, const char *id, enum place pl)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].place == pl && strcmp(r[i].id, id) == 0)
			return &r[i];
	return NULL;
}

/* ---- machine ---- */

struct machine {
	char cpu[128];
	char kernel[160];
	char date[32];
	char thp[64];
	char thp_shmem[64];
	char load[64]; /* /proc/loadavg at the end of the run */
	long ncpus;
	bool vm;
};

/* First line of a sysfs file, or "?". */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	snprintf(buf, len, "?");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void machine(struct machine *m)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "re");
	snprintf(m->cpu, sizeof(m->cpu), "?");
	m->vm = false;
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		if (strncmp(line, "model name", 10) == 0 && strcmp(m->cpu, "?") == 0) {
			snprintf(m->cpu, sizeof(m->cpu), "%s", colon + 2);
			m->cpu[strcspn(m->cpu, "\n")] = 0;
		}
		if (strncmp(line, "flags", 5) == 0 && strstr(colon, " hypervisor"))
			m->vm = true;
	}
	if (f)
		fclose(f);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "Linux %s %s", u.release, u.machine);
	else
		snprintf(m->kernel, sizeof(m->kernel), "?");
	m->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(m->date, sizeof(m->date), "%Y-%m-%d %H:%M UTC", &tm);
	read_line("/proc/loadavg", m->load, sizeof(m->load));
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", m->thp, sizeof(m->thp));
	read_line("/sys/kernel/mm/transparent_hugepage/shmem_enabled", m->thp_shmem,
	          sizeof(m->thp_shmem));
}

/* ---- tables ---- */

#define MAX_COLS TABLE_COLS
#define CELL     TABLE_CELL

char *table_cell(struct table *t, size_t row, int col)
{
	return t->cell[row][col];
}

size_t table_add_row(struct table *t)
{
	void *p = realloc(t->cell, (t->nrows + 1) * sizeof(*t->cell));
	if (!p)
		die("out of memory");
	t->cell = p;
	memset(t->cell[t->nrows], 0, sizeof(*t->cell));
	return t->nrows++;
}

/* Display width: count UTF-8 lead bytes only (µ, ×, ÷ are two bytes). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_print(const struct opts *o, const struct table *t)
{
	size_t w[MAX_COLS];
	for (int c = 0; c < t->ncols; c++) {
		w[c] = width(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++)
			if (width(t->cell[r][c]) > w[c])
				w[c] = width(t->cell[r][c]);
	}
	bool md = o->format == OUT_MARKDOWN;
	for (size_t r = 0; r < t->nrows + 2; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->head[c] : r == 1 ? NULL : t->cell[r - 2][c];
			if (md)
				fputs(c ? " | " : "| ", stdout);
			else if (c)
				fputs("  ", stdout);
			if (!s) {
				for (size_t i = 0; i < w[c]; i++)
					fputc(md ? '-' : '-', stdout);
				continue;
			}
			/* Text: left-align the first column, right-align figures. */
			size_t pad = w[c] - width(s);
			if (c > 0 && !md)
				printf("%*s", (int)pad, "");
			fputs(s, stdout);
			if (c == 0 || md)
				printf("%*s", (int)pad, "");
		}
		fputs(md ? " |\n" : "\n", stdout);
	}
	free(t->cell);
}

void fmt_time(char *buf, double ns)
{
	if (fabs(ns) < 1000)
		snprintf(buf, CELL, "%.0f ns", ns);
	else if (fabs(ns) < 1e6)
		snprintf(buf, CELL, "%.2f µs", ns / 1e3);
	else
		snprintf(buf, CELL, "%.2f ms", ns / 1e6);
}

/* Latency rows: this op's round trip over the baseline's round trip. */
static void ratio_to(char *buf, const struct result *r, const struct result *all, size_t n,
                     const char *base)
{
	const struct result *b = result_find(all, n, base, r->place);
	if (r->kind != KIND_LATENCY || !b)
		return;
	snprintf(buf, CELL, "%.2f×", r->med_ns * r->rt_mult / (b->med_ns * b->rt_mult));
}

static double gbps(const struct result *r, double ns)
{
	return r->bytes / ns; /* bytes per ns = GB/s */
}

static void figures(const struct opts *o, const struct result *all, size_t n, bool baselines)
{
	struct table t = {.ncols = 9,
	                  .head = {"figure", "CPUs", "median", "p99", "GB/s", "÷ futex", "÷ spin",
	                           "÷ socketpair", "GB/s ÷ memcpy"}};
	for (size_t i = 0; i < n; i++) {
		const struct result *r = &all[i];
		if (r->baseline != baselines || r->samples == 0)
			continue;
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), CELL, "%s", r->label);
		snprintf(table_cell(&t, row, 1), CELL, "%s", place_name(r->place));
		if (r->kind == KIND_BYTES) {
			/* p99 of time per op is the slow end of the rate. */
			fmt_time(table_cell(&t, row, 2), r->med_ns);
			fmt_time(table_cell(&t, row, 3), r->p99_ns);
			snprintf(table_cell(&t, row, 4), CELL, "%.2f", gbps(r, r->med_ns));
			const struct result *b = result_find(all, n, r->base, PLACE_NONE);
			if (b)
				snprintf(table_cell(&t, row, 8), CELL, "%.2f×",
				         gbps(r, r->med_ns) / gbps(b, b->med_ns));
			continue;
		}
		fmt_time(table_cell(&t, row, 2), r->med_ns);
		fmt_time(table_cell(&t, row, 3), r->p99_ns);
		ratio_to(table_cell(&t, row, 5), r, all, n, "futex");
		ratio_to(table_cell(&t, row, 6), r, all, n, "spin");
		ratio_to(table_cell(&t, row, 7), r, all, n, "socketpair");
	}
	table_print(o, &t);
}

/* ---- targets ---- */

enum tkind {
	AT_MOST,  /* a's round trip / b's round trip <= limit */
	AT_LEAST, /* b's round trip / a's round trip >= limit: a is limit× faster */
	GBPS,     /* a's rate >= limit GB/s */
};

struct target {
	const char *what;
	const char *a, *b;
	enum tkind kind;
	double limit;
};

static const struct target targets[] = {
    {"ppcall 1 MR, futex only: at most 1.3× raw futex ping-pong", "ppcall-1-futex", "futex",
     AT_MOST, 1.3},
    {"ppcall 64 MRs, futex only: at most 1.3× raw futex ping-pong", "ppcall-64-futex", "futex",
     AT_MOST, 1.3},
    {"ppcall 1 MR, adaptive spin: at most 1.3× raw futex ping-pong", "ppcall-1-spin", "futex",
     AT_MOST, 1.3},
    {"ppcall 1 MR, adaptive spin: at least 3× faster than socketpair", "ppcall-1-spin",
     "socketpair", AT_LEAST, 3},
    {"ppcall 1 MR, futex only: at least 3× faster than socketpair", "ppcall-1-futex", "socketpair",
     AT_LEAST, 3},
    {"ppcall 1 MR, callee waiting and spinning: within 3× raw spin ping-pong", "ppcall-1-spin",
     "spin", AT_MOST, 3},
    {"ppcall 64 MRs, callee waiting and spinning: within 3× raw spin ping-pong", "ppcall-64-spin",
     "spin", AT_MOST, 3},
    {"queue 4 KiB messages, adaptive spin: at least 1 GB/s", "queue-4096-spin", NULL, GBPS, 1},
    {"queue 4 KiB messages, futex only: at least 1 GB/s", "queue-4096-futex", NULL, GBPS, 1},
};

/* Returns -1 when a figure is missing, else whether the target is met. */
static int judge(const struct target *tg, const struct result *all, size_t n, enum place pl,
                 double *value)
{
	const struct result *a = result_find(all, n, tg->a, pl);
	const struct result *b = tg->b ? result_find(all, n, tg->b, pl) : NULL;
	if (!a || (tg->b && !b) || !a->samples || (b && !b->samples))
		return -1;
	switch (tg->kind) {
	case AT_MOST:
		*value = a->med_ns / b->med_ns;
		return *value <= tg->limit;
	case AT_LEAST:
		*value = b->med_ns / a->med_ns;
		return *value >= tg->limit;
	case GBPS:
		*value = gbps(a, a->med_ns);
		return *value >= tg->limit;
	}
	return -1;
}

static void target_table(const struct opts *o, const struct result *all, size_t n)
{
	struct table t = {.ncols = 4, .head = {"target", "CPUs", "measured (medians)", "met"}};
	for (int pl = PLACE_PINNED; pl <= PLACE_FLOAT; pl++)
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
			double v = 0;
			int met = judge(&targets[i], all, n, (enum place)pl, &v);
			if (met < 0)
				continue;
			size_t row = table_add_row(&t);
			snprintf(table_cell(&t, row, 0), CELL, "%s", targets[i].what);
			snprintf(table_cell(&t, row, 1), CELL, "%s", place_name((enum place)pl));
			snprintf(table_cell(&t, row, 2), CELL,
			         targets[i].kind == GBPS ? "%.2f GB/s" : "%.2f×", v);
			snprintf(table_cell(&t, row, 3), CELL, "%s", met ? "yes" : "**no**");
			if (o->format != OUT_MARKDOWN && !met)
				snprintf(table_cell(&t, row, 3), CELL, "NO");
		}
	table_print(o, &t);
}

static void spin_table(const struct opts *o, const struct result *all, size_t n)
{
	struct table t = {.ncols = 6,
	                  .head = {"figure", "CPUs", "parent spins", "parent sleeps", "child spins",
	                           "child sleeps"}};
	for (size_t i = 0; i < n; i++) {
		const struct result *r = &all[i];
		if (!r->has_spin || r->samples == 0)
			continue;
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), CELL, "%s", r->id);
		snprintf(table_cell(&t, row, 1), CELL, "%s", place_name(r->place));
		snprintf(table_cell(&t, row, 2), CELL, "%llu", (unsigned long long)r->spins[0]);
		snprintf(table_cell(&t, row, 3), CELL, "%llu", (unsigned long long)r->sleeps[0]);
		snprintf(table_cell(&t, row, 4), CELL, "%llu", (unsigned long long)r->spins[1]);
		snprintf(table_cell(&t, row, 5), CELL, "%llu", (unsigned long long)r->sleeps[1]);
	}
	table_print(o, &t);
}

/* ---- JSON ---- */

static void json(const struct opts *o, const struct machine *m, double clk, const struct result *r,
                 size_t n)
{
	printf("{\n  \"machine\": {\"cpu\": \"%s\", \"ncpus\": %ld, \"kernel\": \"%s\", "
	       "\"vm\": %s, \"date\": \"%s\", \"loadavg\": \"%s\", \"thp\": \"%s\", \"thp_shmem\": "
	       "\"%s\"},\n",
	       m->cpu, m->ncpus, m->kernel, m->vm ? "true" : "false", m->date, m->load, m->thp,
	       m->thp_shmem);
	printf("  \"config\": {\"iterations\": %ld, \"rounds\": %d, \"spin_ns\": %u, \"ring\": %u, "
	       "\"cpus\": [%d, %d], \"clock_ns\": %.1f, \"quick\": %s},\n",
	       o->iterations * o->rounds, o->rounds, o->spin_ns, o->ring, o->cpu[0], o->cpu[1], clk,
	       o->quick ? "true" : "false");
	printf("  \"results\": [\n");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (!r[i].samples)
			continue;
		printf("%s    {\"id\": \"%s\", \"label\": \"%s\", \"cpus\": \"%s\", "
		       "\"median_ns\": %.1f, \"p99_ns\": %.1f, \"p10_ns\": %.1f, \"p90_ns\": %.1f, "
		       "\"samples\": %zu, \"batch\": %zu",
		       first ? "" : ",\n", r[i].id, r[i].label, place_name(r[i].place), r[i].med_ns,
		       r[i].p99_ns, r[i].p10_ns, r[i].p90_ns, r[i].samples, r[i].batch);
		first = false;
		if (r[i].kind == KIND_BYTES)
			printf(", \"bytes\": %.0f, \"gbps\": %.3f", r[i].bytes,
			       gbps(&r[i], r[i].med_ns));
		if (r[i].has_spin)
			printf(", \"spins\": [%llu, %llu], \"sleeps\": [%llu, %llu]",
			       (unsigned long long)r[i].spins[0], (unsigned long long)r[i].spins[1],
			       (unsigned long long)r[i].sleeps[0],
			       (unsigned long long)r[i].sleeps[1]);
		printf("}");
	}
	printf("\n  ],\n  \"targets\": [\n");
	first = true;
	for (int pl = PLACE_PINNED; pl <= PLACE_FLOAT; pl++)
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
			double v = 0;
			int met = judge(&targets[i], r, n, (enum place)pl, &v);
			if (met < 0)
				continue;
			printf("%s    {\"target\": \"%s\", \"cpus\": \"%s\", \"value\": %.3f, "
			       "\"met\": %s}",
			       first ? "" : ",\n", targets[i].what, place_name((enum place)pl), v,
			       met ? "true" : "false");
			first = false;
		}
	printf("\n  ]\n}\n");
}

static void print_machine(const struct opts *o, const struct machine *m)
{
	printf("%sMachine\n\n", o->format == OUT_MARKDOWN ? "### " : "== ");
	printf("%s, %ld CPUs online%s; %s; THP %s, shmem THP %s; measured %s; load average "
	       "at the end (1, 5, 15 min; running/all; last pid) %s.\n",
	       m->cpu, m->ncpus, m->vm ? " (virtual machine)" : "", m->kernel, m->thp, m->thp_shmem,
	       m->date, m->load);
}

void report_machine(const struct opts *o)
{
	struct machine m;
	machine(&m);
	print_machine(o, &m);
}

void report(const struct opts *o, const struct result *r, size_t n)
{
	struct machine m;
	machine(&m);
	double clk = clock_cost_ns();
	if (o->format == OUT_JSON) {
		json(o, &m, clk, r, n);
		return;
	}
	bool md = o->format == OUT_MARKDOWN;
	const char *h = md ? "### " : "== ";
	print_machine(o, &m);
	printf("Settings: %ld round trips per ping-pong in %d interleaved rounds%s, spin_ns %u, "
	       "%u KiB queue ring, "
	       "clock_gettime costs %.0f ns.\n"
	       "CPUs: pinned = parent on CPU %d, child on CPU %d; float = both may run anywhere "
	       "(the scheduler decides); same = both on CPU %d; one = a single process.\n\n",
	       o->iterations * o->rounds, o->rounds, o->quick ? " (--quick)" : "", o->spin_ns,
	       o->ring >> 10, clk, o->cpu[0], o->cpu[1], o->cpu[0]);
	printf("%sBaselines\n\n", h);
	figures(o, r, n, true);
	printf("\n%sCordon IPC\n\n", h);
	figures(o, r, n, false);
	printf("\n%sTargets\n\n", h);
	target_table(o, r, n);
	printf("\n%sAdaptive spin: waits satisfied by spinning vs by sleeping\n\n", h);
	spin_table(o, r, n);
}
