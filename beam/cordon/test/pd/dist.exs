# SPDX-License-Identifier: BSD-2-Clause
defmodule DistTest do
  # Erlang distribution between the BEAM PDs `tests` and `other` over their
  # distribution link (Cordon.Test.System.dist_system/0): the ordinary OTP
  # API, nothing Cordon-specific in the calling code.
  use ExUnit.Case

  @other :"pdtests@other"

  setup_all do
    assert node() == :"pdtests@tests"
    wait_connect(@other, 30_000)
    :ok
  end

  defp wait_connect(node, left) do
    cond do
      Node.connect(node) == true and :erpc.call(node, Process, :whereis, [:echo]) != nil ->
        :ok

      left <= 0 ->
        flunk("#{node} never answered")

      true ->
        receive after: (100 -> :ok)
        wait_connect(node, left - 100)
    end
  end

  test "Node.connect and Node.list" do
    assert Node.connect(@other) == true
    assert @other in Node.list()
  end

  test "GenServer.call to a registered name on the other node" do
    assert GenServer.call({:echo, @other}, {:echo, :hello}) == {:echo, :hello}
  end
end
