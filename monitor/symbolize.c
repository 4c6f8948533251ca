/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where in its program a native PD faulted: "at counter.elf+0x1479
 * (protected, counter.c:42)" after the raw ip of its fault line.
 *
 * A PD's program is position-independent, so an ip means nothing without
 * the address the kernel loaded it at.  The monitor reads that from the
 * kernel, not from the PD: /proc/PID/maps right after the start (spawn
 * returns once the exec has happened, so the image is mapped and the PD
 * has run none of its own code yet), the mapping at file offset 0 of the
 * program's inode.  At a fault, elfutils (libdwfl) reads the program file
 * with the monitor's own rights and names the function, and with debug
 * information the source line.
 *
 * The ip itself comes from the PD's fault report, its own word (a hostile
 * PD can report any address): the result is a hint for the reader, shown
 * after the monitor's decoding, and only for an ip inside the image.
 */
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor/internal.h"

void mon_image_note(struct mon_pd *mp)
{
	mp->image_lo = mp->image_hi = 0;
	if (mp->sdf->kind == SDF_PD_BEAM || !mp->sdf->program)
		return;
	struct stat st;
	if (stat(mp->sdf->program, &st) < 0)
		return;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)mp->child.pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[512];
	uint64_t lo, hi, off, ino;
	unsigned maj, min;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %x:%x %" SCNu64, &lo, &hi,
		           &off, &maj, &min, &ino) != 6 ||
		    ino != (uint64_t)st.st_ino)
			continue;
		/* Every mapping of the image: the lowest is its base. */
		if (!mp->image_lo || lo - off < mp->image_lo)
			mp->image_lo = lo - off;
		if (hi > mp->image_hi)
			mp->image_hi = hi;
	}
	fclose(f);
}

void mon_image_where(const struct mon_pd *mp, int status, char *out, size_t len)
{
	out[0] = '\0';
	const struct ipc_ctl *f = mp->have_fault ? &mp->last_fault : NULL;
	if (!f || !WIFSIGNALED(status) || f->signo != WTERMSIG(status) || !mp->image_lo ||
	    f->ip < mp->image_lo || f->ip >= mp->image_hi)
		return;
	const char *name = strrchr(mp->sdf->program, '/');
	name = name ? name + 1 : mp->sdf->program;
	int n = snprintf(out, len, ": at %s+%#" PRIx64, name, f->ip - mp->image_lo);

	static char *debuginfo_path;
	static const Dwfl_Callbacks callbacks = {
	    .find_elf = dwfl_build_id_find_elf,
	    .find_debuginfo = dwfl_standard_find_debuginfo,
	    .debuginfo_path = &debuginfo_path,
	};
	Dwfl *dwfl = dwfl_begin(&callbacks);
	if (!dwfl)
		return;
	Dwfl_Module *mod = dwfl_report_elf(dwfl, name, mp->sdf->program, -1, mp->image_lo, false);
	dwfl_report_end(dwfl, NULL, NULL);
	const char *sym = mod ? dwfl_module_addrname(mod, f->ip) : NULL;
	Dwfl_Line *dl = mod ? dwfl_module_getsrc(mod, f->ip) : NULL;
	int lineno = 0;
	const char *src = dl ? dwfl_lineinfo(dl, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (src) {
		const char *base = strrchr(src, '/');
		src = base ? base + 1 : src;
	}
	if (n > 0 && (size_t)n < len && sym && src)
		snprintf(out + n, len - (size_t)n, " (%s, %s:%d)", sym, src, lineno);
	else if (n > 0 && (size_t)n < len && (sym || src))
		snprintf(out + n, len - (size_t)n, src ? " (%s:%d)" : " (%s)", sym ? sym : src,
		         lineno);
	dwfl_end(dwfl);
}
