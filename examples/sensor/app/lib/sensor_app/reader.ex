# SPDX-License-Identifier: BSD-2-Clause
defmodule SensorApp.Reader do
  @moduledoc """
  Reads the temperature driver, a native PD, through the channel to it,
  and keeps what the status page shows.

  Every `tick_ms` it notifies the driver, which takes a sample (the driver
  has no timer: this notification is its sampling clock), and reads the
  latest sample with a protected call. The driver notifies back when the
  temperature crosses the threshold.

  It subscribes to the channel and monitors the driver PD like a process:
  `{:DOWN, ...}` when the driver dies, and `{:cordon_peer_up, ch}` when the
  monitor's supervisor has restarted it; then it sets the threshold again
  (the new driver starts with its default) and resumes reading.
  """
  use GenServer

  # the driver's protected calls (examples/sensor/driver.c)
  @read 1
  @set_threshold 2
  @events_kept 5
  @say_every 20

  def start_link(_arg), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)

  @doc "What the reader knows, as a map (see `init/1` for the keys)."
  def status, do: GenServer.call(__MODULE__, :status, 1_000)

  @impl true
  def init([]) do
    driver = Application.fetch_env!(:sensor_app, :driver)
    ch = Cordon.channel_of(driver)

    # Subscribe before monitoring: when the monitor finds the driver not
    # running, the {:cordon_peer_up, ch} of its start comes to the subscriber.
    case Cordon.Channel.subscribe(ch) do
      :ok ->
        s = %{
          ch: ch,
          driver: driver,
          up: false,
          mon: nil,
          tick_ms: Application.fetch_env!(:sensor_app, :tick_ms),
          threshold: Application.fetch_env!(:sensor_app, :threshold_mdeg),
          above: false,
          reading: nil,
          sample: 0,
          read_at: nil,
          say_next: true,
          restarts: 0,
          nevents: 0,
          events: [],
          started_at: DateTime.utc_now()
        }

        IO.puts(
          "reader: reading #{driver} on channel #{ch} every #{s.tick_ms} ms, " <>
            "threshold #{degrees(s.threshold)} C"
        )

        Process.send_after(self(), :tick, s.tick_ms)
        {:ok, watch(s)}

      {:error, why} ->
        {:stop, {:cannot_subscribe, ch, why}}
    end
  end

  # The driver is running (or was, a moment ago): monitor it and give it
  # our threshold. If it died meanwhile, a :DOWN is on its way.
  defp watch(s) do
    s = %{s | mon: Cordon.monitor(s.ch), up: true, say_next: true}

    case Cordon.Channel.call(s.ch, @set_threshold, [word(s.threshold)]) do
      {:ok, 0, [_old]} -> :ok
      {:error, :peer_down} -> :ok
      other -> IO.puts("reader: setting the threshold: #{inspect(other)}")
    end

    s
  end

  @impl true
  def handle_info(:tick, s) do
    Process.send_after(self(), :tick, s.tick_ms)

    if s.up do
      Cordon.Channel.notify(s.ch)
      {:noreply, read(s)}
    else
      {:noreply, s}
    end
  end

  # The driver's notification: the temperature crossed the threshold.
  def handle_info({:cordon_notify, ch}, %{ch: ch} = s) do
    # Acknowledge first: a crossing during the read comes as a new message.
    Cordon.Channel.ack(ch)
    s = read(s)

    if s.reading do
      dir = if s.above, do: "above", else: "below"
      IO.puts("threshold: #{dir} #{degrees(s.threshold)} C at #{degrees(s.reading)} C")
      event = %{at: s.read_at, dir: dir, mdeg: s.reading}

      {:noreply,
       %{s | nevents: s.nevents + 1, events: Enum.take([event | s.events], @events_kept)}}
    else
      {:noreply, s}
    end
  end

  def handle_info({:DOWN, ref, :cordon_pd, _peer, :noproc}, %{mon: ref} = s) do
    IO.puts("driver not running, waiting for it")
    {:noreply, %{s | up: false, mon: nil}}
  end

  def handle_info({:DOWN, ref, :cordon_pd, _peer, reason}, %{mon: ref} = s) do
    IO.puts("driver down (#{reason}), waiting for restart")
    {:noreply, %{s | up: false, mon: nil, restarts: s.restarts + 1}}
  end

  def handle_info({:cordon_peer_up, ch}, %{ch: ch, up: false} = s) do
    Cordon.Channel.ack(ch)
    IO.puts("driver back, resuming")
    {:noreply, watch(s)}
  end

  # Already watching (the :DOWN says when it goes); peer_down repeats it.
  def handle_info({:cordon_peer_up, ch}, s), do: ack(ch, s)
  def handle_info({:cordon_peer_down, ch}, s), do: ack(ch, s)

  @impl true
  def handle_call(:status, _from, s) do
    {:reply, Map.drop(s, [:mon, :say_next]), s}
  end

  defp read(s) do
    case Cordon.Channel.call(s.ch, @read) do
      # no sample yet: the driver's first tick is still on its way
      {:ok, 0, [_, 0, _, _]} ->
        s

      {:ok, 0, [mdeg, sample, above, threshold]} ->
        mdeg = signed(mdeg)

        if s.say_next or rem(sample, @say_every) == 0,
          do: IO.puts("reading #{degrees(mdeg)} C (sample #{sample})")

        %{
          s
          | reading: mdeg,
            sample: sample,
            above: above == 1,
            threshold: signed(threshold),
            read_at: DateTime.utc_now(),
            say_next: false
        }

      # it died: the monitor's :DOWN follows
      {:error, :peer_down} ->
        s

      other ->
        IO.puts("reader: READ answered #{inspect(other)}")
        s
    end
  end

  @doc "Millidegrees as degrees: `-1250` is `\"-1.250\"`."
  def degrees(mdeg) when is_integer(mdeg) do
    sign = if mdeg < 0, do: "-", else: ""
    m = abs(mdeg)
    "#{sign}#{div(m, 1000)}.#{String.pad_leading(Integer.to_string(rem(m, 1000)), 3, "0")}"
  end

  # message registers are unsigned 64-bit words; temperatures are signed
  defp ack(ch, s) do
    Cordon.Channel.ack(ch)
    {:noreply, s}
  end

  defp word(i), do: :binary.decode_unsigned(<<i::signed-64>>)

  defp signed(w) do
    <<i::signed-64>> = <<w::64>>
    i
  end
end
