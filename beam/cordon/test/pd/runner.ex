# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonPdTests do
  @moduledoc false
  # Runs inside the BEAM PD `tests`: every .exs file in the application's
  # priv directory (test/pd/*.exs, named so mix test on the host skips them), with ExUnit; the VM ends with status 0 when all pass.
  use Application

  def start(_type, _args) do
    {:ok, spawn(&run/0)}
  end

  defp run do
    ExUnit.start(autorun: false, colors: [enabled: false], timeout: 120_000)
    dir = :code.priv_dir(:pdtests) |> List.to_string()

    for file <- dir |> Path.join("*.exs") |> Path.wildcard() |> Enum.sort(),
        do: Code.require_file(file)

    %{failures: failures, total: total} = ExUnit.run()
    IO.puts("in-PD tests: #{total} run, #{failures} failed")
    System.halt(if failures == 0 and total > 0, do: 0, else: 1)
  end
end
