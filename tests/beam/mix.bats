#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The cordon Elixir library's own suite (beam/cordon: `mix test`), run
# against this build (CORDON_BUILD): each of its tests boots a real system
# with `cordon run`, runs an ExUnit file inside a BEAM PD against native
# PDs (tests/beam/peer.c, client.c), and checks every in-PD test passed.
#
# Needs Debian's elixir (mix); skipped without it.

bats_require_minimum_version 1.5.0

setup() {
	command -v mix >/dev/null || skip "mix not installed (Debian: elixir)"
}

@test "beam/cordon: mix test passes against real systems" {
	cd "$CORDON_TOP/beam/cordon"
	run env MIX_ENV=test CORDON_BUILD="$CORDON_BUILD" mix test
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" =~ [1-9][0-9]*\ tests,\ 0\ failures ]]
}
