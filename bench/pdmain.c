/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pd-bench: what a PD's life costs, measured next to baselines from the
 * same run.  See docs/performance.md.
 *
 *   recovery  kill -9 of a native PD under `cordon run` until it serves
 *             protected calls again, against a plain fork+exec of the same
 *             program and a sandbox_spawn of it (namespaces, empty root,
 *             the same seccomp filter), interleaved kill by kill
 *   sandbox   the cost of the sandbox: PD start time with and without it
 *             and with and without seccomp, and a protected call round
 *             trip with and without the seccomp filter
 */
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/pd.h"

struct cfg {
	struct opts o;
	struct paths p;
	bool recovery, sandbox;
	long kills;
};

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		die("path too long: %s/%s", dir, name);
}

static void parse(int argc, char **argv, struct cfg *c)
{
	const char *cordon = NULL, *pd_dir = NULL, *only = NULL;
	long iterations = 0;
	int format = c->o.format;
	const struct bench_opt opts[] = {
	    {"quick", 'q', NULL, "a smoke run of a few seconds: 10 kills, few samples",
	     .flag = &c->o.quick},
	    {"only", 0, "PART", "recovery or sandbox (default: both)", .text = &only},
	    {"kills", 0, "N", "kills, and starts per start-time figure (default 300)",
	     .number = &c->kills, .min = 1, .max = 1000000},
	    {"iterations", 0, "N",
	     "round trips per seccomp ping-pong case (default 20000),\n"
	     "over 10 interleaved rounds (1 with --quick)",
	     .number = &iterations, .min = 100, .max = 100000000},
	    {"markdown", 0, NULL, "Markdown tables, as in docs/performance.md", .choice = &format,
	     .value = OUT_MARKDOWN},
	    {"cordon", 0, "PATH", "the cordon binary (default: ../bin/cordon next to pd-bench)",
	     .text = &cordon},
	    {"pd-dir", 0, "DIR",
	     "server.elf, client.elf, recovery.system (default: pd/\n"
	     "next to pd-bench)",
	     .text = &pd_dir},
	    {NULL},
	};
	bench_parse(argc, argv,
	            "[--quick] [--only recovery|sandbox] [--kills N] [--markdown]\n"
	            "[--cordon PATH] [--pd-dir DIR]",
	            "Measures what a protection domain's life costs, next to baselines taken in\n"
	            "the same run: recovery (kill -9 of a native PD under `cordon run` until it\n"
	            "serves protected calls again) against a plain fork+exec of the same program\n"
	            "and a sandboxed one; PD start time with and without the sandbox and its\n"
	            "seccomp filter; a protected call round trip with and without the filter.\n"
	            "Prints medians and p99s and each figure as a ratio to its baselines.\n",
	            opts);
	c->o.format = format;
	c->recovery = !only || !strcmp(only, "recovery");
	c->sandbox = !only || !strcmp(only, "sandbox");
	if (!c->recovery && !c->sandbox)
		die("--only: %s is neither recovery nor sandbox", only);
	if (!c->kills)
		c->kills = c->o.quick ? 10 : 300;
	c->o.rounds = c->o.quick ? 1 : 10;
	c->o.iterations = (iterations ? iterations : c->o.quick ? 200 : 20000) / c->o.rounds;

	/* Defaults: beside our own executable, $(B)/bench/pd-bench. */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die_errno("readlink /proc/self/exe");
	self[n] = 0;
	char *dir = dirname(self);
	char def[4096];
	path_in(def, sizeof(def), dir, "../bin/cordon");
	snprintf(c->p.cordon, sizeof(c->p.cordon), "%s", cordon ? cordon : def);
	path_in(def, sizeof(def), dir, "pd");
	snprintf(c->p.pd_dir, sizeof(c->p.pd_dir), "%s", pd_dir ? pd_dir : def);
	path_in(c->p.server, sizeof(c->p.server), c->p.pd_dir, "server.elf");
	path_in(c->p.system, sizeof(c->p.system), c->p.pd_dir, "recovery.system");
	char *abs = realpath(c->p.server, NULL);
	if (!abs)
		die_errno("%s", c->p.server);
	snprintf(c->p.server, sizeof(c->p.server), "%s", abs); /* sandbox_spawn wants it absolute */
	free(abs);
	if (access(c->p.cordon, X_OK) < 0)
		die_errno("%s", c->p.cordon);
}

/* ---- report ---- */

static void ratio(char *buf, const struct result *r, const struct result *b)
{
	if (b && b->samples)
		snprintf(buf, TABLE_CELL, "%.2f×", r->med_ns / b->med_ns);
}

/* Rows: median, p99, and ratios to up to two baselines. */
static void figure_rows(const struct opts *o, const char *first, const struct result *const *rows,
                        size_t nrows, const struct result *b1, const char *h1,
                        const struct result *b2, const char *h2)
{
	struct table t = {.ncols = 3 + (b1 != NULL) + (b2 != NULL),
	                  .head = {first, "median", "p99", h1, h2}};
	for (size_t i = 0; i < nrows; i++) {
		const struct result *r = rows[i];
		if (!r || !r->samples)
			continue;
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", r->label);
		fmt_time(table_cell(&t, row, 1), r->med_ns);
		fmt_time(table_cell(&t, row, 2), r->p99_ns);
		if (b1)
			ratio(table_cell(&t, row, 3), r, b1);
		if (b2)
			ratio(table_cell(&t, row, 4), r, b2);
	}
	table_print(o, &t);
}

static const char *ev_label[EV_COUNT] = {
    [EV_DOWN] = "the client's peer_down() ran: the monitor reaped the server and marked its "
                "channel down",
    [EV_FAULT] = "the bench read the monitor's FAULT line for the server",
    [EV_STARTED] = "the bench read \"pd=server started\": sandbox_spawn returned (exec done)",
    [EV_CTOR] = "the server's constructor ran: ld.so done, before libcordon's main()",
    [EV_INIT] = "the server's init() ran: libcordon's boot done",
    [EV_SERVED] = "the client's protected call returned, served by the new server",
};

static void report_recovery(const struct cfg *c, const struct start *st,
                            const struct result ev[EV_COUNT], const struct result step[EV_COUNT])
{
	const struct opts *o = &c->o;
	const char *h = o->format == OUT_MARKDOWN ? "### " : "== ";
	const struct result *fe = &st->r[ST_FORK_EXEC], *sb = &st->r[ST_NATIVE];
	const struct result *rec = &ev[EV_SERVED];

	report_machine(o);
	printf("Settings: %zu kills of the server, each in a round with one start of every "
	       "baseline (order rotating); %s; clock_gettime costs %.0f ns.\n\n",
	       rec->samples, o->quick ? "--quick" : "full run", clock_cost_ns());
	printf("%sRecovery time and its baselines\n\n", h);
	const struct result *rows[] = {fe, &st->r[ST_NONE], sb, rec};
	figure_rows(o, "figure", rows, 4, fe, "÷ fork+exec", sb, "÷ sandboxed fork+exec");

	printf("\n%sTarget\n\n", h);
	struct table t = {.ncols = 3, .head = {"target", "measured (medians)", "met"}};
	size_t row = table_add_row(&t);
	double v = rec->med_ns / sb->med_ns;
	snprintf(table_cell(&t, row, 0), TABLE_CELL,
	         "recovery median at most 2× the sandboxed fork+exec (seccomp)");
	snprintf(table_cell(&t, row, 1), TABLE_CELL, "%.2f×", v);
	snprintf(table_cell(&t, row, 2), TABLE_CELL, "%s",
	         v <= 2                      ? "yes"
	         : o->format == OUT_MARKDOWN ? "**no**"
	                                     : "NO");
	table_print(o, &t);

	printf("\n%sWhere a recovery's time goes (time since the kill)\n\n", h);
	struct table w = {
	    .ncols = 5,
	    .head = {"event", "median", "p99", "step from the row above (median)", "seen in"}};
	for (int i = 0; i < EV_COUNT; i++) {
		if (!ev[i].samples)
			continue;
		row = table_add_row(&w);
		snprintf(table_cell(&w, row, 0), TABLE_CELL, "%s", ev_label[i]);
		fmt_time(table_cell(&w, row, 1), ev[i].med_ns);
		fmt_time(table_cell(&w, row, 2), ev[i].p99_ns);
		if (step[i].samples)
			fmt_time(table_cell(&w, row, 3), step[i].med_ns);
		snprintf(table_cell(&w, row, 4), TABLE_CELL, "%zu of %zu kills", ev[i].samples,
		         rec->samples);
	}
	table_print(o, &w);
	printf("\n%sThe sandboxed start, by part (time since sandbox_spawn was called)\n\n", h);
	const struct result *parts[] = {&st->r[ST_DEPS], &st->r[ST_POLICY], &st->r[ST_NATIVE_SPAWN],
	                                sb};
	figure_rows(o, "part", parts, 4, NULL, NULL, NULL, NULL);
}

static void report_sandbox(const struct cfg *c, const struct start *st, const struct result *sc,
                           size_t n)
{
	const struct opts *o = &c->o;
	const char *h = o->format == OUT_MARKDOWN ? "### " : "== ";
	const struct result *fe = &st->r[ST_FORK_EXEC];

	report_machine(o);
	printf("Settings: %zu starts per start figure, interleaved (order rotating); %ld round "
	       "trips per call case in %d interleaved rounds; %s; clock_gettime costs %.0f ns.\n"
	       "CPUs: pinned = caller on CPU %d, callee on CPU %d; same = both on CPU %d; one = a "
	       "single process.\n\n",
	       fe->samples, o->iterations * o->rounds, o->rounds, o->quick ? "--quick" : "full run",
	       clock_cost_ns(), o->cpu[0], o->cpu[1], o->cpu[0]);
	printf("%sPD start time\n\n", h);
	const struct result *rows[ST_COUNT];
	for (int i = 0; i < ST_COUNT; i++)
		rows[i] = &st->r[i];
	figure_rows(o, "figure (each to the program's exit unless said)", rows, ST_COUNT, fe,
	            "÷ fork+exec", NULL, NULL);

	printf("\n%sSeccomp on the protected-call path\n\n", h);
	struct table t = {.ncols = 5, .head = {"figure", "CPUs", "median", "p99", "÷ no filter"}};
	/* Each case without the filter, then the same with it. */
	for (size_t i = 0; i < n; i++) {
		const struct result *plain = &sc[i];
		char id[sizeof(plain->id)];
		char *s = strstr(plain->id, "-plain");
		if (!plain->samples || !s)
			continue;
		snprintf(id, sizeof(id), "%.*s-seccomp", (int)(s - plain->id), plain->id);
		const struct result *pair[2] = {plain, result_find(sc, n, id, plain->place)};
		for (int k = 0; k < 2 && pair[k]; k++) {
			const struct result *r = pair[k];
			size_t row = table_add_row(&t);
			snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", r->label);
			snprintf(table_cell(&t, row, 1), TABLE_CELL, "%s", place_name(r->place));
			fmt_time(table_cell(&t, row, 2), r->med_ns);
			fmt_time(table_cell(&t, row, 3), r->p99_ns);
			ratio(table_cell(&t, row, 4), r, plain);
		}
	}
	table_print(o, &t);
}

int main(int argc, char **argv)
{
	struct cfg c = {.o = {.cpu = {-1, -1}, .spin_ns = 20000, .format = OUT_TEXT}};
	bench_prog = "pd-bench";
	parse(argc, argv, &c);
	bool two = pick_cpus(&c.o);

	struct start st;
	start_init(&st, c.p.server);
	struct result ev[EV_COUNT], step[EV_COUNT];
	memset(ev, 0, sizeof(ev));
	memset(step, 0, sizeof(step));
	for (int i = 0; i < EV_COUNT; i++) {
		snprintf(ev[i].id, sizeof(ev[i].id), "recovery-%d", i);
		snprintf(ev[i].label, sizeof(ev[i].label), "%s", ev_label[i]);
	}
	snprintf(ev[EV_SERVED].id, sizeof(ev[EV_SERVED].id), "recovery");
	snprintf(ev[EV_SERVED].label, sizeof(ev[EV_SERVED].label),
	         "kill -9 of the server PD until a protected call is served again");
	struct recovery *rc = c.recovery ? recovery_start(&c.p) : NULL;
	struct result *sc = NULL;
	size_t nsc = 0;

	/* Kills and starts alternate one by one; the seccomp rounds are
	 * spread among them, so every figure sees the same host. */
	long per_round = c.kills / c.o.rounds ? c.kills / c.o.rounds : 1;
	for (long k = 0; k < c.kills; k++) {
		start_round(&st, (unsigned)k);
		if (rc) {
			double t[EV_COUNT];
			recovery_kill(rc, t);
			/* Each event, and the step to it from the one before
			 * (kill for the first): per kill, so its median is the
			 * typical step even when the events' medians come from
			 * different kills. */
			double prev = 0;
			for (int i = 0; i < EV_COUNT; i++)
				if (t[i] > 0) {
					add_sample(&ev[i], t[i]);
					add_sample(&step[i], t[i] - prev);
					prev = t[i];
				}
		}
		if (c.sandbox && (k + 1) % per_round == 0 && (k + 1) / per_round <= c.o.rounds) {
			struct result *r = NULL;
			size_t rn = 0;
			bench_seccomp(&c.o, two, &r, &rn);
			merge_round(&sc, &nsc, r, rn);
		}
	}
	if (rc)
		recovery_stop(rc);
	start_fini(&st);
	finish_results(st.r, ST_COUNT);
	finish_results(ev, EV_COUNT);
	finish_results(step, EV_COUNT);
	finish_results(sc, nsc);

	if (c.recovery)
		report_recovery(&c, &st, ev, step);
	if (c.recovery && c.sandbox)
		printf("\n");
	if (c.sandbox)
		report_sandbox(&c, &st, sc, nsc);
	free(sc);
	return 0;
}
