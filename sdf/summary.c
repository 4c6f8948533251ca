/* SPDX-License-Identifier: BSD-2-Clause */
/* sdf_print_summary: what `cordon check` prints for a valid description. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ipc/abi.h"
#include "sdf/internal.h"

void sdf_format_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % (1ull << 30) == 0)
		snprintf(buf, len, "%" PRIu64 " GiB", bytes >> 30);
	else if (bytes && bytes % (1ull << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", bytes >> 20);
	else if (bytes && bytes % (1ull << 10) == 0)
		snprintf(buf, len, "%" PRIu64 " KiB", bytes >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " B", bytes);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int depth(const struct sdf_system *sys, size_t p)
{
	int d = 0;
	for (long q = sys->pds[p].parent; q >= 0 && d < 64; q = sys->pds[q].parent)
		d++;
	return d;
}

static void perms_str(unsigned perms, char out[4])
{
	size_t n = 0;
	if (perms & IPC_PERM_R)
		out[n++] = 'r';
	if (perms & IPC_PERM_W)
		out[n++] = 'w';
	if (perms & IPC_PERM_X)
		out[n++] = 'x';
	out[n] = '\0';
}

static void print_period(uint64_t ms, FILE *out)
{
	if (ms % 1000)
		fprintf(out, "%" PRIu64 ".%03" PRIu64 " s", ms / 1000, ms % 1000);
	else
		fprintf(out, "%" PRIu64 " s", ms / 1000);
}

/* "  drivers (under root): one_for_all, 3 restarts in 5 s: eth, uart" */
static void print_supervisor(const struct sdf_system *sys, size_t s, FILE *out)
{
	const struct sdf_supervisor *sd = &sys->sups[s];
	fprintf(out, "  %s", sd->name);
	if (sd->parent >= 0)
		fprintf(out, " (under %s)", sys->sups[sd->parent].name);
	fprintf(out, ": %s, %u %s in ", sdf_strategy_name(sd->strategy), sd->intensity,
	        plural(sd->intensity, "restart", "restarts"));
	print_period(sd->period_ms, out);
	for (size_t i = 0; i < sd->nchildren; i++) {
		const struct sdf_child *ch = &sd->children[i];
		fprintf(out, "%s%s%s", i ? ", " : ": ",
		        ch->is_supervisor ? sys->sups[ch->index].name : sys->pds[ch->index].name,
		        ch->is_supervisor ? " (supervisor)" : "");
	}
	fputc('\n', out);
}

void sdf_print_summary(const struct sdf_system *sys, FILE *out)
{
	char size[32];
	int width = 0;

	for (size_t p = 0; p < sys->npds; p++) {
		int w = (int)strlen(sys->pds[p].name) + 2 * depth(sys, p);
		if (w > width)
			width = w;
	}
	fprintf(out, "%s: %zu %s, %zu %s, %zu %s\n", sys->path, sys->npds,
	        plural(sys->npds, "protection domain", "protection domains"), sys->nchannels,
	        plural(sys->nchannels, "channel", "channels"), sys->nregions,
	        plural(sys->nregions, "memory region", "memory regions"));

	fprintf(out, "protection domains:\n");
	for (size_t p = 0; p < sys->npds; p++) {
		const struct sdf_pd *pd = &sys->pds[p];
		int d = depth(sys, p);
		fprintf(out, "  %*s%-*s  priority %u", 2 * d, "", width - 2 * d, pd->name,
		        pd->priority);
		if (pd->parent >= 0)
			fprintf(out, ", child %ld of %s", pd->child_id, sys->pds[pd->parent].name);
		if (pd->passive)
			fprintf(out, ", passive");
		if (pd->budget_us != pd->period_us || pd->budget_us != SDF_BUDGET_DEFAULT)
			fprintf(out, ", budget %" PRIu64 " us per %" PRIu64 " us", pd->budget_us,
			        pd->period_us);
		if (pd->stack_size != SDF_STACK_MIN) {
			sdf_format_size(pd->stack_size, size, sizeof(size));
			fprintf(out, ", stack %s", size);
		}
		if (pd->restart != SDF_RESTART_PERMANENT)
			fprintf(out, ", restart %s", sdf_restart_name(pd->restart));
		if (pd->memory_limit) {
			sdf_format_size(pd->memory_limit, size, sizeof(size));
			fprintf(out, ", memory %s", size);
		}
		if (pd->max_tasks)
			fprintf(out, ", tasks %u", pd->max_tasks);
		if (pd->kind == SDF_PD_BEAM)
			fprintf(out, ", beam app %s, %s\n", pd->beam_app, pd->beam_dir);
		else
			fprintf(out, ", %s\n", pd->program);
	}

	if (sys->nchannels)
		fprintf(out, "channels:\n");
	for (size_t i = 0; i < sys->nchannels; i++) {
		const struct sdf_channel *ch = &sys->channels[i];
		const char *name[2] = {sys->pds[ch->end[0].pd].name, sys->pds[ch->end[1].pd].name};
		const char *sep = " (";
		fprintf(out, "  %s:%u <-> %s:%u", name[0], ch->end[0].id, name[1], ch->end[1].id);
		for (int e = 0; e < 2; e++) {
			if (ch->end[e].pp) {
				fprintf(out, "%sppcall %s->%s", sep, name[e], name[1 - e]);
				sep = ", ";
			}
		}
		for (int e = 0; e < 2; e++) {
			if (ch->end[e].queue_size) {
				sdf_format_size(ch->end[e].queue_size, size, sizeof(size));
				fprintf(out, "%squeue %s->%s %s", sep, name[e], name[1 - e], size);
				sep = ", ";
			}
		}
		if (ch->dist) {
			fprintf(out,
			        "%sdistribution link: full mutual trust, each VM may spawn, "
			        "rpc and load code on the other",
			        sep);
			sep = ", ";
		}
		for (int e = 0; e < 2; e++) {
			if (!ch->end[e].notify) {
				fprintf(out, "%sno notify %s->%s", sep, name[e], name[1 - e]);
				sep = ", ";
			}
		}
		fprintf(out, "%s\n", sep[0] == ',' ? ")" : "");
	}

	if (sys->nregions)
		fprintf(out, "memory regions:\n");
	for (size_t r = 0; r < sys->nregions; r++) {
		const struct sdf_region *mr = &sys->regions[r];
		const char *sep = ": ";
		sdf_format_size(mr->size, size, sizeof(size));
		fprintf(out, "  %s %s", mr->name, size);
		for (size_t p = 0; p < sys->npds; p++) {
			const struct sdf_pd *pd = &sys->pds[p];
			for (size_t i = 0; i < pd->nmaps; i++) {
				const struct sdf_map *m = &pd->maps[i];
				char perms[4];
				if (m->region != r)
					continue;
				perms_str(m->perms, perms);
				fprintf(out, "%s%s %s at 0x%" PRIx64, sep, pd->name, perms,
				        m->vaddr);
				if (m->setvar_vaddr)
					fprintf(out, " (setvar %s)", m->setvar_vaddr);
				sep = ", ";
			}
		}
		fprintf(out, "%s%s\n", sep[0] == ':' ? ": not mapped" : "",
		        mr->clear_on_restart ? " (cleared on restart)" : "");
	}

	size_t ngrants = 0;
	for (size_t p = 0; p < sys->npds; p++)
		ngrants += sys->pds[p].ngrants;
	if (ngrants)
		fprintf(out, "grants:\n");
	for (size_t p = 0; p < sys->npds; p++) {
		for (size_t i = 0; i < sys->pds[p].ngrants; i++) {
			const struct sdf_grant *g = &sys->pds[p].grants[i];
			/* "  web.http: tcp_listen 127.0.0.1:8080, backlog 128" */
			fprintf(out, "  %s.%s: %s %s%s%s:%u, backlog %u\n", sys->pds[p].name,
			        g->name, sdf_grant_type_name(g->type), g->ipv6 ? "[" : "",
			        g->address, g->ipv6 ? "]" : "", g->port, g->backlog);
		}
	}

	fprintf(out, "supervision:\n");
	for (size_t s = 0; s < sys->nsups; s++)
		print_supervisor(sys, s, out);
}
