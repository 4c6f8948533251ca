/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc-bench internals: the measurement harness (harness.c), the baselines
 * (baseline.c), the Cordon IPC cases (cases.c) and the report (report.c).
 *
 * Every figure is a distribution of samples taken in this run; the report
 * prints each one next to baselines measured in the same run, because the
 * machine is shared and only ratios taken together mean anything.
 */
#ifndef CORDON_BENCH_H
#define CORDON_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the two processes of a case run. */
enum place {
	PLACE_PINNED, /* parent on CPU 0, child on CPU 1 (sched_setaffinity) */
	PLACE_FLOAT,  /* both may run on any CPU; the scheduler decides */
	PLACE_SAME,   /* both on CPU 0: what spinning costs when the peer
	                 cannot run (only the sleeping cases and ppcall) */
	PLACE_NONE,   /* one process (memcpy, region copy) */
};

/* What a result's ratio columns compare it with. */
enum kind {
	KIND_LATENCY, /* time per op; ratios are op / baseline round trip */
	KIND_BYTES,   /* bytes per op; ratios are rate / baseline rate */
};

struct result {
	char id[40];    /* stable name, used in JSON and by targets */
	char label[80]; /* what the row measures, for people */
	enum place place;
	enum kind kind;
	bool baseline;         /* a baseline row, not a Cordon figure */
	double med_ns;         /* per op */
	double p99_ns;         /* per op; the slow tail (lower rate for bytes) */
	double p10_ns, p90_ns; /* per op; for the JSON output */
	double bytes;          /* KIND_BYTES: bytes moved per op */
	char base[40];         /* KIND_BYTES: id of the memcpy row to compare
	                          with, or "" */
	double rt_mult;        /* KIND_LATENCY: op time * rt_mult = a round
	                          trip (2 for one-way figures) */
	size_t samples;        /* how many samples the figures come from */
	double *kept;          /* the samples, until finish_results() */
	size_t batch;          /* ops per sample */
	bool has_spin;         /* Cordon IPC: spin statistics below are set */
	uint64_t spins[2];     /* ipc_spin.spins of parent, child */
	uint64_t sleeps[2];    /* ipc_spin.sleeps of parent, child */
};

struct opts {
	bool quick;
	bool pin_only;     /* skip the PLACE_FLOAT runs */
	const char *only;  /* run only the cases whose id contains this */
	long iterations;   /* round trips per ping-pong case */
	int rounds;        /* every case runs once per round, interleaved */
	long queue_bytes;  /* bytes per queue case */
	uint32_t ring;     /* queue ring size */
	uint32_t spin_ns;  /* adaptive spin bound for the spin policy */
	size_t copy_small; /* region copy sizes */
	size_t copy_large;
	int cpu[2]; /* CPUs for PLACE_PINNED */
	enum { OUT_TEXT, OUT_MARKDOWN, OUT_JSON } format;
};

/* ---- harness.c ---- */

/* The program's name, for messages ("ipc-bench" unless main sets it). */
extern const char *bench_prog;

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void die_errno(const char *fmt, ...);
uint64_t now_ns(void);
/* Nanoseconds one clock_gettime(CLOCK_MONOTONIC) costs here. */
double clock_cost_ns(void);
/* A MAP_SHARED anonymous mapping (inherited across fork), zeroed. */
void *shared_alloc(size_t size);
void shared_free(void *p, size_t size);
/* Keep a copy of one run's samples (ns per op) in r. */
void keep_samples(const double *samples, size_t n, struct result *r);
/* Add one sample (ns) to r's kept samples. */
void add_sample(struct result *r, double ns);
const char *place_name(enum place p);
/* An option's numeric argument in min..max, or die naming the option. */
long parse_number(const char *opt, const char *s, long min, long max);

/* The benchmarks' one option parser.  A program describes its options in a
 * table (ended by a row with name NULL) and gets parsing, range checks and
 * its --help text from it.  Each row sets exactly one destination:
 *   flag    true when the option is given (an option without argument);
 *   choice  = value when given (several rows may share it: --markdown,
 *           --json);
 *   number  the argument, a number in min..max (arg names it: "N");
 *   text    the argument as given (checked by the program).
 * help is the text after the option in the usage, lines split by '\n'. */
struct bench_opt {
	const char *name; /* without "--" */
	char letter;      /* a short form (-q), or 0 */
	const char *arg;  /* the argument's name in the usage, or NULL */
	const char *help;
	bool *flag;
	int *choice, value;
	long *number, min, max;
	const char **text;
};
/* Parse argv by opts.  --help prints "usage: PROG SYNOPSIS", about, and a
 * line per option, and exits 0; an unknown option or a stray argument
 * prints the usage on stderr and exits 2; a bad number dies naming it.
 * synopsis may span lines ('\n'); about is printed as is. */
void bench_parse(int argc, char **argv, const char *synopsis, const char *about,
                 const struct bench_opt *opts);
/* The two CPUs of the pinned runs (o->cpu): the first two this process may
 * use, unless o->cpu[0] >= 0 already names them (checked).  Returns false
 * when there are not two. */
bool pick_cpus(struct opts *o);
/* Should the case with this id run (--only)?  Unwanted results keep
 * samples == 0 and are not reported. */
bool wanted(const struct opts *o, const char *id);

/* One kind of two-process ping-pong.  The parent measures round trips with
 * once(); the child runs serve() until stop() tells it to return. */
struct pair {
	void (*attach)(struct pair *p, int side); /* after fork; side 0 parent */
	void (*serve)(struct pair *p);            /* child */
	void (*once)(struct pair *p);             /* parent: one round trip */
	void (*stop)(struct pair *p);             /* parent: end serve() */
	void (*detach)(struct pair *p, int side); /* optional: release mappings */
	void *priv;
	/* Cordon cases: the spin statistics of each side, filled by detach. */
	bool has_spin;
	uint64_t spins, sleeps;
};

/* Run p in placement pl for o->iterations round trips; fill r. */
void run_pingpong(struct pair *p, enum place pl, const struct opts *o, struct result *r);
/* The same with both sides in child processes (the measuring one on side
 * 0), so that attach() may confine each side, e.g. with a seccomp filter:
 * after attach, neither side makes a system call but the pair's own and
 * exit.  No spin statistics. */
void run_pingpong_apart(struct pair *p, enum place pl, const struct opts *o, struct result *r);

/* Fork the child of a two-process case: it pins itself (pl, side 1), runs
 * body(arg) and exits; a crash or hang of either side ends the program with
 * the case's name.  The parent pins itself (side 0). */
struct child {
	int pid;
	const char *what;
};
void pin_self(enum place pl, int side, const struct opts *o);
void unpin_self(void);
struct child spawn(const char *what, enum place pl, const struct opts *o, void (*body)(void *arg),
                   void *arg);
/* The same, the child placed as side `side` of pl. */
struct child spawn_on(const char *what, enum place pl, int side, const struct opts *o,
                      void (*body)(void *arg), void *arg);
void reap(struct child *c);

/* Queue cases: how many messages, how many per sample (about 256 KiB), and
 * how many timestamps the consumer takes (index 0: the start). */
void queue_shape(const struct opts *o, size_t msg, size_t *count, size_t *chunk, size_t *nstamps);
/* Samples from the consumer's timestamps (ns per message), dropping the
 * first tenth as warm-up; fills r's figures. */
void chunk_samples(const uint64_t *stamps, size_t nstamps, size_t chunk, struct result *r);

/* ---- baseline.c: futex, spin, socketpair, pipe ping-pongs ---- */

void bench_baselines(const struct opts *o, enum place pl, struct result **out, size_t *n);

/* ---- ring.c: a raw spin ring, the queue baseline ---- */

void bench_rings(const struct opts *o, enum place pl, struct result **out, size_t *n);

/* ---- copy.c: memcpy private to private, and into a memory region ---- */

void bench_memcpy(const struct opts *o, size_t bytes, struct result *r);
void bench_region(const struct opts *o, size_t bytes, struct result *r);

/* ---- cases.c: Cordon IPC ---- */

void bench_cordon(const struct opts *o, enum place pl, struct result **out, size_t *n);

/* ---- report.c ---- */

struct result *result_add(struct result **arr, size_t *n);
/* Add one round's results to the totals (same id and place: samples and
 * spin statistics accumulate), then free the round's array. */
void merge_round(struct result **all, size_t *n, struct result *round, size_t rn);
/* The result with this id and place, or NULL. */
const struct result *result_find(const struct result *r, size_t n, const char *id, enum place pl);
/* Sort each result's samples and fill its percentiles. */
void finish_results(struct result *all, size_t n);
void report(const struct opts *o, const struct result *r, size_t n);

/* The "Machine" heading and line of every report: CPU, kernel, THP, date,
 * and the load average now (call it at the end of a run). */
void report_machine(const struct opts *o);

/* A table of text cells, printed aligned (text) or as Markdown, per
 * o->format.  Zero-initialise it with ncols and head; table_print frees the
 * rows. */
#define TABLE_COLS 10
#define TABLE_CELL 96
struct table {
	int ncols;
	const char *head[TABLE_COLS];
	size_t nrows;
	char (*cell)[TABLE_COLS][TABLE_CELL];
};
size_t table_add_row(struct table *t);
char *table_cell(struct table *t, size_t row, int col); /* TABLE_CELL bytes */
void table_print(const struct opts *o, const struct table *t);
/* ns as "123 ns", "1.23 µs" or "1.23 ms" into a TABLE_CELL buffer. */
void fmt_time(char *buf, double ns);

#endif
