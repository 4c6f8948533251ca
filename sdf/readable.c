/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Can the PD's user read what the description hands it?  When cordon runs
 * as root, every PD runs as nobody (uid and gid 65534, no supplementary
 * groups: sandbox/spawn.c), and a program image or BEAM application that
 * nobody may not use fails only at run time, inside the PD, as "exec:
 * Permission denied" or a BEAM that cannot load its code.  Said here
 * instead, at check time, with the element's file:line and a chmod hint.
 *
 * Only the named file or tree counts: the directories above it are not in
 * the PD's root, which gets fresh ones (mode 0755) in its own tmpfs.  The
 * mode bits are read as the kernel applies them (owner, else group, else
 * other); ACLs are not.  A cordon that does not run as root starts its PDs
 * under its own uid, which could read these files to check them.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdf/internal.h"

#define NOBODY    65534 /* sandbox/spawn.c */
#define MAX_DEPTH 32    /* deeper than any application tree */

/* The permission bits (4 r, 2 w, 1 x) nobody has on a file. */
static unsigned nobody_bits(const struct stat *st)
{
	if (st->st_uid == NOBODY)
		return (st->st_mode >> 6) & 7;
	if (st->st_gid == NOBODY)
		return (st->st_mode >> 3) & 7;
	return st->st_mode & 7;
}

void sdf_check_image_readable(struct build *b, int line, const char *path)
{
	struct stat st;

	if (geteuid() != 0 || stat(path, &st) < 0 || (nobody_bits(&st) & 1))
		return;
	diag_error(b->diag, b->sys->path, line, "program_image", "chmod o+x (or a+rx) the file",
	           "'%s' is not executable by nobody, the user PDs run as when cordon runs as "
	           "root",
	           path);
}

/* The first file or directory under dir (inclusive) that nobody cannot
 * read (and, for a directory, enter), into bad; false when there is none. */
static bool unreadable(const char *dir, int depth, char *bad, size_t len)
{
	struct stat st;
	bool found = false;

	if (lstat(dir, &st) < 0 || depth > MAX_DEPTH)
		return false;
	if (S_ISREG(st.st_mode) && !(nobody_bits(&st) & 4))
		found = true;
	if (!S_ISDIR(st.st_mode) || found) {
		if (found)
			snprintf(bad, len, "%s", dir);
		return found;
	}
	if ((nobody_bits(&st) & 5) != 5) {
		snprintf(bad, len, "%s", dir);
		return true;
	}
	DIR *d = opendir(dir);
	if (!d)
		return false;
	for (struct dirent *e; !found && (e = readdir(d));) {
		char sub[PATH_MAX];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= sizeof(sub))
			continue;
		found = unreadable(sub, depth + 1, bad, len);
	}
	closedir(d);
	return found;
}

void sdf_check_beam_readable(struct build *b, int line, const char *dir)
{
	char bad[PATH_MAX], hint[PATH_MAX + 32];

	if (geteuid() != 0 || !unreadable(dir, 0, bad, sizeof(bad)))
		return;
	snprintf(hint, sizeof(hint), "chmod -R a+rX %s", dir);
	diag_error(b->diag, b->sys->path, line, "beam_app", hint,
	           "'%s' is not readable by nobody, the user BEAM PDs run as when cordon runs "
	           "as root",
	           bad);
}
