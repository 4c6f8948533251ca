#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# cordon graph: every example is drawn (SVG and PNG through Graphviz) with
# its PDs, channels, regions, supervisors and grants; an invalid
# description draws nothing.  Skipped without Graphviz's dot.

bats_require_minimum_version 1.5.0

CORDON=${CORDON_BUILD:?run through tests/run}/bin/cordon

setup() {
	command -v dot >/dev/null || skip "Graphviz not installed (Debian: graphviz)"
	cd "$BATS_TEST_TMPDIR"
}

draw() {
	run "$CORDON" graph -L "$CORDON_BUILD/examples" -o "$BATS_TEST_TMPDIR/$1" "$CORDON_TOP/examples/$1/$1.system"
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	[ "$(head -c 8 "$1.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	grep -q '<svg' "$1.svg"
}

@test "every example is drawn as SVG and PNG" {
	for f in "$CORDON_TOP"/examples/*/*.system; do
		draw "$(basename "$f" .system)"
	done
}

@test "sensor: a BEAM PD with its grant, a native PD, a supervisor, a pp channel toward the callee" {
	draw sensor
	grep -q 'BEAM: sensor_app' sensor.dot
	grep -q 'grant http: tcp_listen 127.0.0.1:8080' sensor.dot
	grep -q 'driver\\nnative\\npriority 120' sensor.dot
	grep -q 'supervisor sensor: one_for_one, 10 restarts in 60 s' sensor.dot
	# app (pd1) calls driver (pd0): the arrow goes from the caller
	grep -q 'pd1 -> pd0 \[label="0 : 0\\npp", penwidth' sensor.dot
	grep -q 'sensor_app' sensor.svg
}

@test "shared-buffer: a memory region and its mappings" {
	draw shared-buffer
	grep -q 'shape=cylinder, label="buffer\\n4 KiB"' shared-buffer.dot
	grep -q 'label="rw"' shared-buffer.dot
	grep -q 'label="r"' shared-buffer.dot
	# neither end may call: a line, not an arrow
	grep -q 'dir=none' shared-buffer.dot
}

@test "a description with queues and child PDs is drawn with both" {
	cat >q.system <<'XML'
<system>
    <protection_domain name="parent" priority="10">
        <program_image path="hello.elf" />
        <protection_domain name="kid" id="3" priority="5">
            <program_image path="hello.elf" />
        </protection_domain>
    </protection_domain>
    <protection_domain name="other" priority="20">
        <program_image path="hello.elf" />
    </protection_domain>
    <channel>
        <end pd="parent" id="0" queue_size="4096" />
        <end pd="other" id="0" />
    </channel>
</system>
XML
	run "$CORDON" graph -L "$CORDON_BUILD/examples/hello" q.system
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	grep -q 'label="child 3"' q.dot
	grep -q 'queue parent→other 4096 B' q.dot
	[ -s q.png ] && [ -s q.svg ]
}

@test "an invalid description draws nothing" {
	printf '<system>\n  <protection_domain name="x">\n</system>\n' >bad.system
	run -1 "$CORDON" graph bad.system
	[[ "$output" == *"bad.system:"* ]]
	[[ "$output" == *"nothing was drawn"* ]]
	[ ! -e bad.svg ] && [ ! -e bad.png ]
}

@test "graph --help says what it draws" {
	run "$CORDON" graph --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: cordon graph"* ]]
}
