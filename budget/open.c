/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * budget_open/budget_close: find a usable hierarchy and make the system's
 * cgroup in it.
 *
 * Where: always below the caller's own cgroup in each hierarchy (read from
 * /proc/self/cgroup and located through /proc/self/mountinfo), so what
 * confines the monitor confines its PDs, and an unprivileged monitor needs
 * only a delegated subtree.
 *
 * cgroup v2 has the "no internal processes" rule: a cgroup other than the
 * root cannot both hold processes and hand controllers to its children.  A
 * delegated cgroup (systemd-run --scope -p Delegate=yes) holds the monitor
 * itself, so when enabling the controllers there fails with EBUSY the
 * monitor moves itself into a leaf beside the system's cgroup and tries
 * again, as systemd's delegation rules ask; budget_close moves it back.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budget/internal.h"

static const char *const ctrl_names[] = {"memory", "cpu", "pids", "cpuacct"};

/* Is `tok` one of the comma-separated words of `list`? */
static bool has_word(const char *list, const char *tok, char sep)
{
	size_t n = strlen(tok);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, sep);
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, tok, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* mountinfo escapes blanks as \040 and so on. */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* The mount of a cgroup hierarchy: fstype "cgroup2" (ctrl NULL), or
 * "cgroup" with `ctrl` among its super options.  Fills its mount point and
 * the cgroup path it shows (its root). */
static int find_mount(const char *mountinfo, const char *ctrl, char *mnt, char *mroot, size_t len)
{
	FILE *f = fopen(mountinfo, "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		char *save = NULL, *field[6];
		int i = 0;
		for (char *t = line; i < 6 && (t = strtok_r(i ? NULL : line, " \n", &save));)
			field[i++] = t;
		if (i < 6)
			continue;
		char *rest = strtok_r(NULL, "\n", &save);
		char *dash = !rest ? NULL : !strncmp(rest, "- ", 2) ? rest : strstr(rest, " - ");
		if (!dash)
			continue;
		if (*dash == ' ')
			dash++;
		char *s2 = NULL;
		char *fstype = strtok_r(dash + 2, " ", &s2);
		strtok_r(NULL, " ", &s2); /* source */
		char *opts = strtok_r(NULL, " ", &s2);
		if (!fstype)
			continue;
		if (ctrl ? strcmp(fstype, "cgroup") || !opts || !has_word(opts, ctrl, ',')
		         : strcmp(fstype, "cgroup2"))
			continue;
		unescape(field[3]);
		unescape(field[4]);
		snprintf(mroot, len, "%s", field[3]);
		snprintf(mnt, len, "%s", field[4]);
		rc = 0;
	}
	fclose(f);
	return rc;
}

/* The caller's cgroup path in the hierarchy of `ctrl` (NULL: v2's "0::"). */
static int own_path(const char *self, const char *ctrl, char *path, size_t len)
{
	FILE *f = fopen(self, "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		bool match = ctrl ? has_word(c1 + 1, ctrl, ',') : (!strcmp(line, "0") && !c1[1]);
		if (match) {
			snprintf(path, len, "%s", c2 + 1);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* The caller's cgroup directory: mount point + (own path below the mount's
 * root). */
static int own_dir(const struct budget_where *w, const char *ctrl, char *dir, size_t len, char *why,
                   size_t whylen)
{
	char mnt[PATH_MAX], mroot[PATH_MAX], path[PATH_MAX];
	const char *label = ctrl ? ctrl : "cgroup2";
	int e = find_mount(w->mountinfo, ctrl, mnt, mroot, sizeof(mnt));
	if (e < 0)
		return budget_fail(why, whylen, e, "no %s hierarchy mounted", label);
	e = own_path(w->self_cgroup, ctrl, path, sizeof(path));
	if (e < 0)
		return budget_fail(why, whylen, e, "%s: this process is in no %s cgroup",
		                   w->self_cgroup, label);
	size_t rl = strlen(mroot);
	const char *rel = path;
	if (strcmp(mroot, "/")) {
		if (strncmp(path, mroot, rl) || (path[rl] && path[rl] != '/'))
			return budget_fail(why, whylen, -ENOENT,
			                   "this process's %s cgroup %s is outside the mount at %s",
			                   label, path, mnt);
		rel = path + rl;
	}
	if ((size_t)snprintf(dir, len, "%s%s", mnt, rel) >= len)
		return budget_fail(why, whylen, -ENAMETOOLONG, "%s%s: path too long", mnt, rel);
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dir[--dl] = '\0';
	if (access(dir, W_OK) < 0)
		return budget_fail(why, whylen, -errno,
		                   "%s: %s (needs root, or a delegated cgroup owned by uid %u)",
		                   dir, strerror(errno), (unsigned)geteuid());
	return 0;
}

/* Remove a cgroup directory and the (empty) cgroups below it. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (de->d_type == DT_DIR && de->d_name[0] != '.') {
				char sub[PATH_MAX];
				if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) <
				    sizeof(sub))
					remove_tree(sub);
			}
		closedir(d);
	}
	budget_os.rmdir(dir);
}

/* When process pid started, in clock ticks after boot (/proc/PID/stat's
 * 22nd field); -errno when it does not exist. */
static int start_time(long pid, unsigned long long *ticks)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	int e = bfile_read(path, "stat", buf, sizeof(buf));
	if (e < 0)
		return e;
	/* The command name, in parentheses, may hold blanks and ')'. */
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", ticks) != 1)
		return -EINVAL;
	return 0;
}

int budget_owner_name(char *buf, size_t len)
{
	unsigned long long ticks;
	int e = start_time((long)getpid(), &ticks);
	if (e < 0)
		return e;
	if ((size_t)snprintf(buf, len, "cordon-%ld-%llu", (long)getpid(), ticks) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Is the monitor that named a cgroup `cordon-<pid>[-<start>][.monitor]`
 * provably gone?  A pid alone (an older monitor's name) only says a
 * process of that number exists now, maybe another; with its start time
 * the owner is that one process, so another monitor started meanwhile (or
 * a reused pid) never counts as it.  Names of another shape are never
 * ours to remove. */
static bool owner_dead(const char *name)
{
	if (strncmp(name, "cordon-", 7))
		return false;
	char *end;
	long pid = strtol(name + 7, &end, 10);
	if (end == name + 7 || pid <= 0)
		return false;
	unsigned long long start = 0, now;
	bool timed = *end == '-';
	if (timed) {
		const char *t = end + 1;
		start = strtoull(t, &end, 10);
		if (end == t)
			return false;
	}
	if (*end && strcmp(end, ".monitor"))
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return true;
	return timed && start_time(pid, &now) == 0 && now != start;
}

/* The cgroups of monitors no longer running. */
static void remove_stale(const char *own)
{
	DIR *d = opendir(own);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !owner_dead(de->d_name))
			continue;
		char sub[PATH_MAX];
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", own, de->d_name) < sizeof(sub))
			remove_tree(sub);
	}
	closedir(d);
}

static int make_sys(struct hier *h, const char *name, char *why, size_t whylen)
{
	if ((size_t)snprintf(h->sys, sizeof(h->sys), "%s/%s", h->own, name) >= sizeof(h->sys))
		return budget_fail(why, whylen, -ENAMETOOLONG, "%s/%s: path too long", h->own,
		                   name);
	remove_stale(h->own);
	if (budget_os.mkdir(h->sys, 0755) < 0) {
		int e = -errno;
		h->sys[0] = '\0';
		return budget_fail(why, whylen, e, "mkdir %s/%s: %s", h->own, name, strerror(-e));
	}
	return 0;
}

/* Controllers of `want` ("memory cpu pids") missing from the list in
 * dir/file, as "+memory +pids"; "" when none. */
static void missing(const char *dir, const char *file, char *out, size_t len, const char *sign)
{
	char have[512] = "";
	bfile_read(dir, file, have, sizeof(have));
	have[strcspn(have, "\n")] = '\0';
	out[0] = '\0';
	for (int i = 0; i < 3; i++)
		if (!has_word(have, ctrl_names[i], ' ')) {
			size_t n = strlen(out);
			snprintf(out + n, len - n, "%s%s%s", n ? " " : "", sign, ctrl_names[i]);
		}
}

static int move_self(const char *dir)
{
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return bfile_write(dir, "cgroup.procs", pid);
}

static int open_v2(struct budget_root *r, const char *name, const struct budget_where *w, char *why,
                   size_t whylen)
{
	struct hier *h = &r->h[0];
	char need[64], add[64];
	int e = own_dir(w, NULL, h->own, sizeof(h->own), why, whylen);
	if (e < 0)
		return e;
	missing(h->own, "cgroup.controllers", need, sizeof(need), "");
	if (need[0]) {
		char have[256] = "";
		bfile_read(h->own, "cgroup.controllers", have, sizeof(have));
		have[strcspn(have, "\n")] = '\0';
		return budget_fail(
		    why, whylen, -EOPNOTSUPP,
		    "%s offers the controllers '%s', without %s (bound to cgroup v1, "
		    "or not delegated)",
		    h->own, have, need);
	}
	missing(h->own, "cgroup.subtree_control", add, sizeof(add), "+");
	if (add[0] && (e = bfile_write(h->own, "cgroup.subtree_control", add)) == -EBUSY) {
		/* The monitor's own cgroup holds processes: move into a leaf. */
		if ((size_t)snprintf(r->leaf, sizeof(r->leaf), "%s/%s.monitor", h->own, name) >=
		    sizeof(r->leaf))
			return budget_fail(why, whylen, -ENAMETOOLONG, "%s: path too long", h->own);
		remove_stale(h->own);
		if (budget_os.mkdir(r->leaf, 0755) < 0 || (e = move_self(r->leaf)) < 0) {
			e = e < 0 ? e : -errno;
			budget_os.rmdir(r->leaf);
			r->leaf[0] = '\0';
			return budget_fail(why, whylen, e,
			                   "%s: cannot move the monitor into a leaf: %s", h->own,
			                   strerror(-e));
		}
		e = bfile_write(h->own, "cgroup.subtree_control", add);
	}
	if (add[0] && e < 0)
		return budget_fail(
		    why, whylen, e, "cannot enable %s in %s/cgroup.subtree_control: %s%s", add,
		    h->own, strerror(-e),
		    e == -EBUSY ? " (other processes share the monitor's cgroup; run "
		                  "it in its own, e.g. systemd-run --scope -p Delegate=yes)"
		                : "");
	snprintf(r->enabled, sizeof(r->enabled), "%s", add);
	h->ctrl = CTRL_MEMORY | CTRL_CPU | CTRL_PIDS | CTRL_CPUACCT;
	r->nh = 1;
	if ((e = make_sys(h, name, why, whylen)) < 0)
		return e;
	if ((e = bfile_write(h->sys, "cgroup.subtree_control", "+memory +cpu +pids")) < 0)
		return budget_fail(why, whylen, e, "%s/cgroup.subtree_control: %s", h->sys,
		                   strerror(-e));
	return 0;
}

static int open_v1(struct budget_root *r, const char *name, const struct budget_where *w, char *why,
                   size_t whylen)
{
	/* cpuacct gives only usage: used when it shares cpu's hierarchy, never
	 * joined on its own (every hierarchy joined is one more attach per
	 * start, and attaching can be slow on a busy machine). */
	for (int i = 0; i < 3; i++) {
		char dir[PATH_MAX], sub[512];
		int e = own_dir(w, ctrl_names[i], dir, sizeof(dir), sub, sizeof(sub));
		if (e < 0)
			return budget_fail(why, whylen, e, "%s", sub);
		size_t j = 0;
		while (j < r->nh && strcmp(r->h[j].own, dir))
			j++;
		if (j == r->nh) {
			snprintf(r->h[j].own, sizeof(r->h[j].own), "%s", dir);
			r->nh++;
		}
		r->h[j].ctrl |= 1u << i;
		if (i == 1 && bfile_exists(dir, "cpuacct.usage"))
			r->h[j].ctrl |= CTRL_CPUACCT;
	}
	for (size_t j = 0; j < r->nh; j++) {
		int e = make_sys(&r->h[j], name, why, whylen);
		if (e < 0)
			return e;
	}
	return 0;
}

/* Undo what open did, whatever point it reached. */
static void undo(struct budget_root *r)
{
	for (size_t j = 0; j < r->nh; j++)
		if (r->h[j].sys[0])
			budget_os.rmdir(r->h[j].sys);
	if (r->leaf[0]) {
		/* Controllers enabled in `own` forbid processes there: drop
		 * ours first.  Fails if another system uses them; then the
		 * monitor stays in its leaf, removed as stale once it exits. */
		char off[64];
		snprintf(off, sizeof(off), "%s", r->enabled);
		for (char *p = off; *p; p++)
			if (*p == '+')
				*p = '-';
		if ((!off[0] || bfile_write(r->h[0].own, "cgroup.subtree_control", off) == 0) &&
		    move_self(r->h[0].own) == 0)
			budget_os.rmdir(r->leaf);
	}
	memset(r, 0, sizeof(*r));
}

int budget_open(const char *name, const struct budget_where *where, struct budget_root **out,
                char *why, size_t whylen)
{
	struct budget_where w = {"/proc/self/mountinfo", "/proc/self/cgroup", 0};
	char why2[512] = "", why1[512] = "";
	int e;

	*out = NULL;
	if (where) {
		w.mountinfo = where->mountinfo ? where->mountinfo : w.mountinfo;
		w.self_cgroup = where->self_cgroup ? where->self_cgroup : w.self_cgroup;
		w.no_v2 = where->no_v2;
	}
	if (!name || !name[0] || strchr(name, '/') || name[0] == '.')
		return budget_fail(why, whylen, -EINVAL, "bad cgroup name '%s'", name ? name : "");
	struct budget_root *r = calloc(1, sizeof(*r));
	if (!r)
		return budget_fail(why, whylen, -ENOMEM, "out of memory");
	if (w.no_v2) {
		snprintf(why2, sizeof(why2), "not tried");
	} else if ((e = open_v2(r, name, &w, why2, sizeof(why2))) == 0) {
		r->mode = BUDGET_V2;
		*out = r;
		return 0;
	}
	undo(r);
	if ((e = open_v1(r, name, &w, why1, sizeof(why1))) == 0) {
		r->mode = BUDGET_V1;
		*out = r;
		return 0;
	}
	undo(r);
	free(r);
	return budget_fail(why, whylen, e, "cgroup v2: %s; cgroup v1: %s", why2, why1);
}

enum budget_mode budget_mode(const struct budget_root *root)
{
	return root ? root->mode : BUDGET_OFF;
}

const char *budget_mode_name(enum budget_mode mode)
{
	switch (mode) {
	case BUDGET_V1:
		return "cgroup v1";
	case BUDGET_V2:
		return "cgroup v2";
	default:
		return "off";
	}
}

const char *budget_dir(const struct budget_root *root, size_t i)
{
	return root && i < root->nh ? root->h[i].sys : NULL;
}

void budget_close(struct budget_root *root)
{
	if (!root)
		return;
	undo(root);
	free(root);
}
