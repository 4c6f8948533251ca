# SPDX-License-Identifier: BSD-2-Clause
defmodule DistBench do
  @moduledoc false
  # The two sides of dist-bench, the same code over either carrier:
  # `server` (registered :dbench: an echo GenServer, and :dsink, which
  # counts what is sent to it) and `client(peer, opts)`, which measures
  # against it and prints one `RESULT key value` line per figure.
  use Application

  # In a Cordon PD (app distbench): the PD `server` serves, `client`
  # measures and then runs the kill rounds with the host's help.
  def start(_type, _args) do
    case Cordon.name() do
      "server" ->
        pid = server()
        IO.puts("server up #{:os.system_time(:microsecond)}")
        {:ok, pid}

      "client" ->
        {:ok,
         spawn(fn ->
           peer = :distbench@server
           wait_up(peer)
           client(peer, quick: Application.get_env(:distbench, :quick, false))
           kills(peer, Application.get_env(:distbench, :kills, 10))
           IO.puts("DONE")
           System.halt(0)
         end)}
    end
  end

  defmodule Echo do
    @moduledoc false
    use GenServer
    def init(_), do: {:ok, 0}
    def handle_call(:count, _from, n), do: {:reply, n, n}
    def handle_call(term, _from, n), do: {:reply, term, n}
    def handle_info({:bulk, _bin}, n), do: {:noreply, n + 1}
  end

  def server do
    {:ok, pid} = GenServer.start(Echo, nil, name: :dbench)
    {:ok, sink} = GenServer.start(Echo, nil, name: :dsink)
    _ = sink
    pid
  end

  def wait_up(peer) do
    ok =
      Node.connect(peer) == true and
        try do
          :erpc.call(peer, Process, :whereis, [:dbench], 2_000) != nil
        catch
          _, _ -> false
        end

    unless ok do
      receive after: (20 -> :ok)
      wait_up(peer)
    end
  end

  def client(peer, opts) do
    quick = Keyword.get(opts, :quick, false)
    n = if quick, do: 500, else: 20_000
    big_n = if quick, do: 50, else: 2_000
    mib_n = if quick, do: 20, else: 300
    :erlang.system_monitor(self(), [{:long_schedule, 1}])

    {:ok, local} = GenServer.start(Echo, nil)
    result("floor_call_us", median(n, fn -> GenServer.call(local, :ping) end))
    result("small_call_us", median(n, fn -> GenServer.call({:dbench, peer}, :ping) end))
    blob = :binary.copy(<<42>>, 65_536)
    result("call_64k_us", median(big_n, fn -> GenServer.call({:dbench, peer}, blob) end))

    mib = :binary.copy(<<7>>, 1_048_576)
    before = GenServer.call({:dsink, peer}, :count)
    t0 = System.monotonic_time(:microsecond)
    for _ <- 1..mib_n, do: send({:dsink, peer}, {:bulk, mib})
    wait_count(peer, before + mib_n)
    us = System.monotonic_time(:microsecond) - t0
    result("mib_per_s", Float.round(mib_n / (us / 1_000_000), 1))

    {count, worst} = long_schedules(0, 0)
    :erlang.system_monitor(:undefined)
    result("long_schedules_over_1ms", count)
    result("worst_long_schedule_ms", worst)
  end

  defp wait_count(peer, want) do
    if GenServer.call({:dsink, peer}, :count, 60_000) < want do
      receive after: (1 -> :ok)
      wait_count(peer, want)
    end
  end

  defp long_schedules(count, worst) do
    receive do
      {:monitor, _, :long_schedule, info} ->
        long_schedules(count + 1, max(worst, Keyword.get(info, :timeout, 0)))
    after
      0 -> {count, worst}
    end
  end

  defp median(n, fun) do
    for _ <- 1..div(n, 10), do: fun.()

    times =
      for _ <- 1..n do
        t = System.monotonic_time(:nanosecond)
        fun.()
        System.monotonic_time(:nanosecond) - t
      end

    Float.round(Enum.at(Enum.sort(times), div(n, 2)) / 1000, 2)
  end

  defp result(key, value), do: IO.puts("RESULT #{key} #{value}")

  # Kill rounds: the host kills the server PD when asked and notes when;
  # we note when nodedown came, and when the first :erpc worked after the
  # server's application said it was up (its own line).
  defp kills(_peer, 0), do: :ok

  defp kills(peer, k) do
    :ok = :net_kernel.monitor_nodes(true)
    IO.puts("kill -9 server")

    receive do
      {:nodedown, ^peer} -> IO.puts("NODEDOWN #{:os.system_time(:microsecond)}")
    after
      30_000 -> IO.puts("NODEDOWN never")
    end

    :ok = :net_kernel.monitor_nodes(false)
    first_erpc(peer)
    IO.puts("ERPC #{:os.system_time(:microsecond)}")
    kills(peer, k - 1)
  end

  defp first_erpc(peer) do
    try do
      :erpc.call(peer, Process, :whereis, [:dbench], 1_000) || raise "not yet"
    catch
      _, _ ->
        receive after: (1 -> :ok)
        first_erpc(peer)
    end
  end
end
