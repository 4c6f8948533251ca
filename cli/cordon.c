/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cordon — the command-line front of Cordon.
 *
 *   cordon check [-L DIR]... FILE    validate a system description
 *   cordon run   [-L DIR]... FILE    boot it (Ctrl-C stops every PD)
 *   cordon run   --key PUB IMAGE     verify a signed system image, boot it
 *   cordon ps | restart PD | stop PD | faults | log [PD]
 *                                    ask the running system's monitor
 *
 * Exit codes: 0 success, 1 the description or the system failed,
 * 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/graph.h"
#include "image/image.h"
#include "ipc/abi.h"
#include "monitor/admin.h"
#include "monitor/monitor.h"
#include "sdf/sdf.h"

#ifndef CORDON_VERSION
#define CORDON_VERSION "0.1.0"
#endif

#define MAX_SEARCH 64

static const char usage_top[] =
    "usage: cordon COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Build secure, self-healing systems out of isolated protection domains.\n"
    "\n"
    "commands:\n"
    "  check FILE    validate a system description and summarise it\n"
    "  run FILE      boot the system it describes; SIGINT/SIGTERM stop it\n"
    "  ps            list the running system's PDs: state, pid, restarts,\n"
    "                uptime, memory\n"
    "  restart PD    restart one PD of the running system\n"
    "  stop PD       stop one PD of the running system\n"
    "  faults        the faults the running system has recorded\n"
    "  log [PD]      recent output of the running system's PDs (the last\n"
    "                500 lines of each, in the order written)\n"
    "  graph FILE    draw the system with Graphviz (SVG and PNG)\n"
    "  version       print the version\n"
    "\n"
    "Run 'cordon COMMAND --help' for a command's options.\n";

static const char usage_check[] =
    "usage: cordon check [-L DIR]... FILE\n"
    "\n"
    "Validate the system description FILE (Microkit SDF plus Cordon's\n"
    "extensions, see docs/system-description.md) and print a summary.\n"
    "Every problem is reported as FILE:LINE: error: <element>: message.\n"
    "\n"
    "  -L, --search-path DIR   look for program images and BEAM applications\n"
    "                          in DIR (repeatable): a relative path is looked\n"
    "                          up beside FILE first, then in each -L DIR in\n"
    "                          order, then in $CORDON_SEARCH_PATH\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 valid, 1 invalid, 2 usage error.\n";

static const char usage_run[] =
    "usage: cordon run [-L DIR]... FILE\n"
    "       cordon run --key PUB IMAGE\n"
    "\n"
    "Validate FILE, then boot the system: create its channels, queues and\n"
    "memory regions, start every protection domain in its sandbox, and print\n"
    "their output prefixed with their names.  SIGINT or SIGTERM stops every\n"
    "PD and exits 0.  Nothing is started if the description is invalid or\n"
    "any PD fails to start.\n"
    "\n"
    "IMAGE is a system image directory (mix cordon.build, docs/images.md):\n"
    "its manifest's Ed25519 signature is checked with the public key PUB and\n"
    "every file's SHA-256 against the manifest before anything starts; the\n"
    "system runs from a verified copy, which is removed when it stops.\n"
    "\n"
    "  -k, --key PUB           the image's public signing key (64 hex digits)\n"
    "  -L, --search-path DIR   as for 'cordon check' (not with an image)\n"
    "  -n, --name NAME         the system's name for 'cordon ps' and friends\n"
    "                          (default: FILE's name without .system)\n"
    "  -t, --timestamps        begin each line of PD output with the UTC time\n"
    "                          it was relayed (2026-01-31T12:00:00.123Z)\n"
    "  -h, --help              this text\n";

static const char usage_admin[] =
    "usage: cordon ps            [-s NAME]\n"
    "       cordon restart PD    [-s NAME]\n"
    "       cordon stop PD       [-s NAME]\n"
    "       cordon faults        [-s NAME]\n"
    "       cordon log [-f] [PD] [-s NAME]\n"
    "\n"
    "Ask the monitor of a running system, through its admin socket in\n"
    "$CORDON_RUNTIME_DIR (default $XDG_RUNTIME_DIR/cordon or /tmp/cordon-UID).\n"
    "Only the user who started the system may ask.\n"
    "\n"
    "  -s, --system NAME   which system, when several run (see 'cordon run --name')\n"
    "  -f, --follow        log: print the kept lines, then each new one as it is\n"
    "                      written, until the system stops or Ctrl-C\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 done, 1 the monitor refused, 2 no system to ask or usage error.\n";

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '.')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

struct search {
	const char *dirs[MAX_SEARCH + 1];
	size_t n;
	size_t given; /* how many came from -L */
	char *env_copy;
};

static int search_add(struct search *s, const char *dir)
{
	if (!*dir)
		return 0;
	if (s->n == MAX_SEARCH) {
		fprintf(stderr, "cordon: too many search paths (at most %d)\n", MAX_SEARCH);
		return -1;
	}
	s->dirs[s->n++] = dir;
	s->dirs[s->n] = NULL;
	return 0;
}

/* Options first, then $CORDON_SEARCH_PATH; sdf_load searches the
 * description's own directory before them.  Nothing of the build's own tree
 * is searched: a copied or moved checkout must not run the other tree.
 * name, key and stamps are run's (NULL for check). */
static int parse_common(int argc, char **argv, const char *usage, struct search *s,
                        const char **file, const char **name, const char **key, bool *stamps)
{
	static const struct option longopts[] = {
	    {"search-path", required_argument, NULL, 'L'},
	    {"name", required_argument, NULL, 'n'},
	    {"key", required_argument, NULL, 'k'},
	    {"timestamps", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(s, 0, sizeof(*s));
	optind = 1;
	while ((c = getopt_long(argc, argv, name ? "+L:n:k:th" : "+L:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (!key) {
				fputs(usage, stderr);
				return 2;
			}
			*key = optarg;
			break;
		case 'L':
			if (search_add(s, optarg) < 0)
				return 2;
			s->given++;
			break;
		case 'n':
			if (!name || !valid_name(optarg)) {
				fprintf(stderr,
				        "cordon %s: bad --name '%s' (letters, digits, '_', "
				        "'-', '.'; at most 64)\n",
				        argv[0], optarg);
				return 2;
			}
			*name = optarg;
			break;
		case 't':
			if (!stamps) {
				fputs(usage, stderr);
				return 2;
			}
			*stamps = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "cordon %s: expected exactly one system description\n\n%s", argv[0],
		        usage);
		return 2;
	}
	*file = argv[optind];

	const char *env = getenv("CORDON_SEARCH_PATH");
	if (env) {
		s->env_copy = strdup(env);
		if (!s->env_copy) {
			perror("cordon");
			return 1;
		}
		char *save = NULL;
		for (char *d = strtok_r(s->env_copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			if (search_add(s, d) < 0)
				return 2;
	}
	return -1; /* go on */
}

static int cmd_check(int argc, char **argv)
{
	struct search s;
	const char *file = NULL;
	int rc = parse_common(argc, argv, usage_check, &s, &file, NULL, NULL, NULL);
	if (rc >= 0)
		goto out;

	struct sdf_diag diag = SDF_DIAG_INIT(stderr);
	struct sdf_system *sys = sdf_load(file, s.dirs, &diag);
	if (!sys) {
		fprintf(stderr, "cordon check: %s: %u error%s, %u warning%s\n", file, diag.errors,
		        diag.errors == 1 ? "" : "s", diag.warnings, diag.warnings == 1 ? "" : "s");
		rc = 1;
		goto out;
	}
	sdf_print_summary(sys, stdout);
	sdf_free(sys);
	rc = 0;
out:
	free(s.env_copy);
	return rc;
}

/* An image is a directory; it runs from its verified copy, which is its
 * only search directory: a relative path must not find a file of the host
 * that no signature covers. */
static int stage_image(const char *image, const char *key, const struct search *s,
                       struct image_tree *t)
{
	char why[2048];

	if (!key) {
		fprintf(stderr,
		        "cordon run: %s is a system image: give its public key with --key PUB "
		        "(a project's keys/signing.pub); nothing was started\n",
		        image);
		return 2;
	}
	if (s->given || getenv("CORDON_SEARCH_PATH")) {
		fprintf(stderr,
		        "cordon run: -L and CORDON_SEARCH_PATH do not apply to an image (%s); "
		        "nothing was started\n",
		        image);
		return 2;
	}
	if (image_stage(image, key, t, why, sizeof(why)) < 0) {
		fprintf(stderr, "cordon run: %s\ncordon run: nothing was started\n", why);
		return 1;
	}
	return -1;
}

static int cmd_run(int argc, char **argv)
{
	struct search s;
	struct image_tree tree;
	struct stat st;
	const char *file = NULL, *name = NULL, *key = NULL;
	bool stamps = false;
	memset(&tree, 0, sizeof(tree));
	int rc = parse_common(argc, argv, usage_run, &s, &file, &name, &key, &stamps);
	if (rc >= 0)
		goto out;
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = stage_image(file, key, &s, &tree);
		if (rc >= 0)
			goto out;
		file = tree.system;
		s.dirs[0] = tree.root;
		s.dirs[1] = NULL;
		s.n = 1;
	} else if (key) {
		fprintf(
		    stderr,
		    "cordon run: --key is for a system image (a directory), and %s is not one\n",
		    file);
		rc = 2;
		goto out;
	}

	struct sdf_diag diag = SDF_DIAG_INIT(stderr);
	struct sdf_system *sys = sdf_load(file, s.dirs, &diag);
	if (!sys) {
		fprintf(stderr, "cordon run: %s is not valid; nothing was started\n", file);
		rc = 1;
		goto out;
	}
	struct monitor_opts opts = {.log = stdout, .name = name, .timestamps = stamps};
	rc = monitor_run(sys, &opts);
	sdf_free(sys);
out:
	image_unstage(&tree);
	free(s.env_copy);
	return rc;
}

/*
 * cordon log -f: ask for the lines written after the last one seen, print
 * them, and ask again a moment later (the monitor answers each request at
 * once and never holds a connection for a slow reader).  The relay prints
 * at most 1000 lines a second of a stream and keeps 500 of each PD, so
 * four polls a second lose nothing a PD's own stream keeps.  Ends with
 * status 0 when the system stops, as `tail -f` of a finished log would.
 */
static int follow_log(const char *system, const char *pd)
{
	unsigned long long since = 0;
	/* After the first answer, a failed poll is the system ending: its
	 * "no system is running" is not an error worth printing. */
	FILE *quiet = fopen("/dev/null", "we");
	if (!quiet) {
		perror("cordon log: /dev/null");
		return 2;
	}
	int rc;
	for (bool first = true;; first = false) {
		char req[128], *text = NULL;
		size_t len = 0;
		snprintf(req, sizeof(req), "logsince %llu%s%s", since, pd ? " " : "", pd ? pd : "");
		FILE *mem = open_memstream(&text, &len);
		if (!mem) {
			perror("cordon log");
			rc = 2;
			break;
		}
		rc = admin_request(system, req, mem, first ? stderr : quiet);
		fclose(mem);
		unsigned long long seq;
		int used = 0;
		if (rc == 0 && sscanf(text, "seq %llu\n%n", &seq, &used) == 1 && used > 0) {
			fputs(text + used, stdout);
			fflush(stdout);
			since = seq;
		}
		free(text);
		if (rc != 0 && first)
			break;
		if (rc == 2) {
			fprintf(stderr, "cordon log: the system has stopped\n");
			rc = 0;
			break;
		}
		if (rc != 0)
			break;
		struct timespec t = {0, 250 * 1000 * 1000};
		while (nanosleep(&t, &t) < 0 && errno == EINTR)
			;
	}
	fclose(quiet);
	return rc;
}

/* ps, restart, stop, faults, log: one request to the running monitor. */
static int cmd_admin(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"system", required_argument, NULL, 's'},
	    {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0], *system = NULL;
	bool wants_pd = !strcmp(cmd, "restart") || !strcmp(cmd, "stop");
	bool may_pd = wants_pd || !strcmp(cmd, "log");
	bool follow = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			system = optarg;
			break;
		case 'f':
			if (strcmp(cmd, "log") != 0) {
				fprintf(stderr, "cordon %s: -f is for 'cordon log'\n\n%s", cmd,
				        usage_admin);
				return 2;
			}
			follow = true;
			break;
		case 'h':
			fputs(usage_admin, stdout);
			return 0;
		default:
			fputs(usage_admin, stderr);
			return 2;
		}
	}
	int rest = argc - optind;
	if ((wants_pd && rest != 1) || (!may_pd && rest != 0) || rest > 1) {
		fprintf(stderr, "cordon %s: %s\n\n%s", cmd,
		        wants_pd ? "expected the name of one PD" : "too many arguments",
		        usage_admin);
		return 2;
	}
	if (system && !valid_name(system)) {
		fprintf(stderr, "cordon %s: bad system name '%s'\n", cmd, system);
		return 2;
	}
	char req[128];
	if (rest && !valid_name(argv[optind])) {
		fprintf(stderr, "cordon %s: bad PD name '%s'\n", cmd, argv[optind]);
		return 2;
	}
	if (follow)
		return follow_log(system, rest ? argv[optind] : NULL);
	snprintf(req, sizeof(req), "%s%s%s", cmd, rest ? " " : "", rest ? argv[optind] : "");
	return admin_request(system, req, stdout, stderr);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_top, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_top, stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("cordon %s (abi %u)\n", CORDON_VERSION, IPC_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "graph"))
		return cmd_graph(argc - 1, argv + 1, NULL);
	if (!strcmp(cmd, "ps") || !strcmp(cmd, "restart") || !strcmp(cmd, "stop") ||
	    !strcmp(cmd, "faults") || !strcmp(cmd, "log"))
		return cmd_admin(argc - 1, argv + 1);
	fprintf(stderr, "cordon: unknown command '%s'\n\n%s", cmd, usage_top);
	return 2;
}
