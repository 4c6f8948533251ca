/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pd-bench internals: what a PD's life costs.  start.c times starting a PD
 * (plain fork+exec, and sandbox_spawn with and without seccomp), seccomp.c
 * times the seccomp filter on the protected-call path, recovery.c times a
 * kill -9 of a PD under `cordon run` until it serves calls again, and
 * pdmain.c runs them interleaved and reports.  Results use the ipc-bench
 * harness (bench.h): one sample per measured start or kill.
 */
#ifndef CORDON_BENCH_PD_H
#define CORDON_BENCH_PD_H

#include "bench/bench.h"

/* Where the programs are: derived from pd-bench's own path in the build
 * directory ($(B)/bench/pd-bench), unless options named them. */
struct paths {
	char cordon[4096]; /* $(B)/bin/cordon */
	char pd_dir[4096]; /* $(B)/bench/pd: server.elf, client.elf, recovery.system */
	char server[4096]; /* $(B)/bench/pd/server.elf */
	char system[4096]; /* $(B)/bench/pd/recovery.system */
};

/* ---- start.c ---- */

/* The start-time figures, one result each (ids in start.c). */
enum start_fig {
	ST_FORK_EXEC,  /* fork + execve until it exits */
	ST_NONE,       /* sandbox_spawn, SANDBOX_POLICY_NONE, until it exits */
	ST_NATIVE,     /* sandbox_spawn, SANDBOX_POLICY_NATIVE, until it exits */
	ST_NONE_SPAWN, /* ... until sandbox_spawn returned (the exec happened) */
	ST_NATIVE_SPAWN,
	ST_DEPS,   /* sandbox_elf_deps of the program (done by every spawn) */
	ST_POLICY, /* policy_compile(SANDBOX_POLICY_NATIVE) (done by every spawn) */
	ST_COUNT,
};

struct start {
	const char *program;
	int null_fd;
	struct result r[ST_COUNT];
};

void start_init(struct start *s, const char *program);
/* One sample of every start figure; `turn` rotates their order, so no
 * figure always runs right after the same other one. */
void start_round(struct start *s, unsigned turn);
void start_fini(struct start *s);

/* ---- seccomp.c ---- */

/* Appends the seccomp figures of one round to *out (ids in seccomp.c). */
void bench_seccomp(const struct opts *o, bool two_cpus, struct result **out, size_t *n);

/* ---- recovery.c ---- */

/* Events of one recovery, as ns after the kill (0: not seen). */
enum rec_ev {
	EV_DOWN,    /* the client's peer_down() ran */
	EV_FAULT,   /* the bench read MON|FAULT for the server */
	EV_STARTED, /* the bench read MON|INFO: pd=server started */
	EV_CTOR,    /* the server's constructor ran */
	EV_INIT,    /* the server's init() ran */
	EV_SERVED,  /* the client's call returned served */
	EV_COUNT,
};

struct recovery;
/* Boot bench/recovery.system under `cordon run`; returns once the client
 * has been served once. */
struct recovery *recovery_start(const struct paths *p);
/* kill -9 the server; return once the client is served by its next
 * incarnation, with each event's time after the kill in ev. */
void recovery_kill(struct recovery *rc, double ev[EV_COUNT]);
/* SIGTERM the monitor, check it stopped cleanly, clean up. */
void recovery_stop(struct recovery *rc);

#endif
