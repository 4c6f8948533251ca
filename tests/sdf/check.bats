#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cordon check against the sdf fixtures.
#
# Each tests/sdf/fixtures/NAME.system breaks one rule (or, warn-*, trips one
# warning) and says on its first line what `cordon check` must print first:
#     <!-- expect: LINE: error: <element>: message -->
# (@IMAGES@ stands for the directory of the test program images, @FIXTURES@
# for the fixtures' own).  A test runs the check, and asserts the exit
# status, that the first error (or warning) line is exactly FILE:expect, and
# that a hint line follows it.
# One @test per fixture, so a broken rule fails exactly one test; the last
# tests make sure no fixture is left without its @test and that every
# example and integration description is valid.
#
# The checker is $CORDON_BUILD/bin/cordon check.  Only while bin/cordon
# cannot be built (it links the monitor and sandbox) do we fall back to
# $CORDON_BUILD/tests/sdf/sdf-check, the same sdf_load with nothing else
# linked.

bats_require_minimum_version 1.5.0

setup() {
	FIXTURES=$CORDON_TOP/tests/sdf/fixtures
	IMAGES=$CORDON_BUILD/tests/sdf
	if [ -x "$CORDON_BUILD/bin/cordon" ]; then
		CHECK=("$CORDON_BUILD/bin/cordon" check)
	else
		CHECK=("$CORDON_BUILD/tests/sdf/sdf-check")
	fi
	unset CORDON_SEARCH_PATH
}

# The first line of stderr that is a diagnostic of kind $1 for file $2, and
# the line after it (in $diag and $hint).
first_diagnostic() {
	local kind=$1 file=$2 i
	diag= hint=
	for ((i = 0; i < ${#stderr_lines[@]}; i++)); do
		case "${stderr_lines[$i]}" in
		"$file:"*": $kind: "*)
			diag=${stderr_lines[$i]}
			hint=${stderr_lines[$((i + 1))]:-}
			return 0
			;;
		esac
	done
	return 1
}

fixture() {
	local f=$FIXTURES/$1.system expect kind
	expect=$(sed -n '1s/^<!-- expect: \(.*\) -->$/\1/p' "$f")
	if [ -z "$expect" ]; then
		echo "$f: the first line is not <!-- expect: ... -->" >&2
		return 1
	fi
	expect=${expect//@IMAGES@/$IMAGES}
	expect=${expect//@FIXTURES@/$FIXTURES}
	case "$expect" in
	*": error: "*) kind=error ;;
	*": warning: "*) kind=warning ;;
	*)
		echo "$f: expect neither an error nor a warning: $expect" >&2
		return 1
		;;
	esac
	run --separate-stderr "${CHECK[@]}" -L "$IMAGES" "$f"
	printf 'stderr:\n%s\n' "$stderr" >&2
	if [ "$kind" = error ]; then
		[ "$status" -eq 1 ]
		[ -z "$output" ] # no summary for an invalid description
	else
		[ "$status" -eq 0 ]
		[ -n "$output" ]
	fi
	first_diagnostic "$kind" "$f"
	[ "$diag" = "$f:$expect" ]
	[[ "$hint" == "  hint: "?* ]]
}

@test "beam-app-and-program-image" {
	fixture beam-app-and-program-image
}

@test "beam-app-bad-app-name" {
	fixture beam-app-bad-app-name
}

@test "beam-app-child-pd" {
	fixture beam-app-child-pd
}

@test "beam-app-empty-path" {
	fixture beam-app-empty-path
}

@test "beam-app-priv-symlink-out" {
	fixture beam-app-priv-symlink-out
}

@test "beam-app-missing-dependency" {
	fixture beam-app-missing-dependency
}

@test "beam-app-no-app-file" {
	fixture beam-app-no-app-file
}

@test "beam-app-no-ebin" {
	fixture beam-app-no-ebin
}

@test "beam-app-not-directory" {
	fixture beam-app-not-directory
}

@test "beam-app-not-found" {
	fixture beam-app-not-found
}

@test "beam-app-setvar" {
	fixture beam-app-setvar
}

@test "beam-app-twice" {
	fixture beam-app-twice
}

@test "budget-above-period" {
	fixture budget-above-period
}

@test "budget-zero" {
	fixture budget-zero
}

@test "channel-attribute" {
	fixture channel-attribute
}

@test "channel-id-out-of-range" {
	fixture channel-id-out-of-range
}

@test "channel-one-end" {
	fixture channel-one-end
}

@test "channel-same-pd" {
	fixture channel-same-pd
}

@test "channel-three-ends" {
	fixture channel-three-ends
}

@test "channel-unknown-pd" {
	fixture channel-unknown-pd
}

@test "child-element-in-leaf" {
	fixture child-element-in-leaf
}

@test "child-id-out-of-range" {
	fixture child-id-out-of-range
}

@test "child-pd-missing-id" {
	fixture child-pd-missing-id
}

@test "doctype" {
	fixture doctype
}

@test "dist-native-end" {
	fixture dist-native-end
}

@test "dist-small-queue" {
	fixture dist-small-queue
}

@test "domain-schedule" {
	fixture domain-schedule
}

@test "domains" {
	fixture domains
}

@test "duplicate-channel-id" {
	fixture duplicate-channel-id
}

@test "duplicate-child-id" {
	fixture duplicate-child-id
}

@test "duplicate-grant-name" {
	fixture duplicate-grant-name
}

@test "duplicate-pd-name" {
	fixture duplicate-pd-name
}

@test "duplicate-pd-name-child" {
	fixture duplicate-pd-name-child
}

@test "duplicate-region-name" {
	fixture duplicate-region-name
}

@test "duplicate-setvar-vaddr" {
	fixture duplicate-setvar-vaddr
}

@test "duplicate-supervisor-name" {
	fixture duplicate-supervisor-name
}

@test "empty-pd-name" {
	fixture empty-pd-name
}

@test "empty-program-image-path" {
	fixture empty-program-image-path
}

@test "end-missing-id" {
	fixture end-missing-id
}

@test "end-setvar-id" {
	fixture end-setvar-id
}

@test "grant-address-host-name" {
	fixture grant-address-host-name
}

@test "grant-address-v4-mapped" {
	fixture grant-address-v4-mapped
}

@test "grant-backlog-zero" {
	fixture grant-backlog-zero
}

@test "grant-missing-port" {
	fixture grant-missing-port
}

@test "grant-missing-type" {
	fixture grant-missing-type
}

@test "grant-port-clash" {
	fixture grant-port-clash
}

@test "grant-port-clash-wildcard" {
	fixture grant-port-clash-wildcard
}

@test "grant-port-too-large" {
	fixture grant-port-too-large
}

@test "grant-port-zero" {
	fixture grant-port-zero
}

@test "grant-type-unknown" {
	fixture grant-type-unknown
}

@test "grant-unknown-attribute" {
	fixture grant-unknown-attribute
}

@test "limits-memory-negative" {
	fixture limits-memory-negative
}

@test "limits-memory-too-large" {
	fixture limits-memory-too-large
}

@test "limits-memory-too-small" {
	fixture limits-memory-too-small
}

@test "limits-memory-unknown-suffix" {
	fixture limits-memory-unknown-suffix
}

@test "limits-tasks-too-many" {
	fixture limits-tasks-too-many
}

@test "limits-tasks-zero" {
	fixture limits-tasks-zero
}

@test "limits-twice" {
	fixture limits-twice
}

@test "limits-unknown-attribute" {
	fixture limits-unknown-attribute
}

@test "malformed-xml" {
	fixture malformed-xml
}

@test "map-beyond-user-space" {
	fixture map-beyond-user-space
}

@test "map-cached-not-boolean" {
	fixture map-cached-not-boolean
}

@test "map-overlap" {
	fixture map-overlap
}

@test "map-overlaps-program-segment" {
	fixture map-overlaps-program-segment
}

@test "map-perms-invalid" {
	fixture map-perms-invalid
}

@test "map-perms-write-only" {
	fixture map-perms-write-only
}

@test "map-setvar-size" {
	fixture map-setvar-size
}

@test "map-unknown-region" {
	fixture map-unknown-region
}

@test "map-vaddr-too-low" {
	fixture map-vaddr-too-low
}

@test "map-vaddr-unaligned" {
	fixture map-vaddr-unaligned
}

@test "missing-pd-name" {
	fixture missing-pd-name
}

@test "missing-program-image" {
	fixture missing-program-image
}

@test "no-protection-domains" {
	fixture no-protection-domains
}

@test "not-elf-program" {
	fixture not-elf-program
}

@test "notify-not-boolean" {
	fixture notify-not-boolean
}

@test "number-bad-underscore" {
	fixture number-bad-underscore
}

@test "object-file-program" {
	fixture object-file-program
}

@test "passive-not-boolean" {
	fixture passive-not-boolean
}

@test "pd-cspace" {
	fixture pd-cspace
}

@test "pd-domain" {
	fixture pd-domain
}

@test "pd-ioport" {
	fixture pd-ioport
}

@test "pd-irq" {
	fixture pd-irq
}

@test "pd-name-bad-character" {
	fixture pd-name-bad-character
}

@test "pd-name-too-long" {
	fixture pd-name-too-long
}

@test "pd-pp-attribute" {
	fixture pd-pp-attribute
}

@test "pd-setvar-region-paddr" {
	fixture pd-setvar-region-paddr
}

@test "pd-smc" {
	fixture pd-smc
}

@test "pd-virtual-machine" {
	fixture pd-virtual-machine
}

@test "period-too-large" {
	fixture period-too-large
}

@test "pp-both-ends" {
	fixture pp-both-ends
}

@test "pp-not-boolean" {
	fixture pp-not-boolean
}

@test "pp-toward-equal-priority" {
	fixture pp-toward-equal-priority
}

@test "pp-toward-lower-priority" {
	fixture pp-toward-lower-priority
}

@test "priority-negative" {
	fixture priority-negative
}

@test "priority-not-a-number" {
	fixture priority-not-a-number
}

@test "priority-out-of-range" {
	fixture priority-out-of-range
}

@test "program-image-not-executable" {
	fixture program-image-not-executable
}

@test "program-image-not-found" {
	fixture program-image-not-found
}

@test "program-image-not-regular" {
	fixture program-image-not-regular
}

@test "program-image-path-for-symbols" {
	fixture program-image-path-for-symbols
}

@test "queue-size-not-power-of-two" {
	fixture queue-size-not-power-of-two
}

@test "queue-size-too-small" {
	fixture queue-size-too-small
}

@test "region-clear-on-restart-not-boolean" {
	fixture region-clear-on-restart-not-boolean
}

@test "region-missing-size" {
	fixture region-missing-size
}

@test "region-page-size-unsupported" {
	fixture region-page-size-unsupported
}

@test "region-phys-addr" {
	fixture region-phys-addr
}

@test "region-prefill-path" {
	fixture region-prefill-path
}

@test "region-size-unaligned" {
	fixture region-size-unaligned
}

@test "region-size-zero" {
	fixture region-size-zero
}

@test "restart-delay-on-child-pd" {
	fixture restart-delay-on-child-pd
}

@test "restart-delay-out-of-range" {
	fixture restart-delay-out-of-range
}

@test "restart-on-child-pd" {
	fixture restart-on-child-pd
}

@test "restart-unknown-kind" {
	fixture restart-unknown-kind
}

@test "setvar-not-identifier" {
	fixture setvar-not-identifier
}

@test "setvar-symbol-not-found" {
	fixture setvar-symbol-not-found
}

@test "setvar-wrong-size" {
	fixture setvar-wrong-size
}

@test "stack-size-too-large" {
	fixture stack-size-too-large
}

@test "stack-size-unaligned" {
	fixture stack-size-unaligned
}

@test "supervisor-in-pd" {
	fixture supervisor-in-pd
}

@test "supervisor-intensity-negative" {
	fixture supervisor-intensity-negative
}

@test "supervisor-intensity-out-of-range" {
	fixture supervisor-intensity-out-of-range
}

@test "supervisor-missing-name" {
	fixture supervisor-missing-name
}

@test "supervisor-named-like-pd" {
	fixture supervisor-named-like-pd
}

@test "supervisor-named-root" {
	fixture supervisor-named-root
}

@test "supervisor-period-too-long" {
	fixture supervisor-period-too-long
}

@test "supervisor-period-too-precise" {
	fixture supervisor-period-too-precise
}

@test "supervisor-period-with-unit" {
	fixture supervisor-period-with-unit
}

@test "supervisor-period-zero" {
	fixture supervisor-period-zero
}

@test "supervisor-unknown-attribute" {
	fixture supervisor-unknown-attribute
}

@test "supervisor-unknown-child" {
	fixture supervisor-unknown-child
}

@test "supervisor-unknown-strategy" {
	fixture supervisor-unknown-strategy
}

@test "system-virtual-machine" {
	fixture system-virtual-machine
}

@test "too-many-grants" {
	fixture too-many-grants
}

@test "too-many-maps" {
	fixture too-many-maps
}

@test "two-program-images" {
	fixture two-program-images
}

@test "unexpected-text" {
	fixture unexpected-text
}

@test "unknown-attribute" {
	fixture unknown-attribute
}

@test "unknown-element" {
	fixture unknown-element
}

@test "unknown-pd-child-element" {
	fixture unknown-pd-child-element
}

@test "warn-empty-limits" {
	fixture warn-empty-limits
}

@test "warn-empty-supervisor" {
	fixture warn-empty-supervisor
}

@test "warn-map-cached-false" {
	fixture warn-map-cached-false
}

@test "warn-map-writable-executable" {
	fixture warn-map-writable-executable
}

@test "warn-pd-cpu" {
	fixture warn-pd-cpu
}

@test "warn-pd-fpu" {
	fixture warn-pd-fpu
}

@test "warn-unused-region" {
	fixture warn-unused-region
}

@test "wrong-architecture" {
	fixture wrong-architecture
}

@test "wrong-root-element" {
	fixture wrong-root-element
}

@test "pd-cpu-not-a-number" {
	fixture pd-cpu-not-a-number
}

@test "pd-cpu-beyond-cores" {
	fixture pd-cpu-beyond-cores
}

@test "pd-fpu-not-boolean" {
	fixture pd-fpu-not-boolean
}

@test "region-prefill-path-without-size" {
	fixture region-prefill-path-without-size
}

@test "pd-io-address-space" {
	fixture pd-io-address-space
}

@test "a refused prefill_path is the only error, not also the missing size" {
	run --separate-stderr "${CHECK[@]}" -L "$IMAGES" "$FIXTURES/region-prefill-path-without-size.system"
	printf 'stderr:\n%s\n' "$stderr" >&2
	[ "$status" -eq 1 ]
	[ "$(grep -c ': error: ' <<<"$stderr")" -eq 1 ]
}

@test "every fixture has its @test, and every fixture @test its fixture" {
	local tests fixtures
	tests=$(sed -n 's/^\tfixture \([^ ]*\)$/\1/p' "$BATS_TEST_FILENAME" | sort)
	fixtures=$(cd "$FIXTURES" && ls -- *.system | sed 's/\.system$//' | sort)
	diff <(echo "$tests") <(echo "$fixtures")
	[ "$(echo "$fixtures" | wc -l)" -ge 40 ]
}

# Every description shipped as an example or used by another suite is valid.
# Their program images come from the build when it has them, or else are
# stand-ins (copies of tests/sdf/pd.c's image, which defines the setvar
# symbols they use) so the check covers the descriptions even while
# libcordon cannot be built.
@test "every example and suite description checks clean, with a summary" {
	local standin=$BATS_TEST_TMPDIR/images f img dir n=0
	for f in "$CORDON_TOP"/examples/*/*.system "$CORDON_TOP"/tests/*/*.system \
		"$CORDON_TOP"/tests/sdf/good/*.system; do
		for img in $(sed -n 's/.*<program_image path="\([^"]*\)".*/\1/p' "$f"); do
			mkdir -p "$standin/$(dirname "$img")"
			cp "$IMAGES/pd.elf" "$standin/$img"
		done
		# where the build puts the images of this description's folder
		dir=$(dirname "${f#"$CORDON_TOP"/}")
		run --separate-stderr "${CHECK[@]}" -L "$CORDON_BUILD/examples" \
			-L "$CORDON_BUILD/$dir" -L "$IMAGES" -L "$standin" "$f"
		if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
			printf '%s: status %s\n%s\n' "$f" "$status" "$stderr" >&2
			return 1
		fi
		[[ "${lines[0]}" == "$f: "*" protection domain"* ]]
		[ "${lines[1]}" = "protection domains:" ]
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
}

# The annotated example of docs/system-description.md is a valid description
# and produces the supervision summary the page shows.
@test "the documented example checks clean, as documented" {
	local doc=$CORDON_TOP/docs/system-description.md ex=$BATS_TEST_TMPDIR/example.system img
	sed -n '/^```xml$/,/^```$/p' "$doc" | sed -n '/^<?xml/,/^<\/system>$/p' >"$ex"
	grep -q '<supervisor' "$ex"
	for img in $(sed -n 's/.*<program_image path="\([^"]*\)".*/\1/p' "$ex"); do
		cp "$IMAGES/pd.elf" "$BATS_TEST_TMPDIR/$img"
	done
	run --separate-stderr "${CHECK[@]}" -L "$BATS_TEST_TMPDIR" "$ex"
	printf '%s\n%s\n' "$output" "$stderr" >&2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	sed -n '/^supervision:$/,/^```$/p' "$doc" | sed '$d' >"$BATS_TEST_TMPDIR/want"
	[ -s "$BATS_TEST_TMPDIR/want" ]
	sed -n '/^supervision:$/,$p' <<<"$output" | diff "$BATS_TEST_TMPDIR/want" -
}
