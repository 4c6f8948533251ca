/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cordon graph: a picture of a system through Graphviz.  graph_dot writes
 * a loaded description as a Graphviz digraph; cmd_graph is the command.
 */
#ifndef CORDON_CLI_GRAPH_H
#define CORDON_CLI_GRAPH_H

#include <stdio.h>

#include "sdf/sdf.h"

/* Writes sys as a DOT digraph to out: supervisors as nested clusters, PDs
 * (native or BEAM, priority, grants, restart), channels (an arrow from the
 * end that may call, pp; queues with their size), memory regions and their
 * maps, child PDs.  0, or -1 when out failed. */
int graph_dot(const struct sdf_system *sys, FILE *out);

/* `cordon graph [-L DIR]... [--key PUB] [-o BASE] FILE|IMAGE` */
int cmd_graph(int argc, char **argv, const char *const *default_search);

#endif
