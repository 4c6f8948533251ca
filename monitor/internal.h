/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to monitor/: the monitor's view of a running system.
 *
 * The files call downward only, never in a circle (top first):
 *
 *   monitor.c                  the event loop and its dispatch
 *   admin.c, ctl.c             requests: from `cordon` commands, from PDs
 *   supervise.c                carries out the policy's decisions
 *   pd.c                       one PD's life: start, stop, reap, tell
 *   objects.c, grants.c, budgets.c, beam.c, output.c, history.c, log.c
 *   lifecycle.c, policy.c      pure: no I/O, no clock (unit-tested alone)
 */
#ifndef CORDON_MONITOR_INTERNAL_H
#define CORDON_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "ipc/abi.h"
#include "monitor/beam.h"
#include "monitor/lifecycle.h"
#include "monitor/policy.h"
#include "monitor/util.h"
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
 * line is printed with the PD's name as a prefix, within a budget of lines
 * per second (output.c); lines over it are counted and dropped. */
struct mon_relay {
	int fd;             /* read end of the PD's pipe; -1 once closed */
	size_t len;         /* bytes of an unfinished line in buf */
	uint64_t window_ms; /* CLOCK_MONOTONIC start of the budget's window */
	uint32_t lines;     /* lines relayed in that window */
	uint64_t dropped;   /* lines dropped and not yet reported */
	char buf[1024];
};

struct mon_pd {
	const struct sdf_pd *sdf;
	enum mon_pd_state state;    /* changed only by mon_pd_set (pd.c) */
	struct sandbox_child child; /* pidfd -1 when not running */
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
	struct ipc_ctl last_fault; /* the PD's own report of this run, if it sent
	                              one (type IPC_CTL_FAULT), else zeroes */
	struct {
		int nr; /* the first call of this run its policy refused,
		           reported by the kernel through the seccomp listener
		           (BEAM PDs): the PD was killed for it; -1: none */
		uint64_t ip;
	} refused;
	struct timespec started;
	unsigned restarts;    /* starts after the first */
	int last_status;      /* wait status of its last exit */
	unsigned long batch;  /* while waiting: the restart batch that starts it */
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
	struct mon_policy policy;  /* supervision: the restart history */
	struct mon_batch *batches; /* restarts waiting for their time (backoff) */
	size_t nbatches;
	unsigned long batch_serial;
	int timer_fd;               /* fires at the first batch's time; -1 */
	bool failed;                /* the root supervisor gave up */
	struct budget_root *budget; /* the system's cgroup; NULL: budgets off */
};

/* Restarts the policy decided for later: the rest of a decision after its
 * MON_ACT_WAIT, carried out at `at` (CLOCK_MONOTONIC ms). */
struct mon_batch {
	unsigned long serial; /* the PDs it starts carry it in mon_pd.batch */
	uint64_t at;
	struct mon_act *acts;
	size_t n;
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

/* supervise.c: carries out the policy's decisions (policy.h). */
int mon_sup_init(struct mon *m);
void mon_sup_free(struct mon *m);
/* PD p ended by itself (not stopped or terminated), or could not be
 * started: restart it, its siblings, or escalate, as its supervisor says;
 * or tell its parent PD.  `how` says how it ended, for its parent. */
void mon_sup_pd_ended(struct mon *m, size_t p, enum mon_end_kind end, const char *how);
/* PD p said it is ready. */
void mon_sup_pd_ready(struct mon *m, size_t p);
/* The timer fired: start what waited for its time. */
void mon_sup_timer(struct mon *m);

/* identity.c: the uid (and gid) PD p runs as: its own when the monitor is
 * root, 0 (the sandbox's default, the monitor's uid) otherwise.  -1 when
 * the system has more PDs than an identity block holds. */
int mon_pd_identity(const struct mon *m, size_t p, uid_t *uid);

/* output.c */
void mon_relay_init(struct mon_relay *r, int fd);
/* Read some of what is there (at most one turn's worth: call again at the
 * next readiness); returns false once the stream has ended. */
bool mon_relay_pump(struct mon *m, const struct mon_pd *pd, struct mon_relay *r);
/* The PD is gone: relay what its pipe holds now, without waiting for an end
 * of file that a descriptor left in flight may never give, then close. */
void mon_relay_end(struct mon *m, const struct mon_pd *pd, struct mon_relay *r);

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
/* Call fn for each kept line of PD pd (of every PD when pd < 0) written
 * after line number `since` (0: all kept; h->seq numbers the last line
 * written), in the order they were written. */
void mon_history_each(const struct mon_history *h, long pd, uint64_t since,
                      void (*fn)(void *arg, size_t pd, const char *text), void *arg);
/* Log a MON|FAULT line and keep it for `cordon faults`. */
void mon_fault(struct mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* pd.c: one PD's life, as lifecycle.h allows it.  Nothing here decides
 * what happens next: that is supervise.c's. */
/* The one place a PD's state changes; its channel end pages follow it
 * (up before a start, down once it is gone).  -1 (logged) if refused. */
int mon_pd_set(struct mon *m, size_t p, enum mon_pd_event ev);
/* Mark every PD's end pages up, from the system's first instant. */
void mon_pd_ends_boot(struct mon *m);
int mon_pd_start(struct mon *m, size_t pd);
/* Stop PD p on purpose: no supervisor starts it again.  True if it ran. */
bool mon_pd_stop(struct mon *m, size_t pd);
/* Kill and reap PD p for its supervisor: neither a fault nor a stop. */
void mon_pd_terminate(struct mon *m, size_t pd);
/* Kill every PD that runs, then reap them all, silently. */
void mon_pd_terminate_all(struct mon *m);
/* PD p's pidfd fired: reap it, relay the last of its output, log how it
 * ended.  True when it ended by itself (*end says how; how is the text):
 * its supervisor must decide. */
bool mon_pd_reap(struct mon *m, size_t p, enum mon_end_kind *end, char *how, size_t len);
long mon_pd_find(const struct mon *m, const char *name);
/* Queue a control message for PD `p` and bump its monitor page.  Returns 0,
 * or -1 (logged) when the PD is not running or does not read them. */
int mon_pd_tell(struct mon *m, size_t p, const struct ipc_ctl *c);
/* Format how a PD ended ("signal=SIGSEGV addr=0x0 ip=0x4011d6", "exit=3",
 * "seccomp syscall=socket") from its wait status and its own report. */
void mon_pd_describe_end(const struct mon_pd *mp, int status, char *buf, size_t len);
/* Add fd to the loop's epoll set; what it is about in the high half. */
enum mon_ev_kind {
	MON_EV_SIGNAL = 1,
	MON_EV_EXIT,
	MON_EV_OUT,
	MON_EV_ERR,
	MON_EV_CTL,
	MON_EV_ADMIN,
	MON_EV_REFUSED,
	MON_EV_TIMER
};
int mon_watch(struct mon *m, int fd, enum mon_ev_kind kind, size_t pd);

/* ctl.c: what a PD says to the monitor (control messages, and calls its
 * policy refused), all untrusted input. */
void mon_ctl_readable(struct mon *m, size_t p);
void mon_ctl_refused_call(struct mon *m, size_t p);

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
