/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A BEAM PD's command line.  The emulator is exec'd directly, the way
 * erlexec would after the `erl` script: a PD may exec exactly once (the
 * exec trick, sandbox/internal.h), so neither the script (it needs a shell
 * and dirname) nor erlexec (it execs beam.smp) can run inside.
 *
 *   beam.smp <emulator flags> -- -root R -bindir B -progname erl -- -home /tmp
 *            -- -noshell -noinput -boot start_clean -pa EBIN... -eval START
 *
 * Emulator flags (beam.smp takes them with "-"; erlexec turns "+" into
 * "-"): one normal, one dirty CPU and one dirty I/O scheduler
 * and one async thread (a PD is small; its CPU share is its budget),
 * schedulers that do not busy-wait when idle (they would burn the budget),
 * +Bd so SIGINT ends the VM instead of opening the break menu (there is no
 * terminal), +fnu for UTF-8 file names without a locale in the root.  No
 * -sname/-name unless the PD has a distribution link (mon_beam_dist): no
 * distribution, so no epmd and no socket.  No crash dump:
 * ERL_CRASH_DUMP_SECONDS=0 (the root is read-only anyway).
 *
 * NIF libraries: the root holds beam.smp's own shared libraries (the
 * sandbox finds them), the runtime and the application.  A NIF may link
 * more (OTP's crypto.so links libcrypto): the libraries of every NIF in
 * the runtime's and the application's priv directories are bound too, so
 * :crypto (and :ssl, :public_key on top) load inside the PD.
 *
 * START runs application:ensure_all_started(APP, permanent), then tells the
 * monitor the PD is ready (the cordon library's Cordon.NIF.ready/0; a PD
 * without the library never says so, and each of its ends counts as a
 * failed start).  When the app cannot start the VM halts with status 1 and
 * a line on stderr, and when a permanent application stops later the VM
 * stops, so the monitor's supervisor sees the PD end either way.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "monitor/beam.h"
#include "monitor/beam_config.h"
#include "sandbox/sandbox.h"

#define MAX_ARGS 512

static const char *const emu_flags[] = {
    "-S",    "1:1",  "-SDcpu",    "1:1",  "-SDio",    "1",    "-A",  "1",
    "-sbwt", "none", "-sbwtdcpu", "none", "-sbwtdio", "none", "-Bd", "-fnu",
};

struct vec {
	char **v;
	size_t n, cap;
	bool oom;
};

static void push(struct vec *x, const char *s)
{
	if (x->oom)
		return;
	if (x->n + 2 > x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 32;
		char **v = reallocarray(x->v, cap, sizeof(*v));
		if (!v) {
			x->oom = true;
			return;
		}
		x->v = v;
		x->cap = cap;
	}
	if (!(x->v[x->n] = strdup(s))) {
		x->oom = true;
		return;
	}
	x->v[++x->n] = NULL;
}

static void push_arg(void *x, const char *s)
{
	push(x, s);
}

static void vec_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static bool in_vec(const struct vec *x, const char *s)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->v[i], s) == 0)
			return true;
	return false;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Bind the shared libraries NIFs matching pattern need, beyond what the
 * root already has (beam.smp's libraries in `have`, the runtime and the
 * application directory).  A NIF whose libraries cannot be resolved is
 * skipped: it fails to load inside as it would outside. */
static void nif_libs(const struct sdf_pd *pd, const char *pattern, const struct vec *have,
                     struct vec *ro)
{
	glob_t g = {0};
	char why[256];

	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char **deps = sandbox_elf_deps(g.gl_pathv[i], why, sizeof(why));
		for (size_t j = 0; deps && deps[j]; j++) {
			const char *d = deps[j];
			if (under(d, SDF_ERLANG_ROOT) || under(d, pd->beam_dir) ||
			    in_vec(have, d) || in_vec(ro, d))
				continue;
			push(ro, d);
		}
		sandbox_free_deps(deps);
	}
	globfree(&g);
}

int mon_beam_prepare(const struct sdf_pd *pd, struct mon_beam *b, char *why, size_t whylen)
{
	struct vec argv = {0}, env = {0}, ro = {0};
	char bindir[4096], buf[4096 + 64], *start = NULL;
	glob_t g = {0};
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (pd->kind != SDF_PD_BEAM || !pd->program || !pd->beam_app || !pd->beam_dir) {
		snprintf(why, whylen, "not a BEAM PD");
		return -1;
	}
	snprintf(bindir, sizeof(bindir), "%s", pd->program);
	char *slash = strrchr(bindir, '/'); /* erts-VSN/bin: beam.smp's directory */
	if (slash)
		*slash = '\0';

	push(&argv, pd->program);
	for (size_t i = 0; i < sizeof(emu_flags) / sizeof(emu_flags[0]); i++)
		push(&argv, emu_flags[i]);
	const char *const boot_args[] = {
	    "--",       "-root", SDF_ERLANG_ROOT, "-bindir", bindir, "-progname",
	    "erl",      "--",    "-home",         "/tmp",    "--",   "-noshell",
	    "-noinput", "-boot", "start_clean"};
	for (size_t i = 0; i < sizeof(boot_args) / sizeof(boot_args[0]); i++)
		push(&argv, boot_args[i]);
	if (pd->beam_elixir && glob(SDF_ELIXIR_LIB "/*/ebin", 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++) {
			push(&argv, "-pa");
			push(&argv, g.gl_pathv[i]);
		}
	for (size_t i = 0; i < pd->nbeam_ebins; i++) {
		push(&argv, "-pa");
		push(&argv, pd->beam_ebins[i]);
	}
	bool runtime_exs = mon_beam_release_config(pd, push_arg, &argv);
	/* beam_app is a checked atom (a-z, 0-9, _): safe to write bare */
	if (asprintf(&start,
	             "%scase application:ensure_all_started(%s, permanent) of "
	             "{ok, _} -> catch 'Elixir.Cordon.NIF':ready(), ok; "
	             "{error, E} -> io:format(standard_error, \"cannot start ~p: ~p~n\", "
	             "[%s, E]), erlang:halt(1) end.",
	             runtime_exs ? mon_beam_runtime_eval : "", pd->beam_app, pd->beam_app) < 0) {
		start = NULL;
		argv.oom = true;
	}
	push(&argv, "-eval");
	if (start)
		push(&argv, start);
	if (argv.n > MAX_ARGS) {
		snprintf(why, whylen, "%zu arguments for the emulator: too many ebin directories",
		         argv.n);
		goto out;
	}

	snprintf(buf, sizeof(buf), "ROOTDIR=%s", SDF_ERLANG_ROOT);
	push(&env, buf);
	snprintf(buf, sizeof(buf), "BINDIR=%s", bindir);
	push(&env, buf);
	push(&env, "EMU=beam");
	push(&env, "PROGNAME=erl");
	push(&env, "HOME=/tmp");
	push(&env, "ERL_CRASH_DUMP_SECONDS=0");

	push(&ro, SDF_ERLANG_ROOT);
	if (pd->beam_elixir)
		push(&ro, SDF_ELIXIR_LIB);
	push(&ro, pd->beam_dir);
	char **emu = sandbox_elf_deps(pd->program, why, whylen);
	struct vec have = {0};
	for (size_t i = 0; emu && emu[i]; i++)
		push(&have, emu[i]);
	sandbox_free_deps(emu);
	nif_libs(pd, SDF_ERLANG_ROOT "/lib/*/priv/lib/*.so", &have, &ro);
	for (size_t i = 0; i < pd->nbeam_ebins; i++) {
		snprintf(buf, sizeof(buf), "%s/../priv/*.so", pd->beam_ebins[i]);
		nif_libs(pd, buf, &have, &ro);
		snprintf(buf, sizeof(buf), "%s/../priv/lib/*.so", pd->beam_ebins[i]);
		nif_libs(pd, buf, &have, &ro);
	}
	vec_free(have.v);
	ro.oom |= have.oom;

	if (argv.oom || env.oom || ro.oom) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	b->argv = argv.v;
	b->envp = env.v;
	b->ro_paths = ro.v;
	b->nro_paths = ro.n;
	argv.v = env.v = ro.v = NULL;
	rc = 0;
out:
	if (g.gl_pathv)
		globfree(&g);
	free(start);
	vec_free(argv.v);
	vec_free(env.v);
	vec_free(ro.v);
	return rc;
}

/* 128 random bits as hex: a link's secret (its cookie), or a node's own
 * cookie.  Retries EINTR and short reads (getrandom may return fewer bytes
 * for a signal). */
#define SECRET_LEN 32
static int make_secret(char out[SECRET_LEN + 1])
{
	unsigned char raw[SECRET_LEN / 2];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* One secret per channel of the system this monitor runs (one system per
 * monitor), made when the first end of a link starts. */
static char (*link_secrets)[SECRET_LEN + 1];
static size_t nlink_secrets;

static const char *link_secret(const struct sdf_system *sys, size_t c)
{
	if (!link_secrets) {
		link_secrets = calloc(sys->nchannels, sizeof(*link_secrets));
		if (!link_secrets)
			return NULL;
		nlink_secrets = sys->nchannels;
	}
	if (c >= nlink_secrets)
		return NULL;
	if (!link_secrets[c][0] && make_secret(link_secrets[c]) < 0)
		return NULL;
	return link_secrets[c];
}

/* Wrap a NULL-terminated array the way push grows it. */
static struct vec vec_of(char **v)
{
	struct vec x = {.v = v};
	while (v && v[x.n])
		x.n++;
	x.cap = x.n + 1;
	return x;
}

int mon_beam_dist(const struct sdf_system *sys, size_t p, struct mon_beam *b, char *why,
                  size_t whylen)
{
	const struct sdf_pd *pd = &sys->pds[p];
	char *links = NULL, *grown, node[2 * SDF_NAME_MAX + 2], cookie[SECRET_LEN + 1];
	size_t len = 0;

	for (size_t c = 0; c < sys->nchannels; c++) {
		const struct sdf_channel *ch = &sys->channels[c];
		int me = ch->end[0].pd == p ? 0 : ch->end[1].pd == p ? 1 : -1;
		if (!ch->dist || me < 0)
			continue;
		const struct sdf_pd *peer = &sys->pds[ch->end[1 - me].pd];
		const char *secret = link_secret(sys, c);
		/* CH:NODE:SECRET, the peer's node name being APP@PD as ours */
		size_t add =
		    4 + strlen(peer->beam_app) + 1 + strlen(peer->name) + 1 + SECRET_LEN + 1;
		if (!secret || !(grown = realloc(links, len + add + 1))) {
			snprintf(why, whylen, "distribution link to %s: %s", peer->name,
			         secret ? "out of memory" : strerror(errno));
			free(links);
			return -1;
		}
		links = grown;
		len += (size_t)snprintf(links + len, add + 1, "%s%u:%s@%s:%s", len ? "," : "",
		                        ch->end[me].id, peer->beam_app, peer->name, secret);
	}
	if (!links)
		return 0;

	struct vec argv = vec_of(b->argv), env = vec_of(b->envp);
	snprintf(node, sizeof(node), "%s@%s", pd->beam_app, pd->name);
	/* The node's own cookie guards nothing (every peer has its own, and
	 * no other node is reachable), but without one the VM would try to
	 * write ~/.erlang.cookie into the read-only root. */
	if (make_secret(cookie) < 0) {
		snprintf(why, whylen, "getrandom: %s", strerror(errno));
		free(links);
		return -1;
	}
	/* No mesh: a node reaches only its links' peers.  :global still tries
	 * the nodes its peers know (it fails at once: no link), but must not
	 * cut the links that are there to "prevent overlapping partitions"
	 * (OTP 25's default disconnects A-B when B-C is up and A-C cannot be).
	 * Not -connect_all false: it stops :global replicating names at all. */
	const char *const flags[] = {
	    "-sname", node,         "-proto_dist", "cordon",  "-start_epmd",
	    "false",  "-setcookie", cookie,        "-kernel", "prevent_overlapping_partitions",
	    "false"};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		push(&argv, flags[i]);
	char *var = NULL;
	if (asprintf(&var, "CORDON_DIST=%s", links) < 0)
		var = NULL;
	free(links);
	if (var)
		push(&env, var);
	free(var);
	b->argv = argv.v;
	b->envp = env.v;
	if (!var || argv.oom || env.oom) {
		/* nothing half-prepared: the next start prepares again */
		mon_beam_free(b);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

void mon_beam_free(struct mon_beam *b)
{
	vec_free(b->argv);
	vec_free(b->envp);
	vec_free(b->ro_paths);
	memset(b, 0, sizeof(*b));
}
