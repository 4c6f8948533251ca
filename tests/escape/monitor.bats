#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Attacks on the monitor and on PDs that share nothing with the attacker:
# what a PD can do through what every PD has (its output pipes, its
# kernel identity and the per-user budgets that go with it), rather than
# through a system call the policy refuses.  Each system runs the attacker
# beside a PD that crashes and is restarted over and over (nuisance.c,
# crash): each restart after the attack proves the monitor still
# supervises.  `cordon ps` must answer, and SIGINT must stop the system.
# Nothing here waits on time, only on lines; timeouts are upper bounds.
# Docs: "Attacks on the monitor" in docs/security.md.

load ../lib/system
load hostile

setup_file() {
	hostile_build
}

teardown_file() {
	hostile_clean
}

setup() {
	PDS=$CORDON_BUILD/tests/escape
}

teardown() {
	[ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || true
	system_teardown
}

# A system: the attacker PD ($1: its XML), and crash under a supervisor
# that never gives up, killed by each of tick's notifications.
write_system() {
	cat >"$BATS_TEST_TMPDIR/attack.system" <<-XML
		<system>
		  $1
		  <supervisor name="sup" intensity="100000" period="1">
		    <protection_domain name="crash" restart="permanent">
		      <program_image path="nuisance.elf" />
		    </protection_domain>
		    <protection_domain name="tick">
		      <program_image path="nuisance.elf" />
		    </protection_domain>
		  </supervisor>
		  <channel><end pd="crash" id="0" /><end pd="tick" id="0" /></channel>
		</system>
	XML
}

beam_pd() { # NAME MODE RESTART
	echo "<protection_domain name=\"$1\" restart=\"$3\"><beam_app path=\"$(hostile_app "$2")\" app=\"hostile\" /></protection_domain>"
}

# Wait until REGEX has matched N lines of the output.
wait_count() {
	local re=$1 n=$2 secs=${3:-30}
	timeout "$secs" tail -n +1 -f "$SYS_LOG" | grep -E -m "$n" -c -- "$re" >"$BATS_TEST_TMPDIR/count" || true
	if [ "$(grep -cE -- "$re" "$SYS_LOG")" -lt "$n" ]; then
		echo "fewer than $n lines matching /$re/ within ${secs}s; the output was:" >&2
		grep -Ev 'pd=crash( |$)|^crash\| ' "$SYS_LOG" | tail -n 50 >&2
		return 1
	fi
}

# The monitor still supervises: crash dies and comes back twice more from
# now; `cordon ps` answers.
still_supervises() {
	local n
	n=$(grep -c '^crash| crash: up$' "$SYS_LOG")
	wait_count '^MON\|FAULT: pd=crash ' $((n + 1)) 30
	wait_count '^crash\| crash: up$' $((n + 2)) 30
	run timeout 10 "$CORDON" ps
	echo "$output"
	[ "$status" -eq 0 ]
	# crash is listed, alive: it may be between a restart and its init()
	[[ "$output" =~ $'\n'crash\ +(running|starting)\ +[0-9] ]]
}

# SIGINT stops the system promptly, and with status 0.
stops_promptly() {
	kill -INT "$SYS_PID"
	if ! timeout 10 tail --pid="$SYS_PID" -f /dev/null; then
		echo "the monitor did not stop within 10 s of SIGINT" >&2
		tail -n 20 "$SYS_LOG" >&2
		return 1
	fi
	SYS_STATUS=0
	wait "$SYS_PID" || SYS_STATUS=$?
	[ "$SYS_STATUS" -eq 0 ]
	grep -q '^MON|INFO: stopped$' "$SYS_LOG"
}

# hold_fd PID FD: take a copy of descriptor FD of process PID (pidfd_getfd)
# and keep it in a background process ($HOLDER) until the test ends.
hold_fd() {
	local ready=$BATS_TEST_TMPDIR/held
	# perl (Debian's perl-base is essential): syscall() without a compiler.
	perl -e '
my $pidfd = syscall(434, $ARGV[0] + 0, 0);                     # pidfd_open
my $fd = $pidfd >= 0 ? syscall(438, $pidfd, $ARGV[1] + 0, 0) : -1;  # pidfd_getfd
die "hold_fd: $!\n" if $fd < 0;
open(my $f, ">", $ARGV[2]) or die "hold_fd: $!\n";
close($f);
sleep;
' "$1" "$2" "$ready" 3>&- &
	HOLDER=$!
	timeout 10 sh -c "until [ -e '$ready' ]; do kill -0 $HOLDER || exit 1; sleep 0.05; done"
}

@test "mon_held_stdout: a PD whose stdout outlives it (a write end held elsewhere) is reaped at once" {
	write_system '<protection_domain name="holder"><program_image path="nuisance.elf" /></protection_domain>'
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/attack.system"
	system_wait '^holder\| holder: idle$'
	# What an SCM_RIGHTS cycle does from inside (mon_inflight_exit, whose
	# cycle the kernel may collect at any moment), done from outside and
	# for as long as the test likes: the write end lives on.
	hold_fd "$(pid_of holder)" 1
	run timeout 10 "$CORDON" stop holder
	kill "$HOLDER"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^MON|INFO: pd=holder stopped$' "$SYS_LOG"
	still_supervises
	stops_promptly
}

@test "mon_inflight_exit: a PD that exits with its stdout in flight (SCM_RIGHTS cycle) does not freeze the monitor" {
	write_system "$(beam_pd holder inflight_exit temporary)"
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/attack.system"
	system_wait '^holder\| nif: stdout and stderr in flight; exiting$' 60
	# The monitor reaps it and moves on, where it used to spin forever
	# waiting for an end of file on a pipe whose write end lives on.
	system_wait '^MON\|FAULT: pd=holder exit=3 restarts=0$' 10
	system_wait '^MON\|INFO: pd=holder is temporary: not restarted$' 10
	still_supervises
	stops_promptly
}

# flooded PD: its output reached the log within its budget (1000 lines a
# second per stream; the stream is stdout) and the rest was counted and
# reported, never silently lost.
flood_bounded() {
	local pd=$1 secs=$2 lines
	wait_count "^MON\\|WARN: pd=$pd output: [0-9]+ lines dropped \\(over 1000 lines/s on stdout\\)$" 1 30
	lines=$(grep -c "^$pd| " "$SYS_LOG" || true)
	echo "$pd: $lines lines relayed in about $((SECONDS - secs)) s"
	[ "$lines" -le $((1000 * (SECONDS - secs + 2))) ]
}

# The flood: PD flood ($1: its XML) beside crash.
flood_attack() {
	write_system "$1"
	local t0=$SECONDS
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/attack.system"
	system_wait '^MON\|INFO: all 3 PDs started$'
	flood_bounded flood "$t0"
	still_supervises
	flood_bounded flood "$t0"
	stops_promptly
}

@test "mon_flood_native: a native PD flooding its stdout neither starves supervision nor floods the log" {
	flood_attack '<protection_domain name="flood"><program_image path="nuisance.elf" /></protection_domain>'
}

@test "mon_flood_beam: a BEAM PD flooding its stdout neither starves supervision nor floods the log" {
	flood_attack "$(beam_pd flood flood permanent)"
}

@test "mon_inflight_fill: one PD holding descriptors in flight up to the kernel's limit drains no other PD's budget" {
	write_system "$(beam_pd filler inflight_fill temporary) $(beam_pd porter port permanent)"
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/attack.system"
	# Up to ETOOMANYREFS: the kernel's per-user limit on descriptors in
	# flight (the sender's RLIMIT_NOFILE, 512 in a PD).
	system_wait '^filler\| hostile: [0-9]+ descriptors in flight, then etoomanyrefs$' 60
	# A restart elsewhere: the monitor's spawn of a BEAM PD needs its
	# seccomp listener, which used to travel by SCM_RIGHTS as the PD's
	# user.
	local before
	before=$(grep -c '^porter| hostile: ' "$SYS_LOG" || true)
	run timeout 30 "$CORDON" restart porter
	echo "$output"
	[ "$status" -eq 0 ]
	# ...and that PD's port: erl_child_setup gets the port's pipes by
	# SCM_RIGHTS as the PD's user ({:port_failed, "emfile"} when shared).
	wait_count '^porter\| hostile: ' $((before + 1)) 60
	grep '^porter| hostile: ' "$SYS_LOG" | tail -n 1 | grep -q '{:port_ran, :exit_status, [0-9]*}'
	grep -q '^MON|INFO: pd=filler started' "$SYS_LOG"
	[ -z "$(grep '^MON|\(FAULT\|INFO\): pd=filler \(exit\|seccomp\|signal\|stopped\)' "$SYS_LOG")" ]
	still_supervises
	stops_promptly
}

@test "mon_identity: each PD of a root monitor runs as a uid and gid of its own" {
	[ "$(id -u)" -eq 0 ] || skip "an unprivileged monitor's PDs keep its uid (docs/security.md)"
	write_system '<protection_domain name="one"><program_image path="nuisance.elf" /></protection_domain>
		<protection_domain name="two"><program_image path="nuisance.elf" /></protection_domain>
		<protection_domain name="three"><program_image path="nuisance.elf" /></protection_domain>'
	system_start -L "$PDS" "$BATS_TEST_TMPDIR/attack.system"
	system_wait '^three\| three: idle$'
	local ids=() p
	for p in one two three; do
		ids+=("$(awk '/^Uid:/ { print $2 } /^Gid:/ { print $2 }' /proc/"$(pid_of $p)"/status | paste -sd:)")
	done
	echo "${ids[@]}"
	# Three different ids, each the same for uid and gid, none nobody's.
	[ "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" -eq 3 ]
	for i in "${ids[@]}"; do
		[[ "$i" =~ ^([0-9]+):([0-9]+)$ ]]
		[ "${BASH_REMATCH[1]}" -eq "${BASH_REMATCH[2]}" ]
		[ "${BASH_REMATCH[1]}" -ge 65536 ]
	done
	stops_promptly
}
