/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Program images: find each PD's ELF on the search path, check it is a
 * regular, executable ELF file for this machine, and resolve its
 * setvar_vaddr symbols.  The file is only read here; the monitor execs it
 * later, so this is an early, friendly check, not a security boundary.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdf/internal.h"

#if defined(__x86_64__)
#define HOST_EM   EM_X86_64
#define HOST_NAME "x86_64"
#elif defined(__aarch64__)
#define HOST_EM   EM_AARCH64
#define HOST_NAME "aarch64"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_EM   EM_RISCV
#define HOST_NAME "riscv64"
#else
#error "sdf/elf.c: unsupported host machine"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

#define ERR(b, line, elem, hint, ...)                                                              \
	diag_error((b)->diag, (b)->sys->path, (line), (elem), (hint), __VA_ARGS__)

static const char *machine_name(unsigned em)
{
	switch (em) {
	case EM_386:
		return "i386";
	case EM_X86_64:
		return "x86_64";
	case EM_ARM:
		return "arm";
	case EM_AARCH64:
		return "aarch64";
	case EM_RISCV:
		return "riscv";
	default:
		return "another machine";
	}
}

static char *join(const char *dir, const char *name)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

/* The first existing candidate: an absolute path as it is; a relative one
 * in the description's directory first, so that the file beside the
 * description is the one that runs, then in each search directory in
 * order.  Nothing outside these is searched: a build's own directories are
 * not a root unless named with -L. */
char *sdf_find_path(struct build *b, const char *path, const char *const *search)
{
	struct stat st;

	if (path[0] == '/')
		return strdup(path);
	char *p = join(b->sys->dir, path);
	if (!p || stat(p, &st) == 0)
		return p;
	free(p);
	for (size_t i = 0; search && search[i]; i++) {
		p = join(search[i], path);
		if (!p || stat(p, &st) == 0)
			return p;
		free(p);
	}
	return NULL;
}

void sdf_not_found_hint(struct build *b, const char *path, const char *const *search,
                        const char *what, char *hint, size_t len)
{
	if (path[0] == '/') {
		snprintf(hint, len, "build %s, or fix the path", what);
		return;
	}
	size_t off =
	    (size_t)snprintf(hint, len, "build %s, or pass its directory with -L DIR; searched: %s",
	                     what, b->sys->dir);
	for (size_t i = 0; search && search[i] && off < len; i++)
		off += (size_t)snprintf(hint + off, len - off, " %s", search[i]);
}

/* st_value of `name` in .symtab (or, stripped, .dynsym); 0 found, -1 absent,
 * -2 found but not an 8-byte data object. */
static int find_symbol(Elf *e, const char *name, uint64_t *value)
{
	int rc = -1;

	for (int pass = 0; pass < 2 && rc == -1; pass++) {
		Elf32_Word want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(e, scn)) && rc == -1) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want || !sh.sh_entsize)
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			if (!d)
				continue;
			size_t n = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				if (!gelf_getsym(d, (int)i, &sym))
					break;
				const char *s = elf_strptr(e, sh.sh_link, sym.st_name);
				if (!s || strcmp(s, name) || sym.st_shndx == SHN_UNDEF)
					continue;
				if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size != 8) {
					rc = -2;
					break;
				}
				*value = sym.st_value;
				rc = 0;
				break;
			}
		}
	}
	return rc;
}

/* For a fixed-address (ET_EXEC) program, maps must not land on its
 * segments; a PIE's load address is chosen at run time. */
static void check_segments(struct build *b, size_t p, Elf *e, const char *path)
{
	struct sdf_system *sys = b->sys;
	struct sdf_pd *pd = &sys->pds[p];
	size_t nph = 0;

	if (elf_getphdrnum(e, &nph) != 0)
		return;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		uint64_t lo = ph.p_vaddr & ~(uint64_t)(SDF_PAGE_SIZE - 1);
		uint64_t hi = ph.p_vaddr + ph.p_memsz;
		if (hi < ph.p_vaddr)
			hi = UINT64_MAX;
		for (size_t m = 0; m < pd->nmaps; m++) {
			const struct sdf_map *map = &pd->maps[m];
			if (!b->bpd[p].maps[m].ok)
				continue;
			uint64_t end = map->vaddr + sys->regions[map->region].size;
			if (map->vaddr < hi && lo < end) {
				ERR(b, map->loc.line, "map", "map the region at another vaddr",
				    "map of '%s' [0x%llx..0x%llx) overlaps a segment of '%s' "
				    "[0x%llx..0x%llx)",
				    sys->regions[map->region].name, (unsigned long long)map->vaddr,
				    (unsigned long long)end, path, (unsigned long long)lo,
				    (unsigned long long)hi);
				b->bpd[p].maps[m].ok = false;
			}
		}
	}
}

static void check_program(struct build *b, size_t p, const char *const *search)
{
	struct sdf_pd *pd = &b->sys->pds[p];
	struct build_pd *bp = &b->bpd[p];
	const char *elem = "program_image";
	int line = bp->image_line;
	char *path = sdf_find_path(b, bp->image, search);
	struct stat st;
	int fd = -1;
	Elf *e = NULL;

	if (!path) {
		char hint[512];
		sdf_not_found_hint(b, bp->image, search, "it", hint, sizeof(hint));
		ERR(b, line, elem, hint, "program image '%s' not found", bp->image);
		return;
	}
	if (stat(path, &st) < 0) {
		ERR(b, line, elem, "check the path", "cannot stat '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ERR(b, line, elem, "name the PD's ELF file", "'%s' is not a regular file", path);
		goto out;
	}
	if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		ERR(b, line, elem, "make it executable (chmod +x)", "'%s' is not executable", path);
		goto out;
	}
	pd->program = realpath(path, NULL);
	if (!pd->program) {
		ERR(b, line, elem, "check the path", "cannot resolve '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	sdf_check_image_readable(b, line, pd->program);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ERR(b, line, elem, "check its permissions", "cannot open '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		ERR(b, line, elem, "build the PD as an ELF executable linked with libcordon",
		    "'%s' is not an ELF file", path);
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != HOST_DATA) {
		ERR(b, line, elem, "build it for " HOST_NAME,
		    "'%s' is not a 64-bit ELF file of this machine's byte order", path);
		goto out;
	}
	if (eh.e_machine != HOST_EM) {
		char hint[128];
		snprintf(hint, sizeof(hint), "build it for %s, the machine Cordon runs on",
		         HOST_NAME);
		ERR(b, line, elem, hint, "'%s' is built for %s (e_machine %u), not %s", path,
		    machine_name(eh.e_machine), (unsigned)eh.e_machine, HOST_NAME);
		goto out;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		ERR(b, line, elem, "link it into an executable",
		    "'%s' is not an executable (ELF type %u)", path, (unsigned)eh.e_type);
		goto out;
	}
	if (eh.e_type == ET_EXEC)
		check_segments(b, p, e, path);

	for (size_t m = 0; m < pd->nmaps; m++) {
		struct sdf_map *map = &pd->maps[m];
		uint64_t value = 0;
		if (!map->setvar_vaddr)
			continue;
		char hint[160];
		switch (find_symbol(e, map->setvar_vaddr, &value)) {
		case 0:
			map->setvar_off = value;
			break;
		case -1:
			snprintf(hint, sizeof(hint),
			         "define 'uintptr_t %.64s;' in the program and do not strip it",
			         map->setvar_vaddr);
			ERR(b, map->loc.line, "map", hint,
			    "setvar_vaddr: symbol '%s' not found in '%s'", map->setvar_vaddr, path);
			break;
		default:
			snprintf(hint, sizeof(hint), "declare it as 'uintptr_t %.64s;'",
			         map->setvar_vaddr);
			ERR(b, map->loc.line, "map", hint,
			    "setvar_vaddr: '%s' in '%s' is not an 8-byte variable",
			    map->setvar_vaddr, path);
			break;
		}
	}
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	free(path);
}

void sdf_check_programs(struct build *b, const char *const *search)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		ERR(b, 0, NULL, "reinstall libelf", "libelf is unusable: %s", elf_errmsg(-1));
		return;
	}
	for (size_t p = 0; p < b->sys->npds; p++)
		if (b->bpd[p].image)
			check_program(b, p, search);
}
