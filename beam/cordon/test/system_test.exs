defmodule Cordon.SystemTest do
  # Every API of the library, round-tripped with native PDs in a real
  # system: each file of test/pd/ runs inside a BEAM PD (see
  # Cordon.Test.System) and must pass there.
  use ExUnit.Case, async: false

  for file <- ~w(channel.exs server.exs queue.exs region.exs monitor.exs args.exs
                 scheduler.exs) do
    @file_name file
    test "in a BEAM PD: #{file}" do
      {status, out} = Cordon.Test.System.run([@file_name])
      assert status == 0, "the in-PD tests failed (status #{inspect(status)}):\n#{out}"
      assert out =~ ~r/in-PD tests: [1-9]\d* run, 0 failed/, out
    end
  end

  test "outside a PD the library loads and every call says why it cannot work" do
    refute Cordon.available?()

    assert_raise ArgumentError, ~r/not running in a Cordon protection domain/, fn ->
      Cordon.name()
    end

    assert_raise ArgumentError, ~r/not running in a Cordon protection domain/, fn ->
      Cordon.Channel.notify(0)
    end
  end
end
