#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The source tree's own rules: module boundaries (a module's internal.h is
# private to it) and clang-format.  Each check runs on the repository, and
# on a small tree that breaks its rule, to show that it can fail.

CHECKS=${CORDON_TOP:?run through tests/run}/tests/source

# A scratch tree (not a git checkout) with a .clang-format and two modules.
scratch() {
	T=$BATS_TEST_TMPDIR/tree
	mkdir -p "$T/ipc" "$T/bench" "$T/tests/ipc"
	cp "$CORDON_TOP/.clang-format" "$T/"
	printf '/* private */\n' >"$T/ipc/internal.h"
	printf '#include "ipc/internal.h"\n' >"$T/ipc/a.c"
	printf '#include "ipc/internal.h"\n' >"$T/tests/ipc/unit.c"
}

@test "boundaries: no file includes another module's internal.h" {
	run "$CHECKS/boundaries"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "boundaries: a module and its own unit tests may include its internal.h" {
	scratch
	run "$CHECKS/boundaries" "$T"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "boundaries: another module including internal.h fails, naming file:line" {
	scratch
	printf '#include <stdio.h>\n#include "ipc/internal.h"\n' >"$T/bench/ring.c"
	printf '#include "ipc/internal.h"\n' >"$T/tests/bench.c"
	run "$CHECKS/boundaries" "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bench/ring.c:2: includes ipc/internal.h, which is private to ipc/"* ]]
	[[ "$output" == *"tests/bench.c:1: includes ipc/internal.h"* ]]
	[ "$(echo "$output" | wc -l)" -eq 2 ]
}

@test "format: every C file passes clang-format --dry-run -Werror" {
	run "$CHECKS/format"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "format: a misformatted file fails, naming file:line" {
	scratch
	printf 'int f(void)\n{\n\treturn 1;\n}\n' >"$T/ipc/good.c"
	printf 'int g(void) {   return  2; }\n' >"$T/bench/bad.c"
	run "$CHECKS/format" "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bench/bad.c:1:"* ]]
	[[ "$output" != *"good.c"* ]]
}

@test "build: make all builds what running needs, nothing of the tests (no cmocka)" {
	# The README's first command runs on a machine without the test
	# dependencies: a test program on `all` breaks it there.
	run make -C "$CORDON_TOP" -n all BUILD="$BATS_TEST_TMPDIR/build"
	[ "$status" -eq 0 ]
	grep -q 'bin/cordon' <<<"$output"
	! grep -E 'cmocka|/tests/unit/' <<<"$output" || false
}
