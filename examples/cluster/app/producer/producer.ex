# SPDX-License-Identifier: BSD-2-Clause
defmodule Producer do
  @moduledoc """
  The producer's application: one GenServer that makes a reading every
  200 ms and hands it to the keeper's `Keeper.History` on the node
  `keeper@keeper`, with plain OTP calls. It monitors the history process:
  when the keeper's PD dies the `:DOWN` (`:noconnection`) comes at once,
  and the producer keeps its readings until the keeper is back.
  """
  use Application
  use GenServer

  @keeper :keeper@keeper
  @tick_ms 200

  @impl Application
  def start(_type, _args) do
    children = [
      %{id: __MODULE__, start: {GenServer, :start_link, [__MODULE__, nil, [name: __MODULE__]]}}
    ]

    Supervisor.start_link(children, strategy: :one_for_one)
  end

  @impl GenServer
  def init(_) do
    IO.puts("producer #{node()} up")
    Process.send_after(self(), :tick, @tick_ms)
    {:ok, %{n: 0, pending: [], watch: nil}}
  end

  @impl GenServer
  def handle_info(:tick, s) do
    Process.send_after(self(), :tick, @tick_ms)
    reading = {s.n, 20_000 + :rand.uniform(5_000)}
    {:noreply, deliver(%{s | n: s.n + 1, pending: s.pending ++ [reading]})}
  end

  def handle_info({:DOWN, ref, :process, _, reason}, %{watch: ref} = s) do
    IO.puts("keeper down (#{inspect(reason)}), keeping readings until it is back")
    {:noreply, %{s | watch: nil}}
  end

  def handle_info(_, s), do: {:noreply, s}

  # Hand over every pending reading; on the first failure keep the rest.
  defp deliver(%{watch: nil} = s) do
    case watch() do
      nil ->
        s

      ref ->
        IO.puts("keeper is up: watching Keeper.History on #{@keeper}")
        deliver(%{s | watch: ref})
    end
  end

  defp deliver(%{pending: []} = s), do: s

  defp deliver(%{pending: [r | rest]} = s) do
    GenServer.call({Keeper.History, @keeper}, {:add, r}, 1_000)
    deliver(%{s | pending: rest})
  catch
    :exit, _ -> s
  end

  defp watch do
    with true <- Node.connect(@keeper),
         pid when is_pid(pid) <- :erpc.call(@keeper, Process, :whereis, [Keeper.History], 1_000) do
      Process.monitor(pid)
    else
      _ -> nil
    end
  catch
    _, _ -> nil
  end
end
