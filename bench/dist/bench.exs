# SPDX-License-Identifier: BSD-2-Clause
# dist-bench: Erlang distribution between two BEAM PDs over a Cordon
# distribution link, against OTP's inet_tcp_dist between two VMs with the
# same flags on loopback, measured in the same run (docs/performance.md,
# "Distribution between BEAM PDs"). Run through bench/dist/dist-bench.
defmodule DistBench.Host do
  @flags ~w(+S 1:1 +SDcpu 1:1 +SDio 1 -A 1 +sbwt none +sbwtdcpu none +sbwtdio none)

  def main(argv) do
    {opts, rest} =
      OptionParser.parse!(argv, strict: [quick: :boolean, kills: :integer, help: :boolean])

    if opts[:help] || rest != [] do
      IO.puts("""
      usage: dist-bench [--quick] [--kills N]

      Erlang distribution between two BEAM PDs over a Cordon distribution
      link, against inet_tcp_dist between two VMs with the same flags
      (+S 1) on loopback, in the same run; ratios are Cordon / TCP.

        --quick     a smoke run (few iterations, 2 kills), seconds
        --kills N   kill -9 rounds of the server PD (default 10; p99 needs many)
        --help      this text

      CORDON_BUILD selects the build (default: the repository's build/).
      """)

      System.halt(if opts[:help], do: 0, else: 2)
    end

    quick = opts[:quick] || false
    kills = opts[:kills] || if(quick, do: 2, else: 10)
    dir = prepare(quick, kills)
    IO.puts(:stderr, "dist-bench: TCP distribution baseline...")
    tcp = tcp_run(dir, quick)
    IO.puts(:stderr, "dist-bench: Cordon distribution link, then #{kills} kill -9 rounds...")
    {cordon, downs, erpcs} = cordon_run(dir, kills)
    File.rm_rf!(dir)
    report(tcp, cordon, downs, erpcs)
  end

  defp top, do: Path.expand("../..", __DIR__)
  defp build, do: System.get_env("CORDON_BUILD") || Path.join(top(), "build")

  defp prepare(quick, kills) do
    dir = Path.join(build(), "bench/dist/run-#{System.unique_integer([:positive])}")
    ebin = Path.join(dir, "lib/distbench/ebin")
    File.mkdir_p!(ebin)
    File.cp_r!(Path.join(build(), "lib/beam/cordon"), Path.join(dir, "lib/cordon"))
    cordon_ebin = Path.join(dir, "lib/cordon/ebin")

    {_, 0} =
      System.cmd("elixirc", ["-pa", cordon_ebin, "-o", ebin, Path.join(__DIR__, "distbench.ex")])

    File.write!(Path.join(ebin, "distbench.app"), """
    {application,distbench,[{description,"dist-bench"},{vsn,"0.1"},
     {modules,['Elixir.DistBench','Elixir.DistBench.Echo']},{registered,[]},
     {applications,[kernel,stdlib,elixir,cordon]},
     {env,[{quick,#{quick}},{kills,#{kills}}]},
     {mod,{'Elixir.DistBench',[]}}]}.
    """)

    File.write!(Path.join(dir, "bench.system"), """
    <system>
      <!-- the kill rounds restart the server about once a second -->
      <supervisor name="bench" strategy="one_for_one" intensity="100" period="60">
        <protection_domain name="client" priority="100" restart="temporary">
          <beam_app path="lib" app="distbench" />
        </protection_domain>
        <protection_domain name="server" priority="100">
          <beam_app path="lib" app="distbench" />
        </protection_domain>
      </supervisor>
      <channel dist="true">
        <end pd="client" id="0" queue_size="0x100000" />
        <end pd="server" id="0" queue_size="0x100000" />
      </channel>
    </system>
    """)

    {_, 0} = System.cmd("chmod", ["-R", "a+rX", dir])
    dir
  end

  # Two VMs on this host, inet_tcp_dist (epmd on loopback), same flags.
  defp tcp_run(dir, quick) do
    ebins = [
      "-pa",
      Path.join(dir, "lib/distbench/ebin"),
      "-pa",
      Path.join(dir, "lib/cordon/ebin")
    ]

    cookie = Base.encode16(:crypto.strong_rand_bytes(16))
    tag = System.unique_integer([:positive])
    {:ok, host} = :inet.gethostname()
    server = "dbs#{tag}"
    erl = ["--erl", Enum.join(@flags, " "), "--cookie", cookie]

    port =
      Port.open({:spawn_executable, System.find_executable("elixir")}, [
        :binary,
        :exit_status,
        args:
          ["--sname", server] ++
            erl ++ ebins ++ ["-e", "DistBench.server(); Process.sleep(:infinity)"]
      ])

    {out, 0} =
      System.cmd(
        "elixir",
        ["--sname", "dbc#{tag}"] ++
          erl ++
          ebins ++
          [
            "-e",
            "peer = :\"#{server}@#{host}\"; DistBench.wait_up(peer); DistBench.client(peer, quick: #{quick})"
          ],
        stderr_to_stdout: true
      )

    {:os_pid, pid} = Port.info(port, :os_pid)
    System.cmd("kill", ["#{pid}"])
    results(out)
  end

  defp results(out) do
    for line <- String.split(out, "\n"),
        [_, k, v] <- [Regex.run(~r/RESULT (\S+) (\S+)/, line)],
        into: %{},
        do: {k, elem(Float.parse(v), 0)}
  end

  defp cordon_run(dir, _kills) do
    name = "dist-bench-#{System.unique_integer([:positive])}"
    cordon = Path.join(build(), "bin/cordon")

    port =
      Port.open({:spawn_executable, cordon}, [
        :binary,
        :exit_status,
        :stderr_to_stdout,
        {:line, 4096},
        args: ["run", "--name", name, Path.join(dir, "bench.system")]
      ])

    {:os_pid, os_pid} = Port.info(port, :os_pid)
    st = follow(port, name, %{out: [], kill_at: nil, ups: [], downs: [], erpcs: []})
    System.cmd("kill", ["-TERM", "#{os_pid}"])
    drain(port)
    # the whole output of the system, for a look at a round that stands out
    log = Path.join(build(), "bench/dist/last-run.log")
    File.write!(log, Enum.join(Enum.reverse(st.out), "\n") <> "\n")
    IO.puts(:stderr, "dist-bench: the system's output is in #{log}")

    # round k: the server's (k+1)th start, and the client's kth first :erpc
    [_first | ups] = Enum.reverse(st.ups)
    erpcs = Enum.zip_with(Enum.reverse(st.erpcs), ups, fn e, u -> e - u end)
    {results(Enum.join(Enum.reverse(st.out), "\n")), Enum.reverse(st.downs), erpcs}
  end

  defp drain(port) do
    receive do
      {^port, {:exit_status, _}} -> :ok
      {^port, _} -> drain(port)
    after
      30_000 -> :ok
    end
  end

  defp follow(port, name, st) do
    receive do
      {^port, {:data, {_, line}}} ->
        st = %{st | out: [line | st.out]}

        cond do
          line =~ ~r/^client\| .*kill -9 server$/ ->
            pid = pd_pid(name, "server")
            t = :os.system_time(:microsecond)
            {_, 0} = System.cmd("kill", ["-KILL", pid])
            follow(port, name, %{st | kill_at: t})

          m = Regex.run(~r/^server\| server up (\d+)/, line) ->
            follow(port, name, %{st | ups: [String.to_integer(Enum.at(m, 1)) | st.ups]})

          m = Regex.run(~r/^client\| NODEDOWN (\d+)/, line) ->
            d = String.to_integer(Enum.at(m, 1)) - st.kill_at
            follow(port, name, %{st | downs: [d | st.downs]})

          # the two PDs' lines may come in either order: paired at the end
          m = Regex.run(~r/^client\| ERPC (\d+)/, line) ->
            follow(port, name, %{st | erpcs: [String.to_integer(Enum.at(m, 1)) | st.erpcs]})

          line =~ ~r/^client\| DONE/ ->
            st

          line =~ ~r/^MON\|FAULT: pd=client/ ->
            IO.puts(:stderr, Enum.join(Enum.reverse(st.out), "\n"))
            raise "the client PD failed"

          true ->
            follow(port, name, st)
        end

      {^port, {:exit_status, s}} ->
        IO.puts(:stderr, Enum.join(Enum.reverse(st.out), "\n"))
        raise "cordon run ended (#{s}) before the bench did"
    after
      600_000 -> raise "dist-bench: no progress for 10 minutes"
    end
  end

  defp pd_pid(name, pd) do
    {out, 0} = System.cmd(Path.join(build(), "bin/cordon"), ["ps", "-s", name])

    out
    |> String.split("\n")
    |> Enum.find_value(fn line ->
      case String.split(line) do
        [^pd | rest] -> Enum.find(rest, &Regex.match?(~r/^[0-9]+$/, &1))
        _ -> nil
      end
    end)
  end

  defp report(tcp, cordon, downs, erpcs) do
    row = fn key, what, better ->
      t = tcp[key]
      c = cordon[key]
      ratio = if t && c && t != 0, do: Float.round(c / t, 2), else: "-"
      IO.puts("| #{what} | #{t} | #{c} | #{ratio} | #{better} |")
    end

    IO.puts("| figure | TCP dist | Cordon link | Cordon/TCP | target |")
    IO.puts("|---|---|---|---|---|")
    row.("small_call_us", "small GenServer.call round trip, median µs", "≤0.5")
    row.("call_64k_us", "64 KiB GenServer.call round trip, median µs", "≤0.5")
    row.("mib_per_s", "1 MiB messages one way, MiB/s", "≥2")
    row.("floor_call_us", "same-VM GenServer.call (the floor), median µs", "-")
    row.("long_schedules_over_1ms", "long_schedule events over 1 ms (client VM)", "0")
    row.("worst_long_schedule_ms", "worst long_schedule, ms", "-")
    IO.puts("")
    IO.puts("nodedown after kill -9 of the server PD, ms: #{stats(downs)} (target p99 ≤50)")
    IO.puts("first :erpc after the server's app is up again, ms: #{stats(erpcs)} (target ≤1000)")
  end

  defp stats([]), do: "no samples"

  defp stats(us) do
    s = Enum.sort(us)
    n = length(s)
    p = fn q -> Enum.at(s, min(n - 1, trunc(Float.ceil(q * n)) - 1)) / 1000 end

    "n=#{n} median #{Float.round(p.(0.5), 1)} p99 #{Float.round(p.(0.99), 1)} max #{Float.round(List.last(s) / 1000, 1)}"
  end
end

DistBench.Host.main(System.argv())
