# SPDX-License-Identifier: BSD-2-Clause
defmodule ArgsTest do
  # Bad arguments raise ArgumentError with the reason; none crashes the VM
  # (the last test checks the NIF still works after all of them).
  use ExUnit.Case

  alias Cordon.{Channel, Queue, Region}

  test "channels that are not this PD's, or not channels at all" do
    assert_raise ArgumentError, ~r/channel 5 is not a channel of protection domain tests/, fn ->
      Channel.notify(5)
    end

    for bad <- [63, -1, :zero, "0", 1.0, nil, {0}] do
      assert_raise ArgumentError, fn -> Channel.notify(bad) end
      assert_raise ArgumentError, fn -> Channel.subscribe(bad) end
      assert_raise ArgumentError, fn -> Queue.recv(bad) end
    end

    assert_raise ArgumentError, ~r/no channel to "nobody"/, fn -> Cordon.monitor("nobody") end
  end

  test "rights the channel's end does not give" do
    assert_raise ArgumentError, ~r/does not allow protected calls/, fn -> Channel.call(1, 1, []) end
    assert_raise ArgumentError, ~r/no queue from this PD/, fn -> Queue.send(1, "x") end
    assert_raise ArgumentError, ~r/serves no protected calls/, fn -> Channel.reply(0, 1, 0, []) end
  end

  test "labels and words out of range" do
    assert_raise ArgumentError, ~r/label/, fn -> Channel.call(0, -1, []) end
    assert_raise ArgumentError, ~r/label/, fn -> Channel.call(0, 0xFFFFFFFFFFFFF, []) end
    assert_raise ArgumentError, ~r/label/, fn -> Channel.call(0, :one, []) end
    assert_raise ArgumentError, ~r/words/, fn -> Channel.call(0, 1, :words) end
    assert_raise ArgumentError, ~r/at most 120/, fn -> Channel.call(0, 1, Enum.to_list(1..121)) end
    assert_raise ArgumentError, ~r/word 1/, fn -> Channel.call(0, 1, [1, -1]) end
    assert_raise ArgumentError, ~r/word 0/, fn -> Channel.call(0, 1, [0x10000000000000000]) end
    assert_raise ArgumentError, ~r/word 2/, fn -> Channel.call(0, 1, [1, 2, "3"]) end
    assert_raise ArgumentError, fn -> Channel.call(0, 1, [1 | 2]) end
  end

  test "queue messages must be non-empty binaries" do
    assert_raise ArgumentError, ~r/binary/, fn -> Queue.send(0, ~c"list") end
    assert_raise ArgumentError, ~r/not empty/, fn -> Queue.send(0, "") end
  end

  test "regions: names, offsets and lengths" do
    assert_raise ArgumentError, fn -> Region.read(:shared, 0, 1) end
    assert_raise ArgumentError, fn -> Region.read("shared", -1, 1) end
    assert_raise ArgumentError, fn -> Region.read("shared", 0, -1) end
    assert_raise ArgumentError, fn -> Region.write("shared", 0, ~c"abc") end
  end

  test "grants are looked up by name" do
    assert Cordon.grant("nothing") == {:error, :undefined}
    assert Cordon.grant(:nothing) == {:error, :undefined}
    assert_raise ArgumentError, fn -> Cordon.grant(42) end
    assert_raise ArgumentError, fn -> Cordon.grant(nil) end
  end

  test "after all that the NIF still answers" do
    assert Channel.call(0, 1, [42]) == {:ok, 101, [42]}
  end
end
