/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The calls system: a BEAM PD running app/beambench.ex, the native target
 * PD it calls and streams to (pd/target.c), and a native caller PD
 * (pd/ncaller.c) that does the same to the same target on the BEAM PD's
 * command, so every figure and its baselines come from one system, one VM
 * and interleaved rounds.
 *
 *   bench (BEAM, 199) --ch 0: pp, queue 256 KiB--> target (native, 200)
 *   ncaller (native, 199) --ch 0: pp, queue 256 KiB--> target (its ch 1)
 *   bench ch 1 <--> ncaller ch 1: commands one way, samples the other
 *
 * The callers share one priority, below the target's (a callee must be
 * above its callers); one level apart, every PD gets nice 0.  The queue
 * rings are ipc-bench's size.  The application is copied, with its
 * configuration (priv/bench.config), into a fresh directory for each run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/beam/beam.h"

#define LINE_TIMEOUT_MS 300000 /* the app prints a line per round */
#define RING            0x40000u
/* Before and after each case the BEAM PD pauses this long, so that its
 * "begin" and "end" lines reach us, and we read every thread's CPU time,
 * while nothing runs. */
#define PAUSE_MS        30

static const char *const fig_id[CF_COUNT] = {
    [CF_NATIVE1] = "native-call-1",
    [CF_BEAM1] = "beam-call-1",
    [CF_PORT1] = "port-1",
    [CF_NATIVE8] = "native-call-8",
    [CF_BEAM8] = "beam-call-8",
    [CF_PORT8] = "port-8",
    [CF_NIF_HOLD] = "nif-hold",
    [CF_PORT_HOLD] = "port-hold",
    [CF_SLOW] = "slow-call",
    [CF_NATIVE_QUEUE] = "native-queue",
    [CF_BEAM_QUEUE] = "beam-queue",
    [CF_BEAM_QUEUE_SPIN] = "beam-queue-spin",
    [CF_IDLE] = "idle",
};

static const char *const fig_label[CF_COUNT] = {
    [CF_NATIVE1] = "native PD to native PD: cordon_ppcall, 1 word",
    [CF_BEAM1] = "Elixir to native PD: Cordon.Channel.call/3, 1 word",
    [CF_PORT1] = "Elixir to C program: port round trip, {packet, 4}, 16 B",
    [CF_NATIVE8] = "native PD to native PD: cordon_ppcall, 8 words",
    [CF_BEAM8] = "Elixir to native PD: Cordon.Channel.call/3, 8 words",
    [CF_PORT8] = "Elixir to C program: port round trip, {packet, 4}, 72 B",
    [CF_NIF_HOLD] = "Cordon.NIF.call/3 (1 word), until it returns",
    [CF_PORT_HOLD] = "Port.command/2 (16 B), until it returns",
    [CF_SLOW] = NULL, /* it says SLOW_NS: bench_calls() */
    [CF_NATIVE_QUEUE] = "native PD to native PD: cordon_queue_send",
    [CF_BEAM_QUEUE] = "Elixir to native PD: Cordon.Queue.send/2",
    [CF_BEAM_QUEUE_SPIN] = "the same, retrying at once when full",
    [CF_IDLE] = "nothing (the pauses around a case)",
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (!f)
		die_errno("%s", path);
	fputs(text, f);
	if (fchmod(fileno(f), 0644) < 0 || fclose(f) != 0)
		die_errno("%s", path);
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		die("path too long: %s/%s", dir, name);
}

/* A fresh, world-readable directory under the build's bench/beam with the
 * applications and their configuration, and the system description. */
static void prepare(const struct cfg *c, char *run, size_t runlen, char *system, size_t syslen)
{
	char path[4096], text[16384];

	path_in(run, runlen, c->dir, "run.XXXXXX");
	if (!mkdtemp(run) || chmod(run, 0755) < 0)
		die_errno("%s", run);
	char lib[4096];
	path_in(lib, sizeof(lib), c->dir, "lib");
	path_in(path, sizeof(path), run, "lib");
	tree_copy(lib, path);

	path_in(path, sizeof(path), run, "lib/beambench/priv/bench.config");
	snprintf(text, sizeof(text),
	         "{rounds, %ld}.\n{calls, %ld}.\n{warm, %ld}.\n{bursts, %ld}.\n"
	         "{burst_msgs, %ld}.\n{msg_size, %ld}.\n{spin_ns, %d}.\n{slow_ns, %d}.\n"
	         "{pause_ms, %d}.\n",
	         c->rounds, c->ncalls, c->warm, c->bursts, c->burst_msgs, c->msg_size, NIF_SPIN_NS,
	         SLOW_NS, PAUSE_MS);
	write_file(path, text);

	path_in(system, syslen, run, "calls.system");
	int n =
	    snprintf(text, sizeof(text),
	             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	             "<!-- beam-bench's calls system (bench/beam/calls.c), written per run. -->\n"
	             "<system>\n"
	             "  <protection_domain name=\"target\" priority=\"200\">"
	             "<program_image path=\"target.elf\" /></protection_domain>\n"
	             "  <protection_domain name=\"ncaller\" priority=\"199\">"
	             "<program_image path=\"ncaller.elf\" /></protection_domain>\n"
	             "  <protection_domain name=\"bench\" priority=\"199\" restart=\"temporary\">"
	             "<beam_app path=\"%s/lib\" app=\"beambench\" /></protection_domain>\n"
	             "  <channel><end pd=\"bench\" id=\"0\" pp=\"true\" queue_size=\"0x%x\" />"
	             "<end pd=\"target\" id=\"0\" /></channel>\n"
	             "  <channel><end pd=\"ncaller\" id=\"0\" pp=\"true\" queue_size=\"0x%x\" />"
	             "<end pd=\"target\" id=\"1\" /></channel>\n"
	             "  <channel><end pd=\"bench\" id=\"1\" queue_size=\"0x1000\" />"
	             "<end pd=\"ncaller\" id=\"1\" queue_size=\"0x100000\" /></channel>\n"
	             "</system>\n",
	             run, RING, RING);
	if (n < 0 || (size_t)n >= sizeof(text))
		die("path too long: %s", run);
	write_file(system, text);
}

static void parse_fig(struct proc *p, const char *args, struct calls_out *out)
{
	char id[64];
	double med, p10, p90, p99, p999, max;
	unsigned long n;
	long over, over_ms, waits, reds;
	if (sscanf(args, "%63s %lu %lf %lf %lf %lf %lf %lf %ld %ld %ld %ld", id, &n, &med, &p10,
	           &p90, &p99, &p999, &max, &over, &over_ms, &waits, &reds) != 12)
		proc_fail(p, "cannot parse: fig %s", args);
	for (int i = 0; i < CF_COUNT; i++) {
		if (strcmp(id, fig_id[i]))
			continue;
		struct result *r = &out->r[i];
		r->samples = n;
		r->med_ns = med;
		r->p10_ns = p10;
		r->p90_ns = p90;
		r->p99_ns = p99;
		out->p999_ns[i] = p999;
		out->max_ns[i] = max;
		out->over[i] = over;
		out->over_ms[i] = over_ms;
		out->waits[i] = waits;
		out->reds[i] = reds;
		return;
	}
	proc_fail(p, "unknown figure %s", id);
}

static void parse_rmed(struct proc *p, const char *args, struct calls_out *out)
{
	char id[64];
	int used;
	if (sscanf(args, "%63s%n", id, &used) != 1)
		proc_fail(p, "cannot parse: rmed %s", args);
	for (int i = 0; i < CF_COUNT; i++) {
		if (strcmp(id, fig_id[i]))
			continue;
		const char *s = args + used;
		double v;
		int k;
		out->nrmed[i] = 0;
		while (out->nrmed[i] < 64 && sscanf(s, "%lf%n", &v, &k) == 1) {
			out->rmed[i][out->nrmed[i]++] = v;
			s += k;
		}
		return;
	}
	proc_fail(p, "unknown figure %s", id);
}

static void parse_ls(struct proc *p, const char *args, struct calls_out *out)
{
	if (out->nls == (int)(sizeof(out->ls) / sizeof(out->ls[0])))
		proc_fail(p, "too many long_schedule phases");
	struct ls_phase *l = &out->ls[out->nls];
	if (sscanf(args, "%23s %ld %ld %ld %ld", l->phase, &l->events, &l->max_ms, &l->mine,
	           &l->mine_max) != 5)
		proc_fail(p, "cannot parse: ls %s", args);
	out->nls++;
}

static void parse_where(const char *args, struct calls_out *out)
{
	const char *sp = strchr(args, ' ');
	if (!sp)
		return;
	for (int i = 0; i < out->nls; i++) {
		struct ls_phase *l = &out->ls[i];
		if (strlen(l->phase) == (size_t)(sp - args) &&
		    !strncmp(l->phase, args, sp - args) && l->nwhere < 4)
			snprintf(l->where[l->nwhere++], sizeof(l->where[0]), "%s", sp + 1);
	}
}

/* "end ID": a case is over; its threads' CPU time since "begin ID". */
static void case_done(const struct cfg *c, struct cpu_watch *w, const char *id,
                      struct calls_out *out)
{
	for (int i = 0; i < CF_COUNT; i++) {
		if (strcmp(id, fig_id[i]))
			continue;
		cpu_case(w, out->cpu[i], &out->wall[i]);
		if (i == CF_IDLE)
			out->ops[i] += 1;
		else if (i >= CF_NATIVE_QUEUE)
			out->ops[i] += (double)(c->bursts * c->burst_msgs);
		else
			out->ops[i] += (double)(c->ncalls + c->warm);
		return;
	}
}

void bench_calls(const struct cfg *c, struct calls_out *out)
{
	char run[4096], system[4096], rt[64], line[1024];
	uint64_t when;
	struct proc p;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < CF_COUNT; i++) {
		struct result *r = &out->r[i];
		snprintf(r->id, sizeof(r->id), "%s", fig_id[i]);
		if (fig_label[i])
			snprintf(r->label, sizeof(r->label), "%s", fig_label[i]);
		else
			snprintf(r->label, sizeof(r->label),
			         "Cordon.Channel.call/3, 1 word, to a callee busy %d µs per call",
			         SLOW_NS / 1000);
		bool queue = i >= CF_NATIVE_QUEUE;
		r->kind = queue ? KIND_BYTES : KIND_LATENCY;
		r->bytes = queue ? (double)c->msg_size : 0;
		r->rt_mult = 1;
		r->place = PLACE_FLOAT;
	}
	prepare(c, run, sizeof(run), system, sizeof(system));
	rundir_make(rt, sizeof(rt));
	char *argv[] = {(char *)c->cordon, "run",  "-n", "beam-bench", "-L",
	                (char *)c->dir,    system, NULL};
	proc_start(&p, "the calls system (cordon run)", argv, NULL, rt, SIGTERM);

	struct cpu_watch w = {.port = 0};
	static const char *const role[PD_ROLES] = {
	    [PD_BENCH] = "bench", [PD_TARGET] = "target", [PD_NCALLER] = "ncaller"};
	bool done = false;
	while (!done) {
		if (!proc_line(&p, line, sizeof(line), &when, LINE_TIMEOUT_MS))
			proc_fail(&p, "its output ended before the benchmark was done");
		if (c->verbose)
			fprintf(stderr, "%s\n", line);
		if (!strncmp(line, "MON|ERROR", 9) || !strncmp(line, "MON|FAULT", 9) ||
		    strstr(line, "ERROR:") || !strncmp(line, "bench| error", 12))
			proc_fail(&p, "%s", line);
		int pid;
		char name[16];
		if (sscanf(line, "MON|INFO: pd=%15s started pid=%d", name, &pid) == 2)
			for (int i = 0; i < PD_ROLES; i++)
				if (!strcmp(name, role[i]))
					w.pid[i] = pid;
		bool pids = w.pid[PD_BENCH] && w.pid[PD_TARGET] && w.pid[PD_NCALLER];
		if (!strncmp(line, "bench| begin ", 13) && pids) {
			cpu_start(&w);
			out->has_cpu = true;
		} else if (!strncmp(line, "bench| end ", 11) && out->has_cpu) {
			case_done(c, &w, line + 11, out);
		}
		if (!strncmp(line, "bench| fig ", 11))
			parse_fig(&p, line + 11, out);
		else if (!strncmp(line, "bench| rmed ", 12))
			parse_rmed(&p, line + 12, out);
		else if (!strncmp(line, "bench| ls ", 10))
			parse_ls(&p, line + 10, out);
		else if (!strncmp(line, "bench| lswhere ", 15))
			parse_where(line + 15, out);
		else if (!strcmp(line, "bench| done"))
			done = true;
	}
	if (kill(p.pid, SIGTERM) < 0)
		die_errno("kill -TERM the monitor");
	proc_finish(&p, LINE_TIMEOUT_MS, 0); /* SIGTERM: stopped cleanly */
	for (int i = 0; i < CF_COUNT; i++)
		if (!out->r[i].samples)
			die("the calls system printed no figure %s", fig_id[i]);
	tree_remove(rt);
	tree_remove(run);
}
