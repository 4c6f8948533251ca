/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdf internals: shared between parse.c, validate.c, elf.c, summary.c, sdf.c.
 *
 * sdf_load() runs in three passes, each reporting every problem it finds:
 *   parse.c     XML -> struct sdf_system plus the raw names in struct build
 *               (elements, attributes, numbers, per-element ranges);
 *   validate.c  cross references (names -> indices) and whole-system rules;
 *   elf.c       program images: search, file kind, ELF header, setvar symbols.
 * A pass that depends on an earlier one skips what the earlier one rejected,
 * so one mistake produces one error, not a cascade.
 */
#ifndef CORDON_SDF_INTERNAL_H
#define CORDON_SDF_INTERNAL_H

#include <stdarg.h>

#include "sdf/sdf.h"

/* Linux limits a map must respect: below mmap_min_addr's usual value the
 * kernel refuses mappings; above TASK_SIZE (x86_64, 4-level page tables)
 * there is no user address space. */
#define SDF_PAGE_SIZE         4096u
#define SDF_VADDR_MIN         0x10000ull
#define SDF_VADDR_LIMIT       0x7ffffffff000ull
#define SDF_STACK_MIN         0x1000ull
#define SDF_STACK_MAX         (16ull << 20)
#define SDF_BUDGET_DEFAULT    1000ull
#define SDF_PRIORITY_DEFAULT  0u
#define SDF_FILE_MAX          (16u << 20)         /* largest description we read */
#define SDF_ROOT_SUPERVISOR   "root"              /* sups[0]: not nameable in a description */
#define SDF_SUP_INTENSITY_MAX 1000000u            /* the monitor keeps intensity+1 times */
#define SDF_SUP_PERIOD_MS_MAX (86400000ull * 366) /* a year */
#define SDF_MEMORY_LIMIT_MIN  (1ull << 20)        /* below this a PD cannot even start */
#define SDF_TASKS_MAX         4194304u            /* Linux's PID_MAX_LIMIT */
#define SDF_BACKLOG_DEFAULT   128u                /* <grant backlog> */
#define SDF_BACKLOG_MAX       65535u              /* Linux caps it at net.core.somaxconn */

/* What parse.c knows that the public structures do not hold.  Each array
 * parallel to a public one grows with it (parse.c's grow2), under one
 * capacity. */
struct build_map {
	char *mr; /* the mr attribute as written (or NULL) */
	bool ok;  /* parsed cleanly, worth validating */
};

struct build_pd {
	char *image; /* <program_image path>, as written, or NULL */
	int image_line;
	char *beam_path; /* <beam_app path>, as written, or NULL */
	int beam_line;
	struct build_map *maps; /* parallel to sys->pds[].maps */
	size_t cap_maps;        /* of both */
	bool *grant_ok;         /* per grant: parsed cleanly, worth validating */
	size_t cap_grants;
	int limits_line; /* line of its <limits>, or 0 */
	bool name_ok;    /* name present and valid */
	bool ok;         /* no error inside this PD's own element */
};

struct build_channel {
	char *pd[2]; /* end pd names as written */
	bool ok;     /* two ends, every attribute valid */
};

struct build {
	struct sdf_diag *diag;
	struct sdf_system *sys;
	int system_line;
	struct build_pd *bpd; /* parallel to sys->pds */
	size_t cap_pds;
	struct build_channel *bch; /* parallel to sys->channels */
	size_t cap_channels;
	size_t cap_regions;
	bool *region_ok; /* parallel to sys->regions */
	size_t cap_sups;
	size_t *cap_children; /* parallel to sys->sups */
};

/* diag.c: print "FILE:LINE: error: <ELEM>: message" and "  hint: ...".
 * line <= 0 leaves out the line, elem NULL leaves out the element. */
void diag_error(struct sdf_diag *d, const char *file, int line, const char *elem, const char *hint,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_warning(struct sdf_diag *d, const char *file, int line, const char *elem,
                  const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* parse.c: 1 when <system> was walked (later passes make sense), 0 when the
 * document was unusable (reported), -1 out of memory. */
int sdf_parse(struct build *b);
/* Numbers as Microkit writes them: decimal or 0x hex, '_' between digits.
 * 0 on success, -1 not a number, -2 negative, -3 does not fit 64 bits. */
int sdf_parse_u64(const char *s, uint64_t *out);

/* validate.c */
void sdf_validate(struct build *b);

/* elf.c */
void sdf_check_programs(struct build *b, const char *const *search);

/* beam.c: <beam_app> directories, their ebins and app files, and the
 * Erlang runtime they run on. */
void sdf_check_beam(struct build *b, const char *const *search);
/* elf.c: a file or directory named in the description: absolute as it is,
 * relative in the description's directory, then on the search path in
 * order; malloc'd, or NULL.  sdf_not_found_hint writes the hint for one that
 * is not found: every place searched, in that order. */
char *sdf_find_path(struct build *b, const char *path, const char *const *search);
void sdf_not_found_hint(struct build *b, const char *path, const char *const *search,
                        const char *what, char *hint, size_t len);

/* appfile.c: the applications (and included applications) the .app file
 * `text` names, as malloc'd strings.  0, -1 out of memory, -2 not an
 * application resource file.  Free with sdf_app_deps_free. */
int sdf_app_deps(const char *text, char ***names, size_t *n);
void sdf_app_deps_free(char **names, size_t n);

/* readable.c: when cordon runs as root, PDs run as nobody: an error at
 * `line` if nobody cannot execute the program image at `path`, or cannot
 * read every file and enter every directory of the application tree `dir`. */
void sdf_check_image_readable(struct build *b, int line, const char *path);
void sdf_check_beam_readable(struct build *b, int line, const char *dir);

/* summary.c */
void sdf_format_size(uint64_t bytes, char *buf, size_t len);

#endif
