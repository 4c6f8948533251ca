# SPDX-License-Identifier: BSD-2-Clause
defmodule BeamStart do
  @moduledoc """
  beam-bench's start-time probe (bench/beam/start.c): an application that
  prints one line as soon as it starts, then halts the VM. The time from
  `cordon run` to that line is a BEAM PD's start; the same application on
  a plain `erl` is one of its baselines.
  """
  use Application

  def start(_type, _args) do
    IO.puts("beamstart up")
    spawn(fn -> System.halt(0) end)
    {:ok, self()}
  end
end
