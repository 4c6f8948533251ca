#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Priority under contention: two PDs spin on the same CPU (the whole system
# runs under `taskset -c 0`, and every PD inherits the affinity) with
# different priorities.  Each reports the CPU time it got every 250 ms of
# wall time (tests/budget/pd.c, CLOCK_PROCESS_CPUTIME_ID); the higher
# priority must get several times the lower one's.  The margin is wide for a
# shared VM: the expected ratio is about 9 with nice values (no cgroup,
# priority.system: 200 and 20, nice 0 and 13) and about 6 with cgroup CPU
# weights (priority-cg.system: 200 and 150), and the test asks for 3.

load ../lib/system

setup() {
	PDS=$CORDON_BUILD/tests/budget
	SYSTEMS=$CORDON_TOP/tests/budget
	command -v taskset >/dev/null || skip "taskset not installed (Debian: util-linux)"
}

teardown() {
	system_teardown
}

# CPU time of PD $1 in windows 3..8 (the first ones include start-up), in us.
cpu_of() {
	sed -n "s/^$1| window=\([0-9]*\) cpu_us=\([0-9]*\) wall_us=\([0-9]*\)\$/\1 \2 \3/p" "$SYS_LOG" |
		awk '$1 >= 3 && $1 <= 8 { cpu += $2; wall += $3 } END { print cpu + 0, wall + 0 }'
}

# Boot $1 pinned to CPU 0, wait for 8 windows of each spinner, compare.
contend() {
	export CORDON_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	SYS_LOG=$BATS_TEST_TMPDIR/system.log
	: >"$SYS_LOG"
	taskset -c 0 "$CORDON" run -L "$PDS" "$1" >"$SYS_LOG" 2>&1 &
	SYS_PID=$!
	system_wait '^spin_hi\| window=8 ' 60
	system_wait '^spin_lo\| window=8 ' 60
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	read -r hi hi_wall < <(cpu_of spin_hi)
	read -r lo lo_wall < <(cpu_of spin_lo)
	echo "spin_hi: ${hi} us of CPU in ${hi_wall} us; spin_lo: ${lo} us in ${lo_wall} us" >&3
	[ "$hi_wall" -gt 0 ] && [ "$lo_wall" -gt 0 ]
	# They shared one CPU: together at most about one CPU's worth.
	awk -v h="$hi" -v hw="$hi_wall" -v l="$lo" -v lw="$lo_wall" \
		'BEGIN { share = h / hw + l / lw; print "one CPU shared:", share; exit !(share < 1.2) }' >&3
	# The higher priority got at least three times the lower's CPU time.
	awk -v h="$hi" -v l="$lo" 'BEGIN { print "ratio:", (l ? h / l : "inf"); exit !(h >= 3 * l) }' >&3
}

@test "priority under contention (nice, no cgroup): the higher priority gets more CPU, by the PDs' own CPU time" {
	contend "$SYSTEMS/priority.system"
	! grep -q '^MON|INFO: budgets: ' "$SYS_LOG"
}

@test "priority under contention (cgroup CPU weights): the higher priority gets more CPU, by the PDs' own CPU time" {
	contend "$SYSTEMS/priority-cg.system"
	grep -q '^MON|INFO: budgets: cgroup v[12] at ' "$SYS_LOG" || skip "no usable cgroup hierarchy here"
}
