#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cordon check says when a PD could not use its own files: run as root,
# cordon starts every PD as nobody, so a program image nobody may not
# execute, or a BEAM application tree nobody may not read, would fail only
# inside the PD at run time.  File modes do not survive git (only the
# executable bit does, and not per class), so these are not fixtures: each
# test makes its files with the modes it needs in its temporary directory.

bats_require_minimum_version 1.5.0

setup() {
	[ "$(id -u)" -eq 0 ] || skip "PDs run as nobody only when cordon runs as root"
	CORDON=$CORDON_BUILD/bin/cordon
	d=$BATS_TEST_TMPDIR
}

# The description $d/t.system with one PD of element $1.
write_system() {
	cat >"$d/t.system" <<-XML
		<system>
		  <protection_domain name="pd">
		    $1
		  </protection_domain>
		</system>
	XML
}

# cordon check fails, and its first two lines on stderr are $1 and $2.
check_fails_with() {
	run --separate-stderr "$CORDON" check "$d/t.system"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "$1" ]
	[ "${stderr_lines[1]}" = "$2" ]
}

@test "a program image nobody may not execute is an error at check time, with a chmod hint" {
	cp "$CORDON_BUILD/tests/sdf/pd.elf" "$d/own.elf"
	chmod 0700 "$d/own.elf"
	write_system '<program_image path="own.elf" />'
	check_fails_with \
		"$d/t.system:3: error: <program_image>: '$d/own.elf' is not executable by nobody, the user PDs run as when cordon runs as root" \
		"  hint: chmod o+x (or a+rx) the file"
	chmod 0755 "$d/own.elf"
	run "$CORDON" check "$d/t.system"
	[ "$status" -eq 0 ]
	# A file owned by nobody needs only the owner's bit.
	chown 65534 "$d/own.elf"
	chmod 0700 "$d/own.elf"
	run "$CORDON" check "$d/t.system"
	[ "$status" -eq 0 ]
}

@test "a BEAM application tree nobody may not read is an error at check time, naming the first such path" {
	mkdir -p "$d/lib/ebin"
	cp "$CORDON_TOP/tests/sdf/beam/app/ebin/"* "$d/lib/ebin/"
	chmod -R a+rX "$d/lib"
	write_system '<beam_app path="lib" app="demo" />'
	run "$CORDON" check "$d/t.system"
	echo "$output"
	[ "$status" -eq 0 ]
	# A module only its owner may read.
	chmod 0600 "$d/lib/ebin/demo.beam"
	check_fails_with \
		"$d/t.system:3: error: <beam_app>: '$d/lib/ebin/demo.beam' is not readable by nobody, the user BEAM PDs run as when cordon runs as root" \
		"  hint: chmod -R a+rX $d/lib"
	# The tree's own directory, as mktemp -d makes it (0700).
	chmod 0644 "$d/lib/ebin/demo.beam"
	chmod 0700 "$d/lib"
	run --separate-stderr "$CORDON" check "$d/t.system"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"<beam_app>: '$d/lib' is not readable by nobody"* ]]
	# Directories above the tree do not count: the PD's root has its own.
	chmod 0755 "$d/lib"
	chmod 0700 "$d"
	run "$CORDON" check "$d/t.system"
	[ "$status" -eq 0 ]
}
