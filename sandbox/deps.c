/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_elf_deps: the files ld.so will open for a program, found by
 * reading ELF headers with libelf, never by running anything (no ldd: that
 * would execute the program's interpreter on the host, outside any sandbox).
 *
 * Search order for a DT_NEEDED name without a slash, as glibc's ld.so:
 *  1. DT_RPATH of the object, then of each object that loaded it up to the
 *     program, but only while the object has no DT_RUNPATH;
 *  2. (LD_LIBRARY_PATH: not honoured; PDs get a fixed environment)
 *  3. DT_RUNPATH of the object itself;
 *  4. the directories of /etc/ld.so.conf and its includes (ld.so reads
 *     them through /etc/ld.so.cache, so a library found only there brings
 *     the cache into the root too);
 *  5. the system directories.
 * $ORIGIN, $LIB and $PLATFORM are expanded as ld.so does on x86_64.
 * Candidates of another ELF class or machine are skipped, as ld.so does.
 * Not modelled: glibc-hwcaps and legacy hwcap subdirectories (ld.so falls
 * back to the plain directory when they are absent from the root).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/internal.h"

/* The only machine PDs run on (the seccomp policy names x86_64 numbers). */
#define NATIVE_CLASS   ELFCLASS64
#define NATIVE_MACHINE EM_X86_64

#define LD_SO_CACHE "/etc/ld.so.cache"
#define LD_SO_CONF  "/etc/ld.so.conf"

static const char *const system_dirs[] = {
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib",
    "/usr/lib",
};

struct strv {
	char **v; /* NULL-terminated once n > 0 */
	size_t n, cap;
};

/* One object met so far: where it is and what it searches. */
struct obj {
	char *path;
	char *rpath;   /* expanded DT_RPATH, or NULL */
	char *runpath; /* expanded DT_RUNPATH, or NULL */
	int loader;    /* index of the object that needed it, -1 for the program */
};

struct deps {
	struct obj *o;
	size_t n, cap;
	struct strv conf; /* ld.so.conf directories, in order */
	int need_cache;
	int origin_exe;
	unsigned char cls; /* ELFCLASS of the program */
	unsigned machine;  /* e_machine of the program */
	char *why;
	size_t whylen;
};

static int strv_push(struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 0;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str)))
		return -ENOMEM;
	s->v[++s->n] = NULL;
	return 0;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- /etc/ld.so.conf ---- */

static void conf_read(struct deps *d, const char *file, int depth);

static void conf_include(struct deps *d, const char *file, const char *pattern, int depth)
{
	char buf[PATH_MAX];
	glob_t g;

	if (pattern[0] != '/') {
		/* Relative includes are relative to the including file's directory. */
		const char *slash = strrchr(file, '/');
		int n = slash ? (int)(slash - file) : 0;
		if (snprintf(buf, sizeof(buf), "%.*s/%s", n, file, pattern) >= (int)sizeof(buf))
			return;
		pattern = buf;
	}
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		conf_read(d, g.gl_pathv[i], depth + 1);
	globfree(&g);
}

/* Best effort, as ldconfig: an unreadable include is skipped. */
static void conf_read(struct deps *d, const char *file, int depth)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	if (depth > 8 || !(f = fopen(file, "re")))
		return;
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		p += strspn(p, " \t\r\n");
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			p += 7;
			p += strspn(p, " \t");
			p[strcspn(p, " \t\r\n")] = '\0';
			if (*p)
				conf_include(d, file, p, depth);
			continue;
		}
		if (strncmp(p, "hwcap", 5) == 0 && (p[5] == ' ' || p[5] == '\t'))
			continue;
		p[strcspn(p, " \t\r\n,:=")] = '\0';
		size_t n = strlen(p);
		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		if (p[0] == '/')
			strv_push(&d->conf, p);
	}
	free(line);
	fclose(f);
}

static int is_system_dir(const char *dir)
{
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
		if (strcmp(dir, system_dirs[i]) == 0)
			return 1;
	return 0;
}

/* ---- ELF reading ---- */

/* The bytes at virtual address vaddr, as far as the file holds them. */
static const char *at_vaddr(Elf *e, const char *raw, size_t rawlen, GElf_Addr vaddr, size_t *avail)
{
	size_t nph;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &nph) != 0)
		return NULL;
	for (size_t i = 0; i < nph; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz)
			continue;
		GElf_Off off = ph.p_offset + (vaddr - ph.p_vaddr);
		if (off >= rawlen)
			return NULL;
		*avail = rawlen - off;
		return raw + off;
	}
	return NULL;
}

/* Expand $ORIGIN, $LIB and $PLATFORM (also as ${...}) in one search list. */
static char *expand(const char *list, const char *origin, int *used_origin)
{
	size_t cap = strlen(list) * 4 + PATH_MAX, n = 0;
	char *out = malloc(cap);
	static const struct {
		const char *name;
		size_t len;
	} vars[] = {{"ORIGIN", 6}, {"LIB", 3}, {"PLATFORM", 8}};

	if (!out)
		return NULL;
	for (const char *s = list; *s;) {
		const char *val = NULL;
		size_t skip = 0;
		if (*s == '$') {
			int brace = s[1] == '{';
			for (size_t i = 0; i < 3 && !val; i++) {
				const char *name = s + 1 + brace;
				if (strncmp(name, vars[i].name, vars[i].len) != 0)
					continue;
				const char *after = name + vars[i].len;
				if (brace ? *after != '}'
				          : (*after == '_' || (*after >= 'A' && *after <= 'Z') ||
				             (*after >= 'a' && *after <= 'z') ||
				             (*after >= '0' && *after <= '9')))
					continue;
				val = i == 0 ? origin : i == 1 ? "lib/x86_64-linux-gnu" : "x86_64";
				skip = (size_t)(after - s) + brace;
				if (i == 0 && used_origin)
					*used_origin = 1;
			}
		}
		if (!val) {
			val = s;
			skip = 1;
		}
		size_t len = val == s ? 1 : strlen(val);
		if (n + len + 1 > cap) {
			free(out);
			return NULL;
		}
		memcpy(out + n, val, len);
		n += len;
		s += skip;
	}
	out[n] = '\0';
	return out;
}

/* Same class and machine as the program: ld.so skips the others. */
static int compatible(const struct deps *d, const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0 || h[EI_CLASS] != d->cls)
		return 0;
	unsigned machine =
	    h[EI_DATA] == ELFDATA2MSB ? (unsigned)h[18] << 8 | h[19] : (unsigned)h[19] << 8 | h[18];
	return machine == d->machine;
}

static int add_obj(struct deps *d, const char *path, int loader)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->o[i].path, path) == 0)
			return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct obj *o = realloc(d->o, cap * sizeof(*o));
		if (!o)
			return sandbox_fail(d->why, d->whylen, -ENOMEM, "out of memory");
		d->o = o;
		d->cap = cap;
	}
	struct obj *o = &d->o[d->n];
	*o = (struct obj){.path = strdup(path), .loader = loader};
	if (!o->path)
		return sandbox_fail(d->why, d->whylen, -ENOMEM, "out of memory");
	d->n++;
	return 0;
}

/* Look for name in a colon-separated list of directories. */
static int search_list(struct deps *d, const char *list, const char *name, char *out)
{
	const char *s = list;
	while (s && *s) {
		size_t len = strcspn(s, ":");
		if (len > 0 && snprintf(out, PATH_MAX, "%.*s/%s", (int)len, s, name) < PATH_MAX &&
		    compatible(d, out))
			return 1;
		s += len;
		if (*s == ':')
			s++;
	}
	return 0;
}

static int resolve(struct deps *d, size_t idx, const char *name, char *out)
{
	if (strchr(name, '/')) {
		snprintf(out, PATH_MAX, "%s", name);
		return compatible(d, out);
	}
	for (int i = (int)idx; i >= 0 && !d->o[idx].runpath; i = d->o[i].loader)
		if (d->o[i].rpath && !d->o[i].runpath && search_list(d, d->o[i].rpath, name, out))
			return 1;
	if (d->o[idx].runpath && search_list(d, d->o[idx].runpath, name, out))
		return 1;
	for (size_t i = 0; i < d->conf.n; i++)
		if (search_list(d, d->conf.v[i], name, out)) {
			if (!is_system_dir(d->conf.v[i]))
				d->need_cache = 1;
			return 1;
		}
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
		if (search_list(d, system_dirs[i], name, out))
			return 1;
	return 0;
}

/* Read one object: its interpreter (the program only), search paths and
 * needed libraries, which are appended to d->o for later passes. */
static int scan(struct deps *d, size_t idx)
{
	const char *path = d->o[idx].path;
	int fd = -1, rc = -1;
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t nph, rawlen;
	struct strv needed = {0};

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (idx == 0 && errno == ENOENT)
			sandbox_fail(d->why, d->whylen, rc, "program not found: %s", path);
		else
			sandbox_fail(d->why, d->whylen, rc, "%s: %s", path, strerror(errno));
		goto out;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const char *raw = e ? elf_rawfile(e, &rawlen) : NULL;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || !raw ||
	    elf_getphdrnum(e, &nph) != 0) {
		rc = sandbox_fail(d->why, d->whylen, -ENOEXEC, "%s: not an ELF file (%s)", path,
		                  strerror(ENOEXEC));
		goto out;
	}
	if (idx == 0) {
		if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
			rc = sandbox_fail(d->why, d->whylen, -ENOEXEC,
			                  "%s: not an executable ELF file (%s)", path,
			                  strerror(ENOEXEC));
			goto out;
		}
		d->cls = (unsigned char)gelf_getclass(e);
		d->machine = eh.e_machine;
		if (d->cls != NATIVE_CLASS || d->machine != NATIVE_MACHINE) {
			rc = sandbox_fail(
			    d->why, d->whylen, -ENOEXEC,
			    "%s: built for another machine (ELF class %u, machine %u): %s", path,
			    d->cls, d->machine, strerror(ENOEXEC));
			goto out;
		}
	}

	char origin[PATH_MAX];
	snprintf(origin, sizeof(origin), "%s", path);
	*strrchr(origin, '/') = '\0'; /* every path here is absolute */
	if (!origin[0])
		strcpy(origin, "/");

	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_INTERP && idx == 0) {
			char interp[PATH_MAX];
			if (ph.p_offset >= rawlen || ph.p_filesz > rawlen - ph.p_offset ||
			    ph.p_filesz == 0 || ph.p_filesz >= sizeof(interp)) {
				rc = sandbox_fail(d->why, d->whylen, -ENOEXEC, "%s: bad PT_INTERP",
				                  path);
				goto out;
			}
			memcpy(interp, raw + ph.p_offset, ph.p_filesz);
			interp[ph.p_filesz] = '\0';
			struct stat st;
			if (stat(interp, &st) < 0) {
				rc = sandbox_fail(d->why, d->whylen, -errno,
				                  "interpreter %s of %s: %s", interp, path,
				                  strerror(errno));
				goto out;
			}
			if ((rc = add_obj(d, interp, 0)) < 0)
				goto out;
			rc = -1;
		}
		if (ph.p_type != PT_DYNAMIC)
			continue;
		if (ph.p_offset >= rawlen || ph.p_filesz > rawlen - ph.p_offset)
			continue;
		Elf_Data *dyn =
		    elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_DYN);
		if (!dyn)
			continue;
		size_t ndyn = ph.p_filesz / gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT);
		GElf_Addr strtab = 0;
		GElf_Dyn dd;
		for (size_t k = 0; k < ndyn && gelf_getdyn(dyn, (int)k, &dd); k++)
			if (dd.d_tag == DT_STRTAB)
				strtab = dd.d_un.d_ptr;
		size_t avail = 0;
		const char *str = strtab ? at_vaddr(e, raw, rawlen, strtab, &avail) : NULL;
		for (size_t k = 0; str && k < ndyn && gelf_getdyn(dyn, (int)k, &dd); k++) {
			if (dd.d_tag == DT_NULL)
				break;
			if (dd.d_tag != DT_NEEDED && dd.d_tag != DT_RPATH && dd.d_tag != DT_RUNPATH)
				continue;
			if (dd.d_un.d_val >= avail ||
			    !memchr(str + dd.d_un.d_val, '\0', avail - dd.d_un.d_val)) {
				rc = sandbox_fail(d->why, d->whylen, -ENOEXEC,
				                  "%s: bad dynamic string", path);
				goto out;
			}
			const char *s = str + dd.d_un.d_val;
			if (dd.d_tag == DT_NEEDED) {
				if (strv_push(&needed, s) < 0) {
					rc = sandbox_fail(d->why, d->whylen, -ENOMEM,
					                  "out of memory");
					goto out;
				}
				continue;
			}
			int used = 0;
			char *x = expand(s, origin, &used);
			if (!x) {
				rc = sandbox_fail(d->why, d->whylen, -ENOMEM,
				                  "%s: search path too long", path);
				goto out;
			}
			if (used && idx == 0)
				d->origin_exe = 1;
			char **slot = dd.d_tag == DT_RPATH ? &d->o[idx].rpath : &d->o[idx].runpath;
			free(*slot);
			*slot = x;
		}
	}

	for (size_t i = 0; i < needed.n; i++) {
		char found[PATH_MAX];
		if (!resolve(d, idx, needed.v[i], found)) {
			rc = sandbox_fail(d->why, d->whylen, -ENOENT,
			                  "library %s needed by %s: not found", needed.v[i], path);
			goto out;
		}
		if ((rc = add_obj(d, found, (int)idx)) < 0)
			goto out;
	}
	rc = 0;
out:
	strv_free(&needed);
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return rc;
}

int deps_find(const char *program, char ***list, int *origin_exe, char *why, size_t whylen)
{
	struct deps d = {.why = why, .whylen = whylen};
	struct strv out = {0};
	int rc;

	*list = NULL;
	if (!program || program[0] != '/')
		return sandbox_fail(why, whylen, -EINVAL, "program must be an absolute path: %s",
		                    program ? program : "(null)");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return sandbox_fail(why, whylen, -ENOSYS, "libelf: %s", elf_errmsg(-1));
	conf_read(&d, LD_SO_CONF, 0);
	if ((rc = add_obj(&d, program, -1)) < 0)
		goto out;
	for (size_t i = 0; i < d.n; i++)
		if ((rc = scan(&d, i)) < 0)
			goto out;
	for (size_t i = 0; i < d.n; i++)
		if ((rc = strv_push(&out, d.o[i].path)) < 0)
			goto nomem;
	if (d.need_cache && access(LD_SO_CACHE, R_OK) == 0 &&
	    (rc = strv_push(&out, LD_SO_CACHE)) < 0)
		goto nomem;
	if (origin_exe)
		*origin_exe = d.origin_exe;
	*list = out.v;
	out = (struct strv){0};
	goto out;
nomem:
	rc = sandbox_fail(why, whylen, -ENOMEM, "out of memory");
out:
	strv_free(&out);
	strv_free(&d.conf);
	for (size_t i = 0; i < d.n; i++) {
		free(d.o[i].path);
		free(d.o[i].rpath);
		free(d.o[i].runpath);
	}
	free(d.o);
	return rc;
}

char **sandbox_elf_deps(const char *program, char *why, size_t whylen)
{
	char **list;
	deps_find(program, &list, NULL, why, whylen);
	return list;
}

void sandbox_free_deps(char **deps)
{
	for (size_t i = 0; deps && deps[i]; i++)
		free(deps[i]);
	free(deps);
}
