/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to monitor/: the monitor's view of a running system. */
#ifndef CORDON_MONITOR_INTERNAL_H
#define CORDON_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ipc/abi.h"
#include "monitor/beam.h"
#include "sandbox/sandbox.h"
#include "sdf/sdf.h"

/* One memfd the monitor created.  `rw` is the read-write descriptor the
 * monitor keeps; `ro` a read-only reopening handed to PDs that may only
 * read (-1 until needed).  `map` is the monitor's own mapping, only for end
 * pages (the monitor writes their `life` word). */
struct mon_mem {
	int rw;
	int ro;
	size_t size;
	void *map;
};

/* Output relay for one of a PD's streams: bytes are cut into lines and each
 * line is printed with the PD's name as a prefix. */
struct mon_relay {
	int fd;     /* read end of the PD's pipe; -1 once closed */
	size_t len; /* bytes of an unfinished line in buf */
	char buf[1024];
};

struct mon_pd {
	const struct sdf_pd *sdf;
	struct sandbox_child child; /* pidfd -1 when not running */
	bool running;
	struct {
		struct mon_mem mem; /* the PD's boot information */
	} boot;
	struct mon_mem page; /* the PD's monitor page (struct ipc_mon); the
	                        monitor keeps it mapped to bump `event` */
	int ctl;             /* monitor's end of the PD's SEQPACKET ctl socket */
	int ctl_pd;          /* the PD's end, handed in at exec, closed after */
	struct mon_relay out, err;
	struct mon_beam beam;      /* a BEAM PD's command line and root, prepared
	                              at its first start (argv NULL before) and
	                              reused by every restart: all of it follows
	                              from the description */
	struct ipc_ctl last_fault; /* the PD's own report, if it sent one */
	bool have_fault;
	struct {
		bool seen; /* a call its policy refused, reported by the
		              kernel through the seccomp listener (BEAM
		              PDs): the PD was killed for it */
		int nr;    /* the first such call of this run */
		uint64_t ip;
	} refused;
	struct timespec started;
	unsigned restarts;    /* starts after the first */
	bool stop_requested;  /* stopped on purpose (admin, parent PD): not a
	                         fault, and no supervisor restarts it */
	bool sup_stopping;    /* its supervisor is stopping it to restart a
	                         set of children: not a fault either */
	int last_status;      /* wait status of its last exit */
	bool ends_up;         /* its channel end pages are marked up */
	struct budget_cg *cg; /* its cgroup from its first start to the system's
	                         stop; NULL without budgets */
	uint64_t oom_base;    /* its cgroup's OOM-kill count when it started */
	uint64_t oom_kills;   /* OOM kills in its cgroup during its last run */
	int *grants;          /* per sdf_pd.grants: the listening socket the
	                         monitor keeps (-1 until opened); NULL without */
	uint64_t image_lo;    /* where its program image is mapped, from */
	uint64_t image_hi;    /* /proc/PID/maps at start; 0 unknown (symbolize.c) */
	char vm_slogan[512];  /* a BEAM PD's "Kernel pid terminated" line of
	                         this run, "" without (vm_reason.c) */
};

/* A channel: its two end pages and the rings toward each end. */
struct mon_chan {
	const struct sdf_channel *sdf;
	struct mon_mem end[2];
	struct mon_mem ring[2]; /* ring[i]: queue from end i to end 1-i; rw -1 if none */
};

struct mon_region {
	const struct sdf_region *sdf;
	struct mon_mem mem;
};

struct mon {
	const struct sdf_system *sys;
	const char *name; /* the system's name (admin socket) */
	FILE *log;
	bool timestamps; /* monitor_opts.timestamps */
	int null_fd;     /* /dev/null, the PDs' stdin */
	struct mon_pd *pds;
	struct mon_chan *chans;
	struct mon_region *regions;
	int epfd;
	int sigfd;
	int admin_fd;         /* listening admin socket, or -1 */
	char admin_path[108]; /* its path, unlinked at exit */
	struct mon_history *history;
	struct mon_sup *sups; /* one per sdf_system.sups */
	bool stopping;
	bool failed;                /* the root supervisor gave up */
	struct budget_root *budget; /* the system's cgroup; NULL: budgets off */
};

/* A supervisor's recent restarts, for its intensity. */
struct mon_sup {
	uint64_t *when; /* CLOCK_MONOTONIC ms of the restarts kept */
	size_t n, cap;
};

/* A bounded record of what happened, for `cordon faults` and `cordon log`:
 * the last faults, and per PD the last lines of its output, so a PD that
 * prints without end costs bounded memory and cannot push its neighbours'
 * lines out.  One BEAM crash report is about 90 lines; 500 keep several. */
#define MON_FAULTS_KEPT  256
#define MON_LINES_PER_PD 500
#define MON_LINE_MAX     240

struct mon_line {
	uint64_t seq; /* order among every PD's lines, from 1 */
	char text[MON_LINE_MAX];
};

struct mon_history {
	struct {
		struct timespec when;    /* CLOCK_REALTIME */
		char text[MON_LINE_MAX]; /* the MON|FAULT line without its tag */
	} faults[MON_FAULTS_KEPT];
	uint64_t nfaults; /* ever recorded; the ring keeps the last */
	uint64_t seq;     /* lines ever recorded, every PD's */
	size_t npds;
	struct {
		struct mon_line *ring; /* MON_LINES_PER_PD, made at its first line */
		uint64_t n;            /* lines ever recorded for this PD */
	} pd[];
};

/* objects.c */
int mon_objects_create(struct mon *m);
/* Zero the memory regions declared clear_on_restart that PD `p` maps. */
void mon_regions_clear(struct mon *m, size_t p);
void mon_objects_destroy(struct mon *m);
int mon_boot_write(struct mon *m, size_t pd, struct sandbox_fd *fds, size_t *nfds, size_t cap);
void mon_boot_close(struct mon_pd *mp);

/* grants.c: every grant's socket, opened before any PD starts (-1, logged
 * with the grant's file:line and a hint, when one cannot be), kept until
 * the system stops. */
int mon_grants_open(struct mon *m);
/* Before PD p's start hands grant i in: blocking and listening again,
 * whatever its previous incarnation did to it.  -1 with why. */
int mon_grant_rearm(struct mon *m, size_t p, size_t i, char *why, size_t whylen);
void mon_grants_close(struct mon *m);

/* supervise.c */
int mon_sup_init(struct mon *m);
void mon_sup_free(struct mon *m);
/* PD p ended by itself (not stopped on purpose): restart it, its siblings,
 * or escalate, as its supervisor says; or tell its parent PD. */
void mon_sup_pd_ended(struct mon *m, size_t p, bool abnormal, const char *how);

/* output.c */
void mon_relay_init(struct mon_relay *r, int fd);
/* Read what is there; returns false once the stream has ended. */
bool mon_relay_pump(struct mon *m, const struct mon_pd *pd, struct mon_relay *r);
void mon_relay_flush(struct mon *m, const struct mon_pd *pd, struct mon_relay *r);

/* vm_reason.c: a BEAM PD's last words, for its fault line. */
void mon_vm_heard(struct mon *m, size_t p, const char *s, size_t n);
/* ": application APP failed to start: ..." from the slogan heard in this
 * run, when the PD ended with a non-zero status; "" otherwise. */
void mon_vm_reason(const struct mon_pd *mp, int status, char *out, size_t len);

/* symbolize.c: where in its program a native PD faulted. */
void mon_image_note(struct mon_pd *mp);
/* ": at prog.elf+0x1479 (protected, prog.c:42)" for a fault inside the
 * image; "" otherwise. */
void mon_image_where(const struct mon_pd *mp, int status, char *out, size_t len);

/* history.c */
struct mon_history *mon_history_new(size_t npds);
void mon_history_free(struct mon_history *h);
void mon_history_line(struct mon *m, size_t pd, const char *s, size_t n);
/* Call fn for each kept line of PD pd (of every PD when pd < 0) in the
 * order they were written. */
void mon_history_each(const struct mon_history *h, long pd,
                      void (*fn)(void *arg, size_t pd, const char *text), void *arg);
/* Log a MON|FAULT line and keep it for `cordon faults`. */
void mon_fault(struct mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* monitor.c: the lifecycle operations admin requests and supervision use. */
int mon_pd_start(struct mon *m, size_t pd);
void mon_pd_stop(struct mon *m, size_t pd);
/* Kill and reap PD p for its supervisor: neither a fault nor a stop. */
void mon_pd_terminate(struct mon *m, size_t pd);
long mon_pd_find(const struct mon *m, const char *name);
/* Queue a control message for PD `p` and bump its monitor page.  Returns 0,
 * or -1 (logged) when the PD is not running or does not read them. */
int mon_pd_tell(struct mon *m, size_t p, const struct ipc_ctl *c);
/* Format how a PD ended ("signal=SIGSEGV addr=0x0 ip=0x4011d6", "exit=3",
 * "seccomp syscall=socket") from its wait status and its own report. */
void mon_pd_describe_end(const struct mon_pd *mp, int status, char *buf, size_t len);

/* budgets.c: resource budgets (budget/) around a PD's life. */
struct budget_cg;
struct budget_root;
/* Open a cgroup hierarchy; -1 (logged, with a hint) when there is none and
 * a PD declares a budget.  Budgets off is fine otherwise (logged). */
int mon_budget_open(struct mon *m);
/* Before spawning PD p: its cgroup (made at its first start), and
 * spec->place to move it in (or spec->nice without cgroups).  -1 with why. */
int mon_budget_pd_prepare(struct mon *m, size_t p, struct sandbox_spec *spec, char *why,
                          size_t whylen);
/* After PD p was reaped (or failed to start): record its OOM kills. */
void mon_budget_pd_ended(struct mon *m, size_t p);
/* Prefix how with "memory limit exceeded (oom-kill) limit=64M " when the
 * kernel's OOM killer ended PD p's last run. */
void mon_budget_describe(const struct mon *m, size_t p, char *how, size_t len);
/* Memory charged to PD p's cgroup; -ENOENT without one. */
int mon_budget_memory(const struct mon *m, size_t p, uint64_t *bytes);
/* Release every PD's cgroup and the system's. */
void mon_budget_close(struct mon *m);

/* admin.c */
int mon_admin_open(struct mon *m);
void mon_admin_accept(struct mon *m);
void mon_admin_close(struct mon *m);

/* log.c */
void mon_log(struct mon *m, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *mon_signame(int sig);
/* "2026-01-31T12:00:00.123Z " (UTC, now) to out. */
void mon_log_stamp(FILE *out);
/* "PD" or "PDs" for n: one or many, as the count reads. */
const char *mon_plural(size_t n, const char *one, const char *many);
/* The name of x86-64 syscall number nr ("socket"), or "#nr". */
void mon_syscall_name(uint64_t nr, char *buf, size_t len);

#endif
