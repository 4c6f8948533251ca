# SPDX-License-Identifier: BSD-2-Clause
defmodule Keeper do
  @moduledoc """
  The keeper's application: `Keeper.History`, a GenServer that keeps the
  last 100 readings it is handed, and says when the producer's node comes
  and goes (`:net_kernel.monitor_nodes/1`).
  """
  use Application

  def start(_type, _args) do
    Supervisor.start_link([Keeper.History], strategy: :one_for_one)
  end
end

defmodule Keeper.History do
  @moduledoc false
  use GenServer

  @keep 100

  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  @impl true
  def init(_) do
    :ok = :net_kernel.monitor_nodes(true)
    IO.puts("keeper #{node()} up")
    {:ok, %{readings: [], count: 0}}
  end

  @impl true
  def handle_call({:add, {n, mdeg} = r}, {from, _}, s) do
    count = s.count + 1

    if rem(count, 10) == 0,
      do: IO.puts("history: #{count} readings, last ##{n} #{mdeg / 1000} C from #{node(from)}")

    {:reply, :ok, %{s | readings: Enum.take([r | s.readings], @keep), count: count}}
  end

  def handle_call(:history, _from, s), do: {:reply, Enum.reverse(s.readings), s}

  @impl true
  def handle_info({:nodeup, node}, s) do
    IO.puts("nodeup #{node}")
    {:noreply, s}
  end

  def handle_info({:nodedown, node}, s) do
    IO.puts("nodedown #{node}")
    {:noreply, s}
  end
end
