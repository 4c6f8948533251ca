#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# examples/cluster end to end: two Elixir applications in two BEAM PDs,
# joined by a distribution link. The producer hands readings to the
# keeper with GenServer.call across the link. Kill the keeper: the
# producer gets :DOWN (:noconnection) at once and hands over again after
# the restart. Kill the producer: the keeper sees nodedown, then nodeup.

bats_require_minimum_version 1.5.0

load ../lib/system

setup() {
	[ -f "$CORDON_BUILD/examples/cluster/lib/keeper/ebin/keeper.app" ] ||
		skip "the cluster apps are not built (needs elixirc: Debian's elixir)"
	SYSTEM=$CORDON_TOP/examples/cluster/cluster.system
}

teardown() {
	system_teardown
}

boot() {
	system_start -L "$CORDON_BUILD/examples" "$SYSTEM"
	system_wait '^producer\| keeper is up: watching Keeper.History on keeper@keeper$' 60
	system_wait '^keeper\| history: [0-9]+ readings, last #[0-9]+ [0-9.]+ C from producer@producer$' 60
}

@test "the producer hands readings to the keeper across the link" {
	boot
	# the keeper's own line: each of its readings came by GenServer.call
	system_wait '^keeper\| history: 20 readings, last #[0-9]+ [0-9.]+ C from producer@producer$' 30
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "kill -9 the keeper: the producer sees :DOWN at once, then hands over again" {
	boot
	system_mark
	kill -KILL "$(pid_of keeper)"
	system_wait_new '^MON\|FAULT: pd=keeper signal=SIGKILL'
	system_wait_new '^producer\| keeper down \(:noconnection\), keeping readings until it is back$' 10
	system_wait_new '^keeper\| keeper keeper@keeper up$'
	system_wait_new '^producer\| keeper is up: watching Keeper.History on keeper@keeper$'
	system_mark
	system_wait_new '^keeper\| history: [0-9]+ readings'
	[ "$(starts_of keeper)" -eq 2 ] && [ "$(starts_of producer)" -eq 1 ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "kill -9 the producer: the keeper sees nodedown, then nodeup and readings again" {
	boot
	system_mark
	kill -KILL "$(pid_of producer)"
	system_wait_new '^MON\|FAULT: pd=producer signal=SIGKILL'
	system_wait_new '^keeper\| nodedown producer@producer$' 10
	system_wait_new '^keeper\| nodeup producer@producer$'
	system_mark
	system_wait_new '^keeper\| history: [0-9]+ readings, last #[0-9]+ .* from producer@producer$'
	[ "$(starts_of producer)" -eq 2 ] && [ "$(starts_of keeper)" -eq 1 ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}
