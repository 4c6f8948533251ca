/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The measurement harness: clocks, statistics, CPU placement, and running a
 * two-process case with a watchdog so a lost wake-up shows up as a named
 * failure instead of a hang.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

#define HANG_SECONDS 60 /* no case takes this long unless a wake-up was lost */

const char *bench_prog = "ipc-bench";

static const char *current; /* the case running, for the watchdog */
static cpu_set_t allowed;   /* our affinity at start: PLACE_FLOAT restores it */
static bool allowed_set;

__attribute__((noreturn)) static void vdie(bool with_errno, const char *fmt, va_list ap)
{
	int e = errno;
	fprintf(stderr, "%s: ", bench_prog);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	exit(1);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(false, fmt, ap);
}

void die_errno(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(true, fmt, ap);
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double clock_cost_ns(void)
{
	enum { N = 100000 };
	uint64_t t0 = now_ns(), t = t0;
	for (int i = 0; i < N; i++)
		t = now_ns();
	return (double)(t - t0) / N;
}

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die_errno("mmap %zu shared bytes", size);
	return p;
}

void shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

void keep_samples(const double *samples, size_t n, struct result *r)
{
	if (n == 0)
		die("%s: no samples", r->id);
	r->kept = malloc(n * sizeof(*samples));
	if (!r->kept)
		die("%s: out of memory", r->id);
	memcpy(r->kept, samples, n * sizeof(*samples));
	r->samples = n;
}

void add_sample(struct result *r, double ns)
{
	if ((r->samples & (r->samples - 1)) == 0) { /* 0, 1, 2, 4...: grow by doubling */
		double *k = realloc(r->kept, (r->samples ? 2 * r->samples : 1) * sizeof(*k));
		if (!k)
			die("%s: out of memory", r->id);
		r->kept = k;
	}
	r->kept[r->samples++] = ns;
}

bool wanted(const struct opts *o, const char *id)
{
	return !o->only || strstr(id, o->only);
}

long parse_number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 0);
	if (*s == 0 || *end != 0 || v < min || v > max)
		die("%s: %s is not a number in %ld..%ld", opt, s, min, max);
	return v;
}

static void usage(FILE *f, const char *synopsis, const char *about, const struct bench_opt *opts)
{
	const char *indent = "                   "; /* "  --option ARG    " */

	fprintf(f, "usage: %s ", bench_prog);
	for (const char *p = synopsis; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fprintf(f, "%*s", (int)strlen(bench_prog) + 8, "");
	}
	fprintf(f, "\n\n%s\n", about);
	for (const struct bench_opt *o = opts; o->name; o++) {
		char head[64];
		snprintf(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
		fprintf(f, "  %-16s ", head);
		for (const char *p = o->help; *p; p++) {
			fputc(*p, f);
			if (*p == '\n')
				fputs(indent, f);
		}
		fputc('\n', f);
	}
	fprintf(f, "  %-16s this text\n", "--help");
}

void bench_parse(int argc, char **argv, const char *synopsis, const char *about,
                 const struct bench_opt *opts)
{
	struct option longs[32];
	char shorts[2 * 32 + 2] = "h";
	size_t n = 0, ns = 1;

	for (const struct bench_opt *o = opts; o->name; o++, n++) {
		if (n + 2 >= sizeof(longs) / sizeof(longs[0]))
			die("bench_parse: too many options");
		longs[n] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
		                           256 + (int)n};
		if (o->letter) {
			shorts[ns++] = o->letter;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
	longs[n] = (struct option){NULL, 0, NULL, 0};
	shorts[ns] = 0;

	int c;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct bench_opt *o = NULL;
		if (c >= 256)
			o = &opts[c - 256];
		for (const struct bench_opt *p = opts; !o && c < 256 && c != 'h' && p->name; p++)
			if (p->letter == c)
				o = p;
		if (c == 'h') {
			usage(stdout, synopsis, about, opts);
			exit(0);
		}
		if (!o) {
			usage(stderr, synopsis, about, opts);
			exit(2);
		}
		char name[64];
		snprintf(name, sizeof(name), "--%s", o->name);
		if (o->flag)
			*o->flag = true;
		if (o->choice)
			*o->choice = o->value;
		if (o->number)
			*o->number = parse_number(name, optarg, o->min, o->max);
		if (o->text)
			*o->text = optarg;
	}
	if (optind != argc) {
		usage(stderr, synopsis, about, opts);
		exit(2);
	}
}

/* The two CPUs of the pinned runs: the first two we may run on, unless
 * --cpus named them.  Returns false when there are not two. */
bool pick_cpus(struct opts *o)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die_errno("sched_getaffinity");
	if (o->cpu[0] >= 0) {
		if (!CPU_ISSET(o->cpu[0], &set) || !CPU_ISSET(o->cpu[1], &set) ||
		    o->cpu[0] == o->cpu[1])
			die("--cpus: %d and %d are not two CPUs this process may use", o->cpu[0],
			    o->cpu[1]);
		return true;
	}
	int k = 0;
	for (int i = 0; i < CPU_SETSIZE && k < 2; i++)
		if (CPU_ISSET(i, &set))
			o->cpu[k++] = i;
	if (k == 2)
		return true;
	o->cpu[1] = o->cpu[0];
	return false;
}

const char *place_name(enum place p)
{
	switch (p) {
	case PLACE_PINNED:
		return "pinned";
	case PLACE_FLOAT:
		return "float";
	case PLACE_SAME:
		return "same";
	case PLACE_NONE:
		break;
	}
	return "one";
}

static void set_affinity(const cpu_set_t *set)
{
	if (sched_setaffinity(0, sizeof(*set), set) < 0)
		die_errno("sched_setaffinity");
}

void pin_self(enum place pl, int side, const struct opts *o)
{
	if (!allowed_set) {
		if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
			die_errno("sched_getaffinity");
		allowed_set = true;
	}
	if (pl == PLACE_PINNED || pl == PLACE_SAME) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(o->cpu[pl == PLACE_SAME ? 0 : side], &one);
		set_affinity(&one);
	} else {
		set_affinity(&allowed);
	}
}

void unpin_self(void)
{
	if (allowed_set)
		set_affinity(&allowed);
}

static void on_alarm(int sig)
{
	/* Async-signal-safe: write(2) and _exit(2) only.  The child dies with
	 * us (PR_SET_PDEATHSIG). */
	static const char pre[] = ": hung (lost wake-up?) in case ";
	(void)sig;
	if (write(2, bench_prog, strlen(bench_prog)) < 0 || write(2, pre, sizeof(pre) - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

struct child spawn(const char *what, enum place pl, const struct opts *o, void (*body)(void *arg),
                   void *arg)
{
	return spawn_on(what, pl, 1, o, body, arg);
}

struct child spawn_on(const char *what, enum place pl, int side, const struct opts *o,
                      void (*body)(void *arg), void *arg)
{
	struct child c = {.pid = -1, .what = what};
	pid_t parent = getpid();

	current = what;
	signal(SIGALRM, on_alarm);
	alarm(HANG_SECONDS);
	fflush(NULL);
	c.pid = fork();
	if (c.pid < 0)
		die_errno("%s: fork", what);
	if (c.pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(2);
		alarm(0);
		pin_self(pl, side, o);
		body(arg);
		_exit(0);
	}
	pin_self(pl, 0, o);
	return c;
}

void reap(struct child *c)
{
	int st;
	while (waitpid(c->pid, &st, 0) < 0)
		if (errno != EINTR)
			die_errno("%s: waitpid", c->what);
	alarm(0);
	unpin_self();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("%s: the child process failed (status 0x%x)", c->what, st);
	c->pid = -1;
}

/* Shared between the two processes of a ping-pong. */
struct sync {
	uint32_t ready; /* child: attached, serving */
	uint64_t spins; /* child: its spin statistics, at exit */
	uint64_t sleeps;
};

struct pp_arg {
	struct pair *p;
	struct sync *s;
};

static void pp_child(void *arg)
{
	struct pp_arg *a = arg;
	if (a->p->attach)
		a->p->attach(a->p, 1);
	__atomic_store_n(&a->s->ready, 1, __ATOMIC_RELEASE);
	a->p->serve(a->p);
	if (a->p->detach)
		a->p->detach(a->p, 1);
	a->s->spins = a->p->spins;
	a->s->sleeps = a->p->sleeps;
}

/* How many samples measure() may take. */
static size_t sample_cap(const struct opts *o)
{
	return o->iterations < 20 ? 20 : (size_t)o->iterations;
}

/* The measuring side of a ping-pong, once the peer serves: warm up, then
 * take samples (at most cap) of the time per round trip.  Each sample is
 * the mean of a batch of round trips long enough (about a microsecond) that
 * the clock read between batches costs little; for the sleeping cases a
 * batch is a single round trip, so p99 is per op.  No system call but the
 * pair's own (the clock is the vDSO's), so it can run under a seccomp
 * filter. */
static size_t measure(struct pair *p, const struct opts *o, double *samples, size_t cap,
                      size_t *batch)
{
	long warm = o->iterations / 10 < 100 ? 100 : o->iterations / 10;
	uint64_t t0 = now_ns();
	for (long i = 0; i < warm; i++)
		p->once(p);
	double mean = (double)(now_ns() - t0) / (double)warm;
	*batch = mean >= 1000 ? 1 : (size_t)ceil(1000 / mean);
	size_t n = (size_t)o->iterations / *batch;
	if (n < 20)
		n = 20;
	if (n > cap)
		n = cap;

	uint64_t prev = now_ns();
	for (size_t i = 0; i < n; i++) {
		for (size_t b = 0; b < *batch; b++)
			p->once(p);
		uint64_t t = now_ns();
		samples[i] = (double)(t - prev) / (double)*batch;
		prev = t;
	}
	return n;
}

void run_pingpong(struct pair *p, enum place pl, const struct opts *o, struct result *r)
{
	if (!wanted(o, r->id))
		return;
	struct sync *s = shared_alloc(sizeof(*s));
	struct pp_arg a = {p, s};
	struct child c = spawn(r->id, pl, o, pp_child, &a);

	size_t cap = sample_cap(o);
	double *samples = malloc(cap * sizeof(*samples));
	if (!samples)
		die("%s: out of memory", r->id);
	if (p->attach)
		p->attach(p, 0);
	while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE))
		sched_yield();
	size_t batch, n = measure(p, o, samples, cap, &batch);
	p->stop(p);
	reap(&c);
	if (p->detach)
		p->detach(p, 0);

	r->place = pl;
	r->batch = batch;
	keep_samples(samples, n, r);
	free(samples);
	if (p->has_spin) {
		r->has_spin = true;
		r->spins[0] = p->spins;
		r->sleeps[0] = p->sleeps;
		r->spins[1] = s->spins;
		r->sleeps[1] = s->sleeps;
	}
	shared_free(s, sizeof(*s));
}

void queue_shape(const struct opts *o, size_t msg, size_t *count, size_t *chunk, size_t *nstamps)
{
	*chunk = (256u << 10) / msg;
	*count = (size_t)o->queue_bytes / msg;
	if (*count > ((size_t)8 << 20))
		*count = (size_t)8 << 20;
	size_t min_chunks = o->quick ? 8 : 40;
	if (*count < min_chunks * *chunk)
		*count = min_chunks * *chunk;
	*nstamps = *count / *chunk + 1;
}

void chunk_samples(const uint64_t *stamps, size_t nstamps, size_t chunk, struct result *r)
{
	size_t first = (nstamps - 1) / 10 + 1, n = 0;
	double *samples = malloc(nstamps * sizeof(*samples));
	if (!samples)
		die("%s: out of memory", r->id);
	for (size_t i = first; i < nstamps; i++)
		samples[n++] = (double)(stamps[i] - stamps[i - 1]) / (double)chunk;
	r->batch = chunk;
	keep_samples(samples, n, r);
	free(samples);
}

/* run_pingpong_apart: both sides are children, so each may confine itself
 * in attach() (a seccomp filter) without the harness losing waitpid. */
struct apart {
	struct pair *p;
	const struct opts *o; /* the parent's, copied into each child by fork */
	struct sync s;
	size_t cap, n, batch;
	double samples[]; /* written by the measuring child */
};

static void apart_serve(void *arg)
{
	struct apart *a = arg;
	if (a->p->attach)
		a->p->attach(a->p, 1);
	__atomic_store_n(&a->s.ready, 1, __ATOMIC_RELEASE);
	a->p->serve(a->p);
}

static void apart_measure(void *arg)
{
	struct apart *a = arg;
	struct pair *p = a->p;
	if (p->attach)
		p->attach(p, 0);
	while (!__atomic_load_n(&a->s.ready, __ATOMIC_ACQUIRE))
		sched_yield();
	a->n = measure(p, a->o, a->samples, a->cap, &a->batch);
	p->stop(p);
}

void run_pingpong_apart(struct pair *p, enum place pl, const struct opts *o, struct result *r)
{
	if (!wanted(o, r->id))
		return;
	size_t cap = sample_cap(o);
	size_t len = sizeof(struct apart) + cap * sizeof(double);
	struct apart *a = shared_alloc(len);
	a->p = p;
	a->o = o;
	a->cap = cap;
	struct child server = spawn_on(r->id, pl, 1, o, apart_serve, a);
	struct child client = spawn_on(r->id, pl, 0, o, apart_measure, a);
	/* Whichever ends first: a side that dies (a system call its filter
	 * refuses: SIGSYS) leaves the other waiting for ever, so say which. */
	for (int left = 2; left > 0; left--) {
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, 0)) < 0)
			if (errno != EINTR)
				die_errno("%s: waitpid", r->id);
		if (pid != server.pid && pid != client.pid) {
			left++; /* not ours (pd-bench's monitor ended?) */
			continue;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("%s: the %s process failed (status 0x%x%s)", r->id,
			    pid == server.pid ? "serving" : "measuring", st,
			    WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS
			        ? ": SIGSYS, a system call its "
			          "seccomp filter refuses"
			        : "");
	}
	alarm(0);
	unpin_self();
	r->place = pl;
	r->batch = a->batch;
	keep_samples(a->samples, a->n, r);
	shared_free(a, len);
}
