# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonPdTests do
  @moduledoc false
  # Runs inside the BEAM PD `tests`: every .exs file in the application's
  # priv directory (test/pd/*.exs, named so mix test on the host skips them), with ExUnit; the VM ends with status 0 when all pass.
  use Application

  # The PD `tests` runs the tests; any other PD of the same application
  # (a distribution peer, Cordon.Test.System.dist_system/0) runs
  # priv/dist_peer.ex and stays up.
  def start(_type, _args) do
    case Cordon.name() do
      "tests" ->
        {:ok, spawn(&run/0)}

      _ ->
        Code.require_file(Path.join(List.to_string(:code.priv_dir(:pdtests)), "dist_peer.ex"))
        apply(DistPeer, :start, [])
    end
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
