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
 * -sname/-name: no distribution, so no epmd and no socket.  No crash dump:
 * ERL_CRASH_DUMP_SECONDS=0 (the root is read-only anyway).
 *
 * NIF libraries: the root holds beam.smp's own shared libraries (the
 * sandbox finds them), the runtime and the application.  A NIF may link
 * more (OTP's crypto.so links libcrypto): the libraries of every NIF in
 * the runtime's and the application's priv directories are bound too, so
 * :crypto (and :ssl, :public_key on top) load inside the PD.
 *
 * START runs application:ensure_all_started(APP, permanent): when the app
 * cannot start the VM halts with status 1 and a line on stderr, and when a
 * permanent application stops later the VM stops, so the monitor's
 * supervisor sees the PD end either way.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	             "{ok, _} -> ok; "
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

void mon_beam_free(struct mon_beam *b)
{
	vec_free(b->argv);
	vec_free(b->envp);
	vec_free(b->ro_paths);
	memset(b, 0, sizeof(*b));
}
