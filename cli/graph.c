/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cordon graph: the DOT of a system (graph.h) and the command that renders
 * it with Graphviz's dot into BASE.svg and BASE.png.
 *
 * Names in the description are validated by sdf (letters, digits, '_',
 * '-', '.'), but every string is still written through dot_str, which
 * escapes what DOT would read as syntax.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/graph.h"
#include "image/image.h"
#include "ipc/abi.h"

extern char **environ;

static const char usage_graph[] =
    "usage: cordon graph [-L DIR]... [-o BASE] FILE\n"
    "       cordon graph --key PUB [-o BASE] IMAGE\n"
    "\n"
    "Draw the system described by FILE (or held by the signed system IMAGE,\n"
    "verified first) with Graphviz: BASE.svg and BASE.png (BASE defaults to\n"
    "FILE without .system, or IMAGE's system's name), and BASE.dot.\n"
    "Supervisors are boxes around their PDs; a PD shows its kind (native or\n"
    "BEAM), priority and grants; a channel is an arrow from the end that may\n"
    "call (pp) or a line when neither may, labelled with both ids and any\n"
    "queue; memory regions are cylinders with an edge per mapping.\n"
    "\n"
    "  -L, --search-path DIR   as for 'cordon check'\n"
    "  -k, --key PUB           the image's public signing key\n"
    "  -o, --output BASE       where to write BASE.{dot,svg,png}\n"
    "  -h, --help              this text\n"
    "\n"
    "Needs Graphviz's dot (Debian: graphviz).  Exit status: 0 drawn, 1 the\n"
    "description or image is not valid or dot failed, 2 usage error.\n";

static void dot_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static const char *strategy_name(enum sdf_strategy s)
{
	switch (s) {
	case SDF_STRATEGY_ONE_FOR_ALL:
		return "one_for_all";
	case SDF_STRATEGY_REST_FOR_ONE:
		return "rest_for_one";
	default:
		return "one_for_one";
	}
}

static const char *restart_name(enum sdf_restart r)
{
	switch (r) {
	case SDF_RESTART_TRANSIENT:
		return ", transient";
	case SDF_RESTART_TEMPORARY:
		return ", temporary";
	default:
		return "";
	}
}

static void pd_node(const struct sdf_system *sys, size_t i, FILE *out, int indent)
{
	const struct sdf_pd *pd = &sys->pds[i];
	char label[2048];
	int n;

	if (pd->kind == SDF_PD_BEAM)
		n = snprintf(label, sizeof(label), "%s\nBEAM: %s\npriority %u%s", pd->name,
		             pd->beam_app, pd->priority, restart_name(pd->restart));
	else
		n = snprintf(label, sizeof(label), "%s\nnative\npriority %u%s%s", pd->name,
		             pd->priority, pd->passive ? ", passive" : "",
		             restart_name(pd->restart));
	for (size_t g = 0; g < pd->ngrants && n > 0 && (size_t)n < sizeof(label); g++) {
		const struct sdf_grant *gr = &pd->grants[g];
		n += snprintf(label + n, sizeof(label) - (size_t)n,
		              "\ngrant %s: tcp_listen %s%s%s:%u", gr->name, gr->ipv6 ? "[" : "",
		              gr->address, gr->ipv6 ? "]" : "", gr->port);
	}
	fprintf(out, "%*spd%zu [label=", indent, "", i);
	dot_str(out, label);
	fputs(pd->kind == SDF_PD_BEAM ? ", style=\"rounded,filled\", fillcolor=\"#d8e8f8\"]\n"
	                              : ", style=filled, fillcolor=\"#f4e4c8\"]\n",
	      out);
}

static void sup_cluster(const struct sdf_system *sys, size_t s, FILE *out, int indent)
{
	const struct sdf_supervisor *sup = &sys->sups[s];
	char label[512];
	int inner = indent;

	if (s != 0) { /* the implicit root is the whole picture */
		snprintf(label, sizeof(label), "supervisor %s: %s, %u restarts in %" PRIu64 " s",
		         sup->name, strategy_name(sup->strategy), sup->intensity,
		         sup->period_ms / 1000);
		fprintf(out, "%*ssubgraph cluster_sup%zu {\n%*slabel=", indent, "", s, indent + 2,
		        "");
		dot_str(out, label);
		fprintf(out, "; style=dashed; color=\"#808080\"\n");
		inner = indent + 2;
	}
	for (size_t c = 0; c < sup->nchildren; c++) {
		if (sup->children[c].is_supervisor)
			sup_cluster(sys, sup->children[c].index, out, inner);
		else
			pd_node(sys, sup->children[c].index, out, inner);
	}
	if (s != 0)
		fprintf(out, "%*s}\n", indent, "");
}

static void channel_edge(const struct sdf_system *sys, const struct sdf_channel *ch, FILE *out)
{
	const struct sdf_end *a = &ch->end[0], *b = &ch->end[1];
	char label[256];
	int n;

	/* the arrow goes from the caller to the callee: calls go one way */
	if (b->pp) {
		const struct sdf_end *t = a;
		a = b;
		b = t;
	}
	n = snprintf(label, sizeof(label), "%u : %u%s", a->id, b->id, a->pp ? "\npp" : "");
	if (a->queue_size && n > 0 && (size_t)n < sizeof(label))
		n += snprintf(label + n, sizeof(label) - (size_t)n, "\nqueue %s→%s %u B",
		              sys->pds[a->pd].name, sys->pds[b->pd].name, a->queue_size);
	if (b->queue_size && n > 0 && (size_t)n < sizeof(label))
		snprintf(label + n, sizeof(label) - (size_t)n, "\nqueue %s→%s %u B",
		         sys->pds[b->pd].name, sys->pds[a->pd].name, b->queue_size);
	fprintf(out, "  pd%zu -> pd%zu [label=", a->pd, b->pd);
	dot_str(out, label);
	fprintf(out, "%s]\n", a->pp ? ", penwidth=1.6" : ", dir=none");
}

int graph_dot(const struct sdf_system *sys, FILE *out)
{
	fputs(
	    "digraph cordon {\n"
	    "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.5, ranksep=0.9]\n"
	    "  node [shape=box, fontname=\"Helvetica\", fontsize=11]\n"
	    "  edge [fontname=\"Helvetica\", fontsize=10]\n",
	    out);
	/* the file's name, not its path: pictures go into READMEs */
	const char *slash = strrchr(sys->path, '/');
	fputs("  label=", out);
	dot_str(out, slash ? slash + 1 : sys->path);
	fputs("; labelloc=t\n", out);
	if (sys->nsups)
		sup_cluster(sys, 0, out, 2);
	/* child PDs have no supervisor (their parent's fault() is) */
	for (size_t i = 0; i < sys->npds; i++)
		if (sys->pds[i].sup < 0)
			pd_node(sys, i, out, 2);
	for (size_t i = 0; i < sys->npds; i++)
		if (sys->pds[i].parent >= 0)
			fprintf(out,
			        "  pd%ld -> pd%zu [label=\"child %ld\", style=dashed, "
			        "arrowhead=odiamond]\n",
			        sys->pds[i].parent, i, sys->pds[i].child_id);
	for (size_t c = 0; c < sys->nchannels; c++)
		channel_edge(sys, &sys->channels[c], out);
	for (size_t r = 0; r < sys->nregions; r++) {
		char label[256];
		snprintf(label, sizeof(label), "%s\n%" PRIu64 " KiB", sys->regions[r].name,
		         sys->regions[r].size / 1024);
		fprintf(out, "  mr%zu [shape=cylinder, label=", r);
		dot_str(out, label);
		fputs("]\n", out);
	}
	for (size_t i = 0; i < sys->npds; i++)
		for (size_t m = 0; m < sys->pds[i].nmaps; m++) {
			const struct sdf_map *map = &sys->pds[i].maps[m];
			fprintf(
			    out,
			    "  mr%zu -> pd%zu [style=dotted, arrowhead=none, label=\"%s%s%s\"]\n",
			    map->region, i, map->perms & IPC_PERM_R ? "r" : "",
			    map->perms & IPC_PERM_W ? "w" : "", map->perms & IPC_PERM_X ? "x" : "");
		}
	fputs("}\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

static int run_dot(const char *fmt, const char *in, const char *outpath)
{
	char tflag[16], oflag[4096 + 4];
	pid_t pid;
	int st = 0;

	snprintf(tflag, sizeof(tflag), "-T%s", fmt);
	snprintf(oflag, sizeof(oflag), "-o%s", outpath);
	char *const argv[] = {"dot", tflag, oflag, (char *)in, NULL};
	int rc = posix_spawnp(&pid, "dot", NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr,
		        "cordon graph: cannot run dot: %s\n  hint: install Graphviz (Debian: "
		        "graphviz)\n",
		        strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "cordon graph: dot -T%s failed for %s\n", fmt, in);
		return -1;
	}
	return 0;
}

int cmd_graph(int argc, char **argv, const char *const *default_search)
{
	static const struct option longopts[] = {
	    {"search-path", required_argument, NULL, 'L'},
	    {"key", required_argument, NULL, 'k'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dirs[66] = {0}, *key = NULL, *base = NULL, *file;
	char why[2048], dotpath[4096], outpath[4096 + 8], defbase[4096];
	struct image_tree tree;
	struct sdf_system *sys = NULL;
	struct stat st;
	size_t nd = 0;
	FILE *f = NULL;
	int c, rc = 1;

	memset(&tree, 0, sizeof(tree));
	optind = 1;
	while ((c = getopt_long(argc, argv, "+L:k:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (nd == 64) {
				fprintf(stderr,
				        "cordon graph: too many search paths (at most 64)\n");
				return 2;
			}
			dirs[nd++] = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'o':
			base = optarg;
			break;
		case 'h':
			fputs(usage_graph, stdout);
			return 0;
		default:
			fputs(usage_graph, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "cordon graph: expected one description or image\n\n%s",
		        usage_graph);
		return 2;
	}
	file = argv[optind];
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!key) {
			fprintf(stderr,
			        "cordon graph: %s is a system image: give its public key with "
			        "--key PUB\n",
			        file);
			return 2;
		}
		if (image_stage(file, key, &tree, why, sizeof(why)) < 0) {
			fprintf(stderr, "cordon graph: %s\n", why);
			return 1;
		}
		file = tree.system;
		dirs[0] = tree.root;
		dirs[1] = NULL;
	} else {
		for (size_t i = 0; default_search && default_search[i] && nd < 64; i++)
			dirs[nd++] = default_search[i];
	}

	struct sdf_diag diag = SDF_DIAG_INIT(stderr);
	sys = sdf_load(file, dirs, &diag);
	if (!sys) {
		fprintf(stderr, "cordon graph: %s is not valid; nothing was drawn\n", file);
		goto out;
	}
	if (!base) {
		const char *slash = strrchr(file, '/');
		snprintf(defbase, sizeof(defbase), "%s", slash ? slash + 1 : file);
		char *dot = strstr(defbase, ".system");
		if (dot && dot[7] == '\0')
			*dot = '\0';
		base = defbase;
	}
	if (strlen(base) > sizeof(defbase) - 8) {
		fprintf(stderr, "cordon graph: %s: name too long\n", base);
		goto out;
	}
	snprintf(dotpath, sizeof(dotpath), "%.4000s.dot", base);
	f = fopen(dotpath, "we");
	if (!f || graph_dot(sys, f) < 0) {
		fprintf(stderr, "cordon graph: %s: %s\n", dotpath, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		fprintf(stderr, "cordon graph: %s: %s\n", dotpath, strerror(errno));
		goto out;
	}
	f = NULL;
	snprintf(outpath, sizeof(outpath), "%.4000s.svg", base);
	if (run_dot("svg", dotpath, outpath) < 0)
		goto out;
	snprintf(outpath, sizeof(outpath), "%.4000s.png", base);
	if (run_dot("png", dotpath, outpath) < 0)
		goto out;
	printf("cordon graph: %s.dot, %s.svg, %s.png\n", base, base, base);
	rc = 0;
out:
	if (f)
		fclose(f);
	sdf_free(sys);
	image_unstage(&tree);
	return rc;
}
