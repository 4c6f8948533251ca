#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Smoke runs of the libFuzzer targets (fuzz/, docs/fuzzing.md): each target
# replays its committed corpus (fuzz/corpus/<target>/) and its reproducers
# of past findings (fuzz/regress/<target>/), then fuzzes for a few seconds
# (CORDON_FUZZ_SECONDS, default 5).  Any crash, leak, sanitizer report,
# broken invariant or timeout fails the test, with the fuzzer's report and
# the offending input's path.  New inputs go to a temporary directory: the
# committed corpus only grows through `make fuzz` (-merge=1).
#
# The targets are in $CORDON_BUILD/fuzz/.  They are built only where clang
# can link libFuzzer; there, and only there, a missing target is a skip.

bats_require_minimum_version 1.5.0

setup() {
	# The fuzz targets carry ASan and UBSan in either build; running them
	# a second time for `tests/run --sanitize` would test nothing new.
	[ -z "${CORDON_SANITIZE:-}" ] || skip "fuzz targets are sanitized already; run in the plain pass"
	FUZZ=$CORDON_BUILD/fuzz
	SECONDS_EACH=${CORDON_FUZZ_SECONDS:-5}
	cd "$CORDON_TOP" || return 1
}

# Can clang link a libFuzzer program?  (Same probe as fuzz/module.mk.)
have_libfuzzer() {
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return d && n; }\n' |
		${FUZZ_CC:-clang} -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1
}

need_target() {
	[ -x "$FUZZ/$1" ] && return 0
	if have_libfuzzer; then
		echo "clang links libFuzzer here, but $FUZZ/$1 was not built: run make" >&2
		return 1
	fi
	skip "clang with libFuzzer not installed (Debian: clang libclang-rt-14-dev): fuzz targets not built"
}

# smoke TARGET [EXTRA_CORPUS_DIR...]: replay and fuzz; $status, $output set.
smoke() {
	local t=$1
	shift
	local dirs=(fuzz/corpus/"$t")
	[ -d fuzz/regress/"$t" ] && dirs+=(fuzz/regress/"$t")
	mkdir -p "$BATS_TEST_TMPDIR/new"
	# shellcheck disable=SC2046 # the options file holds several words
	# -timeout comes after the options file's, so it wins: on a loaded
	# machine a unit can take seconds.  The outer timeout is the net under
	# libFuzzer's own: its SIGALRM handler can deadlock in ASan's allocator
	# when the alarm lands inside malloc (seen here), and a hung smoke run
	# must fail, not stall the suite.
	ASAN_OPTIONS=detect_leaks=1${SMOKE_ASAN:-} UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run timeout -k 5 $((SECONDS_EACH + 180)) "$FUZZ/$t" \
		-max_total_time="$SECONDS_EACH" -error_exitcode=77 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$BATS_TEST_TMPDIR/" $(cat fuzz/"$t".options) -timeout=60 \
		"$BATS_TEST_TMPDIR/new" "${dirs[@]}" "$@"
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "$t did not finish within $((SECONDS_EACH + 180)) s (hung?)" >&2
	fi
}

expect_clean() {
	if [ "$status" -ne 0 ]; then
		echo "$output" | grep -v '^#[0-9]' | tail -80
		echo "fuzzer exit status $status; input saved in: $(ls "$BATS_TEST_TMPDIR"/crash-* \
			"$BATS_TEST_TMPDIR"/leak-* "$BATS_TEST_TMPDIR"/timeout-* 2>/dev/null)"
		return 1
	fi
	# It replayed the corpus and then really fuzzed.
	[[ "$output" == *"INITED"* ]]
	[[ "$output" == *"stat::number_of_executed_units:"* ]]
	local runs
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$output")
	echo "$1: $runs executions in ${SECONDS_EACH} s"
	[ "$runs" -gt 100 ]
}

@test "fuzz-sdf: sdf_load over the corpus and mutations: no crash, leak or bad plan" {
	need_target fuzz-sdf
	smoke fuzz-sdf
	expect_clean fuzz-sdf
}

@test "fuzz-end: a hostile peer page and rx ring: no crash, invariants hold" {
	need_target fuzz-end
	smoke fuzz-end
	expect_clean fuzz-end
}

@test "fuzz-boot: lc_boot_check over arbitrary boot information: no crash, invariants hold" {
	need_target fuzz-boot
	smoke fuzz-boot
	expect_clean fuzz-boot
}

# The smoke run fails when a target crashes: each target aborts on the
# canary input when CORDON_FUZZ_CANARY is set (fuzz/fuzz.h).
@test "a crashing input fails the smoke run of every target" {
	for t in fuzz-sdf fuzz-end fuzz-boot; do
		need_target "$t"
	done
	mkdir -p "$BATS_TEST_TMPDIR/canary"
	printf 'CORDON-CANARY' >"$BATS_TEST_TMPDIR/canary/input"
	for t in fuzz-sdf fuzz-end fuzz-boot; do
		# symbolize=0: the stack of an expected crash is not worth a second
		SECONDS_EACH=1 SMOKE_ASAN=:symbolize=0 CORDON_FUZZ_CANARY=1 \
			smoke "$t" "$BATS_TEST_TMPDIR/canary"
		[ "$status" -ne 0 ] || {
			echo "$t: the canary did not fail the run"
			return 1
		}
		[[ "$output" == *"deadly signal"* ]]
		ls "$BATS_TEST_TMPDIR"/crash-*
		rm -f "$BATS_TEST_TMPDIR"/crash-*
	done
}

@test "every corpus and regression directory belongs to a built target" {
	for d in fuzz/corpus/* fuzz/regress/*; do
		[ -d "$d" ] || continue
		t=$(basename "$d")
		[ -f "fuzz/$t.options" ] || {
			echo "$d: no fuzz/$t.options (no such target?)"
			return 1
		}
		[ "$(find "$d" -type f | wc -l)" -le 500 ] || {
			echo "$d: more than 500 inputs; run make fuzz-cmin"
			return 1
		}
	done
}
