#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# beam-bench keeps building and running: a --quick run boots its BEAM PD
# systems and prints every table (calls, queue, scheduler, start, targets)
# with figures in them.  Nothing here judges speed: docs/performance.md
# does, as ratios.  Only in the plain build: a sanitized benchmark measures
# the sanitizer.

setup() {
	[ -z "${CORDON_SANITIZE:-}" ] || skip "benchmarks are smoke-run in the plain build only"
	command -v elixirc >/dev/null || skip "elixirc not installed (Debian: elixir)"
	command -v erl >/dev/null || skip "erl not installed (Debian: erlang-nox)"
}

# A table row: the label, then cells; at least one time (ns, µs or ms).
has_row() {
	grep -E "^\| $1 +\|.*[0-9.]+ (ns|µs|ms) " <<<"$output" >/dev/null
}

run_dirs() {
	ls -d "$CORDON_BUILD"/bench/beam/run.* "$CORDON_BUILD"/bench/beam/start.* 2>/dev/null || true
}

@test "beam-bench --quick --markdown: every figure, ratio and target" {
	before=$(run_dirs)
	run "$CORDON_BUILD/bench/beam-bench" --quick --markdown --starts 2
	echo "$output"
	[ "$status" -eq 0 ]
	has_row "native PD to native PD: cordon_ppcall, 1 word"
	has_row "Elixir to native PD: Cordon.Channel.call/3, 1 word"
	has_row "Elixir to C program: port round trip, \{packet, 4\}, 16 B"
	has_row "Elixir to native PD: Cordon.Channel.call/3, 8 words"
	has_row "Elixir to native PD: Cordon.Queue.send/2"
	has_row "native PD to native PD: cordon_queue_send"
	has_row "Cordon.NIF.call/3 \(1 word\), until it returns"
	has_row "erl -noshell -eval 'halt\(\).', to its exit"
	has_row "elixir -e ':ok', to its exit"
	has_row "cordon run, to the app's first line: BEAM PD start"
	# ratios against the same run's baselines, and a verdict per target
	[[ "$output" == *"### Targets"* ]]
	[ "$(grep -cE '^\| .* \| (yes|\*\*no\*\*) +\|$' <<<"$output")" -eq 6 ]
	grep -E "^\| Elixir to native PD: Cordon.Queue.send/2 .*\| [0-9.]+ +\| [0-9.]+× +\|$" <<<"$output"
	[[ "$output" == *"### Scheduler hold times: long_schedule events"* ]]
	# it removed the directories it ran in
	[ "$(run_dirs)" = "$before" ]
}

@test "beam-bench --help documents its options" {
	run "$CORDON_BUILD/bench/beam-bench" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--quick"* ]]
	[[ "$output" == *"--only calls|start"* ]]
}
