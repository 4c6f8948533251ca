#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Microkit's three portable example shapes, written as Microkit users write
# them (only <microkit.h>, seL4 names included), built unchanged through
# cordon.pc and run from a Microkit-style description: hello; a passive
# server called by a client, replying with seL4_MessageInfo_new through all
# of seL4's message registers; a parent restarting a crashing child from
# fault() with seL4_MessageInfo_t, then resuming it, then stopping it.

load ../lib/system.bash

setup() {
	ITEST=$CORDON_BUILD/tests/integration
	system_start -L "$ITEST" "$CORDON_TOP/tests/integration/microkit-examples.system"
}

teardown() {
	system_teardown
}

@test "hello: a Microkit component prints its greeting" {
	system_wait '^hello\| hello, world$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "passive server: the client's call is answered with seL4_MessageInfo_new, 120 registers" {
	system_wait '^server\| SERVER\|INFO: init function running$'
	system_wait '^client\| CLIENT\|INFO: label 0 count 120 mr0 42 mr119 22$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! grep -q 'SERVER|ERROR' "$SYS_LOG"
}

@test "hierarchy: fault() restarts the crashing child twice, resumes it, then stops it" {
	# the label is the signal: SIGSEGV (11) for the null store, but in the
	# sanitized build UBSan (trap mode inside PDs) catches it first: SIGILL
	local sig=11
	[ -z "${CORDON_SANITIZE:-}" ] || sig=4
	system_wait "^restarter\\| restarter: fault 1 from child 1, label $sig\$"
	system_wait "^restarter\\| restarter: fault 2 from child 1, label $sig\$"
	system_wait "^restarter\\| restarter: fault 3 from child 1, label $sig\$"
	system_wait '^restarter\| restarter: resumed$'
	system_wait '^restarter\| restarter: too many faults, child stopped$'
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	# four starts; a restarted child begins with fresh globals on Cordon
	[ "$(grep -c '^crasher| crasher: start, my global count is 1$' "$SYS_LOG")" -eq 4 ]
	[ "$(grep -c 'restarter: restarted$' "$SYS_LOG")" -eq 2 ]
}
