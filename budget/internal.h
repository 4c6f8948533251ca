/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to budget/. */
#ifndef CORDON_BUDGET_INTERNAL_H
#define CORDON_BUDGET_INTERNAL_H

#include <limits.h>
#include <stdbool.h>

#include "budget/budget.h"
#include "util/why.h"

/* Every file-system call the library makes on a cgroup tree, replaceable
 * so the unit test can run the v2 and v1 logic on a plain directory (where
 * control files must be created and a directory emptied before rmdir). */
struct budget_os {
	int (*openat)(int dirfd, const char *path, int flags, mode_t mode);
	int (*mkdir)(const char *path, mode_t mode);
	int (*rmdir)(const char *path);
};
extern struct budget_os budget_os;

#define BUDGET_MAX_HIER 4 /* v1: memory, cpu, pids, cpuacct */

/* One hierarchy the library works in. */
struct hier {
	char own[PATH_MAX]; /* the caller's own cgroup's directory in it */
	char sys[PATH_MAX]; /* the system's cgroup: own/<name> */
	unsigned ctrl;      /* CTRL_* it carries (v1), all of them (v2) */
};

enum { CTRL_MEMORY = 1, CTRL_CPU = 2, CTRL_PIDS = 4, CTRL_CPUACCT = 8 };

struct budget_root {
	enum budget_mode mode;
	struct hier h[BUDGET_MAX_HIER];
	size_t nh;
	/* v2 only: what budget_open changed in `own`, to undo at close. */
	char enabled[64];    /* controllers it enabled in own's subtree_control */
	char leaf[PATH_MAX]; /* the leaf the caller moved itself into, or "" */
};

struct budget_cg {
	struct budget_root *root;
	char dir[BUDGET_MAX_HIER][PATH_MAX];
};

/* files.c: small, whole-file reads and writes of control files. */
int bfile_write(const char *dir, const char *file, const char *text);
/* Read up to len-1 bytes, NUL-terminated. */
int bfile_read(const char *dir, const char *file, char *buf, size_t len);
/* The number after `key ` on a line of a "key value" file. */
int bfile_key(const char *dir, const char *file, const char *key, uint64_t *v);
bool bfile_exists(const char *dir, const char *file);
/* Write a message into why and return err, or -EIO when err is not a
 * -errno (a caller's defensive default). */
#define budget_fail(why, whylen, err, ...)                                                         \
	why_fail((why), (whylen), (err) < 0 ? (err) : -EIO, __VA_ARGS__)

#endif
