#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# A hostile BEAM PD (hostile.bash): a NIF (nif/beam_nif.c) makes the system
# calls the BEAM policy refuses, as a compromised NIF could.  The policy's
# default action notifies the seccomp listener the monitor holds; the
# monitor names the call in a MON|FAULT line, records it, kills the PD and
# lets its supervisor decide.  Beside it, a native server and its client
# (tests/budget/pd.elf) must not notice.
#
# The Elixir application is compiled once into the build directory (the PD
# runs as nobody, and a bats temporary directory is mode 0700); its mode
# (idle, ptrace, fork_unshare) is the application's environment, written
# per test into its .app file.
#
# Needs Debian's erlang-nox, erlang-dev (erl_nif.h) and elixir.

load ../lib/system
load hostile

setup_file() {
	hostile_build
}

teardown_file() {
	hostile_clean
}

setup() {
	PDS=$CORDON_BUILD/tests/budget
}

teardown() {
	system_teardown
}

# The application's .app file, with its mode.
app_mode() {
	hostile_app_file "$1" "$BEAM_DIR/lib/hostile/ebin/hostile.app"
}

# A system: the hostile BEAM PD ($1: its restart kind) under a supervisor
# that never gives up, and a native server with its client.
write_system() {
	cat >"$BATS_TEST_TMPDIR/hostile.system" <<-XML
		<system>
		  <protection_domain name="server" priority="100">
		    <program_image path="pd.elf" />
		  </protection_domain>
		  <protection_domain name="ask" priority="50">
		    <program_image path="pd.elf" />
		  </protection_domain>
		  <channel>
		    <end pd="ask" id="0" pp="true" />
		    <end pd="server" id="0" />
		  </channel>
		  <supervisor name="apps" intensity="1000" period="60">
		    <protection_domain name="hostile" restart="$1">
		      <beam_app path="$BEAM_DIR/lib" app="hostile" />
		    </protection_domain>
		  </supervisor>
		</system>
	XML
}

# Wait until REGEX has matched N lines of the output.
wait_count() {
	local re=$1 n=$2 secs=${3:-30}
	# Not >/dev/null: GNU grep then stops counting at the first match
	# and waits for more input, until the timeout.
	timeout "$secs" tail -n +1 -f "$SYS_LOG" | grep -E -m "$n" -c -- "$re" >"$BATS_TEST_TMPDIR/count" || true
	if [ "$(grep -cE -- "$re" "$SYS_LOG")" -lt "$n" ]; then
		echo "fewer than $n lines matching /$re/ within ${secs}s; the output was:" >&2
		cat "$SYS_LOG" >&2
		return 1
	fi
}

# How many seccomp listeners process $1 holds.
listeners() {
	find /proc/"$1"/fd -lname 'anon_inode:seccomp notify' | wc -l
}

# The host pids of the latest incarnation of PD $1 and of its descendants.
pd_tree() {
	local top
	top=$(sed -n "s/^MON|INFO: pd=$1 started pid=\([0-9]*\)$/\1/p" "$SYS_LOG" | tail -n 1)
	local todo=("$top")
	while [ ${#todo[@]} -gt 0 ]; do
		local p=${todo[0]}
		todo=("${todo[@]:1}")
		echo "$p"
		todo+=($(cat /proc/"$p"/task/*/children 2>/dev/null))
	done
}

# The native neighbours are unaffected: the monitor lives, the server
# answers a fresh call, and neither restarted.
neighbours_fine() {
	kill -0 "$SYS_PID"
	run "$CORDON" restart ask
	[ "$status" -eq 0 ]
	wait_count '^ask\| ask: answer 42$' 2
	run "$CORDON" ps
	echo "$output"
	[[ "$output" =~ server\ +running\ +[0-9]+\ +0\  ]]
	no_line '^MON\|FAULT: pd=(server|ask) '
}

# No line of the output matches REGEX.  (A bare `! grep` cannot fail a bats
# test: errexit ignores negated commands.)
no_line() {
	if grep -qE -- "$1" "$SYS_LOG"; then
		echo "a line matches /$1/:" >&2
		grep -E -- "$1" "$SYS_LOG" >&2
		return 1
	fi
}

@test "beam_nif_ptrace: a BEAM PD's refused call from a NIF is named in a fault line, recorded, and fatal" {
	app_mode ptrace
	write_system temporary
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/hostile.system"
	system_wait '^ask\| ask: answer 42$'
	system_wait '^MON\|FAULT: pd=hostile seccomp syscall=ptrace signal=SIGKILL ip=0x[0-9a-f]+ restarts=0$' 60
	system_wait '^MON\|INFO: pd=hostile is temporary: not restarted$'
	# Its last words were the attempt; the call never returned.
	grep -q '^hostile| nif: calling ptrace$' "$SYS_LOG"
	no_line 'survived'
	run "$CORDON" faults
	[[ "$output" == *"pd=hostile seccomp syscall=ptrace signal=SIGKILL ip=0x"* ]]
	neighbours_fine
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "beam_fork_unshare: a process the BEAM forks keeps the filter; its refused call is reported and kills the whole PD" {
	app_mode fork_unshare
	write_system temporary
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/hostile.system"
	system_wait '^MON\|INFO: pd=hostile started pid='
	pids=$(pd_tree hostile)
	system_wait '^MON\|FAULT: pd=hostile seccomp syscall=unshare signal=SIGKILL ip=0x[0-9a-f]+ restarts=0$' 60
	grep -q '^hostile| nif child: calling unshare$' "$SYS_LOG"
	no_line 'survived'
	# Every process of the PD is gone (it was pid 1 of its namespace).
	for p in $pids; do
		if kill -0 "$p" 2>/dev/null; then
			echo "pid $p of the PD still runs: $(cat /proc/"$p"/comm)"
			return 1
		fi
	done
	neighbours_fine
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "beam_listener_not_in_pd: no process of a BEAM PD holds its seccomp listener; the monitor holds one per incarnation" {
	app_mode idle
	write_system permanent
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/hostile.system"
	system_wait '^hostile\| hostile: up$' 60
	pids=$(pd_tree hostile)
	# beam.smp and its fork server erl_child_setup, at least.
	[ "$(echo "$pids" | wc -w)" -ge 2 ]
	for p in $pids; do
		echo "pid $p ($(cat /proc/"$p"/comm)): $(listeners "$p") listeners"
		[ "$(listeners "$p")" -eq 0 ]
	done
	# Nor do the native PDs, whose policy traps instead.
	for p in $(sed -n 's/^MON|INFO: pd=\(server\|ask\) started pid=\([0-9]*\)$/\2/p' "$SYS_LOG"); do
		[ "$(listeners "$p")" -eq 0 ]
	done
	[ "$(listeners "$SYS_PID")" -eq 1 ]
	# A restart closes the old listener and holds the new one's.
	run "$CORDON" restart hostile
	[ "$status" -eq 0 ]
	wait_count '^hostile\| hostile: up$' 2 60
	for p in $(pd_tree hostile); do [ "$(listeners "$p")" -eq 0 ]; done
	[ "$(listeners "$SYS_PID")" -eq 1 ]
	run "$CORDON" stop hostile
	[ "$status" -eq 0 ]
	[ "$(listeners "$SYS_PID")" -eq 0 ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "beam_restart_new_listener: each incarnation's refused call comes through its own listener" {
	app_mode ptrace
	write_system permanent
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/hostile.system"
	system_wait '^MON\|FAULT: pd=hostile seccomp syscall=ptrace signal=SIGKILL ip=0x[0-9a-f]+ restarts=0$' 60
	system_wait '^MON\|FAULT: pd=hostile seccomp syscall=ptrace signal=SIGKILL ip=0x[0-9a-f]+ restarts=1$' 60
	run "$CORDON" stop hostile
	[ "$status" -eq 0 ]
	[ "$(listeners "$SYS_PID")" -eq 0 ]
	neighbours_fine
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "beam_refused_everything: shell, sockets of every family, file writes and the runtime's tools get errors, and the VM lives" {
	app_mode escape
	write_system temporary
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/hostile.system"
	system_wait '^hostile\| hostile: done$' 120
	no_line '^hostile\| ESCAPED'
	# os:cmd: no shell in the root, nothing ran.
	grep -qx 'hostile| refused: os:cmd: \[\]' "$SYS_LOG"
	# :socket of inet, inet6, local x 4 types, of families 0..45, and
	# gen_tcp/gen_udp: EACCES, without the call reaching the kernel.
	[ "$(grep -c '^hostile| refused: socket .*: {:error, :eacces}$' "$SYS_LOG")" -eq $((12 + 46)) ]
	for what in 'gen_tcp listen' 'gen_tcp connect' 'gen_udp open'; do
		grep -qx "hostile| refused: $what: {:error, :eacces}" "$SYS_LOG"
	done
	# Writes to /tmp, the application's priv/, crash-dump paths: EROFS.
	[ "$(grep -c '^hostile| refused: write .*: {:error, :erofs}$' "$SYS_LOG")" -eq 5 ]
	grep -q '^hostile| refused: write .*/priv/escaped: {:error, :erofs}$' "$SYS_LOG"
	grep -qx 'hostile| refused: mkdir /tmp/escaped: {:error, :erofs}' "$SYS_LOG"
	# escript, erlc, erl_call run by the app: each exits non-zero (no
	# shell, no erl script that works, no node to call).
	for prog in escript erlc erl_call; do
		grep -q "^hostile| refused: run $prog: {:exit_status, [1-9]" "$SYS_LOG"
	done
	# open_port({spawn, "BINARY -h"}) on every runtime binary: no shell
	# to run it (erl_child_setup's exec of /bin/sh fails: status 2).
	[ "$(grep -c '^hostile| refused: spawn /usr/lib/erlang/' "$SYS_LOG")" -ge 10 ]
	[ -z "$(grep '^hostile| refused: spawn ' "$SYS_LOG" | grep -v ': {:exit_status, [1-9][0-9]*}$')" ]
	no_line '^MON\|FAULT: pd=hostile '
	neighbours_fine
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "beam_atoms: filling the atom table ends in that PD's restart alone" {
	app_mode atoms
	write_system permanent
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/hostile.system"
	system_wait '^MON\|FAULT: pd=hostile exit=1 restarts=0$' 120
	grep -q '^hostile| no more index entries in atom_tab' "$SYS_LOG"
	wait_count '^MON\|INFO: pd=hostile started pid=' 2 60
	run "$CORDON" stop hostile
	[ "$status" -eq 0 ]
	neighbours_fine
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}
