# SPDX-License-Identifier: BSD-2-Clause
defmodule SchedulerTest do
  # "No NIF call holds a normal scheduler for more than a millisecond",
  # measured: the VM reports every time slice over 1 ms (system_monitor
  # long_schedule) while this PD makes calls (fast and slow replies), queue
  # traffic and 4 MiB region copies.
  use ExUnit.Case

  test "no Cordon NIF call runs on a normal scheduler for more than 1 ms" do
    :ok = Cordon.Channel.subscribe(0)
    :erlang.system_monitor(self(), [{:long_schedule, 1}])

    for _ <- 1..2000, do: {:ok, 101, [1]} = Cordon.Channel.call(0, 1, [1])
    for _ <- 1..5, do: {:ok, 106, []} = Cordon.Channel.call(0, 6, [20])
    big = :binary.copy("z", 0x400000)
    for _ <- 1..5, do: :ok = Cordon.Region.write("big", 0, big)
    for _ <- 1..5, do: ^big = Cordon.Region.read("big", 0, 0x400000)

    :erlang.system_monitor(:undefined)
    long = collect([])

    nif =
      for {:monitor, _pid, :long_schedule, info} <- long,
          {key, mfa} <- info,
          key in [:in, :out],
          match?({Cordon.NIF, _, _}, mfa),
          do: {mfa, info[:timeout]}

    assert nif == [], "NIF calls held a scheduler over 1 ms: #{inspect(nif)}"
  end

  defp collect(acc) do
    receive do
      {:monitor, _, :long_schedule, _} = m -> collect([m | acc])
    after
      0 -> acc
    end
  end
end
