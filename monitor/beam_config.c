/* SPDX-License-Identifier: BSD-2-Clause */
/* A BEAM PD's release configuration: sys.config and runtime.exs (beam_config.h). */
#include <stdio.h>
#include <unistd.h>

#include "monitor/beam_config.h"

const char mon_beam_runtime_eval[] =
    "{ok, [[Rc]]} = init:get_argument(cordon_runtime_config), "
    "try {ok, _} = application:ensure_all_started(elixir), "
    "ok = application:set_env('Elixir.Config.Reader':'read!'(unicode:characters_to_binary(Rc), "
    "[{env, prod}]), [{persistent, true}]) "
    "catch RcClass:RcWhy -> io:format(standard_error, \"~ts: ~ts~n\", [Rc, "
    "'Elixir.Exception':format_banner(RcClass, RcWhy)]), "
    "erlang:halt(1) end, ";

bool mon_beam_release_config(const struct sdf_pd *pd, void (*push)(void *ctx, const char *arg),
                             void *ctx)
{
	char path[4096 + 32];
	bool runtime = false;

	/* The monitor, not the PD, looks: the directory is bound read-only
	 * into the PD as it is now, so what is found here is what the VM reads. */
	snprintf(path, sizeof(path), "%s/sys.config", pd->beam_dir);
	if (access(path, R_OK) == 0) {
		snprintf(path, sizeof(path), "%s/sys", pd->beam_dir); /* -config adds .config */
		push(ctx, "-config");
		push(ctx, path);
	}
	snprintf(path, sizeof(path), "%s/runtime.exs", pd->beam_dir);
	if (pd->beam_elixir && access(path, R_OK) == 0) {
		push(ctx, "-cordon_runtime_config");
		push(ctx, path);
		runtime = true;
	}
	return runtime;
}
