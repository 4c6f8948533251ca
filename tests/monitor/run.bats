#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cordon run: boot, output prefixes, clean stop, and nothing half-started.

bats_require_minimum_version 1.5.0

load ../lib/system

setup() {
	PROBES=$CORDON_BUILD/tests/monitor
}

teardown() {
	system_teardown
}

mounts() {
	# Mount points as this (host) namespace sees them.
	awk '{print $5}' /proc/self/mountinfo | sort
}

@test "hello: both PDs greet with their name as prefix, SIGINT stops cleanly" {
	mounts >"$BATS_TEST_TMPDIR/mounts.before"
	system_start -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/hello/hello.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
	system_wait "^alice\| hello, world, from the protection domain 'alice'$"
	system_wait "^bob\| hello, world, from the protection domain 'bob'$"
	pids=$(system_pids)
	[ "$(echo "$pids" | wc -w)" -eq 2 ]
	for p in $pids; do kill -0 "$p"; done

	system_stop INT
	[ "$SYS_STATUS" -eq 0 ]
	grep -q '^MON|INFO: stopped$' "$SYS_LOG"
	# No orphans: every PD's process is gone.
	for p in $pids; do ! kill -0 "$p" 2>/dev/null; done
	# No leftover mounts in the host namespace.
	mounts >"$BATS_TEST_TMPDIR/mounts.after"
	diff "$BATS_TEST_TMPDIR/mounts.before" "$BATS_TEST_TMPDIR/mounts.after"
}

@test "SIGTERM stops the system with status 0" {
	system_start -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/hello/hello.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
	pids=$(system_pids)
	system_stop TERM
	[ "$SYS_STATUS" -eq 0 ]
	for p in $pids; do ! kill -0 "$p" 2>/dev/null; done
}

@test "a PD cannot open /etc/passwd" {
	system_start -L "$PROBES" "$CORDON_TOP/tests/monitor/probe.system"
	system_wait '^open_passwd\| open /etc/passwd: No such file or directory$'
	system_stop
}

@test "a PD cannot see or signal any other process" {
	system_start -L "$PROBES" "$CORDON_TOP/tests/monitor/probe.system"
	system_wait '^see_others\| pid 1, other processes visible: 0$'
	system_stop
}

@test "a PD that creates an AF_INET socket is killed and the fault is recorded" {
	system_start -L "$PROBES" "$CORDON_TOP/tests/monitor/probe.system"
	system_wait '^inet_socket\| trying socket\(AF_INET\)$'
	system_wait '^MON\|FAULT: pd=inet_socket seccomp syscall=socket signal=SIGSYS'
	# The others keep running.
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! grep -q '^inet_socket| socket(AF_INET): created' "$SYS_LOG" || false
}

@test "a PD whose program is not an ELF is refused and nothing starts" {
	dir=$BATS_TEST_TMPDIR
	printf '#!/bin/sh\necho hi\n' >"$dir/script.elf"
	chmod +x "$dir/script.elf"
	cat >"$dir/bad.system" <<-XML
		<system>
		  <protection_domain name="good"><program_image path="$CORDON_BUILD/examples/hello/hello.elf"/></protection_domain>
		  <protection_domain name="bad"><program_image path="script.elf"/></protection_domain>
		</system>
	XML
	run "$CORDON" run "$dir/bad.system"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothing was started"* ]]
	! [[ "$output" == *"MON|INFO: pd=good started"* ]] || false
}

@test "run: usage errors exit 2 with a hint" {
	run "$CORDON" run
	[ "$status" -eq 2 ]
	[[ "$output" == *"expected exactly one system description"* ]]
	run "$CORDON" run --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: cordon run"* ]]
}

@test "a PD that fails to start stops the PDs already started: no half-started system" {
	dir=$BATS_TEST_TMPDIR
	# A valid ELF that cannot be loaded: its interpreter does not exist.
	printf 'int main(void){return 0;}\n' >"$dir/m.c"
	cc "$dir/m.c" -Wl,--dynamic-linker=/nonexistent/ld-cordon.so -o "$dir/noloader.elf"
	cat >"$dir/half.system" <<-XML
		<system>
		  <protection_domain name="good"><program_image path="$CORDON_BUILD/examples/hello/hello.elf"/></protection_domain>
		  <protection_domain name="noloader"><program_image path="noloader.elf"/></protection_domain>
		</system>
	XML
	run "$CORDON" run "$dir/half.system"
	[ "$status" -eq 1 ]
	[[ "$output" == *"MON|ERROR: pd=noloader cannot start"*"/nonexistent/ld-cordon.so"* ]]
	[[ "$output" == *"MON|ERROR: the system did not start; every PD was stopped"* ]]
	good=$(echo "$output" | sed -n 's/^MON|INFO: pd=good started pid=\([0-9]*\)$/\1/p')
	[ -n "$good" ]
	! kill -0 "$good" 2>/dev/null || false
}

@test "counts read as numbers of things: 1 PD, 1 channel, 1 memory region" {
	system_start -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/shared-buffer/shared-buffer.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
	system_stop INT
	grep -x 'MON|INFO: booting .*: 2 PDs, 1 channel, 1 memory region' "$SYS_LOG"
	grep -x 'MON|INFO: SIGINT: stopping 2 PDs' "$SYS_LOG"

	cat >"$BATS_TEST_TMPDIR/one.system" <<-'XML'
		<system>
		    <protection_domain name="alice"><program_image path="hello/hello.elf" /></protection_domain>
		</system>
	XML
	system_start -L "$CORDON_BUILD/examples" "$BATS_TEST_TMPDIR/one.system"
	system_wait '^MON\|INFO: 1 PD started$'
	system_wait "^alice\\| hello"
	system_stop INT
	grep -x 'MON|INFO: booting .*: 1 PD, 0 channels, 0 memory regions' "$SYS_LOG"
}

@test "a CRLF line end is a line end; other carriage returns still show as ?" {
	cat >"$BATS_TEST_TMPDIR/crlf.system" <<-'XML'
		<system>
		    <protection_domain name="crlf" restart="temporary"><program_image path="probe.elf" /></protection_domain>
		</system>
	XML
	system_start -L "$PROBES" "$BATS_TEST_TMPDIR/crlf.system"
	system_wait '^crlf\| a return, then the end'
	system_stop INT
	grep -x 'crlf| a CRLF line' "$SYS_LOG"
	grep -x 'crlf| over?written' "$SYS_LOG"
	grep -x 'crlf| two returns?' "$SYS_LOG"
	grep -x 'crlf| a return, then the end?.' "$SYS_LOG"
}

@test "run --timestamps begins each relayed line with its UTC time; the monitor's own lines stay as they are" {
	before=$(date -u +%s)
	system_start --timestamps -L "$CORDON_BUILD/examples" "$CORDON_TOP/examples/hello/hello.system"
	system_wait "^[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z bob\\| hello, world"
	system_stop
	after=$(date -u +%s)
	line=$(grep ' bob| hello, world' "$SYS_LOG")
	when=$(date -u -d "${line%%Z *}" +%s)
	[ "$when" -ge "$before" ] && [ "$when" -le "$after" ]
	grep -q '^MON|INFO: all 2 PDs started$' "$SYS_LOG"
	run -2 "$CORDON_BUILD/bin/cordon" check --timestamps "$CORDON_TOP/examples/hello/hello.system"
}
