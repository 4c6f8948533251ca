#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# BEAM PDs through `cordon run`: a real Elixir application on the real BEAM
# inside the sandbox.  The application is compiled here with elixirc into
# the test's directory; it prints what it can and cannot do, then halts the
# VM itself, so the monitor sees the PD end (no sleeps, no timeouts as
# synchronisation: `cordon run` returns once every PD has stopped).
#
# Needs Debian's erlang-nox, erlang-dev and elixir; skipped without elixirc.

bats_require_minimum_version 1.5.0

setup() {
	CORDON=$CORDON_BUILD/bin/cordon
	command -v elixirc >/dev/null || skip "elixirc not installed (Debian: elixir)"
	# The PD runs as nobody: its application must be readable by anyone,
	# which a bats temporary directory (mode 0700) is not.
	mkdir -p "$CORDON_BUILD/tests/beam"
	dir=$(mktemp -d "$CORDON_BUILD/tests/beam/run.XXXXXX")
	chmod 0755 "$dir"
	mkdir -p "$dir/lib/probe/ebin"
	cat >"$dir/probe.ex" <<-'EX'
		defmodule Probe do
		  use Application
		  def start(_type, _args) do
		    IO.puts("probe up on #{node()}")
		    IO.puts("listen: #{inspect(:gen_tcp.listen(0, []))}")
		    IO.puts("passwd: #{inspect(File.read("/etc/passwd"))}")
		    IO.puts("write: #{inspect(File.write("/tmp/x", "x"))}")
		    IO.puts("runtime: #{inspect(File.dir?("/usr/lib/erlang/lib"))}")
		    spawn(fn -> System.halt(0) end)
		    {:ok, self()}
		  end
		end
	EX
	elixirc -o "$dir/lib/probe/ebin" "$dir/probe.ex" >/dev/null
	printf '%s\n' "{application,probe,[{description,\"probe\"},{vsn,\"0.1\"},{modules,['Elixir.Probe']},{registered,[]},{applications,[kernel,stdlib,elixir]},{mod,{'Elixir.Probe',[]}}]}." \
		>"$dir/lib/probe/ebin/probe.app"
	cat >"$dir/probe.system" <<-XML
		<system>
		  <protection_domain name="app" restart="temporary">
		    <beam_app path="lib" app="probe" />
		  </protection_domain>
		</system>
	XML
}

teardown() {
	[ -z "${dir:-}" ] || rm -rf "$dir"
}

@test "an Elixir application runs in a BEAM PD, output prefixed, and its end is seen" {
	run "$CORDON" run "$dir/probe.system"
	printf '%s\n' "$output" >&2
	[[ "$output" == *"app| probe up on nonode@nohost"* ]]
	[[ "$output" == *"MON|INFO: pd=app exited status=0"* ]]
	# Its only PD finished its work: the system is done, not down.
	[[ "$output" == *"MON|INFO: every PD has ended with status 0; the system is done"* ]]
	[ "$status" -eq 0 ]
}

@test "a BEAM PD has no network: gen_tcp:listen fails with eacces" {
	run "$CORDON" run "$dir/probe.system"
	[[ "$output" == *"app| listen: {:error, :eacces}"* ]]
}

@test "a BEAM PD sees only its runtime and application: no /etc/passwd, no writable file" {
	run "$CORDON" run "$dir/probe.system"
	[[ "$output" == *"app| passwd: {:error, :enoent}"* ]]
	[[ "$output" == *"app| write: {:error, :erofs}"* ]]
	[[ "$output" == *"app| runtime: true"* ]]
}

@test "a BEAM PD whose application cannot start ends with status 1 and says why" {
	sed -i 's/{mod,{.Elixir.Probe.,\[\]}}/{mod,{nonexistent_mod,[]}}/' "$dir/lib/probe/ebin/probe.app"
	run "$CORDON" run "$dir/probe.system"
	printf '%s\n' "$output" >&2
	[[ "$output" == *"app| "*"application_start_failure,probe"* ]]
	[[ "$output" == *"MON|FAULT: pd=app exit=1 restarts=0: application probe failed to start: "* ]]
	[[ "$output" == *"MON|ERROR: every PD has stopped; the system is down"* ]]
	[ "$status" -eq 1 ]
}

@test "a BEAM PD whose application raises in start/2 stops restarting: its supervisor gives up" {
	# Permanent, so each end is restarted; every one is a failed start
	# (the application never started), so the root gives up after 4 of
	# them, with a growing wait between, however long the VM takes to
	# boot.  Before failed starts were told apart this never ended.
	sed -i 's/restart="temporary"/restart="permanent"/' "$dir/probe.system"
	sed -i 's/IO.puts("probe up on #{node()}")/raise "boom"/' "$dir/probe.ex"
	elixirc -o "$dir/lib/probe/ebin" "$dir/probe.ex" >/dev/null 2>&1
	run timeout 120 "$CORDON" run "$dir/probe.system"
	printf '%s\n' "$output" >&2
	[ "$status" -eq 1 ]
	[ "$(grep -c '^MON|INFO: pd=app started' <<<"$output")" -eq 4 ]
	[[ "$output" == *"supervisor=root waits 500 ms before restarting (pd=app failed to start 1 times in a row)"* ]]
	[[ "$output" == *"supervisor=root waits 2000 ms before restarting (pd=app failed to start 3 times in a row)"* ]]
	[[ "$output" == *"MON|ERROR: the root supervisor gave up; the system stops"* ]]
}

@test "a BEAM PD's fault line carries the VM's reason: the exception, its message and where" {
	cat >"$dir/probe.ex" <<-'EX'
		defmodule Probe do
		  use Application
		  def start(_type, _args) do
		    raise "boom"
		  end
		end
	EX
	elixirc -o "$dir/lib/probe/ebin" "$dir/probe.ex" >/dev/null
	run -1 "$CORDON" run "$dir/probe.system"
	printf '%s\n' "$output" >&2
	grep -x "MON|FAULT: pd=app exit=1 restarts=0: application probe failed to start: RuntimeError \"boom\" (.*probe.ex:4)" <<<"$output"
	# The VM's CRLF line ends are not shown as '?'.
	! grep -q '?$' <<<"$output"
}
