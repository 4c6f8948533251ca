/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whole-system rules: names resolved to indices, uniqueness, maps against
 * regions, channels against PDs and priorities.  Runs after parse.c over
 * what parsed cleanly (the build's ok flags), so a mistake already reported
 * is not reported again as a consequence.
 */
#include <stdlib.h>
#include <string.h>

#include "sdf/internal.h"

#define ERR(b, line, elem, hint, ...)                                                              \
	diag_error((b)->diag, (b)->sys->path, (line), (elem), (hint), __VA_ARGS__)
#define WARN(b, line, elem, hint, ...)                                                             \
	diag_warning((b)->diag, (b)->sys->path, (line), (elem), (hint), __VA_ARGS__)

static void unique_names(struct build *b)
{
	struct sdf_system *sys = b->sys;

	for (size_t i = 0; i < sys->npds; i++) {
		for (size_t j = 0; j < i && sys->pds[i].name; j++) {
			if (sys->pds[j].name && !strcmp(sys->pds[i].name, sys->pds[j].name)) {
				ERR(b, sys->pds[i].loc.line, "protection_domain",
				    "give every protection domain its own name",
				    "duplicate protection domain name '%s' (first at line %d)",
				    sys->pds[i].name, sys->pds[j].loc.line);
				b->bpd[i].name_ok = false;
				break;
			}
		}
	}
	for (size_t i = 0; i < sys->nregions; i++) {
		for (size_t j = 0; j < i && sys->regions[i].name; j++) {
			if (sys->regions[j].name &&
			    !strcmp(sys->regions[i].name, sys->regions[j].name)) {
				ERR(b, sys->regions[i].loc.line, "memory_region",
				    "give every memory region its own name",
				    "duplicate memory region name '%s' (first at line %d)",
				    sys->regions[i].name, sys->regions[j].loc.line);
				b->region_ok[i] = false;
				break;
			}
		}
	}
}

/* Supervisors and PDs share one namespace: `cordon restart NAME`, logs and
 * fault records name either, and must not be ambiguous.  The implicit root
 * supervisor is not nameable, so "root" is refused for a supervisor (a PD
 * may still be called root: nothing addresses the root supervisor). */
static void supervisor_names(struct build *b)
{
	struct sdf_system *sys = b->sys;

	for (size_t s = 1; s < sys->nsups; s++) {
		const struct sdf_supervisor *sd = &sys->sups[s];
		if (!sd->name)
			continue;
		if (!strcmp(sd->name, SDF_ROOT_SUPERVISOR)) {
			ERR(b, sd->loc.line, "supervisor",
			    "choose another name; top-level PDs and supervisors are already "
			    "under the implicit root supervisor",
			    "supervisor name 'root' is reserved for the implicit root supervisor");
			continue;
		}
		long p = sdf_pd_find(sys, sd->name);
		if (p >= 0) {
			ERR(b, sd->loc.line, "supervisor",
			    "give supervisors and protection domains different names",
			    "supervisor name '%s' is also the name of the protection domain at "
			    "line "
			    "%d",
			    sd->name, sys->pds[p].loc.line);
			continue;
		}
		for (size_t t = 1; t < s; t++) {
			if (sys->sups[t].name && !strcmp(sys->sups[t].name, sd->name)) {
				ERR(b, sd->loc.line, "supervisor",
				    "give every supervisor its own name",
				    "duplicate supervisor name '%s' (first at line %d)", sd->name,
				    sys->sups[t].loc.line);
				break;
			}
		}
	}
}

static void child_ids(struct build *b)
{
	struct sdf_system *sys = b->sys;

	for (size_t i = 0; i < sys->npds; i++) {
		const struct sdf_pd *pd = &sys->pds[i];
		if (pd->parent < 0 || pd->child_id < 0)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct sdf_pd *o = &sys->pds[j];
			if (o->parent == pd->parent && o->child_id == pd->child_id) {
				ERR(b, pd->loc.line, "protection_domain",
				    "give each child of a protection domain its own id",
				    "duplicate child id %ld in protection domain '%s' (also used "
				    "by "
				    "'%s' at line %d)",
				    pd->child_id,
				    sys->pds[pd->parent].name ? sys->pds[pd->parent].name : "?",
				    o->name ? o->name : "?", o->loc.line);
				break;
			}
		}
	}
}

static void maps(struct build *b)
{
	struct sdf_system *sys = b->sys;
	char used[256];

	for (size_t p = 0; p < sys->npds; p++) {
		struct sdf_pd *pd = &sys->pds[p];
		struct build_pd *bp = &b->bpd[p];

		for (size_t i = 0; i < pd->nmaps; i++) {
			struct sdf_map *m = &pd->maps[i];
			if (!bp->maps[i].ok)
				continue;
			bp->maps[i].ok = false;
			long r = sdf_region_find(sys, bp->maps[i].mr);
			if (r < 0) {
				snprintf(
				    used, sizeof(used),
				    "declare <memory_region name=\"%.64s\" size=\"...\"/> or fix "
				    "the name",
				    bp->maps[i].mr);
				ERR(b, m->loc.line, "map", used, "no memory region named '%s'",
				    bp->maps[i].mr);
				bp->ok = false;
				continue;
			}
			m->region = (size_t)r;
			const struct sdf_region *mr = &sys->regions[r];
			if (!b->region_ok[r])
				continue; /* its own error was reported */
			if (m->vaddr % mr->page_size) {
				ERR(b, m->loc.line, "map", "use a multiple of 0x1000 (4 KiB)",
				    "vaddr 0x%llx is not a multiple of the page size 0x%llx",
				    (unsigned long long)m->vaddr,
				    (unsigned long long)mr->page_size);
				bp->ok = false;
				continue;
			}
			/* vaddr < SDF_VADDR_LIMIT and size <= SDF_VADDR_LIMIT: no overflow */
			uint64_t end = m->vaddr + mr->size;
			if (end > SDF_VADDR_LIMIT) {
				ERR(b, m->loc.line, "map",
				    "map it lower: Linux user space ends at 0x7ffffffff000",
				    "map of '%s' at 0x%llx ends at 0x%llx, beyond the user address "
				    "space",
				    mr->name, (unsigned long long)m->vaddr,
				    (unsigned long long)end);
				bp->ok = false;
				continue;
			}
			bool clash = false;
			for (size_t j = 0; j < i && !clash; j++) {
				const struct sdf_map *o = &pd->maps[j];
				if (!bp->maps[j].ok)
					continue;
				uint64_t oend = o->vaddr + sys->regions[o->region].size;
				if (m->vaddr < oend && o->vaddr < end) {
					ERR(b, m->loc.line, "map",
					    "move one of them; maps in one PD must not overlap",
					    "map of '%s' [0x%llx..0x%llx) overlaps the map of '%s' "
					    "[0x%llx..0x%llx) at line %d",
					    mr->name, (unsigned long long)m->vaddr,
					    (unsigned long long)end, sys->regions[o->region].name,
					    (unsigned long long)o->vaddr, (unsigned long long)oend,
					    o->loc.line);
					clash = true;
				}
			}
			if (clash) {
				bp->ok = false;
				continue;
			}
			bp->maps[i].ok = true;
		}
	}

	for (size_t r = 0; r < sys->nregions; r++) {
		bool mapped = false;
		if (!sys->regions[r].name)
			continue;
		for (size_t p = 0; p < sys->npds && !mapped; p++)
			for (size_t i = 0; i < sys->pds[p].nmaps && !mapped; i++)
				mapped = b->bpd[p].maps[i].mr &&
				         !strcmp(b->bpd[p].maps[i].mr, sys->regions[r].name);
		if (!mapped)
			WARN(b, sys->regions[r].loc.line, "memory_region",
			     "map it into a protection domain, or remove it",
			     "memory region '%s' is not mapped by any protection domain",
			     sys->regions[r].name);
	}
}

/* A distribution link joins two Erlang VMs; its wire is the channel's two
 * queues, each big enough for a distribution fragment. */
static void check_dist(struct build *b, const struct sdf_channel *ch, const struct sdf_pd *a,
                       const struct sdf_pd *z)
{
	const struct sdf_pd *pd[2] = {a, z};

	for (int e = 0; e < 2; e++) {
		if (pd[e]->kind != SDF_PD_BEAM) {
			ERR(b, ch->loc.line, "channel",
			    "remove dist=\"true\", or make both ends BEAM PDs (<beam_app>); a "
			    "native PD talks to a BEAM PD with queues and protected calls",
			    "dist=\"true\": '%s' is a native PD, and a distribution link joins "
			    "two Erlang VMs",
			    pd[e]->name);
			return;
		}
	}
	for (int e = 0; e < 2; e++) {
		if (ch->end[e].queue_size < SDF_DIST_QUEUE_MIN)
			ERR(b, ch->end[e].loc.line, "end",
			    "give both ends queue_size=\"0x40000\" (256 KiB) or more",
			    "dist=\"true\": the queue from '%s' is %s; a distribution link "
			    "needs 256 KiB rings (the VM sends 64 KiB fragments plus headers)",
			    pd[e]->name, ch->end[e].queue_size ? "too small" : "missing");
	}
}

static void channels(struct build *b)
{
	struct sdf_system *sys = b->sys;
	enum { NIDS = SDF_MAX_CHANNEL_ID + 1 };
	int *used = calloc(sys->npds ? sys->npds * NIDS : 1, sizeof(*used));

	if (!used) {
		ERR(b, 0, NULL, "retry with more memory", "out of memory");
		return;
	}
	for (size_t i = 0; i < sys->nchannels; i++) {
		struct sdf_channel *ch = &sys->channels[i];
		struct build_channel *bc = &b->bch[i];
		bool found = true;

		if (!bc->ok)
			continue;
		for (int e = 0; e < 2; e++) {
			long p = sdf_pd_find(sys, bc->pd[e]);
			if (p < 0) {
				ERR(b, ch->end[e].loc.line, "end",
				    "name a <protection_domain> of this system",
				    "no protection domain named '%s'", bc->pd[e]);
				found = false;
			} else
				ch->end[e].pd = (size_t)p;
		}
		if (!found)
			continue;
		const struct sdf_pd *a = &sys->pds[ch->end[0].pd], *z = &sys->pds[ch->end[1].pd];
		if (ch->end[0].pd == ch->end[1].pd) {
			ERR(b, ch->loc.line, "channel", "connect two different protection domains",
			    "both ends are protection domain '%s'", a->name);
			continue;
		}
		for (int e = 0; e < 2; e++) {
			const struct sdf_end *end = &ch->end[e];
			int *slot = &used[end->pd * NIDS + end->id];
			if (*slot) {
				ERR(b, end->loc.line, "end",
				    "give each channel of a protection domain its own id",
				    "channel id %u of protection domain '%s' is already used by "
				    "the "
				    "channel at line %d",
				    end->id, sys->pds[end->pd].name, *slot);
			} else
				*slot = ch->loc.line;
		}
		for (int e = 0; e < 2; e++) {
			const struct sdf_pd *caller = e ? z : a, *callee = e ? a : z;
			if (!ch->end[e].pp || caller->priority < callee->priority)
				continue;
			char hint[192];
			snprintf(hint, sizeof(hint),
			         "give '%s' a priority above %u, or remove pp (calls go only to "
			         "higher priorities, which rules out deadlock)",
			         callee->name, caller->priority);
			ERR(b, ch->end[e].loc.line, "end", hint,
			    "pp: '%s' (priority %u) may only call a protection domain of higher "
			    "priority, and '%s' has priority %u",
			    caller->name, caller->priority, callee->name, callee->priority);
		}
		if (ch->dist)
			check_dist(b, ch, a, z);
	}
	free(used);
}

static bool wildcard(const struct sdf_grant *g)
{
	static const uint8_t zero[16];
	return !memcmp(g->addr, zero, g->ipv6 ? 16 : 4);
}

/* One listening socket per address and port: two grants that would bind
 * the same one (or one of them the wildcard of the other's family, which
 * covers every address of that family) cannot both be opened.  IPv6
 * sockets are IPv6-only (the monitor sets IPV6_V6ONLY), so :: and 0.0.0.0
 * do not clash. */
static void grants(struct build *b)
{
	struct sdf_system *sys = b->sys;

	for (size_t p = 0; p < sys->npds; p++) {
		for (size_t i = 0; i < sys->pds[p].ngrants; i++) {
			const struct sdf_grant *g = &sys->pds[p].grants[i];
			if (!b->bpd[p].grant_ok[i])
				continue;
			bool clash = false;
			for (size_t q = 0; q <= p && !clash; q++) {
				size_t n = q == p ? i : sys->pds[q].ngrants;
				for (size_t j = 0; j < n && !clash; j++) {
					const struct sdf_grant *o = &sys->pds[q].grants[j];
					if (!b->bpd[q].grant_ok[j] || o->port != g->port ||
					    o->ipv6 != g->ipv6)
						continue;
					if (memcmp(o->addr, g->addr, sizeof(g->addr)) &&
					    !wildcard(o) && !wildcard(g))
						continue;
					char hint[192];
					if (wildcard(o) || wildcard(g))
						snprintf(
						    hint, sizeof(hint),
						    "give each grant its own port (%s covers every "
						    "%s address of the machine)",
						    g->ipv6 ? "::" : "0.0.0.0",
						    g->ipv6 ? "IPv6" : "IPv4");
					else
						snprintf(
						    hint, sizeof(hint),
						    "give each grant its own port or address: one "
						    "listening socket per address and port");
					ERR(b, g->loc.line, "grant", hint,
					    "port %u on %s is already granted to '%s' as '%s' on "
					    "%s "
					    "at line %d",
					    g->port, g->address,
					    sys->pds[q].name ? sys->pds[q].name : "?", o->name,
					    o->address, o->loc.line);
					b->bpd[p].grant_ok[i] = false;
					clash = true;
				}
			}
		}
	}
}

void sdf_validate(struct build *b)
{
	if (b->sys->npds == 0)
		ERR(b, b->system_line, "system", "add a <protection_domain> with a <program_image>",
		    "the system has no protection domains");
	unique_names(b);
	supervisor_names(b);
	child_ids(b);
	maps(b);
	channels(b);
	grants(b);
}
