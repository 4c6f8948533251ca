#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Grants: a <grant type="tcp_listen"> gives one PD a listening socket the
# monitor opened, and nothing else gives a PD any network.  The PD is
# tests/grant/pd.c (what it does depends on its name); systems are written
# per test with a port that is free at the time.

bats_require_minimum_version 1.5.0

load ../lib/system

setup() {
	PD=$CORDON_BUILD/tests/grant/pd.elf
	PORT=$(free_port)
}

teardown() {
	system_teardown
}

# Is anything listening on 127.0.0.1:$1?  (state 0A is LISTEN)
listening() {
	local hex
	hex=$(printf '0100007F:%04X' "$1")
	awk -v a="$hex" 'NR > 1 && $2 == a && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp
}

# write_system FILE PD... : one PD per argument; "echo*" ones get the grant
# "echo" on 127.0.0.1:$PORT, the others nothing.
write_system() {
	local file=$1 pd
	shift
	{
		echo '<system>'
		for pd in "$@"; do
			echo "    <protection_domain name=\"$pd\" restart=\"${RESTART:-permanent}\">"
			echo "        <program_image path=\"$PD\" />"
			case "$pd" in echo*)
				echo "        <grant name=\"echo\" type=\"tcp_listen\" port=\"$PORT\" backlog=\"4\" />"
				;;
			esac
			echo '    </protection_domain>'
		done
		echo '</system>'
	} >"$file"
}

# Wait until REGEX has matched N lines of the output.
wait_count() {
	local re=$1 n=$2 secs=${3:-20}
	# grep writes to a pipe: with -m N and its output on /dev/null it would
	# read on to the end of the input (the timeout) before exiting
	timeout "$secs" tail -n +1 -f "$SYS_LOG" | grep -E -m "$n" -- "$re" | cat >/dev/null
	if [ "$(grep -cE -- "$re" "$SYS_LOG")" -lt "$n" ]; then
		echo "fewer than $n lines matching /$re/ within ${secs}s; the output was:" >&2
		cat "$SYS_LOG" >&2
		return 1
	fi
}

# The token of the Nth start of PD echo ("listening on ... token T").
token() {
	sed -n "s/^echo| listening on 127\.0\.0\.1:$PORT token \([0-9a-f]*\)$/\1/p" "$SYS_LOG" |
		sed -n "${1}p"
}

# ask LINE: connect to 127.0.0.1:$PORT (bash's /dev/tcp), send LINE, read
# the one-line answer into $REPLY within 20 s.
ask() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%s\n' "$1" >&"$fd"
	REPLY=
	IFS= read -r -t 20 REPLY <&"$fd" || true
	exec {fd}>&-
	echo "asked '$1', got '$REPLY'" >&2
}

@test "a native PD serves a TCP connection on its tcp_listen grant; the port is closed at stop" {
	write_system "$BATS_TEST_TMPDIR/grant.system" echo
	system_start "$BATS_TEST_TMPDIR/grant.system"
	system_wait "^MON\|INFO: grant echo of pd=echo: tcp_listen on 127\.0\.0\.1:$PORT, backlog 4$"
	system_wait "^echo\| listening on 127\.0\.0\.1:$PORT token [0-9a-f]{8}$"
	# the grant's socket and the ctl socket, nothing else
	grep -Fxq 'echo| sockets: 2, inet: 1' "$SYS_LOG"
	ask hello
	[ "$REPLY" = "echo $(token 1): hello" ]
	system_wait '^echo\| served 127\.0\.0\.1: hello$'
	ask again
	[ "$REPLY" = "echo $(token 1): again" ]
	listening "$PORT"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! listening "$PORT" || false
}

@test "the port stays bound across restarts: a connection made while the PD is stopped is served by its next start" {
	write_system "$BATS_TEST_TMPDIR/grant.system" echo
	system_start "$BATS_TEST_TMPDIR/grant.system"
	system_wait "^echo\| listening on 127\.0\.0\.1:$PORT token "
	ask one
	[ "$REPLY" = "echo $(token 1): one" ]

	run "$CORDON" restart echo
	[ "$status" -eq 0 ]
	wait_count "^echo\| listening on 127\.0\.0\.1:$PORT token " 2
	[ "$(token 2)" != "$(token 1)" ]
	ask two
	[ "$REPLY" = "echo $(token 2): two" ]

	run "$CORDON" stop echo
	[ "$status" -eq 0 ]
	system_wait '^MON\|INFO: pd=echo stopped$'
	listening "$PORT"
	# The kernel completes the handshake into the monitor's backlog; the
	# answer comes once the PD runs again.
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'queued\n' >&"$fd"
	run "$CORDON" restart echo
	[ "$status" -eq 0 ]
	REPLY=
	IFS= read -r -t 20 REPLY <&"$fd" || true
	exec {fd}>&-
	wait_count "^echo\| listening on 127\.0\.0\.1:$PORT token " 3
	[ "$REPLY" = "echo $(token 3): queued" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a PD that shut its listening socket down gets it listening again at its restart" {
	write_system "$BATS_TEST_TMPDIR/grant.system" echo
	system_start "$BATS_TEST_TMPDIR/grant.system"
	system_wait "^echo\| listening on 127\.0\.0\.1:$PORT token "
	ask shutdown
	system_wait '^echo\| shutting the listening socket down$'
	system_wait '^MON\|FAULT: pd=echo exit=3 restarts=0$'
	wait_count "^echo\| listening on 127\.0\.0\.1:$PORT token " 2
	ask after
	[ "$REPLY" = "echo $(token 2): after" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a PD without the grant holds no socket of it, gets no descriptor for it, and cannot make one" {
	RESTART=temporary write_system "$BATS_TEST_TMPDIR/grant.system" echo snoop
	system_start "$BATS_TEST_TMPDIR/grant.system"
	system_wait '^MON\|FAULT: pd=snoop seccomp syscall=socket signal=SIGSYS'
	system_wait "^echo\| listening on 127\.0\.0\.1:$PORT token "
	# only its ctl socket
	grep -Fxq 'snoop| sockets: 1, inet: 0' "$SYS_LOG"
	grep -Fxq 'snoop| boot information: 0 grants' "$SYS_LOG"
	grep -Fxq "snoop| snoop: cordon_grant_fd: this PD has no grant named 'echo'" "$SYS_LOG"
	grep -Fxq 'snoop| cordon_grant_fd("echo") = -1' "$SYS_LOG"
	# the policy's rows for granted sockets reach nothing without a grant
	grep -Fxq 'snoop| listen(ctl socket): EINVAL' "$SYS_LOG"
	grep -Fxq 'snoop| accept4(ctl socket): EINVAL' "$SYS_LOG"
	# its last words on stdout were the attempt (stderr's "snoop| snoop: "
	# lines are relayed separately, in any order with them)
	[ "$(grep '^snoop| ' "$SYS_LOG" | grep -v '^snoop| snoop: ' | tail -n 1)" = \
		'snoop| try: socket(AF_INET, SOCK_STREAM)' ]
	! grep -q 'ESCAPED' "$SYS_LOG" || false
	# the grant's holder is unaffected
	ask still
	[ "$REPLY" = "echo $(token 1): still" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a port in use stops cordon run before any PD starts, naming the grant, file:line and a hint" {
	write_system "$BATS_TEST_TMPDIR/grant.system" echo
	system_start "$BATS_TEST_TMPDIR/grant.system"
	system_wait "^echo\| listening on 127\.0\.0\.1:$PORT token "

	local other=$BATS_TEST_TMPDIR/other.system
	write_system "$other" echo2
	run timeout 60 "$CORDON" run "$other"
	echo "$output" >&2
	[ "$status" -eq 1 ]
	[[ "$output" == *"MON|ERROR: grant echo of pd=echo2 ($other:4): cannot listen on 127.0.0.1:$PORT: bind: Address already in use"* ]]
	[[ "$output" == *"MON|ERROR:   hint: another program (or another Cordon system) holds that address and port"* ]]
	[[ "$output" == *"MON|ERROR: the system did not start: a grant could not be opened"* ]]
	[[ "$output" != *"started pid="* ]]
	[[ "$output" != *"booting"* ]]

	# the first system never noticed
	ask first
	[ "$REPLY" = "echo $(token 1): first" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "cordon check shows the grant" {
	write_system "$BATS_TEST_TMPDIR/grant.system" echo snoop
	run "$CORDON" check "$BATS_TEST_TMPDIR/grant.system"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\ngrants:\n  echo.echo: tcp_listen 127.0.0.1:'"$PORT"$', backlog 4\nsupervision:\n'* ]]
}
