/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BEAM PD start time: `cordon run` of a system with one BEAM PD, whose
 * application (app/beamstart.ex) prints a line as soon as it starts and
 * halts the VM, timed from the fork of `cordon run` to that line, against
 * a plain VM start of the same run, round by round in rotating order:
 *
 *   erl -noshell -eval 'halt().'    to its exit (a baseline)
 *   elixir -e ':ok'                 to its exit (a baseline)
 *   the PD's own command line       beam.smp with exactly the arguments and
 *                                   environment the monitor gives it
 *                                   (monitor/beam.c, from the same
 *                                   description), on the host: no monitor,
 *                                   no sandbox; to the application's line
 *
 * For the PD, also the monitor's "pd=app started" line (sandbox_spawn
 * returned: beam.smp was exec'ed in its sandbox) and the exit of
 * `cordon run` (the VM halted, the monitor stopped).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/beam/beam.h"
#include "monitor/beam.h"
#include "sdf/sdf.h"

#define LINE_TIMEOUT_MS 60000
#define APP_LINE        "beamstart up"

static const char *const ids[SF_COUNT] = {
    [SF_ERL] = "erl", [SF_ELIXIR] = "elixir",   [SF_DIRECT] = "direct", [SF_PD_SPAWNED] = "spawned",
    [SF_PD] = "pd",   [SF_PD_EXIT] = "pd-exit",
};

static const char *const labels[SF_COUNT] = {
    [SF_ERL] = "erl -noshell -eval 'halt().', to its exit",
    [SF_ELIXIR] = "elixir -e ':ok', to its exit",
    [SF_DIRECT] = "the PD's beam.smp command line on the host, to the app's line",
    [SF_PD_SPAWNED] = "cordon run, to \"pd=app started\" (beam.smp exec'ed)",
    [SF_PD] = "cordon run, to the app's first line: BEAM PD start",
    [SF_PD_EXIT] = "cordon run, to its exit (the app halts the VM)",
};

struct starter {
	const struct cfg *c;
	char run[4096];    /* the application and the description */
	char system[4096]; /* run/start.system */
	char rt[64];       /* CORDON_RUNTIME_DIR */
	struct mon_beam vm;
};

static double since(uint64_t t0, uint64_t t)
{
	return (double)(t - t0);
}

static void check(struct proc *p, const char *line)
{
	if (!strncmp(line, "MON|ERROR", 9) || !strncmp(line, "MON|FAULT", 9))
		proc_fail(p, "%s", line);
}

/* Until the line `want` (or a line ending in it): its time. */
static uint64_t wait_line(struct proc *p, const char *want)
{
	char line[1024];
	uint64_t when;
	size_t n = strlen(want);
	while (proc_line(p, line, sizeof(line), &when, LINE_TIMEOUT_MS)) {
		check(p, line);
		size_t len = strlen(line);
		if (len >= n && !strcmp(line + len - n, want))
			return when;
	}
	proc_fail(p, "its output ended without \"%s\"", want);
}

static void one(struct starter *s, enum start_fig f, struct result r[SF_COUNT])
{
	struct proc p;
	uint64_t t0;

	switch (f) {
	case SF_ERL: {
		char *argv[] = {"erl", "-noshell", "-eval", "halt().", NULL};
		t0 = proc_start(&p, "erl", argv, NULL, NULL, SIGKILL);
		add_sample(&r[SF_ERL], since(t0, proc_finish(&p, LINE_TIMEOUT_MS, 0)));
		break;
	}
	case SF_ELIXIR: {
		char *argv[] = {"elixir", "-e", ":ok", NULL};
		t0 = proc_start(&p, "elixir", argv, NULL, NULL, SIGKILL);
		add_sample(&r[SF_ELIXIR], since(t0, proc_finish(&p, LINE_TIMEOUT_MS, 0)));
		break;
	}
	case SF_DIRECT:
		t0 = proc_start(&p, "beam.smp as the monitor starts it, on the host", s->vm.argv,
		                s->vm.envp, NULL, SIGKILL);
		add_sample(&r[SF_DIRECT], since(t0, wait_line(&p, APP_LINE)));
		proc_finish(&p, LINE_TIMEOUT_MS, 0);
		break;
	default:
		die("start figure %d is not a plain start", (int)f);
	}
}

/* One start of the BEAM PD, which gives three figures. */
static void pd_start(struct starter *s, struct result r[SF_COUNT])
{
	char line[1024];
	uint64_t when, spawned = 0, first = 0;
	struct proc p;
	char *argv[] = {(char *)s->c->cordon, "run", "-n", "beam-bench-start", s->system, NULL};

	uint64_t t0 = proc_start(&p, "cordon run (start)", argv, NULL, s->rt, SIGTERM);
	while (!first) {
		if (!proc_line(&p, line, sizeof(line), &when, LINE_TIMEOUT_MS))
			proc_fail(&p, "its output ended without \"app| %s\"", APP_LINE);
		check(&p, line);
		if (!strncmp(line, "MON|INFO: pd=app started ", 25))
			spawned = when;
		else if (!strcmp(line, "app| " APP_LINE))
			first = when;
	}
	/* Its only PD has ended with status 0: the monitor says the system
	 * is done, and exits 0. */
	uint64_t end = proc_finish(&p, LINE_TIMEOUT_MS, 0);
	if (!spawned)
		proc_fail(&p, "no \"pd=app started\" line before the app's");
	add_sample(&r[SF_PD_SPAWNED], since(t0, spawned));
	add_sample(&r[SF_PD], since(t0, first));
	add_sample(&r[SF_PD_EXIT], since(t0, end));
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		die("path too long: %s/%s", dir, name);
}

static void prepare(struct starter *s)
{
	char src[4096], dst[4096], why[256];

	path_in(s->run, sizeof(s->run), s->c->dir, "start.XXXXXX");
	if (!mkdtemp(s->run) || chmod(s->run, 0755) < 0)
		die_errno("%s", s->run);
	path_in(dst, sizeof(dst), s->run, "lib");
	if (mkdir(dst, 0755) < 0 || chmod(dst, 0755) < 0)
		die_errno("%s", dst);
	path_in(src, sizeof(src), s->c->dir, "lib/beamstart");
	path_in(dst, sizeof(dst), s->run, "lib/beamstart");
	tree_copy(src, dst);

	path_in(s->system, sizeof(s->system), s->run, "start.system");
	FILE *f = fopen(s->system, "we");
	if (!f)
		die_errno("%s", s->system);
	fprintf(f,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<!-- beam-bench's start system (bench/beam/start.c), written per run. -->\n"
	        "<system>\n"
	        "  <protection_domain name=\"app\" restart=\"temporary\">"
	        "<beam_app path=\"%s/lib\" app=\"beamstart\" /></protection_domain>\n"
	        "</system>\n",
	        s->run);
	if (fchmod(fileno(f), 0644) < 0 || fclose(f) != 0)
		die_errno("%s", s->system);

	/* The VM's command line, as the monitor would build it. */
	struct sdf_diag diag = SDF_DIAG_INIT(stderr);
	struct sdf_system *sys = sdf_load(s->system, NULL, &diag);
	if (!sys)
		die("%s is not valid", s->system);
	long pd = sdf_pd_find(sys, "app");
	if (pd < 0 || mon_beam_prepare(&sys->pds[pd], &s->vm, why, sizeof(why)) < 0)
		die("the BEAM command line of %s: %s", s->system, pd < 0 ? "no PD app" : why);
	sdf_free(sys);
	rundir_make(s->rt, sizeof(s->rt));
}

void bench_start(const struct cfg *c, struct result r[SF_COUNT])
{
	static const enum start_fig order[] = {SF_ERL, SF_ELIXIR, SF_DIRECT, SF_PD};
	enum { N = sizeof(order) / sizeof(order[0]) };
	struct starter s = {.c = c};

	memset(r, 0, sizeof(*r) * SF_COUNT);
	for (int i = 0; i < SF_COUNT; i++) {
		snprintf(r[i].id, sizeof(r[i].id), "start-%s", ids[i]);
		snprintf(r[i].label, sizeof(r[i].label), "%s", labels[i]);
		r[i].place = PLACE_NONE;
		r[i].kind = KIND_LATENCY;
		r[i].rt_mult = 1;
	}
	prepare(&s);
	for (long k = 0; k < c->starts; k++)
		for (int i = 0; i < N; i++) {
			enum start_fig f = order[(k + i) % N];
			if (f == SF_PD)
				pd_start(&s, r);
			else
				one(&s, f, r);
		}
	mon_beam_free(&s.vm);
	tree_remove(s.rt);
	tree_remove(s.run);
	finish_results(r, SF_COUNT);
}
