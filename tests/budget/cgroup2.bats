#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cgroup v2 for real, as far as this machine allows.  In a private mount
# namespace (unshare -m) the cgroup v1 hierarchies are unmounted and a
# cgroup2 hierarchy is mounted at /sys/fs/cgroup, so the monitor finds only
# v2, as on a v2-only machine.  Where the memory, cpu and pids controllers
# are bound to v1 hierarchies mounted elsewhere (this development machine:
# its v2 offers hugetlb alone, and unmounting v1 in a private namespace does
# not release a controller; see docs/security.md, Resource budgets), the
# monitor must refuse budgets naming v2's missing controllers, and still run
# a system that declares none.  On a machine whose cgroup2 has them, these
# tests skip, and budget.bats runs the v2 path for real (the monitor prefers
# v2; its tests read the v2 files when they exist).

load ../lib/system

setup() {
	PDS=$CORDON_BUILD/tests/budget
	SYSTEMS=$CORDON_TOP/tests/budget
	[ "$(id -u)" -eq 0 ] || skip "mounting cgroup2 needs root"
	command -v unshare >/dev/null || skip "unshare not installed (Debian: util-linux)"
}

teardown() {
	system_teardown
}

# Run the rest of the command line in a mount namespace where only a cgroup2
# hierarchy is mounted at /sys/fs/cgroup.
V2_ONLY=(unshare -m --propagation private sh -c
	'umount -R /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' v2-only)

v2_has() {
	"${V2_ONLY[@]}" sh -c 'for c in memory cpu pids; do grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || exit 1; done'
}

@test "cgroup2 only, without the controllers: budgets are refused naming v2's missing controllers" {
	v2_has && skip "this machine's cgroup2 offers memory, cpu and pids: budget.bats runs on it"
	run "${V2_ONLY[@]}" timeout 30 "$CORDON" run -L "$PDS" "$SYSTEMS/hog.system"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"MON|ERROR: resource budgets cannot be enforced here: cgroup v2: /sys/fs/cgroup offers the controllers '"*"', without memory cpu pids (bound to cgroup v1, or not delegated); cgroup v1: no memory hierarchy mounted"* ]]
	[[ "$output" == *"MON|ERROR: pd=hog declares memory=32M: refusing to run it without them"* ]]
	[[ "$output" != *"started pid"* ]]
}

@test "cgroup2 only, without the controllers: a system without budgets runs" {
	v2_has && skip "this machine's cgroup2 offers memory, cpu and pids: budget.bats runs on it"
	export CORDON_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	SYS_LOG=$BATS_TEST_TMPDIR/system.log
	"${V2_ONLY[@]}" "$CORDON" run -L "$PDS" "$SYSTEMS/priority.system" >"$SYS_LOG" 2>&1 &
	SYS_PID=$!
	system_wait '^spin_hi\| window=2 '
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! grep -q '^MON|INFO: budgets: ' "$SYS_LOG"
}
