/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdf — system descriptions: parse, validate, and the plan they produce.
 *
 *     struct sdf_diag diag = SDF_DIAG_INIT(stderr);
 *     struct sdf_system *sys = sdf_load("foo.system", search_dirs, &diag);
 *     if (!sys) { ... diag.errors > 0; each was printed as it was found ... }
 *     ... use sys->pds, sys->channels, sys->regions ...
 *     sdf_free(sys);
 *
 * The format is seL4 Microkit's SDF plus Cordon's additions, documented in
 * docs/system-description.md.  sdf_load() parses with libxml2, resolves every
 * name to an index, checks every rule, and returns a plan only when there is
 * no error: nothing downstream needs to re-check the description.
 *
 * Diagnostics are printed as they are found, in the form
 *
 *     FILE:LINE: error: <element>: what is wrong
 *       hint: what to do
 *
 * (or "warning:"), so the first line alone is grep-able and stable for tests.
 */
#ifndef CORDON_SDF_H
#define CORDON_SDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SDF_MAX_CHANNEL_ID 62
#define SDF_MAX_PRIORITY   254
#define SDF_NAME_MAX       63 /* bytes, without the NUL (fits IPC_NAME_MAX) */

struct sdf_diag {
	FILE *out; /* where diagnostics go; NULL: nowhere */
	unsigned errors;
	unsigned warnings;
};
#define SDF_DIAG_INIT(f)                                                                           \
	{                                                                                          \
		(f), 0, 0                                                                          \
	}

struct sdf_loc {
	const char *file; /* points into struct sdf_system */
	int line;
};

enum sdf_pd_kind {
	SDF_PD_NATIVE = 0, /* an ELF linked with libcordon */
	SDF_PD_BEAM,       /* an Erlang/Elixir application on the BEAM (<beam_app>) */
};

struct sdf_region { /* <memory_region> */
	char *name;
	uint64_t size;      /* bytes, multiple of page_size */
	uint64_t page_size; /* 4096 (Linux pages) */
	struct sdf_loc loc;
	bool clear_on_restart; /* zero it when a PD that maps it is restarted
	                          (Cordon extension; default false) */
};

/* A grant (Cordon extension): authority beyond channels and regions that
 * the monitor opens and hands in as a descriptor. */
enum sdf_grant_type {
	SDF_GRANT_TCP_LISTEN = 1, /* a bound, listening TCP socket */
};

#define SDF_ADDRESS_MAX 46 /* INET6_ADDRSTRLEN */

/* <grant> inside a <protection_domain> */
struct sdf_grant {
	char *name;                    /* unique in its PD */
	enum sdf_grant_type type;      /* what the monitor opens */
	bool ipv6;                     /* the address is IPv6 (else IPv4) */
	uint8_t addr[16];              /* the address, network order (4 bytes for IPv4) */
	char address[SDF_ADDRESS_MAX]; /* the address in canonical text form */
	uint16_t port;                 /* 1..65535 */
	unsigned backlog;              /* listen() backlog */
	struct sdf_loc loc;
};

struct sdf_map {             /* <map> inside a <protection_domain> */
	size_t region;       /* index into sdf_system.regions */
	uint64_t vaddr;      /* page aligned */
	unsigned perms;      /* IPC_PERM_R|W|X */
	char *setvar_vaddr;  /* symbol to set to vaddr, or NULL */
	uint64_t setvar_off; /* the symbol's offset from the load bias
	                        (resolved from the ELF by sdf_load) */
	struct sdf_loc loc;
};

/* Supervision (Cordon extension), with Erlang/OTP's meanings. */
enum sdf_strategy {
	SDF_STRATEGY_ONE_FOR_ONE = 0, /* restart only the child that ended */
	SDF_STRATEGY_ONE_FOR_ALL,     /* stop all children, restart them all */
	SDF_STRATEGY_REST_FOR_ONE,    /* restart it and the children after it */
};

enum sdf_restart {
	SDF_RESTART_PERMANENT = 0, /* always restarted (the default) */
	SDF_RESTART_TRANSIENT,     /* restarted only if it ended abnormally */
	SDF_RESTART_TEMPORARY,     /* never restarted */
};

struct sdf_child { /* one child of a supervisor */
	bool is_supervisor;
	size_t index; /* into sdf_system.sups if is_supervisor, else .pds */
};

struct sdf_supervisor { /* <supervisor>, or the implicit root */
	char *name;     /* "root" for sups[0] */
	enum sdf_strategy strategy;
	unsigned intensity;         /* more than this many restarts ... */
	uint64_t period_ms;         /* ... within this many ms: give up, escalate */
	long parent;                /* index into sdf_system.sups; -1 for the root */
	struct sdf_child *children; /* in document order = start order */
	size_t nchildren;
	struct sdf_loc loc; /* the <system> element for the root */
};

#define SDF_SUP_INTENSITY_DEFAULT 3u
#define SDF_SUP_PERIOD_MS_DEFAULT 5000u

/* <protection_domain restart_delay>, milliseconds. */
#define SDF_RESTART_DELAY_MS_DEFAULT 500u
#define SDF_RESTART_DELAY_MS_MAX     60000u

struct sdf_pd { /* <protection_domain> */
	char *name;
	enum sdf_pd_kind kind;
	char *program;      /* absolute path of the program image */
	unsigned priority;  /* 0..254, default 0 (Microkit) */
	uint64_t budget_us; /* Microkit budget, microseconds; default 1000 */
	uint64_t period_us; /* Microkit period, microseconds; default = budget */
	bool passive;
	uint64_t stack_size; /* bytes; default 0x1000 as in Microkit */
	long parent;         /* index of the parent PD, or -1 */
	long child_id;       /* id under the parent, or -1 */
	struct sdf_map *maps;
	size_t nmaps;
	struct sdf_loc loc;
	/* Cordon extensions */
	struct sdf_grant *grants; /* <grant>s, in document order */
	size_t ngrants;
	enum sdf_restart restart; /* default permanent; child PDs: permanent,
	                             but their parent PD restarts them */
	long sup;                 /* index into sdf_system.sups of the
	                             supervisor; -1 for child PDs */
	uint64_t memory_limit;    /* <limits memory>, bytes; 0: no limit */
	unsigned max_tasks;       /* <limits tasks>, processes + threads;
	                             0: the sandbox's default */
	/* restart_delay: the wait before a restart after a failed start,
	 * doubled at each consecutive one (docs/recovery.md) */
	uint64_t restart_delay_ms;
	/* SDF_PD_BEAM only (<beam_app>); `program` is then the runtime's
	 * beam.smp, found under SDF_ERLANG_ROOT */
	char *beam_dir;    /* <beam_app path>: absolute, resolved directory */
	char *beam_app;    /* <beam_app app>: the OTP application to start */
	char **beam_ebins; /* absolute ebin directories under beam_dir, sorted */
	size_t nbeam_ebins;
	bool beam_elixir; /* some module is Elixir's (Elixir.*.beam): the PD
	                     also gets SDF_ELIXIR_LIB */
};

/* Where a BEAM PD's runtime comes from (Debian's erlang-base and elixir). */
#define SDF_ERLANG_ROOT "/usr/lib/erlang"
#define SDF_ELIXIR_LIB  "/usr/lib/elixir/lib"

struct sdf_end {
	size_t pd;           /* index into sdf_system.pds */
	unsigned id;         /* 0..62 */
	bool pp;             /* this end may ppcall the other end (Microkit) */
	bool notify;         /* this end may notify the other end */
	uint32_t queue_size; /* bytes of a queue from this end to the other,
	                        power of two; 0: none (Cordon extension) */
	struct sdf_loc loc;
};

/* The smallest queue of a distribution link: a ring carries messages of up
 * to half its size, and the VM's distribution fragments are 64 KiB plus a
 * header (atom cache entries), so 256 KiB rings take a whole fragment. */
#define SDF_DIST_QUEUE_MIN 0x40000u

struct sdf_channel { /* <channel> */
	struct sdf_end end[2];
	bool dist; /* dist="true": an Erlang distribution link between two BEAM
	              PDs, over its two queues (full mutual trust) */
	struct sdf_loc loc;
};

struct sdf_system {
	char *path;         /* the description, as given */
	char *dir;          /* its directory: relative paths resolve here */
	struct sdf_pd *pds; /* in document order (parents before children) */
	size_t npds;
	struct sdf_region *regions;
	size_t nregions;
	struct sdf_channel *channels;
	size_t nchannels;
	struct sdf_supervisor *sups; /* [0] is the root; parents before children */
	size_t nsups;                /* at least 1 in a loaded system */
};

/* Parse and validate; NULL (with diag->errors > 0) when the description is
 * not valid.  A relative <program_image> or <beam_app> path is looked up in
 * the description's own directory first, then in each directory of `search`
 * (NULL-terminated; may be NULL) in order; the first existing file wins
 * (Microkit's --search-path, with the description's directory in front).
 * Program images are checked to be loadable ELF files for this machine, and
 * setvar_vaddr symbols are resolved in them. */
struct sdf_system *sdf_load(const char *path, const char *const *search, struct sdf_diag *diag);
void sdf_free(struct sdf_system *sys);

/* Lookups; -1 when absent. */
long sdf_pd_find(const struct sdf_system *sys, const char *name);
long sdf_region_find(const struct sdf_system *sys, const char *name);

/* "one_for_one", "permanent", ...: the names the description uses. */
const char *sdf_strategy_name(enum sdf_strategy s);
const char *sdf_restart_name(enum sdf_restart r);
const char *sdf_grant_type_name(enum sdf_grant_type t);

/* A one-screen summary (PDs, channels, regions), as `cordon check` prints. */
void sdf_print_summary(const struct sdf_system *sys, FILE *out);

#endif
