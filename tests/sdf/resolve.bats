#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Where a relative <program_image path> or <beam_app path> is found: beside
# the description first, then in each -L directory in order, and nowhere
# else (the build's own tree is not searched unless named with -L).
# cordon check prints the path it resolved; a path found nowhere is reported
# with every place searched, in the order searched.

bats_require_minimum_version 1.5.0

load ../lib/system.bash

setup() {
	d=$BATS_TEST_TMPDIR/desc
	mkdir -p "$d"
	unset CORDON_SEARCH_PATH
}

teardown() {
	system_teardown
	[ -z "${pub:-}" ] || rm -rf "$pub"
}

# $d/t.system with one PD named $1 whose element is $2.
write_system() {
	cat >"$d/t.system" <<-XML
		<system>
		  <protection_domain name="$1">
		    $2
		  </protection_domain>
		</system>
	XML
}

@test "a program image beside the description wins over a same-named one under -L, and runs" {
	# hello/hello.elf exists in the build's examples too; the one beside
	# the description is a different program (the monitor's probe).  Run
	# as root, PDs are nobody, who cannot enter bats' 0700 directory.
	pub=$(mktemp -d "${TMPDIR:-/tmp}/cordon-resolve.XXXXXX")
	chmod 0755 "$pub"
	d=$pub
	mkdir -p "$d/hello"
	cp "$CORDON_BUILD/tests/monitor/probe.elf" "$d/hello/hello.elf"
	write_system beside '<program_image path="hello/hello.elf" />'

	run --separate-stderr "$CORDON" check -L "$CORDON_BUILD/examples" "$d/t.system"
	echo "$output$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"beside  priority 0, $d/hello/hello.elf"* ]]

	system_start -L "$CORDON_BUILD/examples" "$d/t.system"
	system_wait "^beside\\| probe: unknown check 'beside'\$"
	system_stop
	! grep -q 'hello, world' "$SYS_LOG"
}

@test "-L directories are searched in order after the description's directory" {
	mkdir -p "$BATS_TEST_TMPDIR/first/hello" "$BATS_TEST_TMPDIR/second/hello"
	cp "$CORDON_BUILD/tests/sdf/pd.elf" "$BATS_TEST_TMPDIR/second/hello/hello.elf"
	cp "$CORDON_BUILD/tests/sdf/pd.elf" "$BATS_TEST_TMPDIR/first/hello/hello.elf"
	write_system a '<program_image path="hello/hello.elf" />'
	run --separate-stderr "$CORDON" check -L "$BATS_TEST_TMPDIR/first" -L "$BATS_TEST_TMPDIR/second" "$d/t.system"
	echo "$output$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"a  priority 0, $BATS_TEST_TMPDIR/first/hello/hello.elf"* ]]
}

@test "the build's examples are not searched unless named with -L" {
	write_system a '<program_image path="hello/hello.elf" />'
	run --separate-stderr "$CORDON" check "$d/t.system"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "$d/t.system:3: error: <program_image>: program image 'hello/hello.elf' not found" ]
	[ "${stderr_lines[1]}" = "  hint: build it, or pass its directory with -L DIR; searched: $d" ]
}

@test "a program image not found lists every place searched, in order" {
	write_system a '<program_image path="missing.elf" />'
	run --separate-stderr "$CORDON" check -L /nonexistent/one -L /nonexistent/two "$d/t.system"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[1]}" = "  hint: build it, or pass its directory with -L DIR; searched: $d /nonexistent/one /nonexistent/two" ]
}

@test "a BEAM application beside the description wins over one under -L, and check prints it" {
	cp -r "$CORDON_TOP/tests/sdf/beam/app" "$d/app"
	write_system b '<beam_app path="app" app="demo" />'
	run --separate-stderr "$CORDON" check -L "$CORDON_TOP/tests/sdf/beam" "$d/t.system"
	echo "$output$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"beam app demo, $d/app"* ]]
}

@test "a BEAM application not found lists every place searched, in order" {
	write_system b '<beam_app path="nowhere" app="demo" />'
	run --separate-stderr "$CORDON" check -L /nonexistent/one -L /nonexistent/two "$d/t.system"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "$d/t.system:3: error: <beam_app>: application directory 'nowhere' not found" ]
	[ "${stderr_lines[1]}" = "  hint: build the application, or pass its directory with -L DIR; searched: $d /nonexistent/one /nonexistent/two" ]
}
