/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * beam-bench: BEAM PDs measured next to baselines from the same run.  See
 * docs/performance.md, "BEAM PDs".
 *
 *   calls  protected calls from Elixir to a native PD, against an Erlang
 *          port round trip to a C echo program and the native-to-native
 *          call; queue throughput Elixir to native (4 KiB binaries)
 *          against native to native; long_schedule events meanwhile
 *   start  BEAM PD start (cordon run to the app's first line) against
 *          erl -noshell -eval 'halt().' and elixir -e ':ok'
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/beam/beam.h"

static void parse(int argc, char **argv, struct cfg *c)
{
	const char *cordon = NULL, *dir = NULL, *only = NULL;
	long rounds = 0, calls = 0, bursts = 0, starts = 0;
	int format = c->o.format;
	const struct bench_opt opts[] = {
	    {"quick", 'q', NULL, "a smoke run of some seconds: 2 rounds, few samples, 3 starts",
	     .flag = &c->o.quick},
	    {"only", 0, "PART", "calls or start (default: both)", .text = &only},
	    {"rounds", 0, "N", "interleaved rounds of the calls system (default 10)",
	     .number = &rounds, .min = 1, .max = 1000},
	    {"calls", 0, "N", "timed calls per call figure per round (default 2000)",
	     .number = &calls, .min = 10, .max = 1000000},
	    {"bursts", 0, "N", "queue bursts of 32 MiB per queue figure per round (default 3)",
	     .number = &bursts, .min = 1, .max = 1000},
	    {"starts", 0, "N", "starts per start figure (default 30)", .number = &starts, .min = 1,
	     .max = 100000},
	    {"markdown", 0, NULL, "Markdown tables, as in docs/performance.md", .choice = &format,
	     .value = OUT_MARKDOWN},
	    {"verbose", 0, NULL,
	     "copy the calls system's output (the BEAM PD's per-round\n"
	     "medians among it) to stderr",
	     .flag = &c->verbose},
	    {"cordon", 0, "PATH", "the cordon binary (default: ../bin/cordon next to beam-bench)",
	     .text = &cordon},
	    {"dir", 0, "DIR", "the PDs and applications (default: beam/ next to beam-bench)",
	     .text = &dir},
	    {NULL},
	};
	bench_parse(
	    argc, argv,
	    "[--quick] [--only calls|start] [--markdown] [--verbose]\n"
	    "[--rounds N] [--calls N] [--bursts N] [--starts N]\n"
	    "[--cordon PATH] [--dir DIR]",
	    "Measures BEAM protection domains next to baselines taken in the same run:\n"
	    "a protected call from Elixir to a native PD against an Erlang port round trip\n"
	    "to a C echo program and the native-to-native call; queue throughput from\n"
	    "Elixir to a native PD (4 KiB binaries) against native to native; the BEAM\n"
	    "PD's start against plain `erl` and `elixir` starts.  Prints medians, p99s and\n"
	    "ratios, the targets, and the schedulers' long_schedule events.\n",
	    opts);
	c->o.format = format;
	c->calls = !only || !strcmp(only, "calls");
	c->start = !only || !strcmp(only, "start");
	if (!c->calls && !c->start)
		die("--only: %s is neither calls nor start", only);
	bool q = c->o.quick;
	c->rounds = rounds ? rounds : q ? 2 : 10;
	c->ncalls = calls ? calls : q ? 200 : 2000;
	c->warm = c->ncalls / 10 < 100 ? c->ncalls / 10 : 100;
	c->bursts = bursts ? bursts : q ? 1 : 3;
	c->burst_msgs = q ? 1024 : 8192; /* 4 or 32 MiB */
	c->msg_size = 4096;
	c->starts = starts ? starts : q ? 3 : 30;

	/* Defaults: beside our own executable, $(B)/bench/beam-bench. */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die_errno("readlink /proc/self/exe");
	self[n] = 0;
	char *d = dirname(self);
	if (cordon)
		snprintf(c->cordon, sizeof(c->cordon), "%s", cordon);
	else if ((size_t)snprintf(c->cordon, sizeof(c->cordon), "%s/../bin/cordon", d) >=
	         sizeof(c->cordon))
		die("path too long: %s", d);
	if (dir)
		snprintf(c->dir, sizeof(c->dir), "%s", dir);
	else if ((size_t)snprintf(c->dir, sizeof(c->dir), "%s/beam", d) >= sizeof(c->dir))
		die("path too long: %s", d);
	char *abs = realpath(c->dir, NULL); /* it goes into descriptions */
	if (!abs)
		die_errno("%s", c->dir);
	snprintf(c->dir, sizeof(c->dir), "%s", abs);
	free(abs);
	if (access(c->cordon, X_OK) < 0)
		die_errno("%s", c->cordon);
}

/* ---- report ---- */

static const char *no(const struct opts *o)
{
	return o->format == OUT_MARKDOWN ? "**no**" : "NO";
}

static void ratio(char *buf, double x)
{
	snprintf(buf, TABLE_CELL, "%.2f×", x);
}

/* The lowest and highest of a figure's round medians, as "a – b". */
static void round_range(char *buf, const struct calls_out *co, int f)
{
	double lo = 0, hi = 0;
	for (int i = 0; i < co->nrmed[f]; i++) {
		double v = co->rmed[f][i];
		if (i == 0 || v < lo)
			lo = v;
		if (i == 0 || v > hi)
			hi = v;
	}
	if (!co->nrmed[f])
		return;
	char a[TABLE_CELL], b[TABLE_CELL];
	fmt_time(a, lo);
	fmt_time(b, hi);
	snprintf(buf, TABLE_CELL, "%.40s – %.40s", a, b);
}

/* In how many rounds did base's median reach at least `times` x f's? */
static int rounds_met(const struct calls_out *co, int f, int base, double times, int *of)
{
	int n = co->nrmed[f] < co->nrmed[base] ? co->nrmed[f] : co->nrmed[base], k = 0;
	for (int i = 0; i < n; i++)
		k += co->rmed[base][i] >= times * co->rmed[f][i];
	*of = n;
	return k;
}

static void call_table(const struct cfg *c, const struct calls_out *co)
{
	const struct opts *o = &c->o;
	char above[64];
	snprintf(above, sizeof(above), "above %d µs", NIF_SPIN_NS / 1000);
	struct table t = {.ncols = 7,
	                  .head = {"figure", "median", "p99", "rounds' medians", "÷ native ppcall",
	                           "port ÷ this", above}};
	static const int rows[] = {CF_NATIVE1, CF_BEAM1, CF_PORT1, CF_NATIVE8, CF_BEAM8, CF_PORT8};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int f = rows[i];
		bool eight = f >= CF_NATIVE8;
		const struct result *r = &co->r[f];
		const struct result *nat = &co->r[eight ? CF_NATIVE8 : CF_NATIVE1];
		const struct result *port = &co->r[eight ? CF_PORT8 : CF_PORT1];
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", r->label);
		fmt_time(table_cell(&t, row, 1), r->med_ns);
		fmt_time(table_cell(&t, row, 2), r->p99_ns);
		round_range(table_cell(&t, row, 3), co, f);
		ratio(table_cell(&t, row, 4), r->med_ns / nat->med_ns);
		ratio(table_cell(&t, row, 5), port->med_ns / r->med_ns);
		snprintf(table_cell(&t, row, 6), TABLE_CELL, "%.1f%%",
		         100.0 * (double)co->over[f] / (double)r->samples);
	}
	table_print(o, &t);
}

static double gbps(const struct result *r)
{
	return r->bytes / r->med_ns;
}

static void queue_table(const struct cfg *c, const struct calls_out *co)
{
	struct table t = {.ncols = 6,
	                  .head = {"figure (4096 B messages, 256 KiB ring)", "median per message",
	                           "p99 per message", "rounds' medians", "GB/s", "÷ native GB/s"}};
	const struct result *nat = &co->r[CF_NATIVE_QUEUE];
	for (int f = CF_NATIVE_QUEUE; f <= CF_BEAM_QUEUE_SPIN; f++) {
		const struct result *r = &co->r[f];
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", r->label);
		fmt_time(table_cell(&t, row, 1), r->med_ns);
		fmt_time(table_cell(&t, row, 2), r->p99_ns);
		round_range(table_cell(&t, row, 3), co, f);
		snprintf(table_cell(&t, row, 4), TABLE_CELL, "%.2f", gbps(r));
		ratio(table_cell(&t, row, 5), gbps(r) / gbps(nat));
	}
	table_print(&c->o, &t);
}

static void cpu_table(const struct cfg *c, const struct calls_out *co)
{
	struct table t = {.ncols = 9,
	                  .head = {"figure", "wall (mean)", "VM scheduler", "NIF waiter",
	                           "other VM threads", "port program", "target PD",
	                           "native caller PD", "all"}};
	static const int rows[] = {CF_NATIVE1,         CF_BEAM1, CF_PORT1,        CF_NIF_HOLD,
	                           CF_PORT_HOLD,       CF_SLOW,  CF_NATIVE_QUEUE, CF_BEAM_QUEUE,
	                           CF_BEAM_QUEUE_SPIN, CF_IDLE};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int f = rows[i];
		if (!co->ops[f])
			continue;
		size_t row = table_add_row(&t);
		double all = 0;
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", co->r[f].label);
		fmt_time(table_cell(&t, row, 1), co->wall[f] / co->ops[f]);
		for (int p = 0; p < CPU_PARTS; p++) {
			fmt_time(table_cell(&t, row, 2 + p), co->cpu[f][p] / co->ops[f]);
			all += co->cpu[f][p];
		}
		fmt_time(table_cell(&t, row, 2 + CPU_PARTS), all / co->ops[f]);
	}
	table_print(&c->o, &t);
}

static void start_table(const struct cfg *c, const struct result *st)
{
	struct table t = {.ncols = 5, .head = {"figure", "median", "p99", "÷ erl", "÷ elixir"}};
	for (int f = 0; f < SF_COUNT; f++) {
		const struct result *r = &st[f];
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", r->label);
		fmt_time(table_cell(&t, row, 1), r->med_ns);
		fmt_time(table_cell(&t, row, 2), r->p99_ns);
		ratio(table_cell(&t, row, 3), r->med_ns / st[SF_ERL].med_ns);
		ratio(table_cell(&t, row, 4), r->med_ns / st[SF_ELIXIR].med_ns);
	}
	table_print(&c->o, &t);
}

/* Reductions a call case cost per call, warm-up calls included. */
static double reds_per_call(const struct cfg *c, const struct calls_out *co, int f)
{
	return (double)co->reds[f] / (double)(co->r[f].samples + (size_t)(c->rounds * c->warm));
}

static void hold_table(const struct cfg *c, const struct calls_out *co)
{
	const struct opts *o = &c->o;
	struct table t = {.ncols = 6,
	                  .head = {"figure", "median", "p99", "p99.9", "longest", "over 1 ms"}};
	for (int f = CF_NIF_HOLD; f <= CF_SLOW; f++) {
		const struct result *r = &co->r[f];
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", r->label);
		fmt_time(table_cell(&t, row, 1), r->med_ns);
		fmt_time(table_cell(&t, row, 2), r->p99_ns);
		fmt_time(table_cell(&t, row, 3), co->p999_ns[f]);
		fmt_time(table_cell(&t, row, 4), co->max_ns[f]);
		snprintf(table_cell(&t, row, 5), TABLE_CELL, "%ld of %zu", co->over_ms[f],
		         r->samples);
	}
	table_print(o, &t);
	const struct result *h = &co->r[CF_NIF_HOLD], *b = &co->r[CF_BEAM1];
	double rpc = reds_per_call(c, co, CF_BEAM1);
	printf("\nThe NIF answered %.1f%% of these calls while spinning on the scheduler and "
	       "handed %ld of %zu to its waiter thread.  Reductions per call: %.1f for "
	       "Cordon.Channel.call/3 (1 word), %.1f for a port round trip; the VM schedules a "
	       "process out after 4000 reductions, so a process looping on "
	       "Cordon.Channel.call/3 keeps the scheduler for about 4000 / %.1f × the median "
	       "call = %.1f ms at a time.\n",
	       100.0 * (double)(h->samples - (size_t)co->waits[CF_NIF_HOLD]) / (double)h->samples,
	       co->waits[CF_NIF_HOLD], h->samples, rpc, reds_per_call(c, co, CF_PORT1), rpc,
	       4000.0 / rpc * b->med_ns / 1e6);
}

static void target_row(const struct opts *o, struct table *t, const char *what, const char *got,
                       bool met)
{
	size_t row = table_add_row(t);
	snprintf(table_cell(t, row, 0), TABLE_CELL, "%s", what);
	snprintf(table_cell(t, row, 1), TABLE_CELL, "%.*s", TABLE_CELL - 1, got);
	snprintf(table_cell(t, row, 2), TABLE_CELL, "%s", met ? "yes" : no(o));
}

static void target_table(const struct cfg *c, const struct calls_out *co, const struct result *st)
{
	const struct opts *o = &c->o;
	struct table t = {.ncols = 3, .head = {"target", "measured (medians)", "met"}};
	char got[3 * TABLE_CELL];
	if (c->calls) {
		for (int eight = 0; eight < 2; eight++) {
			int f = eight ? CF_BEAM8 : CF_BEAM1, port = eight ? CF_PORT8 : CF_PORT1, of;
			double x = co->r[port].med_ns / co->r[f].med_ns;
			int k = rounds_met(co, f, port, 5, &of);
			snprintf(got, sizeof(got), "%.2f× faster (5× in %d of %d rounds)", x, k,
			         of);
			target_row(
			    o, &t,
			    eight ? "Elixir-to-native call, 8 words: at least 5× faster than the "
			            "port round trip"
			          : "Elixir-to-native call, 1 word: at least 5× faster than the "
			            "port round trip",
			    got, x >= 5);
		}
		const struct result *h = &co->r[CF_NIF_HOLD];
		char longest[TABLE_CELL], p999[TABLE_CELL];
		fmt_time(p999, co->p999_ns[CF_NIF_HOLD]);
		fmt_time(longest, co->max_ns[CF_NIF_HOLD]);
		snprintf(got, sizeof(got),
		         "p99.9 %s, longest %s; %ld of %zu over 1 ms (Port.command: %ld)", p999,
		         longest, co->over_ms[CF_NIF_HOLD], h->samples, co->over_ms[CF_PORT_HOLD]);
		/* The NIF bounds its own spin (NIF_SPIN_NS); a hold over 1 ms is
		 * the host taking the CPU from the scheduler thread mid-call,
		 * which Port.command/2 suffers as much: counted against the NIF
		 * only beyond that. */
		target_row(o, &t,
		           "no NIF call holds its scheduler over 1 ms (p99.9; else none more than "
		           "Port.command/2)",
		           got,
		           co->p999_ns[CF_NIF_HOLD] < 1e6 ||
		               co->over_ms[CF_NIF_HOLD] <= co->over_ms[CF_PORT_HOLD]);
		/* The measuring process's own long_schedule events while it made
		 * Cordon calls: what other processes of the PD would wait. */
		long events = 0, worst = 0;
		for (int i = 0; i < co->nls; i++) {
			const struct ls_phase *l = &co->ls[i];
			if (strcmp(l->phase, "calls") && strcmp(l->phase, "slow") &&
			    strcmp(l->phase, "queue"))
				continue;
			events += l->mine;
			worst = l->mine_max > worst ? l->mine_max : worst;
		}
		snprintf(got, sizeof(got), "%ld events, longest %ld ms", events, worst);
		target_row(o, &t,
		           "a process making Cordon calls is scheduled out within 1 ms (its "
		           "long_schedule events)",
		           got, events == 0);
	}
	if (c->start) {
		double x = st[SF_PD].med_ns / st[SF_ERL].med_ns;
		snprintf(got, sizeof(got), "%.2f×", x);
		target_row(o, &t, "BEAM PD start within 1.5× erl -noshell -eval 'halt().'", got,
		           x <= 1.5);
		x = st[SF_PD].med_ns / st[SF_ELIXIR].med_ns;
		snprintf(got, sizeof(got), "%.2f×", x);
		target_row(o, &t, "BEAM PD start within 1.5× elixir -e ':ok'", got, x <= 1.5);
	}
	table_print(o, &t);
}

static const char *phase_what(const char *phase)
{
	static const struct {
		const char *phase, *what;
	} names[] = {
	    {"calls", "Cordon.Channel.call/3 and Cordon.NIF.call/3 to the target"},
	    {"slow", "Cordon.Channel.call/3 to the target busy per call"},
	    {"port", "port round trips and Port.command/2"},
	    {"native", "the native caller's calls (the VM waits in receive)"},
	    {"queue", "Cordon.Queue.send/2 bursts"},
	    {"native_queue", "the native caller's bursts (the VM waits)"},
	    {"between", "between cases"},
	    {"setup", "before the first case"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].phase, phase))
			return names[i].what;
	return "";
}

static void ls_table(const struct cfg *c, const struct calls_out *co)
{
	const struct opts *o = &c->o;
	struct table t = {.ncols = 6,
	                  .head = {"phase", "what ran", "events", "longest",
	                           "the measuring process's", "their longest"}};
	for (int i = 0; i < co->nls; i++) {
		const struct ls_phase *l = &co->ls[i];
		size_t row = table_add_row(&t);
		snprintf(table_cell(&t, row, 0), TABLE_CELL, "%s", l->phase);
		snprintf(table_cell(&t, row, 1), TABLE_CELL, "%s", phase_what(l->phase));
		snprintf(table_cell(&t, row, 2), TABLE_CELL, "%ld", l->events);
		if (l->events)
			snprintf(table_cell(&t, row, 3), TABLE_CELL, "%ld ms", l->max_ms);
		snprintf(table_cell(&t, row, 4), TABLE_CELL, "%ld", l->mine);
		if (l->mine)
			snprintf(table_cell(&t, row, 5), TABLE_CELL, "%ld ms", l->mine_max);
	}
	table_print(o, &t);
	bool any = false;
	for (int i = 0; i < co->nls; i++)
		for (int k = 0; k < co->ls[i].nwhere; k++) {
			if (!any)
				printf(
				    "\nThe longest events of each phase (the measuring process's "
				    "first; in and out: where it was scheduled in and out):\n\n");
			any = true;
			printf(o->format == OUT_MARKDOWN ? "- %s: `%s`\n" : "  %s: %s\n",
			       co->ls[i].phase, co->ls[i].where[k]);
		}
}

int main(int argc, char **argv)
{
	struct cfg c = {.o = {.cpu = {-1, -1}, .format = OUT_TEXT}};
	struct calls_out co;
	struct result st[SF_COUNT];

	bench_prog = "beam-bench";
	umask(022); /* what we write, a BEAM PD (nobody) reads */
	parse(argc, argv, &c);
	if (c.calls)
		bench_calls(&c, &co);
	if (c.start)
		bench_start(&c, st);

	const struct opts *o = &c.o;
	const char *h = o->format == OUT_MARKDOWN ? "### " : "== ";
	report_machine(o);
	printf("Settings: %s.", o->quick ? "--quick" : "full run");
	if (c.calls)
		printf(
		    " Calls: %ld interleaved rounds (order rotating) of %ld timed calls per call "
		    "figure after %ld untimed, and %ld burst%s of %ld × %ld B per queue figure; "
		    "the PDs float over the CPUs; the BEAM PD runs one scheduler (as every BEAM "
		    "PD); the NIF spins %d µs for a reply before its waiter thread takes over.",
		    c.rounds, c.ncalls, c.warm, c.bursts, c.bursts == 1 ? "" : "s", c.burst_msgs,
		    c.msg_size, NIF_SPIN_NS / 1000);
	if (c.start)
		printf(" Start: %ld rounds, one start of each kind per round (order rotating).",
		       c.starts);
	printf("\n\n");
	if (c.calls) {
		printf("%sProtected calls from Elixir, and their baselines\n\n", h);
		call_table(&c, &co);
		printf("\n%sQueue throughput, Elixir to native\n\n", h);
		queue_table(&c, &co);
		printf("\n%sHow long a call holds the BEAM's scheduler\n\n", h);
		hold_table(&c, &co);
		if (co.has_cpu) {
			printf(
			    "\n%sWhere the CPU goes: CPU time per call or message, by thread\n\n",
			    h);
			cpu_table(&c, &co);
		}
	}
	if (c.start) {
		printf("%s%sBEAM PD start time\n\n", c.calls ? "\n" : "", h);
		start_table(&c, st);
	}
	printf("\n%sTargets\n\n", h);
	target_table(&c, &co, st);
	if (c.calls) {
		printf("\n%sScheduler hold times: long_schedule events (over 1 ms), by phase\n\n",
		       h);
		ls_table(&c, &co);
	}
	return 0;
}
