/* SPDX-License-Identifier: BSD-2-Clause */
/* sdf_load: the three passes (see internal.h), ownership, lookups. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "sdf/internal.h"

static void build_free(struct build *b)
{
	for (size_t p = 0; p < b->sys->npds; p++) {
		struct build_pd *bp = &b->bpd[p];
		free(bp->image);
		free(bp->beam_path);
		for (size_t i = 0; i < b->sys->pds[p].nmaps; i++)
			free(bp->maps[i].mr);
		free(bp->maps);
		free(bp->grant_ok);
	}
	for (size_t i = 0; i < b->sys->nchannels; i++) {
		free(b->bch[i].pd[0]);
		free(b->bch[i].pd[1]);
	}
	free(b->bpd);
	free(b->bch);
	free(b->region_ok);
	free(b->cap_children);
}

struct sdf_system *sdf_load(const char *path, const char *const *search, struct sdf_diag *diag)
{
	struct sdf_diag sink = SDF_DIAG_INIT(NULL);
	struct sdf_system *sys = NULL;
	char *tmp = NULL;

	if (!diag)
		diag = &sink;
	unsigned errors = diag->errors;
	sys = calloc(1, sizeof(*sys));
	if (!sys || !(sys->path = strdup(path)) || !(tmp = strdup(path)) ||
	    !(sys->dir = strdup(dirname(tmp))))
		goto oom;
	free(tmp);
	tmp = NULL;

	struct build b = {.diag = diag, .sys = sys};
	int rc = sdf_parse(&b);
	if (rc > 0) {
		sdf_validate(&b);
		sdf_check_programs(&b, search);
		sdf_check_beam(&b, search);
	}
	build_free(&b);
	if (rc < 0)
		goto oom;
	if (diag->errors != errors) {
		sdf_free(sys);
		return NULL;
	}
	return sys;
oom:
	diag_error(diag, path, 0, NULL, "retry with more memory", "out of memory");
	free(tmp);
	sdf_free(sys);
	return NULL;
}

void sdf_free(struct sdf_system *sys)
{
	if (!sys)
		return;
	for (size_t p = 0; p < sys->npds; p++) {
		struct sdf_pd *pd = &sys->pds[p];
		for (size_t i = 0; i < pd->nmaps; i++)
			free(pd->maps[i].setvar_vaddr);
		free(pd->maps);
		for (size_t i = 0; i < pd->ngrants; i++)
			free(pd->grants[i].name);
		free(pd->grants);
		free(pd->name);
		free(pd->program);
		free(pd->beam_dir);
		free(pd->beam_app);
		for (size_t i = 0; i < pd->nbeam_ebins; i++)
			free(pd->beam_ebins[i]);
		free(pd->beam_ebins);
	}
	for (size_t r = 0; r < sys->nregions; r++)
		free(sys->regions[r].name);
	for (size_t s = 0; s < sys->nsups; s++) {
		free(sys->sups[s].name);
		free(sys->sups[s].children);
	}
	free(sys->sups);
	free(sys->pds);
	free(sys->regions);
	free(sys->channels);
	free(sys->path);
	free(sys->dir);
	free(sys);
}

long sdf_pd_find(const struct sdf_system *sys, const char *name)
{
	for (size_t i = 0; name && i < sys->npds; i++)
		if (sys->pds[i].name && !strcmp(sys->pds[i].name, name))
			return (long)i;
	return -1;
}

long sdf_region_find(const struct sdf_system *sys, const char *name)
{
	for (size_t i = 0; name && i < sys->nregions; i++)
		if (sys->regions[i].name && !strcmp(sys->regions[i].name, name))
			return (long)i;
	return -1;
}

const char *sdf_strategy_name(enum sdf_strategy s)
{
	switch (s) {
	case SDF_STRATEGY_ONE_FOR_ONE:
		return "one_for_one";
	case SDF_STRATEGY_ONE_FOR_ALL:
		return "one_for_all";
	case SDF_STRATEGY_REST_FOR_ONE:
		return "rest_for_one";
	}
	return "?";
}

const char *sdf_restart_name(enum sdf_restart r)
{
	switch (r) {
	case SDF_RESTART_PERMANENT:
		return "permanent";
	case SDF_RESTART_TRANSIENT:
		return "transient";
	case SDF_RESTART_TEMPORARY:
		return "temporary";
	}
	return "?";
}

const char *sdf_grant_type_name(enum sdf_grant_type t)
{
	switch (t) {
	case SDF_GRANT_TCP_LISTEN:
		return "tcp_listen";
	}
	return "?";
}
