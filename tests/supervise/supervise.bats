#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Supervision of PDs with OTP's semantics: strategies, restart kinds,
# intensity and escalation, and Microkit's fault() for child PDs.

load ../lib/system

setup() {
	SUPT=$CORDON_BUILD/tests/supervise
}

teardown() {
	system_teardown
}

boot() {
	system_start -L "$SUPT" "$CORDON_TOP/tests/supervise/$1"
	system_wait "^MON\\|INFO: all $2 PDs started\$"
}

# Kill PD $1 with SIGKILL and wait for its fault line.
kill_pd() {
	local pid
	pid=$(pid_of "$1")
	kill -KILL "$pid"
	system_wait "^MON\\|FAULT: pd=$1 signal=SIGKILL"
}

@test "one_for_one restarts only the PD that died" {
	boot o4o.system 3
	w1=$(pid_of w1) w3=$(pid_of w3)
	kill_pd w2
	system_wait '^MON\|INFO: supervisor=sup restarts pd=w2$'
	system_wait '^w2\| w2: up$'
	[ "$(starts_of w2)" -eq 2 ]
	[ "$(pid_of w1)" = "$w1" ] && [ "$(pid_of w3)" = "$w3" ]
	kill -0 "$w1" && kill -0 "$w3"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "one_for_all restarts every PD of the supervisor" {
	boot o4a.system 3
	w1=$(pid_of w1) w3=$(pid_of w3)
	kill_pd w2
	system_wait '^MON\|INFO: supervisor=sup restarts pd=w3$'
	system_wait "^MON\\|INFO: pd=w3 started pid=[0-9]+\$"
	for w in w1 w2 w3; do [ "$(starts_of $w)" -eq 2 ]; done
	! kill -0 "$w1" 2>/dev/null && ! kill -0 "$w3" 2>/dev/null || false
	# Stopped in reverse start order, restarted in start order.
	run grep -o 'restarts pd=w[0-9]' "$SYS_LOG"
	[ "${lines[*]}" = "restarts pd=w1 restarts pd=w2 restarts pd=w3" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "rest_for_one restarts the PD and the ones started after it" {
	boot r4o.system 3
	w1=$(pid_of w1) w3=$(pid_of w3)
	kill_pd w2
	system_wait '^MON\|INFO: supervisor=sup restarts pd=w3$'
	system_wait "^MON\\|INFO: pd=w3 started pid=[0-9]+\$"
	[ "$(starts_of w1)" -eq 1 ] && [ "$(starts_of w2)" -eq 2 ] && [ "$(starts_of w3)" -eq 2 ]
	[ "$(pid_of w1)" = "$w1" ] && kill -0 "$w1"
	! kill -0 "$w3" 2>/dev/null || false
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "exceeding the intensity escalates up to the root, which stops the system" {
	system_start -L "$SUPT" "$CORDON_TOP/tests/supervise/escalate.system"
	system_wait '^MON\|ERROR: supervisor=inner gave up: more than 1 restarts in 60000 ms'
	system_wait '^MON\|INFO: supervisor=top restarts supervisor=inner$'
	system_wait '^MON\|ERROR: supervisor=top gave up: more than 2 restarts in 60000 ms'
	system_wait '^MON\|ERROR: the root supervisor gave up; the system stops'
	SYS_STATUS=0
	wait "$SYS_PID" || SYS_STATUS=$?
	[ "$SYS_STATUS" -eq 1 ]
	# inner gave up once per start of it by top (1 + 2 restarts) per start
	# of top by the root (1 + 3 restarts); fail1 starts twice per inner.
	[ "$(grep -c '^MON|ERROR: supervisor=inner gave up' "$SYS_LOG")" -eq 12 ]
	[ "$(starts_of fail1)" -eq 24 ]
	# Nothing left running.
	for pid in $(system_pids); do ! kill -0 "$pid" 2>/dev/null; done
}

@test "transient: a normal end stays down, a kill is restarted; temporary: never restarted" {
	boot kinds.system 4
	system_wait '^MON\|INFO: pd=quit_t exited status=0$'
	system_wait '^MON\|INFO: pd=quit_t is transient: not restarted$'
	kill_pd worker_t
	system_wait '^MON\|INFO: supervisor=root restarts pd=worker_t$'
	kill_pd worker_tmp
	system_wait '^MON\|INFO: pd=worker_tmp is temporary: not restarted$'
	kill_pd worker_p
	system_wait '^MON\|INFO: supervisor=root restarts pd=worker_p$'
	[ "$(starts_of quit_t)" -eq 1 ] && [ "$(starts_of worker_tmp)" -eq 1 ]
	[ "$(starts_of worker_t)" -eq 2 ] && [ "$(starts_of worker_p)" -eq 2 ]
	run "$CORDON" ps
	[[ "$output" =~ worker_tmp\ +down ]]
	[[ "$output" =~ worker_t\ +running ]]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a parent PD's fault() gets its child's fault and restarts it" {
	boot parent.system 2
	system_wait '^parent\| parent: child 1 fault 1: signal 11 addr 0$'
	system_wait '^parent\| parent: child 1 fault 3: signal 11 addr 0$'
	system_wait '^parent\| parent: leaving child 1 stopped$'
	[ "$(starts_of segv_child)" -eq 3 ]
	# Each fault is logged once, decoded, with the faulting address.
	[ "$(grep -cE '^MON\|FAULT: pd=segv_child signal=SIGSEGV addr=0 ip=0x[0-9a-f]+ restarts=[0-2]' "$SYS_LOG")" -eq 3 ]
	kill -0 "$(pid_of parent)"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "peers learn: peer_down and peer_up, and queued messages reach the next incarnation" {
	boot peers.system 2
	system_wait '^src\| src: sent 3$'
	system_wait '^sink\| sink: first run, holding the queue$'
	kill_pd sink
	system_wait '^src\| src: peer down on channel 0$'
	system_wait '^src\| src: peer up on channel 0$'
	system_wait '^sink\| sink: got "message 3"$'
	run grep -E '^(src|sink)\| (src: peer|sink: got)' "$SYS_LOG"
	[ "${lines[0]}" = "src| src: peer down on channel 0" ]
	[ "${lines[1]}" = "src| src: peer up on channel 0" ]
	[ "$(grep -c '^sink| sink: got "message [123]"$' "$SYS_LOG")" -eq 3 ]
	! grep -q 'send [0-9] failed' "$SYS_LOG" || false
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a native fault line says where: image+offset, function, source line" {
	# The faulting PD starts first and faults only when called, so it has
	# run long enough for the monitor to read its mappings at start (a PD
	# that dies at once may not have: its line keeps the raw ip only).
	cat >"$BATS_TEST_TMPDIR/segv.system" <<-'XML'
		<system>
		    <protection_domain name="segvcall1" priority="200" restart="temporary"><program_image path="worker.elf" /></protection_domain>
		    <protection_domain name="caller1" priority="100" restart="temporary"><program_image path="worker.elf" /></protection_domain>
		    <channel><end pd="caller1" id="0" pp="true" /><end pd="segvcall1" id="0" /></channel>
		</system>
	XML
	system_start -L "$SUPT" "$BATS_TEST_TMPDIR/segv.system"
	system_wait '^MON\|FAULT: pd=segvcall1 '
	system_stop
	line=$(grep '^MON|FAULT: pd=segvcall1 ' "$SYS_LOG")
	echo "$line"
	# The faulting store's line, from the source itself.
	store=$(grep -n '^	\*(volatile int \*)zero = 1;$' "$CORDON_TOP/tests/supervise/worker.c" | cut -d: -f1)
	[ -n "$store" ]
	[[ "$line" =~ ip=0x([0-9a-f]+)\ restarts=0:\ at\ worker\.elf\+0x([0-9a-f]+)\ \((protected|fault_at_null),\ worker\.c:$store\)$ ]]
	# The offset is the ip less a page-aligned load address.
	ip=$((16#${BASH_REMATCH[1]})) off=$((16#${BASH_REMATCH[2]}))
	[ $(((ip - off) % 4096)) -eq 0 ]
	# ... and the offset is the faulting store's, by the image's own line table.
	command -v addr2line >/dev/null || skip "addr2line not installed"
	addr2line -e "$SUPT/worker.elf" "0x${BASH_REMATCH[2]}" | grep -E "worker\.c:$store( |\$)"
}
