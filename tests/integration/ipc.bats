#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Whole systems talking: the examples, Microkit compatibility, a callee
# killed mid-call.

load ../lib/system

setup() {
	ITEST=$CORDON_BUILD/tests/integration
}

teardown() {
	system_teardown
}

@test "every example validates with cordon check" {
	for f in "$CORDON_TOP"/examples/*/*.system; do
		run "$CORDON" check -L "$CORDON_BUILD/examples" "$f"
		echo "$f: $output"
		[ "$status" -eq 0 ]
	done
}

@test "ping-pong: notifications both ways, then a protected call with registers" {
	system_start -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/ping-pong/ping-pong.system"
	system_wait '^ping\| ping: notification 3 back from pong$'
	system_wait '^pong\| pong: adding 4 registers$'
	system_wait '^ping\| ping: ppcall replied label 2, sum 100$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "shared-buffer: the consumer reads what the producer wrote" {
	system_start -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/shared-buffer/shared-buffer.system"
	system_wait '^consumer\| consumer: read "message 1 from producer"$'
	system_wait '^consumer\| consumer: read "message 3 from producer"$'
	system_wait '^producer\| producer: all messages consumed$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a component written only against microkit.h runs with a Microkit-style system file" {
	system_start -L "$ITEST" "$CORDON_TOP/tests/integration/microkit.system"
	system_wait '^server\| server: notified, shared\[0\]=M$'
	system_wait '^client\| client: label 8 count 1 mr0 42$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a callee killed mid-call: the caller gets the peer-down label, not a hang" {
	system_start -L "$ITEST" "$CORDON_TOP/tests/integration/stall.system"
	system_wait '^callee\| callee: in protected, never returning$'
	callee=$(sed -n 's/^MON|INFO: pd=callee started pid=\([0-9]*\)$/\1/p' "$SYS_LOG")
	[ -n "$callee" ]
	kill -KILL "$callee"
	system_wait '^MON\|FAULT: pd=callee signal=SIGKILL'
	system_wait '^caller\| caller: ppcall returned, peer down: yes, count 0$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a PD scribbling over its channel page and queue breaks only that channel" {
	system_start -L "$ITEST" "$CORDON_TOP/tests/integration/scribble.system"
	system_wait '^friend\| friend: victim answered label 0 value 42$'
	system_wait '^MON\|ERROR: pd=victim channel=0 broken: '
	system_wait '^vandal\| vandal: scribbled 200 times$'
	victim=$(sed -n 's/^MON|INFO: pd=victim started pid=\([0-9]*\)$/\1/p' "$SYS_LOG")
	# The victim reported the break once, kept running, and still serves
	# its other channel: friend, started again, gets its answer.
	[ "$(grep -c '^MON|ERROR: pd=victim channel=0 broken' "$SYS_LOG")" -eq 1 ]
	run "$CORDON" restart friend
	[ "$status" -eq 0 ]
	system_wait '^MON\|INFO: pd=friend started pid=[0-9]+$'
	[ "$(timeout 20 tail -n +1 -f "$SYS_LOG" | grep -m2 -c '^friend| friend: victim answered label 0 value 42$')" -eq 2 ]
	kill -0 "$victim"
	! grep -q '^MON|FAULT: pd=victim' "$SYS_LOG" || false
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}
