#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The benchmarks keep building and running: a --quick run of each prints its
# tables.  Nothing here judges speed (docs/performance.md does, as ratios).
# Only in the plain build: a sanitized benchmark measures the sanitizer.

setup() {
	[ -z "${CORDON_SANITIZE:-}" ] || skip "benchmarks are smoke-run in the plain build only"
}

@test "ipc-bench --quick prints the baseline and Cordon tables" {
	run "$CORDON_BUILD/bench/ipc-bench" --quick
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"raw futex ping-pong, round trip"* ]]
	[[ "$output" == *"protected call round trip, 1 MR"* ]]
	[[ "$output" == *"queue throughput, 4096 B messages"* ]]
}

@test "ipc-bench --help documents its options" {
	run "$CORDON_BUILD/bench/ipc-bench" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--quick"* ]]
}

@test "pd-bench --quick runs the recovery and sandbox-cost benchmarks" {
	run "$CORDON_BUILD/bench/pd-bench" --quick
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kill -9"* ]]
	[[ "$output" == *"fork+exec"* ]]
}
