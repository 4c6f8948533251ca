#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Readiness and backoff: a PD that dies before it is ready failed to start;
# repeated failed starts end in the supervisor giving up within a bounded
# time however long the PD boots, with a growing wait between them.

load ../lib/system

setup() {
	SUPT=$CORDON_BUILD/tests/supervise
}

teardown() {
	system_teardown
}

# The STATE column of PD $1 in `cordon ps`.
state_of() {
	"$CORDON" ps | awk -v pd="$1" '$1 == pd { print $2 }'
}

@test "a slow PD that fails at every start ends in give-up within a bounded time" {
	system_start -L "$SUPT" "$CORDON_TOP/tests/supervise/slowfail.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
	# 4 boots of 2 s and waits of 0.5 + 1 + 2 s: about 11.5 s, whatever
	# the period; before failed starts were told from crashes it never
	# ended.
	system_wait '^MON\|ERROR: the root supervisor gave up; the system stops' 40
	SYS_STATUS=0
	wait "$SYS_PID" || SYS_STATUS=$?
	[ "$SYS_STATUS" -eq 1 ]
	[ "$(starts_of slowfail)" -eq 4 ]
	# The backoff is in the log, doubling.
	run grep -o 'supervisor=root waits [0-9]* ms before restarting (pd=slowfail failed to start [0-9] times in a row)' "$SYS_LOG"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == *"waits 500 ms"*"1 times"* ]]
	[[ "${lines[1]}" == *"waits 1000 ms"*"2 times"* ]]
	[[ "${lines[2]}" == *"waits 2000 ms"*"3 times"* ]]
	# The steady PD was never restarted.
	[ "$(starts_of steady)" -eq 1 ]
}

@test "cordon ps shows a PD that waits to restart" {
	system_start -L "$SUPT" "$CORDON_TOP/tests/supervise/slowfail.system"
	system_wait '^MON\|INFO: supervisor=root waits 1000 ms before restarting'
	[ "$(state_of slowfail)" = waiting ]
	[ "$(state_of steady)" = running ]
	system_stop
}

@test "a PD that crashes after a long boot is restarted at once, by the normal rules" {
	system_start -L "$SUPT" "$CORDON_TOP/tests/supervise/slowboot.system"
	system_wait '^slowpoke\| slowpoke: up$'
	# Starting until init() returns, then running: wait on that state.
	[ "$(state_of slowpoke)" = starting ]
	timeout 10 bash -c "until '$CORDON' ps | grep -q '^slowpoke  *running'; do :; done"
	kill -KILL "$(pid_of slowpoke)"
	system_wait '^MON\|INFO: supervisor=root restarts pd=slowpoke$'
	system_wait "^MON\\|INFO: pd=slowpoke started pid=[0-9]+\$"
	! grep -q 'waits' "$SYS_LOG"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}
