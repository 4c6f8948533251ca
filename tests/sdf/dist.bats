#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cordon check on a distribution link (<channel dist="true">): its summary
# says what the link grants, and a link missing a queue is refused.

bats_require_minimum_version 1.5.0

setup() {
	CORDON=$CORDON_BUILD/bin/cordon
	GOOD=$CORDON_TOP/tests/sdf/good
}

@test "a distribution link's summary says it grants full mutual trust" {
	run --separate-stderr "$CORDON" check "$GOOD/dist.system"
	printf '%s\n%s\n' "$output" "$stderr" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"sensor:0 <-> history:0 (queue sensor->history 256 KiB, queue history->sensor 1 MiB, distribution link: full mutual trust, each VM may spawn, rpc and load code on the other)"* ]]
}

@test "a channel without dist has no distribution in its summary" {
	run --separate-stderr "$CORDON" check -L "$CORDON_BUILD/tests/sdf" "$GOOD/beam.system"
	[ "$status" -eq 0 ]
	[[ "$output" != *"distribution"* ]]
}

@test "a distribution link with no queue on one end is refused, naming the end" {
	sed 's/ queue_size="0x100000"//' "$GOOD/dist.system" >"$BATS_TEST_TMPDIR/t.system"
	run --separate-stderr "$CORDON" check -L "$GOOD" "$BATS_TEST_TMPDIR/t.system"
	printf '%s\n' "$stderr" >&2
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 3 ] # the error, its hint, the count
	[[ "$stderr" == *"error: <end>: dist=\"true\": the queue from 'history' is missing"* ]]
}
