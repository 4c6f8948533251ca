#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The developer workflow from Elixir, as a user lives it: the cordon Mix
# archive installed into a scratch MIX_HOME, `mix cordon.new demo`,
# `mix cordon.build`, `mix cordon.run` until the app answers, `mix test` in
# the generated app; two builds give the same manifest; a tampered,
# unsigned or wrongly keyed image is refused by `cordon run` with the file
# named and nothing started.
#
# One project is generated and built for the whole file (setup_file); each
# tamper test changes a copy of its image.  Needs Debian's elixir (mix).

bats_require_minimum_version 1.5.0

load ../lib/system

setup_file() {
	command -v mix >/dev/null || return 0
	export MIX_HOME=$BATS_FILE_TMPDIR/mix-home CORDON_HOME=$CORDON_TOP
	export WORK=$BATS_FILE_TMPDIR/work
	mkdir -p "$WORK"
	"$CORDON_TOP/mix_cordon/install" "$MIX_HOME" >&2
	cd "$WORK" && mix cordon.new demo >&2
	cd "$WORK/demo" && mix cordon.build >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
		cat "$BATS_FILE_TMPDIR/build.log" >&2
}

setup() {
	command -v mix >/dev/null || skip "mix not installed (Debian: elixir)"
	[ -f "$WORK/demo/_cordon/image/manifest" ] || {
		cat "$BATS_FILE_TMPDIR/build.log" >&2
		false
	}
	export CORDON_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
}

teardown() {
	system_teardown
	if [ -n "${MIX_PID:-}" ] && kill -0 "$MIX_PID" 2>/dev/null; then
		kill -TERM "$MIX_PID" 2>/dev/null || true
		wait "$MIX_PID" 2>/dev/null || true
	fi
}

manifest_hash() {
	sha256sum "$1/manifest" | cut -d' ' -f1
}

# The object file holding path $2 of image $1.
object_of() {
	awk -v p="$2" '$1 == "file" && $5 == p { print $2 }' "$1/manifest"
}

# A copy of the built image to tamper with.
copy_image() {
	IMG=$BATS_TEST_TMPDIR/image
	cp -R "$WORK/demo/_cordon/image" "$IMG"
	chmod -R u+w "$IMG"
}

# Flip one byte in the middle of file $1.
flip_byte() {
	local size off
	size=$(stat -c %s "$1")
	off=$((size / 2))
	printf '%s' "$(dd if="$1" bs=1 skip="$off" count=1 status=none | tr '\000-\377' '\001-\377\000')" |
		dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}

# cordon run on the image must fail, say $1, and start nothing.
refused() {
	mkdir -p "$BATS_TEST_TMPDIR/tmp"
	run -1 env TMPDIR="$BATS_TEST_TMPDIR/tmp" "$CORDON" run --key "${KEY:-$WORK/demo/keys/signing.pub}" "$IMG"
	printf '%s\n' "$output" >&2
	[[ "$output" == *"$1"* ]]
	[[ "$output" == *"nothing was started"* ]]
	[[ "$output" != *"started pid="* ]]
	[[ "$output" != *"booting"* ]]
	# and no laid-out tree is left behind
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ]
}

@test "mix cordon lists the tasks, and every task has help" {
	cd "$WORK"
	run mix cordon
	[ "$status" -eq 0 ]
	list=$output
	for t in cordon.new cordon.build cordon.run cordon.new_app cordon.new_driver; do
		[[ "$list" == *"mix $t"* ]]
		run mix help "$t"
		[ "$status" -eq 0 ]
		[[ "$output" == *"mix $t"* ]]
	done
}

@test "mix cordon.new refuses a bad name and an existing directory" {
	cd "$WORK"
	run mix cordon.new Bad-Name
	[ "$status" -ne 0 ]
	[[ "$output" == *"not valid"* ]]
	run mix cordon.new demo
	[ "$status" -ne 0 ]
	[[ "$output" == *"exists already"* ]]
	run mix cordon.new elixir
	[ "$status" -ne 0 ]
	[[ "$output" == *"taken"* ]]
}

@test "the generated project holds no path of the checkout, and its private key is git-ignored" {
	cd "$WORK/demo"
	# (build output aside: a driver links libcordon, whose debug info names it)
	run grep -rl --exclude-dir=_build --exclude-dir=_cordon --exclude='*.elf' "$CORDON_TOP" .
	[ -z "$output" ]
	[ "$(stat -c %a keys/signing.key)" = 600 ]
	grep -qx '/keys/signing.key' .gitignore
	grep -q 'keys/signing.key' README.md
}

@test "the generated code names channels, from modules and headers made from the description" {
	cd "$WORK/demo"
	grep -q '@peer Demo.Channels.sensor()' apps/demo/lib/demo/server.ex
	grep -q 'def sensor, do: 0' apps/demo/lib/demo/channels.ex
	grep -q '#define PEER CH_DEMO' drivers/sensor/sensor.c
	grep -qx '#define CH_DEMO 0' drivers/sensor/channels.h
	! grep -q 'channels: \[0\]' apps/demo/lib/demo/server.ex
}

@test "mix cordon.build outside a project says what to do" {
	cd "$BATS_TEST_TMPDIR"
	run mix cordon.build
	[ "$status" -ne 0 ]
	[[ "$output" == *"no system description"* ]]
	[[ "$output" == *"mix cordon.new"* ]]
}

@test "without a toolchain the build says what it tried" {
	cd "$WORK/demo"
	run env -u CORDON_HOME PATH=/usr/bin:/bin PKG_CONFIG_PATH= mix cordon.build
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot find the Cordon toolchain"* ]]
	[[ "$output" == *"CORDON_HOME is not set"* ]]
	[[ "$output" == *"pkg-config"* ]]
}

@test "mix cordon.run boots the image; config.exs and runtime.exs reach the app" {
	# a copy: the other tests use the image as generated
	cp -R "$WORK/demo" "$BATS_TEST_TMPDIR/demo"
	cd "$BATS_TEST_TMPDIR/demo"
	# values of this test's own, so what the app says can only come from them
	sed -i "s/factor: 2/factor: 7/" config/config.exs
	sed -i "s/hello from runtime.exs/runtime $BATS_TEST_NUMBER-$$/" config/runtime.exs
	SYS_LOG=$BATS_TEST_TMPDIR/run.log
	mix cordon.run >"$SYS_LOG" 2>&1 &
	MIX_PID=$!
	system_wait "^sensor\| sensor: the app answered 147$" 180
	grep -q "^demo| demo: runtime $BATS_TEST_NUMBER-$$, factor 7$" "$SYS_LOG"
	# mix ending stops the system cleanly
	kill -TERM "$MIX_PID"
	wait "$MIX_PID" || true
	system_wait "^MON\|INFO: stopped" 30
}

@test "a runtime.exs that raises fails the app's start, saying so" {
	cp -R "$WORK/demo" "$BATS_TEST_TMPDIR/demo"
	cd "$BATS_TEST_TMPDIR/demo"
	echo 'raise "no sensor calibration on this device"' >>config/runtime.exs
	run mix cordon.build
	[ "$status" -eq 0 ]
	system_start --key keys/signing.pub _cordon/image
	system_wait '^demo\| /.*/apps/demo/runtime.exs: \*\* \(RuntimeError\) no sensor calibration on this device$' 120
	system_wait '^MON\|FAULT: pd=demo exit=1' 60
	! grep -q 'demo: hello' "$SYS_LOG"
	system_stop
}

@test "mix test passes in the generated app" {
	cd "$WORK/demo/apps/demo"
	run mix test
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 tests, 0 failures"* ]]
}

@test "two builds of the same sources give the same manifest" {
	first=$(manifest_hash "$WORK/demo/_cordon/image")
	# elsewhere, from scratch: no build directory, object or path shared
	cp -R "$WORK/demo" "$BATS_TEST_TMPDIR/again"
	cd "$BATS_TEST_TMPDIR/again"
	rm -rf _cordon apps/demo/_build drivers/sensor/*.elf
	run mix cordon.build
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	[ "$(manifest_hash _cordon/image)" = "$first" ]
	# and the NIF in it is the one of the build under test, whatever an
	# earlier build with another CORDON_BUILD left in the library's priv/
	nif=$(sha256sum "$CORDON_BUILD/lib/beam/cordon/priv/cordon_nif.so" | cut -d' ' -f1)
	grep -q "^file $nif [0-9]* 755 apps/demo/cordon-0.1.0/priv/cordon_nif.so\$" _cordon/image/manifest
	[[ "$output" == *"manifest sha256 $first"* ]]
	diff -r "$WORK/demo/_cordon/image/objects" _cordon/image/objects
}

@test "cordon run verifies and boots an untouched image" {
	copy_image
	system_start --key "$WORK/demo/keys/signing.pub" "$IMG"
	system_wait "^sensor\| sensor: the app answered 42$" 120
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}

@test "a changed byte in an app is refused, naming the file" {
	copy_image
	flip_byte "$IMG/objects/$(object_of "$IMG" apps/demo/demo-0.1.0/ebin/Elixir.Demo.Server.beam)"
	refused "apps/demo/demo-0.1.0/ebin/Elixir.Demo.Server.beam: its content does not match"
}

@test "a changed byte in a driver is refused, naming the file" {
	copy_image
	flip_byte "$IMG/objects/$(object_of "$IMG" drivers/sensor.elf)"
	refused "drivers/sensor.elf: its content does not match"
}

@test "a changed byte in the description is refused, naming the file" {
	copy_image
	flip_byte "$IMG/objects/$(object_of "$IMG" demo.system)"
	refused "demo.system: its content does not match"
}

@test "a changed manifest is refused: its signature no longer verifies" {
	copy_image
	sed -i 's/^otp /otp  /' "$IMG/manifest"
	refused "the signature does not verify"
}

@test "an image signed with another key is refused" {
	copy_image
	KEY=$BATS_TEST_TMPDIR/other.pub
	elixir -e 'IO.puts(Base.encode16(elem(:crypto.generate_key(:eddsa, :ed25519), 0), case: :lower))' >"$KEY"
	refused "the signature does not verify with $KEY"
}

@test "an unsigned image is refused" {
	copy_image
	rm "$IMG/manifest.sig"
	refused "manifest.sig: missing; refusing an unsigned image"
}

@test "a missing object is refused, naming the file" {
	copy_image
	rm "$IMG/objects/$(object_of "$IMG" drivers/sensor.elf)"
	refused "drivers/sensor.elf: its content (objects/"
}

@test "a signed manifest cannot write outside the tree" {
	copy_image
	# the attacker holds the key here: even so, the path is refused
	obj=$(object_of "$IMG" drivers/sensor.elf)
	sed -i "s|^\\(file $obj [0-9]* 755 \\)drivers/sensor.elf\$|\\1../../escaped.elf|" "$IMG/manifest"
	grep -q 'escaped.elf' "$IMG/manifest"
	KEYHEX=$(cat "$WORK/demo/keys/signing.key") MANIFEST="$IMG/manifest" elixir -e '
		{:ok, k} = Base.decode16(String.trim(System.fetch_env!("KEYHEX")), case: :lower)
		sig = :crypto.sign(:eddsa, :none, File.read!(System.fetch_env!("MANIFEST")), [k, :ed25519])
		IO.puts(Base.encode16(sig, case: :lower))' >"$IMG/manifest.sig"
	refused "bad path '../../escaped.elf'"
	[ ! -e "$BATS_TEST_TMPDIR/escaped.elf" ]
}

@test "an image asks for its key" {
	copy_image
	run -2 "$CORDON" run "$IMG"
	[[ "$output" == *"give its public key with --key"* ]]
}

@test "new_driver and new_app add PDs and channels, keep the rest of the description, and pass cordon check" {
	cp -R "$WORK/demo" "$BATS_TEST_TMPDIR/grow"
	cd "$BATS_TEST_TMPDIR/grow"
	# a comment and odd formatting of the user's own, which must survive
	sed -i 's|<system>|<system>   <!-- the user'"'"'s note -->|' demo.system
	cp demo.system "$BATS_TEST_TMPDIR/before.system"
	run mix cordon.new_driver blinker --channel-to demo
	[ "$status" -eq 0 ]
	run mix cordon.new_app logbook --channel-to sensor
	[ "$status" -eq 0 ]
	printf '%s\n' "$(cat demo.system)" >&2
	# every line before </system> is as it was
	n=$(($(wc -l <"$BATS_TEST_TMPDIR/before.system") - 1))
	diff <(head -n "$n" "$BATS_TEST_TMPDIR/before.system") <(head -n "$n" demo.system)
	[ "$(tail -n 1 demo.system)" = "</system>" ]
	grep -q '<end pd="blinker" id="0" pp="true" />' demo.system
	grep -q '<end pd="demo" id="1" />' demo.system
	grep -q '<end pd="sensor" id="1" pp="true" />' demo.system
	[ -f drivers/blinker/blinker.c ] && [ -f apps/logbook/mix.exs ]
	# the new channels by name, on both sides
	grep -qx '#define CH_DEMO 0' drivers/blinker/channels.h
	grep -q 'def blinker, do: 1' apps/demo/lib/demo/channels.ex
	grep -qx '#define CH_LOGBOOK 1' drivers/sensor/channels.h
	grep -q '@peer Logbook.Channels.sensor()' apps/logbook/lib/logbook/server.ex
	run mix cordon.build
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	grep -q ' drivers/blinker.elf$' _cordon/image/manifest
	grep -q ' apps/logbook/logbook-0.1.0/ebin/logbook.app$' _cordon/image/manifest
}

@test "new_app and new_driver refuse an unknown peer, a taken name and a bad one, changing nothing" {
	cd "$WORK/demo"
	before=$(sha256sum demo.system)
	run mix cordon.new_app other --channel-to nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"has no protection domain nosuch"* ]]
	run mix cordon.new_driver sensor
	[ "$status" -ne 0 ]
	[[ "$output" == *"has a protection domain sensor already"* ]]
	run mix cordon.new_driver 9lives
	[ "$status" -ne 0 ]
	[[ "$output" == *"not valid"* ]]
	[ "$(sha256sum demo.system)" = "$before" ]
	[ ! -e apps/other ] && [ ! -e drivers/9lives ]
}
