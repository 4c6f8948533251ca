#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cordon ps / restart / stop / faults / log against a running monitor.

bats_require_minimum_version 1.5.0

load ../lib/system

teardown() {
	system_teardown
}

boot_hello() {
	system_start -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/hello/hello.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
}

@test "ps lists every PD with state, pid, restarts, uptime and memory" {
	boot_hello
	run "$CORDON" ps
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "${lines[0]}" =~ ^PD\ +STATE\ +PID\ +RESTARTS\ +UPTIME\ +MEMORY$ ]]
	alice=$(sed -n 's/^MON|INFO: pd=alice started pid=\([0-9]*\)$/\1/p' "$SYS_LOG")
	[[ "${lines[1]}" =~ ^alice\ +running\ +$alice\ +0\ +[0-9.]+s\ +[0-9.]+M$ ]]
	[[ "${lines[2]}" =~ ^bob\ +running\ +[0-9]+\ +0\ + ]]
	system_stop
}

@test "restart PD: a new process, the restart counted, the old one gone" {
	boot_hello
	old=$(sed -n 's/^MON|INFO: pd=bob started pid=\([0-9]*\)$/\1/p' "$SYS_LOG")
	run "$CORDON" restart bob
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^bob\ restarted,\ pid\ ([0-9]+)$ ]]
	new=${BASH_REMATCH[1]}
	[ "$new" != "$old" ]
	! kill -0 "$old" 2>/dev/null || false
	kill -0 "$new"
	run "$CORDON" ps
	[[ "$output" =~ bob\ +running\ +$new\ +1\  ]]
	# It greets again after the restart.
	[ "$(grep -c "^bob| hello, world" "$SYS_LOG")" -ge 1 ]
	system_wait "^MON\|INFO: pd=bob started pid=$new$"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "stop PD: it is stopped, the rest of the system keeps running" {
	boot_hello
	run "$CORDON" stop alice
	[ "$status" -eq 0 ]
	[ "$output" = "alice stopped" ]
	run "$CORDON" ps
	[[ "$output" =~ alice\ +stopped ]]
	[[ "$output" =~ bob\ +running ]]
	kill -0 "$SYS_PID"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "faults lists a killed PD with its decoded signal" {
	boot_hello
	bob=$(sed -n 's/^MON|INFO: pd=bob started pid=\([0-9]*\)$/\1/p' "$SYS_LOG")
	kill -SEGV "$bob"
	system_wait '^MON\|FAULT: pd=bob signal=SIGSEGV'
	run "$CORDON" faults
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9T:.-]+Z\ pd=bob\ signal=SIGSEGV ]]
	system_stop
}

@test "log PD shows that PD's recent output only" {
	boot_hello
	system_wait "^bob\| hello"
	run "$CORDON" log bob
	[ "$status" -eq 0 ]
	[[ "$output" == "bob| hello, world, from the protection domain 'bob'" ]]
	system_stop
}

@test "log keeps the last 500 lines of each PD: a chatty PD does not push out another's" {
	cat >"$BATS_TEST_TMPDIR/chat.system" <<-'XML'
		<system>
		    <protection_domain name="quiet"><program_image path="probe.elf" /></protection_domain>
		    <protection_domain name="chatty"><program_image path="probe.elf" /></protection_domain>
		</system>
	XML
	system_start -L "$CORDON_BUILD/tests/monitor" "$BATS_TEST_TMPDIR/chat.system"
	system_wait "^quiet\| quiet's only line$"
	system_wait '^chatty\| chatty line 800$'
	run -0 "$CORDON" log quiet
	[ "$output" = "quiet| quiet's only line" ]
	run -0 "$CORDON" log chatty
	[ "${#lines[@]}" -eq 500 ]
	[ "${lines[0]}" = "chatty| chatty line 301" ]
	[ "${lines[499]}" = "chatty| chatty line 800" ]
	# Every PD's, in the order written.
	run -0 "$CORDON" log
	[ "${#lines[@]}" -eq 501 ]
	diff <(grep -E '^(quiet|chatty)\| ' "$SYS_LOG" | grep -vE '^chatty\| chatty line ([0-9]|[0-9][0-9]|[12][0-9][0-9]|300)$') \
		<(printf '%s\n' "${lines[@]}")
	system_stop
}

@test "log -f PD: the kept lines, then new ones as they are written, until the system stops" {
	boot_hello
	system_wait "^bob\| hello"
	"$CORDON" log -f bob >"$BATS_TEST_TMPDIR/follow" 2>"$BATS_TEST_TMPDIR/follow.err" &
	follower=$!
	# Its first answer: bob's kept line, and none of alice's.
	timeout 10 tail -n +1 -f "$BATS_TEST_TMPDIR/follow" | grep -m1 -q '^bob| hello'
	run -0 "$CORDON" restart bob
	# A line written after the follower started reaches it.
	timeout 10 tail -n +1 -f "$BATS_TEST_TMPDIR/follow" | grep -m2 '^bob| hello' | tail -n 1 >/dev/null
	[ "$(grep -c '^bob| hello' "$BATS_TEST_TMPDIR/follow")" -eq 2 ]
	! grep -q '^alice|' "$BATS_TEST_TMPDIR/follow" || false
	system_stop
	# The system's end ends the follower, with status 0 and a word.
	timeout 10 tail --pid="$follower" -f /dev/null
	wait "$follower"
	grep -qx 'cordon log: the system has stopped' "$BATS_TEST_TMPDIR/follow.err"
}

@test "log -f: usage and errors" {
	run -2 "$CORDON" ps -f
	[[ "$output" == *"-f is for 'cordon log'"* ]]
	CORDON_RUNTIME_DIR=$BATS_TEST_TMPDIR/none run -2 "$CORDON" log -f
	[[ "$output" == *"no system"* ]]
}

@test "admin errors: unknown PD, no system running, usage" {
	boot_hello
	run "$CORDON" restart nobody
	[ "$status" -eq 1 ]
	[[ "$output" == *"no PD named 'nobody' in this system (its PDs: alice, bob)"* ]]
	system_stop
	run "$CORDON" ps
	[ "$status" -eq 2 ]
	[[ "$output" == *"no system is running"* ]]
	run "$CORDON" stop
	[ "$status" -eq 2 ]
	[[ "$output" == *"expected the name of one PD"* ]]
}

@test "a second system of the same name is refused while the first runs" {
	boot_hello
	run "$CORDON" run -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/hello/hello.system"
	[ "$status" -eq 1 ]
	[[ "$output" == *"a system named 'hello' is already running"* ]]
	system_stop
}

@test "the admin socket refuses another user (peer credentials)" {
	boot_hello
	sock=$CORDON_RUNTIME_DIR/hello.sock
	[ -S "$sock" ]
	# Get past every file permission on purpose: a directory of nobody's own
	# with a link to the socket, the socket itself opened up.  What must
	# still refuse is the monitor's SO_PEERCRED check.
	other=$BATS_TEST_TMPDIR/other
	mkdir -m 0700 "$other"
	ln -s "$sock" "$other/hello.sock"
	chown -h 65534:65534 "$other" "$other/hello.sock"
	d=$CORDON_RUNTIME_DIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	chmod 0777 "$sock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env CORDON_RUNTIME_DIR="$other" "$CORDON" ps -s hello
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied: only the user who started this system may administer it"* ]]
	system_wait '^MON\|ERROR: admin: refused a request from uid 65534$'
	system_stop
}
