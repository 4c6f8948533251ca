# SPDX-License-Identifier: BSD-2-Clause
# The hostile BEAM application of the escape suite's BEAM tests: an Elixir
# app whose NIF (nif/beam_nif.c) makes the calls Erlang itself never would,
# as a compromised NIF could.  What it does is its mode, from its .app
# file's environment:
#
#   hostile_build        compile it once into $BEAM_DIR/lib/hostile (under
#                        the build directory: PDs must be able to read it)
#   hostile_app MODE     a copy of it in MODE, under $BEAM_DIR/modes/MODE:
#                        echoes the path for <beam_app path=...>
#   hostile_clean        remove $BEAM_DIR
#
# Needs Debian's erlang-nox, erlang-dev (erl_nif.h) and elixir.

hostile_build() {
	command -v elixirc >/dev/null || skip "elixirc not installed (Debian: elixir)"
	[ -f /usr/lib/erlang/usr/include/erl_nif.h ] || skip "erl_nif.h not installed (Debian: erlang-dev)"
	mkdir -p "$CORDON_BUILD/tests/escape"
	BEAM_DIR=$(mktemp -d "$CORDON_BUILD/tests/escape/beam.XXXXXX")
	export BEAM_DIR
	chmod 0755 "$BEAM_DIR"
	local app=$BEAM_DIR/lib/hostile
	mkdir -p "$app/ebin" "$app/priv"
	cc -O2 -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -shared \
		-I/usr/lib/erlang/usr/include -o "$app/priv/beam_nif.so" \
		"$CORDON_TOP/tests/escape/nif/beam_nif.c"
	cat >"$BEAM_DIR/hostile.ex" <<-'EX'
		defmodule Hostile.Nif do
		  @on_load :load
		  def load do
		    dir = :filename.dirname(:filename.dirname(:code.which(__MODULE__)))
		    :erlang.load_nif(:filename.join(dir, 'priv/beam_nif'), 0)
		  end
		  def ptrace, do: :erlang.nif_error(:not_loaded)
		  def fork_unshare, do: :erlang.nif_error(:not_loaded)
		  def inflight_exit, do: :erlang.nif_error(:not_loaded)
		  def inflight_fill, do: :erlang.nif_error(:not_loaded)
		end

		defmodule Hostile do
		  use Application
		  def start(_type, _args) do
		    Task.start_link(fn -> run(Application.fetch_env!(:hostile, :mode)) end)
		  end
		  defp run(:idle) do
		    IO.puts("hostile: up")
		    receive do: (:never -> :ok)
		  end
		  defp run(:ptrace) do
		    IO.puts("hostile: calling ptrace")
		    IO.puts("hostile: #{inspect(Hostile.Nif.ptrace())}")
		  end
		  defp run(:fork_unshare) do
		    IO.puts("hostile: forking a child that calls unshare")
		    IO.puts("hostile: #{inspect(Hostile.Nif.fork_unshare())}")
		  end
		  defp run(:inflight_exit) do
		    IO.puts("hostile: #{inspect(Hostile.Nif.inflight_exit())}")
		  end
		  defp run(:inflight_fill) do
		    {n, why} = Hostile.Nif.inflight_fill()
		    IO.puts("hostile: #{n} descriptors in flight, then #{why}")
		    receive do: (:never -> :ok)
		  end
		  defp run(:flood) do
		    lines = String.duplicate("\n", 4096)
		    Stream.repeatedly(fn -> IO.binwrite(lines) end) |> Stream.run()
		  end
		  defp run(:escape) do
		    # Each attempt prints "refused: WHAT: RESULT" or "ESCAPED: WHAT".
		    verdict = fn what, escaped, result ->
		      IO.puts(if escaped, do: "ESCAPED: #{what}: #{inspect(result)}", else: "refused: #{what}: #{inspect(result)}")
		    end
		    attempt = fn what, f, ok? ->
		      result = try do f.() rescue e -> {:raised, e.__struct__} catch k, v -> {k, v} end
		      verdict.(what, ok?.(result), result)
		    end
		    ok_tuple = fn r -> match?({:ok, _}, r) or r == :ok end
		    out = :os.cmd('echo ESCAPED-oscmd')
		    verdict.("os:cmd", :string.find(out, 'ESCAPED-oscmd') != :nomatch, out)
		    for fam <- [:inet, :inet6, :local], type <- [:stream, :dgram, :seqpacket, :raw] do
		      attempt.("socket #{fam} #{type}", fn -> :socket.open(fam, type) end, ok_tuple)
		    end
		    for fam <- 0..45 do
		      attempt.("socket family #{fam}", fn -> :socket.open(fam, :stream, 0) end, ok_tuple)
		    end
		    attempt.("gen_tcp listen", fn -> :gen_tcp.listen(0, []) end, ok_tuple)
		    attempt.("gen_tcp connect", fn -> :gen_tcp.connect({127, 0, 0, 1}, 4369, [], 1000) end, ok_tuple)
		    attempt.("gen_udp open", fn -> :gen_udp.open(0) end, ok_tuple)
		    priv = :code.priv_dir(:hostile)
		    for path <- ["/tmp/escaped", Path.join(priv, "escaped"), "erl_crash.dump", "/erl_crash.dump", "/escaped"] do
		      attempt.("write #{path}", fn -> File.write(path, "ESCAPED") end, ok_tuple)
		    end
		    attempt.("mkdir /tmp/escaped", fn -> File.mkdir("/tmp/escaped") end, ok_tuple)
		    bin = Path.join(:code.root_dir(), "bin")
		    for prog <- ["escript", "erlc", "erl_call"] do
		      attempt.("run #{prog}", fn ->
		        port = Port.open({:spawn_executable, Path.join(bin, prog)}, [:exit_status, :stderr_to_stdout, args: ["-h"]])
		        collect = fn collect, acc ->
		          receive do
		            {^port, {:data, d}} -> collect.(collect, acc <> IO.iodata_to_binary(d))
		            {^port, {:exit_status, s}} -> {:exit_status, s, String.slice(acc, 0, 60)}
		          after 20_000 -> {:hung, acc}
		          end
		        end
		        collect.(collect, "")
		      end, fn r -> match?({:exit_status, 0, _}, r) end)
		    end
		    # open_port({spawn, ...}) goes through /bin/sh -c: none in the root.
		    erts = Path.join(:code.root_dir(), "erts-#{:erlang.system_info(:version)}")
		    for dir <- [bin, Path.join(erts, "bin")], {:ok, names} = File.ls(dir), name <- Enum.sort(names) do
		      attempt.("spawn #{Path.join(dir, name)}", fn ->
		        port = Port.open({:spawn, ~c"#{Path.join(dir, name)} -h"}, [:exit_status])
		        receive do
		          {^port, {:exit_status, s}} -> {:exit_status, s}
		        after 20_000 -> :hung
		        end
		      end, fn r -> r == {:exit_status, 0} end)
		    end
		    IO.puts("hostile: done")
		    receive do: (:never -> :ok)
		  end
		  defp run(:atoms) do
		    IO.puts("hostile: making atoms")
		    Enum.each(Stream.iterate(0, &(&1 + 1)), fn i -> :erlang.binary_to_atom("a#{i}") end)
		  end
		  defp run(:port) do
		    # A port program, started through erl_child_setup, which gets
		    # the port's pipes by SCM_RIGHTS: epmd from the runtime, which
		    # can only fail to reach a network.
		    epmd = Path.join([:code.root_dir(), "erts-#{:erlang.system_info(:version)}", "bin", "epmd"])
		    result =
		      try do
		        port = Port.open({:spawn_executable, epmd}, [:exit_status, :stderr_to_stdout, args: ["-names"]])
		        receive do
		          {^port, {:exit_status, s}} -> {:port_ran, :exit_status, s}
		        after
		          30_000 -> :port_hung
		        end
		      rescue
		        e -> {:port_failed, Exception.message(e)}
		      end
		    IO.puts("hostile: #{inspect(result)}")
		    receive do: (:never -> :ok)
		  end
		end
	EX
	elixirc -o "$app/ebin" "$BEAM_DIR/hostile.ex" >/dev/null
	chmod -R a+rX "$BEAM_DIR"
}

hostile_clean() {
	[ -z "${BEAM_DIR:-}" ] || rm -rf "$BEAM_DIR"
}

# The .app file of a copy in mode $1, written to $2.
hostile_app_file() {
	printf '%s\n' "{application,hostile,[{description,\"hostile\"},{vsn,\"0.1\"},{modules,['Elixir.Hostile','Elixir.Hostile.Nif']},{registered,[]},{applications,[kernel,stdlib,elixir]},{mod,{'Elixir.Hostile',[]}},{env,[{mode,$1}]}]}." >"$2"
}

hostile_app() {
	local dir=$BEAM_DIR/modes/$1
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir/hostile"
		cp -a "$BEAM_DIR/lib/hostile/ebin" "$BEAM_DIR/lib/hostile/priv" "$dir/hostile/"
		hostile_app_file "$1" "$dir/hostile/ebin/hostile.app"
		chmod -R a+rX "$BEAM_DIR/modes"
	fi
	echo "$dir"
}
