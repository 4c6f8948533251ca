#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Resource budgets: memory limits, CPU budget/period, tasks and priority,
# enforced with cgroups (v2, else v1); refused, never ignored, without them.

load ../lib/system

setup() {
	PDS=$CORDON_BUILD/tests/budget
	SYSTEMS=$CORDON_TOP/tests/budget
}

teardown() {
	system_teardown
	local p
	for p in ${one_PID:-} ${two_PID:-} ${three_PID:-}; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# The system's cgroup directories, from the monitor's "budgets:" line.
budget_dirs() {
	sed -n 's/^MON|INFO: budgets: cgroup v[12] at //p' "$SYS_LOG"
}

need_budgets() {
	system_wait '^MON\|INFO: budgets: '
	if ! grep -q '^MON|INFO: budgets: cgroup v[12] at ' "$SYS_LOG"; then
		grep '^MON|' "$SYS_LOG" >&2
		skip "no usable cgroup hierarchy here"
	fi
}

# The directory of PD $1's cgroup in the hierarchy that has control file $2.
pd_dir() {
	local d
	for d in $(budget_dirs); do
		if [ -e "$d/$1/$2" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	echo "no cgroup of pd $1 with $2 under: $(budget_dirs)" >&2
	return 1
}

# Wait until REGEX has matched N lines of the output.
wait_count() {
	local re=$1 n=$2 secs=${3:-20}
	# through cat: GNU grep writing to /dev/null stops at the first match, as -q
	timeout "$secs" tail -n +1 -f "$SYS_LOG" | grep -E -m "$n" -- "$re" | cat >/dev/null || true
	if [ "$(grep -cE -- "$re" "$SYS_LOG")" -lt "$n" ]; then
		echo "fewer than $n lines matching /$re/ within ${secs}s; the output was:" >&2
		cat "$SYS_LOG" >&2
		return 1
	fi
}

@test "a PD that allocates without bound is stopped and reported; its neighbours keep answering" {
	system_start -L "$PDS" "$SYSTEMS/hog.system"
	need_budgets
	system_wait '^ask\| ask: answer 42$'
	system_wait '^hog\| hog: 16 MiB touched$'
	system_wait '^MON\|FAULT: pd=hog memory limit exceeded \(oom-kill\) limit=32M signal=SIGKILL restarts=0$'
	system_wait '^MON\|INFO: pd=hog is temporary: not restarted$'
	! grep -q '^hog| hog: 40 MiB touched' "$SYS_LOG" || false
	# The monitor lives, and the server still answers a fresh call.
	kill -0 "$SYS_PID"
	run "$CORDON" restart ask
	[ "$status" -eq 0 ]
	wait_count '^ask\| ask: answer 42$' 2
	run "$CORDON" ps
	[[ "$output" == *"server "*"running"*"M/64M"* ]]
	[[ "$output" == *"hog "*"down"* ]]
	run "$CORDON" faults
	[[ "$output" == *"pd=hog memory limit exceeded (oom-kill) limit=32M"* ]]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "every PD that declares a budget runs in its own cgroup with its limits, the others in none; nothing is left after stop" {
	system_start -L "$PDS" "$SYSTEMS/hog.system"
	need_budgets
	system_wait '^ask\| ask: answer 42$'
	dirs=$(budget_dirs)
	[ -n "$dirs" ]
	# ask declares nothing a cgroup enforces: it gets none (its restarts
	# pay no cgroup locks), and its priority maps to nice.
	for d in $dirs; do [ -d "$d/server" ] && [ -d "$d/hog" ] && [ ! -e "$d/ask" ]; done
	# The server's process is in its cgroup.
	pid=$(sed -n 's/^MON|INFO: pd=server started pid=\([0-9]*\)$/\1/p' "$SYS_LOG")
	for d in $dirs; do grep -qx "$pid" "$d/server/cgroup.procs"; done
	if mem=$(pd_dir server memory.max 2>/dev/null); then # v2
		[ "$(cat "$mem/memory.max")" = 67108864 ]
		[ "$(cat "$(pd_dir server pids.max)/pids.max")" = 4 ]
		[ "$(cat "$(pd_dir server cpu.max)/cpu.max")" = "max 100000" ]
	else # v1
		[ "$(cat "$(pd_dir server memory.limit_in_bytes)/memory.limit_in_bytes")" = 67108864 ]
		[ "$(cat "$(pd_dir server pids.max)/pids.max")" = 4 ]
		[ "$(cat "$(pd_dir server cpu.cfs_quota_us)/cpu.cfs_quota_us")" = -1 ]
	fi
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	for d in $dirs; do [ ! -e "$d" ]; done
}

@test "a PD spinning at full speed is held to its budget, measured by its own CPU time" {
	system_start -L "$PDS" "$SYSTEMS/spin.system"
	need_budgets
	system_wait '^spin_held\| window=10 '
	system_wait '^spin_free\| window=10 '
	# CFS enforces 200 us per 1000 us as 1000 us per 5000 us (its smallest
	# quota is 1 ms).  Each 250 ms window must stay within 20% of a CPU,
	# with 50% tolerance for period edges; the first window includes start-up.
	sed -n 's/^spin_held| window=\([0-9]*\) cpu_us=\([0-9]*\) wall_us=\([0-9]*\)$/\1 \2 \3/p' \
		"$SYS_LOG" >"$BATS_TEST_TMPDIR/held"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/held")" -ge 10 ]
	awk '$1 >= 2 && $2 > 0.30 * $3 { print "window", $1, "got", $2 / $3, "of a CPU"; bad = 1 }
	     END { exit bad }' "$BATS_TEST_TMPDIR/held"
	# The kernel's own account: the held PD was throttled.  (The free one
	# declares no budget, so it has no cgroup to ask.)
	held=$(pd_dir spin_held cpu.stat)
	[ "$(sed -n 's/^nr_throttled //p' "$held/cpu.stat")" -gt 0 ]
	! pd_dir spin_free cpu.stat 2>/dev/null || false
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

# As nobody, no cgroup directory is writable (unless one was delegated).
# Prints the command prefix; run it without a subshell so signals reach
# cordon itself.
nobody_prepare() {
	NOBODY_RUN=$BATS_TEST_TMPDIR/nobody-run
	mkdir -m 0700 "$NOBODY_RUN"
	chown 65534:65534 "$NOBODY_RUN"
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups
		env CORDON_RUNTIME_DIR="$NOBODY_RUN")
}

@test "without a usable cgroup hierarchy, a system that declares budgets is refused" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root to become nobody"
	nobody_prepare
	run "${AS_NOBODY[@]}" timeout 20 "$CORDON" run -L "$PDS" "$SYSTEMS/hog.system"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"MON|ERROR: resource budgets cannot be enforced here: cgroup v2: "*"; cgroup v1: "* ]]
	[[ "$output" == *"MON|ERROR: pd=hog declares memory=32M: refusing to run it without them"* ]]
	[[ "$output" == *"MON|ERROR: pd=server declares memory=64M tasks=4: refusing to run it without them"* ]]
	[[ "$output" == *"hint: run cordon as root"*"Delegate=yes"* ]]
	[[ "$output" != *"pd=ask declares"* ]]
	[[ "$output" != *"started pid"* ]]
	run "${AS_NOBODY[@]}" timeout 20 "$CORDON" run -L "$PDS" "$SYSTEMS/spin.system"
	[ "$status" -eq 1 ]
	[[ "$output" == *"MON|ERROR: pd=spin_held declares budget=200us/period=1000us: refusing"* ]]
	[[ "$output" != *"pd=spin_free declares"* ]]
}

@test "without a usable cgroup hierarchy, a system without budgets runs and says nothing of budgets" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root to become nobody"
	nobody_prepare
	export CORDON_RUNTIME_DIR=$NOBODY_RUN
	SYS_LOG=$BATS_TEST_TMPDIR/system.log
	: >"$SYS_LOG"
	"${AS_NOBODY[@]}" "$CORDON" run "$CORDON_TOP/examples/hello/hello.system" >"$SYS_LOG" 2>&1 &
	SYS_PID=$!
	system_wait '^MON\|INFO: all 2 PDs started$'
	system_wait "^bob\| hello, world"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! grep -i 'budget' "$SYS_LOG"
}

@test "a system that declares no budget opens no cgroup and prints no budgets line" {
	system_start "$CORDON_TOP/examples/hello/hello.system"
	system_wait "^bob\| hello, world"
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "cordon-$SYS_PID-*" 2>/dev/null)" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! grep -i 'budget' "$SYS_LOG"
}

@test "a monitor killed outright leaves cgroups that the next one removes" {
	system_start -L "$PDS" "$SYSTEMS/spin.system"
	need_budgets
	system_wait '^MON\|INFO: all 2 PDs started$'
	dirs=$(budget_dirs)
	pids=$(system_pids)
	kill -KILL "$SYS_PID"
	wait "$SYS_PID" || true
	# The PDs die with their monitor (parent-death signal).
	for p in $pids; do timeout 20 tail --pid="$p" -f /dev/null; done
	# (Any monitor starting on this machine now may remove them first: their
	# owner is provably gone.)
	system_start -L "$PDS" "$SYSTEMS/spin.system"
	system_wait '^MON\|INFO: all 2 PDs started$'
	for d in $dirs; do [ ! -e "$d" ]; done
	system_stop
}

# Boot system $2 as "$1" beside others: its own admin directory and log.
# Sets ${1}_PID and ${1}_LOG.
start_as() {
	local log=$BATS_TEST_TMPDIR/$1.log
	: >"$log"
	CORDON_RUNTIME_DIR=$BATS_TEST_TMPDIR/run-$1 "$CORDON" run -L "$PDS" "$2" >"$log" 2>&1 &
	printf -v "${1}_PID" %s $!
	printf -v "${1}_LOG" %s "$log"
	SYS_LOG=$log system_wait '^MON\|INFO: all 2 PDs started$' 60
}

dirs_of() {
	sed -n 's/^MON|INFO: budgets: cgroup v[12] at //p' "$1"
}

@test "two systems with budgets: one monitor killed outright, a third starts; the second runs on untouched" {
	system_start -L "$PDS" "$SYSTEMS/spin.system"
	need_budgets
	system_stop
	start_as one "$SYSTEMS/spin.system"
	start_as two "$SYSTEMS/spin.system"
	one_dirs=$(dirs_of "$one_LOG") two_dirs=$(dirs_of "$two_LOG")
	[ -n "$one_dirs" ] && [ -n "$two_dirs" ] && [ "$one_dirs" != "$two_dirs" ]
	two_pds=$(SYS_LOG=$two_LOG system_pids)
	one_pds=$(SYS_LOG=$one_LOG system_pids)

	kill -KILL "$one_PID"
	wait "$one_PID" || true
	for p in $one_pds; do timeout 20 tail --pid="$p" -f /dev/null; done
	start_as three "$SYSTEMS/spin.system"

	# The dead monitor's cgroups are gone; the live one's are all there,
	# holding the same PDs, which never restarted.
	for d in $one_dirs; do [ ! -e "$d" ]; done
	for d in $two_dirs; do [ -d "$d/spin_held" ]; done
	for p in $two_pds; do kill -0 "$p"; done
	[ "$(grep -c ' started pid=' "$two_LOG")" -eq 2 ]
	! grep -q 'FAULT' "$two_LOG"
	held=$(SYS_LOG=$two_LOG pid_of spin_held)
	grep -qx "$held" "$(echo "$two_dirs" | awk '{print $1}')/spin_held/cgroup.procs"

	for s in two three; do
		pid_var=${s}_PID
		kill -INT "${!pid_var}"
		wait "${!pid_var}"
	done
	for d in $two_dirs $(dirs_of "$three_LOG"); do [ ! -e "$d" ]; done
}
