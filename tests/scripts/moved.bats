#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# A copied or moved checkout runs itself, never the tree it was copied
# from: copy a built checkout, delete the original's build, then use the
# copy's build (cordon.pc, the demo's programs) and its make.

bats_require_minimum_version 1.5.0

load ../lib/system

setup() {
	[ -z "${CORDON_SANITIZE:-}" ] || skip "copies the plain build; once is enough"
	[ -x "$CORDON_TOP/build/bin/cordon" ] || skip "no plain build"
	# PDs run as nobody: the copy must be reachable by anyone, which a bats
	# temporary directory (0700) is not.
	T=$(mktemp -d "$CORDON_TOP/build/tests/moved.XXXXXX")
	chmod 0755 "$T"
	mkdir "$T/orig"
	# The checkout's files and its plain build, as a user's tree holds them
	# (tar, not git: a fresh machine's test dependencies have no git, and
	# the checkout may be a copy without .git).
	(cd "$CORDON_TOP" && tar --exclude=./.git --exclude='./build' --exclude='./build-*' \
		--exclude='_build' --exclude='./deps' -cf - .) | tar -C "$T/orig" -xf -
	(cd "$CORDON_TOP" && tar --exclude=build/tests --exclude=build/bench --exclude=build/fuzz \
		-cf - build) | tar -C "$T/orig" -xf -
	cp -a "$T/orig" "$T/copy"
	rm -rf "$T/orig/build"
}

teardown() {
	system_teardown
	[ -z "${T:-}" ] || rm -rf "$T"
}

@test "a copied build's cordon.pc builds PDs against the copy" {
	export PKG_CONFIG_PATH=$T/copy/build/lib/pkgconfig
	run -0 pkg-config --cflags --libs cordon
	[[ "$output" == *"-I$T/copy/build/"* ]]
	[[ "$output" != *"$T/orig"* ]]
	# shellcheck disable=SC2046
	cc "$CORDON_TOP/examples/hello/hello.c" $(pkg-config --cflags --libs cordon) -o "$T/hello.elf"
}

@test "the copy's cordon runs the copy's demo programs, the original's build gone" {
	cd "$T/copy"
	CORDON=$T/copy/build/bin/cordon
	system_start -L build/examples examples/hello/hello.system
	system_wait "^bob\\| hello, world"
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
	! grep -q "$T/orig" "$SYS_LOG"
}

@test "make in the copy notices the move and builds it afresh" {
	run -0 make -C "$T/copy" --no-print-directory "$T/copy/build/lib/pkgconfig/cordon.pc"
	echo "$output"
	# (The original was copied from this checkout, where its build was made.)
	[[ "$output" == *"$T/copy/build was built in $CORDON_TOP, not in this checkout ($T/copy): building it afresh"* ]]
	[ "$(cat "$T/copy/build/.top")" = "$T/copy" ]
	[ ! -e "$T/copy/build/bin/cordon" ] # the rest is rebuilt by the next make
	run -0 make -C "$T/copy" --no-print-directory "$T/copy/build/lib/pkgconfig/cordon.pc"
	[[ "$output" != *"building it afresh"* ]]
}
