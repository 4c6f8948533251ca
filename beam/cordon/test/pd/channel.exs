# SPDX-License-Identifier: BSD-2-Clause
defmodule ChannelTest do
  # Cordon.Channel against the native PD `peer` (tests/beam/peer.c) on
  # channel 0, inside a real BEAM PD.
  use ExUnit.Case

  alias Cordon.Channel

  setup do
    :ok = Channel.subscribe(0)
    on_exit(fn -> :ok end)
    :ok
  end

  test "the PD knows its name and channels" do
    assert Cordon.available?()
    assert Cordon.name() == "tests"

    assert [
             %{id: 0, peer: "peer", call: true, notify: true},
             %{id: 1, peer: "client", call: false}
           ] = Cordon.channels()
  end

  test "a protected call carries a label and words both ways" do
    assert Channel.call(0, 1, [1, 2, 3]) == {:ok, 101, [1, 2, 3]}
    assert Channel.call(0, 2, [1, 2, 3]) == {:ok, 0, [6]}
    assert Channel.call(0, 1, []) == {:ok, 101, []}
    assert Channel.call(0, 99) == {:ok, 999, []}
  end

  test "120 words (seL4_MsgMaxLength) of 64 bits survive the round trip" do
    words = for i <- 0..119, do: 0xFFFFFFFFFFFFFFFF - i * 0x0101010101010101
    assert Channel.call(0, 1, words) == {:ok, 101, words}
  end

  test "a slow reply (after the scheduler stopped spinning) still arrives" do
    assert Channel.call(0, 6, [40]) == {:ok, 106, []}
  end

  test "a callee that refuses the call answers {:error, :invalid}" do
    assert Channel.call(0, 7, []) == {:error, :invalid}
  end

  test "calls from many processes at once are served one at a time, each answered" do
    me = self()

    for p <- 1..16 do
      spawn_link(fn ->
        results = for i <- 1..50, do: Channel.call(0, 2, [p, i])
        send(me, {:done, p, results})
      end)
    end

    for p <- 1..16 do
      assert_receive {:done, ^p, results}, 60_000
      assert results == for(i <- 1..50, do: {:ok, 0, [p + i]})
    end
  end

  test "a notification comes back as a message to the subscriber" do
    :ok = Channel.notify(0)
    assert_receive {:cordon_notify, 0}, 10_000
  end

  test "notifications coalesce: five sent while we were busy arrive as at least one" do
    assert {:ok, 0, []} = Channel.call(0, 8, [5])
    assert_receive {:cordon_notify, 0}, 10_000
    :ok = Channel.ack(0)

    flush = fn f, n ->
      receive do
        {:cordon_notify, 0} ->
          :ok = Channel.ack(0)
          f.(f, n + 1)
      after
        200 -> n
      end
    end

    assert flush.(flush, 1) <= 5
  end

  test "a second process cannot take a channel another live process subscribed" do
    me = self()
    spawn_link(fn -> send(me, {:other, Channel.subscribe(0)}) end)
    assert_receive {:other, {:error, {:subscribed, ^me}}}, 5_000
  end

  test "a subscription moves on when its process dies" do
    :ok = Channel.unsubscribe(0)
    me = self()

    pid =
      spawn(fn ->
        send(me, {:sub, Channel.subscribe(0)})

        receive do
          :stop -> :ok
        end
      end)

    assert_receive {:sub, :ok}, 5_000
    ref = Process.monitor(pid)
    send(pid, :stop)
    assert_receive {:DOWN, ^ref, :process, ^pid, _}, 5_000
    # The NIF's monitor of the subscriber may fire a moment after ours:
    # subscribing succeeds either way, since the old subscriber is dead.
    assert :ok = Channel.subscribe(0)
  end
end
