#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# examples/sensor end to end: the native driver PD and the Elixir app PD
# that reads it and serves a status page over HTTP (:inets httpd on a
# tcp_listen grant).  Kill the driver: the app says so and reads again after
# the restart.  Kill the app: it restarts and serves the page again.
#
# The example's description is copied with a port free at the time instead
# of its 8080.  Waiting follows the system's output (tests/lib/system.bash),
# with deadlines; the BEAM PD's start is allowed a minute on a loaded machine.

bats_require_minimum_version 1.5.0

load ../lib/system

setup() {
	[ -f "$CORDON_BUILD/examples/sensor/lib/sensor_app/ebin/sensor_app.app" ] ||
		skip "the sensor app is not built (needs elixirc: Debian's elixir)"
	PORT=$(free_port)
	SYSTEM=$BATS_TEST_TMPDIR/sensor.system
	sed "s/port=\"8080\"/port=\"$PORT\"/" "$CORDON_TOP/examples/sensor/sensor.system" >"$SYSTEM"
	grep -q "port=\"$PORT\"" "$SYSTEM"
}

teardown() {
	system_teardown
}

# get PATH: an HTTP/1.0 GET to the status page through bash's /dev/tcp; the
# whole response goes to $HTTP.  The server closes the connection after it.
get() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&"$fd"
	HTTP=$(timeout 60 cat <&"$fd" | tr -d '\r')
	exec {fd}>&-
	printf 'GET %s:\n%s\n' "$1" "$HTTP" >&2
}

# The status page's row $1, as "<tr><th>$1</th><td>VALUE</td></tr>": VALUE.
row() {
	sed -n "s|^<tr><th>$1</th><td>\\(.*\\)</td></tr>\$|\\1|p" <<<"$HTTP" | head -n 1
}

boot() {
	system_start -L "$CORDON_BUILD/examples" "$SYSTEM"
	system_wait '^app\| status page on port '"$PORT"'$' 60
	system_wait '^app\| reading [0-9]+\.[0-9]{3} C \(sample [0-9]+\)$' 60
}

@test "the app reads the driver, hears its threshold notification and serves the status page" {
	boot
	system_wait '^driver\| driver: [0-9.]+ C crossed 25\.000 C upwards \(sample [0-9]+\)$' 60
	system_wait '^app\| threshold: above 25\.000 C at [0-9]+\.[0-9]{3} C$' 10
	get /
	[[ "$HTTP" == "HTTP/1.0 200 OK"* ]]
	[[ "$HTTP" == *"Content-Type: text/html; charset=utf-8"* ]]
	[[ "$(row temperature)" =~ ^[0-9]+\.[0-9]{3}\ °C$ ]]
	[[ "$(row 'last reading')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
	[ "$(row driver)" = "driver: up" ]
	[ "$(row 'driver restarts seen')" = 0 ]
	[ "$(row 'threshold events')" -ge 1 ]
	[[ "$(row event)" =~ \ above\ at\ [0-9]+\.[0-9]{3}\ °C$ ]]
	get /nothing-here
	[[ "$HTTP" == "HTTP/1.0 404 "* ]]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "kill -9 the driver: the app reports it down, and reads again after its restart" {
	boot
	system_mark
	kill -KILL "$(pid_of driver)"
	system_wait_new '^MON\|FAULT: pd=driver signal=SIGKILL'
	system_wait_new '^app\| driver down \((down|restarted)\), waiting for restart$'
	system_wait_new '^app\| driver back, resuming$'
	system_mark
	system_wait_new '^app\| reading [0-9]+\.[0-9]{3} C \(sample [0-9]+\)$'
	[ "$(starts_of driver)" -eq 2 ] && [ "$(starts_of app)" -eq 1 ]
	get /
	[[ "$HTTP" == "HTTP/1.0 200 OK"* ]]
	[ "$(row driver)" = "driver: up" ]
	[ "$(row 'driver restarts seen')" = 1 ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "kill -9 the app: it restarts, resumes reading and serves the page; a request made meanwhile is answered" {
	boot
	get /
	[[ "$HTTP" == "HTTP/1.0 200 OK"* ]]
	first=$(row 'reader since')
	system_mark
	kill -KILL "$(pid_of app)"
	system_wait_new '^MON\|FAULT: pd=app signal=SIGKILL'
	# The monitor holds the grant's socket: this connection waits in its
	# backlog and is answered, not refused, by the next start of the app.
	# OTP 25's httpd answers it 500: it starts its acceptor before its
	# manager, so a connection already waiting is accepted too early
	# (later OTP releases start the acceptor last).
	get /
	[[ "$HTTP" =~ ^HTTP/1\.[01]\ (200|500)\  ]]
	system_wait_new '^app\| status page on port '"$PORT"'$'
	system_wait_new '^app\| reading [0-9]+\.[0-9]{3} C \(sample [0-9]+\)$'
	get /
	[[ "$HTTP" == "HTTP/1.0 200 OK"* ]]
	[ "$(row 'reader since')" != "$first" ]
	[ "$(row driver)" = "driver: up" ]
	[ "$(starts_of app)" -eq 2 ] && [ "$(starts_of driver)" -eq 1 ]
	run "$CORDON" ps
	[[ "$output" =~ driver\ +running ]]
	[[ "$output" =~ app\ +running ]]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}
