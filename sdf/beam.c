/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BEAM PDs (<beam_app>): find the application directory on the search path,
 * collect its ebin directories, check that the named OTP application is
 * there, and find the Erlang runtime it will run on.  Like elf.c this only
 * reads files: an early, friendly check, not a security boundary (the PD
 * gets these directories read-only and nothing else).
 *
 * Layouts accepted for path (see docs/system-description.md):
 *   DIR/ebin/NAME.beam         one application (mix's _build/ENV/lib/APP)
 *   DIR/APP/ebin/NAME.beam     a directory of them (_build/ENV/lib)
 * both at once too; the application to start must have APP.app in one.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sdf/internal.h"

#define ERR(b, line, elem, hint, ...)                                                              \
	diag_error((b)->diag, (b)->sys->path, (line), (elem), (hint), __VA_ARGS__)

/* More ebin directories than any release has; each becomes a -pa. */
#define MAX_EBINS    256
/* More applications than a PD's dependency tree has. */
#define MAX_APPS     512
/* A .app file is a few KiB; read no more than this of one. */
#define APP_FILE_MAX (1u << 20)

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && !strcmp(s + n - m, suffix);
}

/* What an ebin directory holds: modules, Elixir modules, the wanted .app. */
struct ebin_scan {
	bool beam, elixir, app;
};

static void scan_ebin(const char *dir, const char *app, struct ebin_scan *s)
{
	char appfile[SDF_NAME_MAX + 8];
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	snprintf(appfile, sizeof(appfile), "%s.app", app);
	while ((e = readdir(d))) {
		if (ends_with(e->d_name, ".beam")) {
			s->beam = true;
			if (!strncmp(e->d_name, "Elixir.", 7))
				s->elixir = true;
		} else if (!strcmp(e->d_name, appfile)) {
			s->app = true;
		}
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add dir/ebin when it holds modules.  -1 out of memory or too many. */
static int add_ebin(struct sdf_pd *pd, const char *dir, struct ebin_scan *all, bool *app)
{
	char *ebin = NULL;
	struct ebin_scan s = {false, false, false};

	if (asprintf(&ebin, "%s/ebin", dir) < 0)
		return -1;
	if (!is_dir(ebin)) {
		free(ebin);
		return 0;
	}
	scan_ebin(ebin, pd->beam_app, &s);
	if (!s.beam && !s.app) {
		free(ebin);
		return 0;
	}
	if (pd->nbeam_ebins == MAX_EBINS) {
		free(ebin);
		return -2;
	}
	char **v = reallocarray(pd->beam_ebins, pd->nbeam_ebins + 1, sizeof(*v));
	if (!v) {
		free(ebin);
		return -1;
	}
	pd->beam_ebins = v;
	pd->beam_ebins[pd->nbeam_ebins++] = ebin;
	all->beam |= s.beam;
	all->elixir |= s.elixir;
	*app |= s.app;
	return 0;
}

/* The runtime's emulator: SDF_ERLANG_ROOT/erts-VSN/bin/beam.smp (the
 * newest when several are installed). */
static char *find_emulator(void)
{
	glob_t g;
	char *r = NULL;

	if (glob(SDF_ERLANG_ROOT "/erts-*/bin/beam.smp", 0, NULL, &g) == 0 && g.gl_pathc > 0)
		r = realpath(g.gl_pathv[g.gl_pathc - 1], NULL);
	globfree(&g);
	return r;
}

/* A path under dir (or dir itself), both absolute and resolved. */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* Report `rel` (relative to the PD's beam_dir) if it is a symlink whose
 * target is outside beam_dir: the PD gets beam_dir alone, so the target
 * is missing inside the sandbox ("cannot open shared object file" for a
 * NIF in a linked priv, as mix's default build_embedded: false makes). */
static void check_link(struct build *b, size_t p, const char *rel)
{
	struct sdf_pd *pd = &b->sys->pds[p];
	struct stat st;
	char *path = NULL, *real = NULL;
	char hint[PATH_MAX + 256];

	if (asprintf(&path, "%s/%s", pd->beam_dir, rel) < 0)
		return;
	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
		goto out;
	real = realpath(path, NULL);
	if (real && under(real, pd->beam_dir))
		goto out;
	snprintf(hint, sizeof(hint),
	         "it leads to %s, which the PD cannot see: it sees only this directory; build "
	         "with build_embedded: true in mix.exs (mix then copies priv instead of linking "
	         "it), or copy the files in",
	         real ? real : "nothing");
	ERR(b, b->bpd[p].beam_line, "beam_app", hint, "'%s' in '%s' is a symlink leading out of it",
	    rel, b->bpd[p].beam_path);
out:
	free(real);
	free(path);
}

/* Every entry of each application directory (beam_dir itself and each
 * directory in it) that is a symlink out of beam_dir. */
static void check_links(struct build *b, size_t p)
{
	struct sdf_pd *pd = &b->sys->pds[p];
	DIR *d = opendir(pd->beam_dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		check_link(b, p, e->d_name);
		char *sub = NULL;
		if (asprintf(&sub, "%s/%s", pd->beam_dir, e->d_name) < 0)
			break;
		DIR *s = is_dir(sub) ? opendir(sub) : NULL;
		struct dirent *f;
		while (s && (f = readdir(s))) {
			char *rel = NULL;
			if (f->d_name[0] == '.' ||
			    asprintf(&rel, "%s/%s", e->d_name, f->d_name) < 0)
				continue;
			check_link(b, p, rel);
			free(rel);
		}
		if (s)
			closedir(s);
		free(sub);
	}
	closedir(d);
}

/* Where the PD finds application `name`'s .app: an ebin under beam_dir
 * (1, *app_path set), the Erlang or Elixir runtime (2), or nowhere (0). */
static int find_app(const struct sdf_pd *pd, const char *name, char **app_path)
{
	struct stat st;
	char *f = NULL;
	glob_t g;
	int found = 0;

	*app_path = NULL;
	for (size_t i = 0; i < pd->nbeam_ebins; i++) {
		if (asprintf(&f, "%s/%s.app", pd->beam_ebins[i], name) < 0)
			return 0;
		if (stat(f, &st) == 0) {
			*app_path = f;
			return 1;
		}
		free(f);
	}
	if (asprintf(&f, SDF_ERLANG_ROOT "/lib/%s-*/ebin/%s.app", name, name) < 0)
		return 0;
	if (glob(f, 0, NULL, &g) == 0)
		found = 2;
	globfree(&g);
	free(f);
	if (!found && asprintf(&f, SDF_ELIXIR_LIB "/%s/ebin/%s.app", name, name) >= 0) {
		if (stat(f, &st) == 0)
			found = 2;
		free(f);
	}
	return found;
}

/* Read a .app file (small: a cap keeps a wrong file from being slurped). */
static char *read_small(const char *path)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;

	if (!fp)
		return NULL;
	buf = malloc(APP_FILE_MAX + 1);
	if (buf) {
		size_t n = fread(buf, 1, APP_FILE_MAX, fp);
		buf[n] = '\0';
	}
	fclose(fp);
	return buf;
}

/* Every application the started one needs, transitively through the .app
 * files under beam_dir, must be under beam_dir or in the runtime: a missing
 * one makes the VM retry {"no such file or directory","NAME.app"} forever. */
static void check_deps(struct build *b, size_t p)
{
	struct sdf_pd *pd = &b->sys->pds[p];
	char *seen[MAX_APPS];
	size_t nseen = 0;

	if (!(seen[nseen] = strdup(pd->beam_app)))
		return;
	nseen++;
	for (size_t i = 0; i < nseen; i++) {
		char *app_path = NULL, *text = NULL, **deps = NULL;
		size_t ndeps = 0;
		if (find_app(pd, seen[i], &app_path) != 1)
			continue; /* in the runtime: its own deps are the runtime's */
		text = read_small(app_path);
		int rc = text ? sdf_app_deps(text, &deps, &ndeps) : -2;
		if (rc == -2)
			ERR(b, b->bpd[p].beam_line, "beam_app",
			    "rebuild the application; a .app file is one Erlang term "
			    "{application, Name, [...]}",
			    "'%s' is not an application resource file", app_path);
		for (size_t d = 0; d < ndeps && nseen < MAX_APPS; d++) {
			bool known = false;
			for (size_t k = 0; k < nseen && !known; k++)
				known = !strcmp(seen[k], deps[d]);
			if (known)
				continue;
			char *where = NULL;
			int found = find_app(pd, deps[d], &where);
			free(where);
			if (!found) {
				char hint[768];
				snprintf(
				    hint, sizeof(hint),
				    "looked for %s.app in every ebin under %s, in " SDF_ERLANG_ROOT
				    "/lib/%s-*/ebin and " SDF_ELIXIR_LIB
				    "/%s/ebin; build it into the same directory (a dependency in "
				    "mix.exs lands in _build/ENV/lib), or point path at the "
				    "directory holding every application",
				    deps[d], pd->beam_dir, deps[d], deps[d]);
				ERR(b, b->bpd[p].beam_line, "beam_app", hint,
				    "application '%s' needs '%s', which is not under '%s' nor in "
				    "the Erlang or Elixir runtime",
				    seen[i], deps[d], b->bpd[p].beam_path);
				continue;
			}
			if (!(seen[nseen] = strdup(deps[d])))
				break;
			nseen++;
		}
		sdf_app_deps_free(deps, ndeps);
		free(text);
		free(app_path);
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
}

static void check_one(struct build *b, size_t p, const char *const *search)
{
	struct sdf_system *sys = b->sys;
	struct sdf_pd *pd = &sys->pds[p];
	struct build_pd *bp = &b->bpd[p];
	const char *elem = "beam_app";
	int line = bp->beam_line;
	struct ebin_scan all = {false, false, false};
	bool app = false;
	char *path = NULL;
	DIR *d = NULL;
	int rc = 0;

	for (size_t m = 0; m < pd->nmaps; m++)
		if (pd->maps[m].setvar_vaddr)
			ERR(b, pd->maps[m].loc.line, "map",
			    "remove setvar_vaddr; the BEAM PD learns where a region is from the "
			    "cordon library",
			    "setvar_vaddr in BEAM protection domain '%s': it has no ELF variables",
			    pd->name ? pd->name : "?");
	for (size_t q = 0; q < sys->npds; q++)
		if (sys->pds[q].parent == (long)p)
			ERR(b, sys->pds[q].loc.line, "protection_domain",
			    "move it under a <supervisor>, or make its parent a native PD",
			    "child protection domain '%s' of BEAM protection domain '%s': "
			    "only a native PD's fault() can supervise child PDs",
			    sys->pds[q].name ? sys->pds[q].name : "?", pd->name ? pd->name : "?");

	if (!(path = sdf_find_path(b, bp->beam_path, search))) {
		char hint[512];
		sdf_not_found_hint(b, bp->beam_path, search, "the application", hint, sizeof(hint));
		ERR(b, line, elem, hint, "application directory '%s' not found", bp->beam_path);
		return;
	}
	if (!is_dir(path)) {
		ERR(b, line, elem,
		    "name the directory holding the application's ebin/ (or a directory of "
		    "applications, such as _build/prod/lib)",
		    "'%s' is not a directory", bp->beam_path);
		goto out;
	}
	if (!(pd->beam_dir = realpath(path, NULL))) {
		ERR(b, line, elem, "check the path", "cannot resolve '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	rc = add_ebin(pd, pd->beam_dir, &all, &app);
	if (rc == 0 && (d = opendir(pd->beam_dir))) {
		struct dirent *e;
		while (rc == 0 && (e = readdir(d))) {
			char *sub = NULL;
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "ebin"))
				continue;
			if (asprintf(&sub, "%s/%s", pd->beam_dir, e->d_name) < 0) {
				rc = -1;
				break;
			}
			if (is_dir(sub))
				rc = add_ebin(pd, sub, &all, &app);
			free(sub);
		}
		closedir(d);
	}
	if (rc == -2) {
		ERR(b, line, elem, "merge applications, or give fewer",
		    "'%s' holds more than %d ebin directories", bp->beam_path, MAX_EBINS);
		goto out;
	}
	if (rc < 0) {
		ERR(b, line, elem, "retry with more memory", "out of memory");
		goto out;
	}
	if (!all.beam) {
		ERR(b, line, elem,
		    "point path at an application (DIR/ebin/) or a directory of them "
		    "(DIR/APP/ebin/), e.g. _build/prod/lib; compile it first",
		    "'%s' holds no ebin directory with .beam files", bp->beam_path);
		goto out;
	}
	if (!app) {
		char hint[160];
		snprintf(hint, sizeof(hint),
		         "compile the application (its ebin gets %s.app), or fix app",
		         pd->beam_app);
		ERR(b, line, elem, hint, "no ebin directory under '%s' has %s.app", bp->beam_path,
		    pd->beam_app);
		goto out;
	}
	check_links(b, p);
	check_deps(b, p);
	sdf_check_beam_readable(b, line, pd->beam_dir);
	qsort(pd->beam_ebins, pd->nbeam_ebins, sizeof(*pd->beam_ebins), cmp_str);
	pd->beam_elixir = all.elixir;
	if (!(pd->program = find_emulator())) {
		ERR(b, line, elem, "install Erlang/OTP (Debian: apt-get install erlang-nox)",
		    "the Erlang runtime is not installed: no " SDF_ERLANG_ROOT
		    "/erts-*/bin/beam.smp");
		goto out;
	}
	if (all.elixir && !is_dir(SDF_ELIXIR_LIB "/elixir/ebin")) {
		ERR(b, line, elem, "install Elixir (Debian: apt-get install elixir)",
		    "application '%s' has Elixir modules, but Elixir is not installed: no "
		    "%s",
		    pd->beam_app, SDF_ELIXIR_LIB "/elixir/ebin");
		goto out;
	}
out:
	free(path);
}

void sdf_check_beam(struct build *b, const char *const *search)
{
	for (size_t p = 0; p < b->sys->npds; p++)
		if (b->sys->pds[p].kind == SDF_PD_BEAM && b->bpd[p].beam_path &&
		    !b->bpd[p].image_line)
			check_one(b, p, search);
}
