/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * beam-bench internals: BEAM PDs measured next to their baselines in the
 * same run.  calls.c boots a system of a BEAM PD and two
 * native PDs under `cordon run` and reads what the Elixir side
 * (app/beambench.ex) measured; start.c times BEAM PD starts against plain
 * `erl` and `elixir` starts; proc.c runs those commands and reads their
 * output; main.c reports.  Figures use the ipc-bench harness (bench.h).
 */
#ifndef CORDON_BENCH_BEAM_H
#define CORDON_BENCH_BEAM_H

#include <sys/types.h>

#include "bench/bench.h"

/* NIF_CALL_SPIN_NS of beam/cordon/c_src/nif.h, passed in by the build so
 * the two never disagree: how long a scheduler spins for a reply before
 * the call is handed to the NIF's waiter thread. */
#ifndef NIF_SPIN_NS
#error "build with -DNIF_SPIN_NS=... (bench/beam/module.mk reads it from nif.h)"
#endif

struct cfg {
	struct opts o;
	bool calls, start;
	bool verbose;    /* copy the calls system's output to stderr */
	long rounds;     /* interleaved rounds of the calls system */
	long ncalls;     /* timed calls per call case per round */
	long warm;       /* untimed calls before each batch */
	long bursts;     /* queue bursts per queue case per round */
	long burst_msgs; /* messages per burst */
	long msg_size;   /* bytes per message */
	long starts;     /* starts per start figure */
	char cordon[4096];
	char dir[4096]; /* $(B)/bench/beam: the PDs, lib/ (the apps, cordon) */
};

/* ---- proc.c: a child command whose output we read line by line ---- */

#define PROC_TAIL 16

struct proc {
	const char *what;
	pid_t pid;
	int fd; /* its stdout and stderr */
	char buf[65536];
	size_t len;
	char tail[PROC_TAIL][256]; /* its last lines, for an error message */
	unsigned ntail;
};

/* Start argv[0] with its output on a pipe to us: with envp, exactly that
 * program and environment; without, argv[0] looked up in PATH, in our
 * environment plus CORDON_RUNTIME_DIR=rundir when rundir is not NULL.  It
 * gets sig if we die.  Returns the CLOCK_MONOTONIC time (ns) just before
 * the fork. */
uint64_t proc_start(struct proc *p, const char *what, char *const argv[], char *const envp[],
                    const char *rundir, int sig);
/* The next line (no newline) into line and the time it was read; false at
 * the end of the output.  Dies after timeout_ms without a line. */
bool proc_line(struct proc *p, char *line, size_t cap, uint64_t *when, int timeout_ms);
/* Read to the end of the output, then reap; dies unless it exited with
 * status ok.  Returns the time it was reaped. */
uint64_t proc_finish(struct proc *p, int timeout_ms, int ok);
/* Die with the child's last lines; the child is killed. */
__attribute__((noreturn, format(printf, 2, 3))) void proc_fail(struct proc *p, const char *fmt,
                                                               ...);
/* A fresh directory for `cordon run`'s admin socket, and its removal. */
void rundir_make(char *buf, size_t len);
void tree_remove(const char *dir);
/* Copy the tree src to dst (regular files and directories only; dst must
 * not exist), world-readable: a BEAM PD runs as nobody. */
void tree_copy(const char *src, const char *dst);

/* ---- calls.c ---- */

/* The figures of the calls system, in results[] order. */
enum calls_fig {
	CF_NATIVE1,
	CF_BEAM1,
	CF_PORT1,
	CF_NATIVE8,
	CF_BEAM8,
	CF_PORT8,
	CF_NIF_HOLD,  /* Cordon.NIF.call/3 until it returns */
	CF_PORT_HOLD, /* Port.command/2 until it returns */
	CF_SLOW,      /* Cordon.Channel.call/3, the callee busy SLOW_NS */
	CF_NATIVE_QUEUE,
	CF_BEAM_QUEUE,
	CF_BEAM_QUEUE_SPIN, /* retrying at once when full */
	CF_IDLE,            /* nothing: what the pauses around a case cost */
	CF_COUNT,
};

/* How long the slow callee works per call: below the NIF's spin bound,
 * so every reply comes while the caller's scheduler spins. */
#define SLOW_NS (NIF_SPIN_NS * 2 / 3)

/* long_schedule events (a process or port ran over 1 ms without being
 * scheduled out) in one phase. */
struct ls_phase {
	char phase[24];
	long events, max_ms;
	long mine, mine_max; /* those of the measuring process */
	char where[4][512];  /* the longest, the measuring process's first */
	int nwhere;
};

/* ---- cpu.c: the CPU time of the calls system's threads, by case ---- */

enum pd_role { PD_BENCH, PD_TARGET, PD_NCALLER, PD_ROLES };

enum cpu_part {
	CPU_SCHED,    /* the VM's (one, normal) scheduler thread */
	CPU_WAITER,   /* the cordon NIF's waiter thread */
	CPU_VM_OTHER, /* the VM's other threads (poller, aux, dirty, ...) */
	CPU_PORT,     /* the port program */
	CPU_TARGET,   /* the target PD */
	CPU_NCALLER,  /* the native caller PD */
	CPU_PARTS,
};

struct cpu_watch {
	pid_t pid[PD_ROLES]; /* host pids, from the monitor's lines */
	pid_t port;          /* the port program, once found */
	uint64_t last[CPU_PARTS];
	uint64_t since; /* when the case began (CLOCK_MONOTONIC, ns) */
};

/* Take the starting point of a case; at its end, add each part's CPU time
 * since then (ns) to into. */
void cpu_start(struct cpu_watch *w);
void cpu_case(struct cpu_watch *w, double into[CPU_PARTS], double *wall);

struct calls_out {
	struct result r[CF_COUNT];
	double p999_ns[CF_COUNT], max_ns[CF_COUNT];
	long over[CF_COUNT];       /* samples above NIF_SPIN_NS */
	long over_ms[CF_COUNT];    /* samples above 1 ms */
	long waits[CF_COUNT];      /* calls the NIF handed to its waiter thread */
	long reds[CF_COUNT];       /* reductions the case cost, warm-up included */
	double rmed[CF_COUNT][64]; /* each round's median, in round order */
	int nrmed[CF_COUNT];
	bool has_cpu;                    /* cpu and ops were measured */
	double cpu[CF_COUNT][CPU_PARTS]; /* ns on a CPU while the case ran */
	double ops[CF_COUNT];            /* calls or messages, warm-up included */
	double wall[CF_COUNT];           /* ns from begin to end */
	struct ls_phase ls[8];
	int nls;
};

void bench_calls(const struct cfg *c, struct calls_out *out);

/* ---- start.c ---- */

enum start_fig {
	SF_ERL,        /* erl -noshell -eval 'halt().', to its exit */
	SF_ELIXIR,     /* elixir -e ':ok', to its exit */
	SF_DIRECT,     /* the PD's own beam.smp command line, on the host, to the line */
	SF_PD_SPAWNED, /* cordon run until "MON|INFO: pd=app started" */
	SF_PD,         /* cordon run until the probe app's line */
	SF_PD_EXIT,    /* cordon run until it exits (the app halts the VM) */
	SF_COUNT,
};

void bench_start(const struct cfg *c, struct result r[SF_COUNT]);

#endif
