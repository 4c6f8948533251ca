#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# A program in a private directory: a PD image or BEAM application under a
# directory its PD's user cannot search (a mktemp -d directory, a 0700
# home) still runs.  The description grants the PD its files; the sandbox
# opens them with the monitor's rights and binds them from the
# descriptors, so the PD's own rights are never needed to reach them.
# As root (PDs run as ids of their own, which may search nothing private)
# and unprivileged (as nobody, with setpriv), native and BEAM.
# Docs: "Private directories" in docs/security.md.

load ../lib/system
load ../escape/hostile

setup_file() {
	hostile_build
}

teardown_file() {
	hostile_clean
}

teardown() {
	system_teardown
}

# private_dir OWNER: a new 0700 directory owned by OWNER (uid:gid), under
# a 0711 directory (the test's own is 0700: nobody could not even reach
# the private one's parent, which is not what is tested).
private_dir() {
	local top=$BATS_TEST_TMPDIR/top
	mkdir -p -m 0711 "$top"
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	PRIV=$(mktemp -d "$top/private.XXXXXX")
	mkdir -p "$PRIV/lib"
	cp "$CORDON_BUILD/tests/escape/nuisance.elf" "$PRIV/"
	cp -a "$(hostile_app idle)/hostile" "$PRIV/lib/"
	chmod -R a+rX "$PRIV"
	chown -R "$1" "$PRIV"
	chmod 0700 "$PRIV"
	cat >"$PRIV/private.system" <<-XML
		<system>
		  <protection_domain name="native"><program_image path="nuisance.elf" /></protection_domain>
		  <protection_domain name="app"><beam_app path="$PRIV/lib" app="hostile" /></protection_domain>
		</system>
	XML
	chown "$1" "$PRIV/private.system"
}

# Both PDs start and say so; the system stops cleanly.
runs() {
	system_wait '^native\| native: idle$' 30
	system_wait '^app\| hostile: up$' 60
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "private_dir_root: as root, PDs run from a mktemp -d directory (0700, root's)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	private_dir 0:0
	system_start -L "$PRIV" "$PRIV/private.system"
	runs
}

@test "private_dir_home: as root, PDs run from another user's 0700 home" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	private_dir 4242:4242
	system_start -L "$PRIV" "$PRIV/private.system"
	runs
}

@test "private_dir_unprivileged: as nobody, PDs run from nobody's own 0700 directory" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root to become nobody"
	private_dir 65534:65534
	local run=$BATS_TEST_TMPDIR/nobody-run
	mkdir -m 0700 "$run"
	chown 65534:65534 "$run"
	export CORDON_RUNTIME_DIR=$run
	SYS_LOG=$BATS_TEST_TMPDIR/system.log
	: >"$SYS_LOG"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CORDON" run -L "$PRIV" "$PRIV/private.system" >"$SYS_LOG" 2>&1 &
	SYS_PID=$!
	runs
}
