/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A BEAM PD's configuration, as a mix release has it (docs/images.md):
 * `mix cordon.build` writes BEAM_DIR/sys.config (config/config.exs,
 * evaluated at build time) and BEAM_DIR/runtime.exs (config/runtime.exs,
 * evaluated inside the PD at boot, before its application starts).
 */
#ifndef CORDON_MONITOR_BEAM_CONFIG_H
#define CORDON_MONITOR_BEAM_CONFIG_H

#include <stdbool.h>

#include "sdf/sdf.h"

/* Adds "-config BEAM_DIR/sys" when BEAM_DIR/sys.config exists, and
 * "-cordon_runtime_config BEAM_DIR/runtime.exs" when that exists in an
 * Elixir PD, through push(ctx, arg).  True when the start expression must
 * begin with mon_beam_runtime_eval. */
bool mon_beam_release_config(const struct sdf_pd *pd, void (*push)(void *ctx, const char *arg),
                             void *ctx);

/* The start expression's prefix that evaluates runtime.exs with Elixir's
 * Config.Reader (config_env() is :prod) and sets what it returns as the
 * application environment, as a release's config provider would.  A
 * runtime.exs that fails ends the VM with status 1 and the reason on
 * stderr, so the PD fails to start rather than run unconfigured. */
extern const char mon_beam_runtime_eval[];

#endif
