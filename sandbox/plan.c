/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plan of a PD's root: which directories, symlinks, files and trees the
 * child creates in its empty tmpfs.  Built in the parent (it allocates and
 * looks at the host); the child only walks the finished array.
 *
 * Paths are resolved component by component, the way the kernel will
 * resolve them inside the PD: every symlink met on the way is recorded as a
 * link with the host's target and then followed, so /lib64/ld-linux... gives
 * the link /lib64 -> usr/lib64, the link
 * /usr/lib64/ld-linux-x86-64.so.2 -> ../lib/x86_64-linux-gnu/..., and the
 * file itself, each under its own name.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/internal.h"

#define MAX_LINKS 40 /* as the kernel's MAXSYMLINKS */

static struct plan_entry *find(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0)
			return &p->v[i];
	return NULL;
}

/* Record path as kind, unless it is already there.  A directory first met
 * on the way to something deeper and later asked for as a whole becomes a
 * tree; any other disagreement means the host changed under us. */
static int push(struct plan *p, enum plan_kind kind, const char *path, const char *target,
                char *why, size_t whylen)
{
	struct plan_entry *e = find(p, path);
	if (e) {
		if (e->kind == kind || (e->kind == PLAN_TREE && kind == PLAN_DIR))
			return 0;
		if (e->kind == PLAN_DIR && kind == PLAN_TREE) {
			e->kind = PLAN_TREE;
			return 0;
		}
		return sandbox_fail(why, whylen, -EINVAL,
		                    "%s: changed type while planning the root", path);
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct plan_entry *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return sandbox_fail(why, whylen, -ENOMEM, "out of memory");
		p->v = v;
		p->cap = cap;
	}
	e = &p->v[p->n];
	e->kind = kind;
	e->target = NULL;
	e->path = strdup(path);
	if (target)
		e->target = strdup(target);
	if (!e->path || (target && !e->target)) {
		free(e->path);
		free(e->target);
		return sandbox_fail(why, whylen, -ENOMEM, "out of memory");
	}
	p->n++;
	return 0;
}

/* Append "/" name (len bytes) to cur; cur is "" for the root. */
static int append(char *cur, const char *name, size_t len)
{
	size_t n = strlen(cur);
	if (n + 1 + len >= PATH_MAX)
		return -ENAMETOOLONG;
	cur[n] = '/';
	memcpy(cur + n + 1, name, len);
	cur[n + 1 + len] = '\0';
	return 0;
}

static void drop_last(char *cur)
{
	char *slash = strrchr(cur, '/');
	if (slash)
		*slash = '\0';
}

static int walk(struct plan *p, const char *path, int links, char *why, size_t whylen)
{
	char cur[PATH_MAX] = "";
	const char *s = path;

	if (path[0] != '/')
		return sandbox_fail(why, whylen, -EINVAL, "%s: not an absolute path", path);
	for (;;) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *end = strchrnul(s, '/');
		size_t len = (size_t)(end - s);
		const char *rest = end;
		while (*rest == '/')
			rest++;
		int last = *rest == '\0';

		if (len == 1 && s[0] == '.') {
			s = end;
			continue;
		}
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			drop_last(cur);
			s = end;
			continue;
		}
		if (append(cur, s, len) < 0)
			return sandbox_fail(why, whylen, -ENAMETOOLONG, "%s: path too long", path);
		s = end;

		struct stat st;
		if (lstat(cur, &st) < 0)
			return sandbox_fail(why, whylen, -errno, "%s: %s", cur, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX], next[PATH_MAX];
			ssize_t n = readlink(cur, target, sizeof(target) - 1);
			if (n < 0)
				return sandbox_fail(why, whylen, -errno, "%s: %s", cur,
				                    strerror(errno));
			target[n] = '\0';
			if (links >= MAX_LINKS)
				return sandbox_fail(why, whylen, -ELOOP, "%s: %s", path,
				                    strerror(ELOOP));
			int rc = push(p, PLAN_LINK, cur, target, why, whylen);
			if (rc < 0)
				return rc;
			/* Continue with the target in place of the link. */
			drop_last(cur);
			size_t m = strlen(cur) + strlen(target) + strlen(rest) + 3;
			if (m >= sizeof(next))
				return sandbox_fail(why, whylen, -ENAMETOOLONG, "%s: path too long",
				                    path);
			if (target[0] == '/')
				strcpy(next, target);
			else
				strcat(strcat(strcpy(next, cur), "/"), target);
			if (*rest)
				strcat(strcat(next, "/"), rest);
			return walk(p, next, links + 1, why, whylen);
		}
		int rc;
		if (S_ISDIR(st.st_mode))
			rc = push(p, last ? PLAN_TREE : PLAN_DIR, cur, NULL, why, whylen);
		else if (!last)
			rc = sandbox_fail(why, whylen, -ENOTDIR, "%s: %s", cur, strerror(ENOTDIR));
		else if (S_ISREG(st.st_mode))
			rc = push(p, PLAN_FILE, cur, NULL, why, whylen);
		else
			rc = sandbox_fail(
			    why, whylen, -EINVAL,
			    "%s: only regular files and directories can be given to a PD", cur);
		if (rc < 0)
			return rc;
	}
	if (cur[0] == '\0')
		return sandbox_fail(why, whylen, -EINVAL,
		                    "%s: the host's root cannot be given to a PD", path);
	return 0;
}

int plan_add(struct plan *p, const char *path, char *why, size_t whylen)
{
	return walk(p, path, 0, why, whylen);
}

int plan_add_link(struct plan *p, const char *path, const char *target, char *why, size_t whylen)
{
	char dir[PATH_MAX];

	if (path[0] != '/' || strlen(path) >= sizeof(dir))
		return sandbox_fail(why, whylen, -EINVAL, "%s: not an absolute path", path);
	/* Every proper prefix is a directory of the PD's root. */
	for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		memcpy(dir, path, (size_t)(s - path));
		dir[s - path] = '\0';
		int rc = push(p, PLAN_DIR, dir, NULL, why, whylen);
		if (rc < 0)
			return rc;
	}
	return push(p, PLAN_LINK, path, target, why, whylen);
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

void plan_finish(struct plan *p)
{
	size_t k = 0;
	for (size_t i = 0; i < p->n; i++) {
		int covered = 0;
		for (size_t j = 0; j < p->n && !covered; j++)
			covered = p->v[j].kind == PLAN_TREE && under(p->v[i].path, p->v[j].path);
		if (covered) {
			free(p->v[i].path);
			free(p->v[i].target);
		} else {
			p->v[k++] = p->v[i];
		}
	}
	p->n = k;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].target);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}
