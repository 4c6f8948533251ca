# SPDX-License-Identifier: BSD-2-Clause
defmodule BeamBench do
  @moduledoc """
  The BEAM side of beam-bench (bench/beam/calls.c starts it in a BEAM PD
  and reads what it prints). In one VM and one run, in interleaved rounds
  whose order rotates, it times:

    * `Cordon.Channel.call/3` to the native target PD (its echo, label 1)
      with 1 and 8 words;
    * the same payload (a label and the words, as bytes) through an Erlang
      port with `{:packet, 4}` to a C echo program (priv/port_echo), which
      runs inside this PD, started by the runtime's erl_child_setup;
    * the native caller PD doing the same calls to the same target, on
      command (the baseline; it sends its samples back through a queue);
    * queue bursts of 4 KiB binaries from here to the target, which only
      consumes (waiting for the library's notification when the queue is
      full, and, for comparison, retrying at once), and the same bursts
      from the native caller;
    * how long one call holds the scheduler: `Cordon.NIF.call/3` until it
      returns (a reply, or `{:wait, ref}`), and `Port.command/2` likewise;
    * calls to a callee that works `slow_ns` per call (below the NIF's
      spin bound), to see how long the calling process then runs
      uninterrupted.

  While it runs, `:erlang.system_monitor/2` reports every time a process
  or port held a scheduler for more than 1 ms (`long_schedule`), by phase.

  Output, one line each (ns; OVER_SPIN and OVER_1MS: samples above the
  NIF's spin bound and above 1 ms; WAITS: calls the NIF handed to its
  waiter thread, where counted; REDUCTIONS: what the whole case cost the
  process):

      begin ID, end ID       (a case starts, is over: CPU times are read)
      r ROUND ID MEDIAN ...  (a case's median in one round)
      fig ID N MEDIAN P10 P90 P99 P99.9 MAX OVER_SPIN OVER_1MS WAITS REDUCTIONS
      rmed ID MEDIAN... (each round's median, in round order, at most 64)
      ls PHASE EVENTS MAX_MS EVENTS_OF_THE_MEASURING_PROCESS THEIR_MAX_MS
      lswhere PHASE TEXT
      done

  Configuration: priv/bench.config, Erlang terms written by calls.c.
  """
  use Application

  # Channel ids of this PD's ends (calls.c writes the system).
  @target 0
  @ncaller 1

  @reply_wait 60_000

  def start(_type, _args) do
    IO.puts("beambench up")
    {:ok, spawn(&main/0)}
  end

  defp main do
    run(config())
    IO.puts("done")
    System.halt(0)
  rescue
    e ->
      IO.puts("error " <> one_line(Exception.format(:error, e, __STACKTRACE__)))
      System.halt(1)
  catch
    kind, reason ->
      IO.puts("error " <> one_line(Exception.format(kind, reason, __STACKTRACE__)))
      System.halt(1)
  end

  defp one_line(text), do: text |> String.replace("\n", " | ") |> String.slice(0, 900)

  defp config do
    path = Path.join(:code.priv_dir(:beambench), "bench.config")
    {:ok, terms} = :file.consult(String.to_charlist(path))
    Map.new(terms)
  end

  defp run(cfg) do
    :ok = Cordon.Channel.subscribe(@target)
    :ok = Cordon.Channel.subscribe(@ncaller)
    exe = Path.join(:code.priv_dir(:beambench), "port_echo")
    port = Port.open({:spawn_executable, exe}, [:binary, {:packet, 4}])

    me = self()
    collector = spawn_link(fn -> collect(%{phase: :setup, stats: %{}, me: me}) end)
    :erlang.system_monitor(collector, [{:long_schedule, 1}])

    %{calls: n, warm: warm, bursts: bursts, burst_msgs: msgs, msg_size: size} = cfg

    cases = [
      {"beam-call-1", :calls, fn -> beam_calls(n, warm, 1) end},
      {"beam-call-8", :calls, fn -> beam_calls(n, warm, 8) end},
      {"nif-hold", :calls, fn -> nif_holds(n, warm) end},
      {"slow-call", :slow, fn -> slow_calls(n, warm, cfg.slow_ns) end},
      {"port-1", :port, fn -> port_calls(port, n, warm, 1) end},
      {"port-8", :port, fn -> port_calls(port, n, warm, 8) end},
      {"port-hold", :port, fn -> port_holds(port, n, warm) end},
      {"native-call-1", :native, fn -> native_calls(n, warm, 1) end},
      {"native-call-8", :native, fn -> native_calls(n, warm, 8) end},
      {"beam-queue", :queue, fn -> beam_bursts(bursts, msgs, size, :wait) end},
      {"beam-queue-spin", :queue, fn -> beam_bursts(bursts, msgs, size, :spin) end},
      {"native-queue", :native_queue, fn -> native_bursts(bursts, msgs, size) end},
      {"idle", :between, fn -> [0] end}
    ]

    results =
      Enum.reduce(0..(cfg.rounds - 1), %{}, fn round, acc ->
        # each round starts one case further on, so no case always
        # follows the same other one
        {a, b} = Enum.split(cases, rem(round, length(cases)))

        acc =
          Enum.reduce(b ++ a, acc, fn {id, phase, fun}, acc ->
            flush_notifications()
            set_phase(collector, phase)
            r = measured(id, fun, cfg.pause_ms)
            set_phase(collector, :between)
            IO.puts(round_line(round, id, r, cfg.spin_ns))
            Map.update(acc, id, r, &merge(&1, r))
          end)

        IO.puts("round #{round + 1} of #{cfg.rounds}")
        acc
      end)

    :erlang.system_monitor(:undefined)
    Port.close(port)

    for {id, _, _} <- cases, do: IO.puts(fig_line(id, Map.fetch!(results, id), cfg.spin_ns))

    send(collector, {:report, self()})

    receive do
      {:long_schedule, stats} ->
        for phase <- [:calls, :slow, :port, :native, :queue, :native_queue, :between, :setup] do
          s = Map.get(stats, phase, %{n: 0, max: 0, mine: 0, mine_max: 0, ev: []})
          IO.puts("ls #{phase} #{s.n} #{s.max} #{s.mine} #{s.mine_max}")
          for {_, _, where} <- s.ev, do: IO.puts("lswhere #{phase} #{where}")
        end
    after
      @reply_wait -> raise "the long_schedule collector did not answer"
    end
  end

  # A case's samples (ns), how many of its calls the NIF handed to its
  # waiter thread, and the reductions it cost per sample.
  #
  # The driver reads every thread's CPU time when it sees the begin and the
  # end line; the pauses let each line reach it while nothing runs.
  defp measured(id, fun, pause_ms) do
    IO.puts("begin #{id}")
    Process.sleep(pause_ms)
    {:reductions, r0} = Process.info(self(), :reductions)
    result = fun.()
    {:reductions, r1} = Process.info(self(), :reductions)
    IO.puts("end #{id}")
    Process.sleep(pause_ms)

    {samples, waits} =
      case result do
        {samples, waits} -> {samples, waits}
        samples -> {samples, 0}
      end

    n = length(samples)
    %{samples: samples, waits: waits, reds: r1 - r0, n: n, medians: [median(samples)]}
  end

  defp merge(a, b) do
    %{
      samples: b.samples ++ a.samples,
      waits: a.waits + b.waits,
      reds: a.reds + b.reds,
      n: a.n + b.n,
      medians: a.medians ++ b.medians
    }
  end

  defp median(samples) do
    sorted = Enum.sort(samples)
    Enum.at(sorted, max(ceil(0.5 * length(sorted)) - 1, 0))
  end

  # A long_schedule message is sent when a process is scheduled out: sleep
  # first, so the last slice of a phase is reported before the phase ends.
  defp set_phase(collector, phase) do
    Process.sleep(1)
    send(collector, {:phase, phase})
  end

  # ---- protected calls from Elixir ----

  defp beam_calls(n, warm, k) do
    words = Enum.to_list(1..k)
    for _ <- 1..warm, do: {:ok, 101, ^words} = Cordon.Channel.call(@target, 1, words)
    time_calls(n, words, [])
  end

  defp time_calls(0, _words, acc), do: acc

  defp time_calls(n, words, acc) do
    t0 = :erlang.monotonic_time(:nanosecond)
    r = Cordon.Channel.call(@target, 1, words)
    t1 = :erlang.monotonic_time(:nanosecond)
    {:ok, 101, ^words} = r
    time_calls(n - 1, words, [t1 - t0 | acc])
  end

  # Calls to a callee that works slow_ns per call (label 5), shorter than
  # the NIF's spin: every reply comes while the scheduler spins.
  defp slow_calls(n, warm, slow_ns) do
    for _ <- 1..warm, do: {:ok, 105, [^slow_ns]} = Cordon.Channel.call(@target, 5, [slow_ns])

    Enum.map(1..n, fn _ ->
      t0 = :erlang.monotonic_time(:nanosecond)
      r = Cordon.Channel.call(@target, 5, [slow_ns])
      t1 = :erlang.monotonic_time(:nanosecond)
      {:ok, 105, [^slow_ns]} = r
      t1 - t0
    end)
  end

  # How long one call holds the scheduler: until Cordon.NIF.call/3 returns,
  # with the reply (it came while the NIF spun) or {:wait, ref} (the call
  # went to the NIF's waiter thread; the reply is then awaited, untimed).
  # Cordon.Channel.call/3 is this and the receive.
  defp nif_holds(n, warm) do
    for _ <- 1..warm, do: {:ok, 101, [1]} = Cordon.Channel.call(@target, 1, [1])
    time_holds(n, [], 0)
  end

  defp time_holds(0, acc, waits), do: {acc, waits}

  defp time_holds(n, acc, waits) do
    t0 = :erlang.monotonic_time(:nanosecond)
    r = Cordon.NIF.call(@target, 1, [1])
    t1 = :erlang.monotonic_time(:nanosecond)

    waited =
      case r do
        {:ok, 101, [1]} ->
          0

        {:wait, ref} ->
          receive do
            {:cordon_reply, ^ref, {:ok, 101, [1]}} -> 1
          after
            @reply_wait -> raise "no reply from the NIF's waiter thread"
          end
      end

    time_holds(n - 1, [t1 - t0 | acc], waits + waited)
  end

  # ---- the port baseline: the same label and words, as bytes ----

  defp port_calls(port, n, warm, k) do
    payload = IO.iodata_to_binary([<<1::64>> | for(w <- 1..k, do: <<w::64>>)])
    for _ <- 1..warm, do: ^payload = port_round_trip(port, payload)
    time_port(port, payload, n, [])
  end

  defp time_port(_port, _payload, 0, acc), do: acc

  defp time_port(port, payload, n, acc) do
    t0 = :erlang.monotonic_time(:nanosecond)
    data = port_round_trip(port, payload)
    t1 = :erlang.monotonic_time(:nanosecond)
    ^payload = data
    time_port(port, payload, n - 1, [t1 - t0 | acc])
  end

  defp port_round_trip(port, payload) do
    true = Port.command(port, payload)
    port_reply(port)
  end

  defp port_reply(port) do
    receive do
      {^port, {:data, data}} -> data
    after
      @reply_wait -> raise "the port program did not answer"
    end
  end

  # How long Port.command/2 holds the scheduler (the reply is awaited
  # untimed): the port's counterpart of nif_holds/2.
  defp port_holds(port, n, warm) do
    payload = <<1::64, 1::64>>
    for _ <- 1..warm, do: ^payload = port_round_trip(port, payload)

    Enum.map(1..n, fn _ ->
      t0 = :erlang.monotonic_time(:nanosecond)
      true = Port.command(port, payload)
      t1 = :erlang.monotonic_time(:nanosecond)
      ^payload = port_reply(port)
      t1 - t0
    end)
  end

  # ---- the native caller, on command ----

  defp native_calls(n, warm, k) do
    :ok = Cordon.Queue.send(@ncaller, <<?C, n::32-little, k::32-little, warm::32-little>>)
    native_samples(n, [])
  end

  defp native_samples(n, acc) do
    case ncaller_message() do
      <<?S, rest::binary>> ->
        native_samples(n, for(<<s::32-little <- rest>>, do: s) ++ acc)

      <<?D, ^n::32-little>> when length(acc) == n ->
        acc

      other ->
        raise "native caller: unexpected #{inspect(other, limit: 8)} after #{length(acc)} samples"
    end
  end

  defp native_bursts(count, msgs, size) do
    for _ <- 1..count do
      :ok = Cordon.Queue.send(@ncaller, <<?Q, msgs::32-little, size::32-little>>)
      bytes = msgs * size

      case ncaller_message() do
        <<?B, ns::64-little, ^bytes::64-little>> -> ns / msgs
        other -> raise "native caller: unexpected #{inspect(other, limit: 8)}"
      end
    end
  end

  defp ncaller_message do
    case Cordon.Queue.recv(@ncaller) do
      {:ok, <<?E, text::binary>>} ->
        raise "native caller: #{text}"

      {:ok, bin} ->
        bin

      {:error, :empty} ->
        receive do
          {:cordon_notify, @ncaller} ->
            Cordon.Channel.ack(@ncaller)
            ncaller_message()
        after
          @reply_wait -> raise "no answer from the native caller"
        end

      {:error, why} ->
        raise "queue from the native caller: #{inspect(why)}"
    end
  end

  # ---- queue throughput, Elixir to native ----

  # One sample per burst: ns per message, from the first send until the
  # target has consumed every byte (it counts them; label 3 asks).
  defp beam_bursts(count, msgs, size, how) do
    bin = :binary.copy(<<0xA5>>, size)

    for _ <- 1..count do
      before = consumed()
      t0 = :erlang.monotonic_time(:nanosecond)
      if how == :wait, do: send_all(bin, msgs), else: send_all_spin(bin, msgs)
      wait_consumed(before + msgs * size)
      t1 = :erlang.monotonic_time(:nanosecond)
      (t1 - t0) / msgs
    end
  end

  # As the library says: send until full, then wait for the notification
  # that the consumer has made room.
  defp send_all(_bin, 0), do: :ok

  defp send_all(bin, n) do
    case Cordon.Queue.send(@target, bin) do
      :ok ->
        send_all(bin, n - 1)

      {:error, :full} ->
        receive do
          {:cordon_notify, @target} ->
            Cordon.Channel.ack(@target)
            send_all(bin, n)
        after
          @reply_wait -> raise "queue full, and no notification for #{@reply_wait} ms"
        end

      {:error, why} ->
        raise "queue to the target: #{inspect(why)}"
    end
  end

  # For comparison: retry at once when full, never waiting for the
  # notification (this keeps the PD's only scheduler busy).
  defp send_all_spin(_bin, 0), do: :ok

  defp send_all_spin(bin, n) do
    case Cordon.Queue.send(@target, bin) do
      :ok -> send_all_spin(bin, n - 1)
      {:error, :full} -> send_all_spin(bin, n)
      {:error, why} -> raise "queue to the target: #{inspect(why)}"
    end
  end

  defp wait_consumed(bytes) do
    if consumed() < bytes, do: wait_consumed(bytes), else: :ok
  end

  defp consumed do
    {:ok, 0, [bytes]} = Cordon.Channel.call(@target, 3, [])
    bytes
  end

  # Notifications left over from the phase before (the queue's room, the
  # native caller's answers) would only lengthen the selective receives.
  # Each is acknowledged: a channel sends no other until then.
  defp flush_notifications do
    receive do
      {:cordon_notify, ch} ->
        Cordon.Channel.ack(ch)
        flush_notifications()
    after
      0 -> :ok
    end
  end

  # ---- statistics: nearest rank, as bench/report.c ----

  # One case in one round, for --verbose: its median, and its share of
  # samples above the spin bound.
  defp round_line(round, id, r, spin_ns) do
    over = Enum.count(r.samples, &(&1 > spin_ns)) * 100 / r.n
    over = :erlang.float_to_binary(over, decimals: 1)
    "r #{round + 1} #{id} #{round(hd(r.medians))} ns, #{over}% over spin"
  end

  defp fig_line(id, r, spin_ns) do
    sorted = r.samples |> Enum.sort() |> List.to_tuple()
    n = tuple_size(sorted)
    rank = fn q -> elem(sorted, max(ceil(q * n) - 1, 0)) end
    over = Enum.count(r.samples, &(&1 > spin_ns))
    over_ms = Enum.count(r.samples, &(&1 > 1_000_000))
    q = [rank.(0.5), rank.(0.1), rank.(0.9), rank.(0.99), rank.(0.999), elem(sorted, n - 1)]
    text = Enum.map_join(q, " ", &:erlang.float_to_binary(&1 * 1.0, decimals: 1))
    meds = r.medians |> Enum.take(64) |> Enum.map_join(" ", &round/1)
    "fig #{id} #{n} #{text} #{over} #{over_ms} #{r.waits} #{r.reds}\nrmed #{id} #{meds}"
  end

  # ---- long_schedule events, by phase ----

  # Per phase: every event, and those of the measuring process (`me`),
  # with the longest few of each kind for the report.
  defp collect(state) do
    receive do
      {:phase, phase} ->
        collect(%{state | phase: phase})

      {:monitor, who, :long_schedule, info} ->
        s = Map.get(state.stats, state.phase, %{n: 0, max: 0, mine: 0, mine_max: 0, ev: []})
        ms = Keyword.get(info, :timeout, 0)
        mine = who == state.me
        where = "#{inspect(who)} #{ms} ms in=#{inspect(info[:in])} out=#{inspect(info[:out])}"

        s = %{
          n: s.n + 1,
          max: max(s.max, ms),
          mine: s.mine + if(mine, do: 1, else: 0),
          mine_max: if(mine, do: max(s.mine_max, ms), else: s.mine_max),
          ev: Enum.take(Enum.sort([{mine, ms, where} | s.ev], :desc), 4)
        }

        collect(%{state | stats: Map.put(state.stats, state.phase, s)})

      {:report, from} ->
        send(from, {:long_schedule, state.stats})
    end
  end
end
