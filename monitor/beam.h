/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How the monitor starts a BEAM PD: the emulator's command line, its
 * environment and the read-only paths of its root, from the <beam_app> of
 * the system description.  The monitor's interface for starting a BEAM the
 * way it does; bench/beam uses it to time exactly that start.
 */
#ifndef CORDON_MONITOR_BEAM_H
#define CORDON_MONITOR_BEAM_H

#include <stddef.h>

#include "sdf/sdf.h"

/* Owns every string it points to; mon_beam_free releases them. */
struct mon_beam {
	char **argv;     /* NULL-terminated, for beam.smp */
	char **envp;     /* NULL-terminated */
	char **ro_paths; /* the runtime, Elixir's libraries, the application */
	size_t nro_paths;
};

/* Fill *b for pd (kind SDF_PD_BEAM).  Returns 0, or -1 with why set. */
int mon_beam_prepare(const struct sdf_pd *pd, struct mon_beam *b, char *why, size_t whylen);
/* Add Erlang distribution to *b (prepared for sys->pds[p]) when the PD has
 * distribution links (<channel dist="true">): the node name APP@PD, the
 * cordon carrier, no epmd, and CORDON_DIST, one CHANNEL:PEER_NODE:SECRET per
 * link.  A link's secret is made once per monitor, so both ends and every
 * restart of either get the same.  Nothing changes for a PD without a link.
 * Returns 0, or -1 with why set. */
int mon_beam_dist(const struct sdf_system *sys, size_t p, struct mon_beam *b, char *why,
                  size_t whylen);
void mon_beam_free(struct mon_beam *b);

#endif
