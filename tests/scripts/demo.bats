#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# scripts/demo --check, the README's first command made non-interactive:
# it boots the demo (examples/sensor), waits for its status page, stops it,
# and says OK; or fails naming why.  It builds and runs the plain build/
# (what a user gets), so it runs once, not again under --sanitize.
# scripts/fresh-machine runs the same command on a fresh Debian 12 root.

bats_require_minimum_version 1.5.0

load ../lib/system

setup() {
	[ -z "${CORDON_SANITIZE:-}" ] || skip "scripts/demo runs the plain build; once is enough"
	[ -f "$CORDON_TOP/build/examples/sensor/lib/sensor_app/ebin/sensor_app.app" ] ||
		skip "the sensor app is not built (needs elixirc: Debian's elixir)"
	PORT=$(free_port)
}

teardown() {
	system_teardown
}

@test "scripts/demo --check boots the demo, gets its page, stops it, exits 0" {
	run -0 timeout 300 "$CORDON_TOP/scripts/demo" --check --port "$PORT"
	echo "$output"
	[[ "$output" == *"== the status page answered 200; stopping"* ]]
	[[ "$output" == *"scripts/demo --check: OK"* ]]
	# Nothing is left listening.
	! { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null
}

@test "scripts/demo --check fails with the reason when the demo cannot serve its page" {
	# Another system holds the port (its monitor listens for a grant), as
	# a demo already running would.
	sed 's|<program_image path="ping-pong/pong.elf" />|&<grant name="web" type="tcp_listen" port="'"$PORT"'" address="127.0.0.1" />|' \
		"$CORDON_TOP/examples/ping-pong/ping-pong.system" >"$BATS_TEST_TMPDIR/holder.system"
	grep -q "port=\"$PORT\"" "$BATS_TEST_TMPDIR/holder.system"
	system_start -L "$CORDON_BUILD/examples" "$BATS_TEST_TMPDIR/holder.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
	run -1 timeout 300 "$CORDON_TOP/scripts/demo" --check --port "$PORT" --timeout 60
	echo "$output"
	[[ "$output" == *"cannot listen on 127.0.0.1:$PORT"* ]]
	[[ "$output" == *"scripts/demo --check: FAILED: cordon run ended (status 1) before the page answered"* ]]
}

@test "scripts/demo: usage errors exit 2 with a hint; --help says what --check does" {
	run -2 "$CORDON_TOP/scripts/demo" --bogus
	[[ "$output" == *"unknown option '--bogus' (try --help)"* ]]
	run -2 "$CORDON_TOP/scripts/demo" --check --port
	[[ "$output" == *"--port needs a number"* ]]
	run -0 "$CORDON_TOP/scripts/demo" --help
	[[ "$output" == *"--check"*"status page"* ]]
}
