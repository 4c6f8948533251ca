# SPDX-License-Identifier: BSD-2-Clause
defmodule StormTest do
  # A native PD that notifies as fast as it can (tests/beam/peer.c, label 9:
  # millions of notifications a second) must not fill its subscriber's
  # mailbox: notifications coalesce until Cordon.Channel.ack/1, as on seL4.
  # Meanwhile the subscriber's other channel (1, to `client`) is served.
  use ExUnit.Case
  alias Cordon.{Channel, Queue}

  @storm_ms 3_000

  setup do
    :ok = Channel.subscribe(0)
    :ok = Channel.subscribe(1)
    :ok
  end

  test "a notification storm leaves the mailbox bounded and other channels served" do
    me = self()
    mem0 = :erlang.memory(:total)

    storm = spawn_link(fn -> send(me, {:storm_done, Channel.call(0, 9, [@storm_ms])}) end)

    # The storm has begun once its first notification is here.  No ack:
    # nothing more may come on channel 0 until we acknowledge.
    assert_receive {:cordon_notify, 0}, 10_000
    samples = [sample()]

    # Channel 1 is served while the storm goes on: we notify `client`, it
    # calls us (label 42), we reply, and it queues the reply back as text.
    :ok = Channel.notify(1)
    assert_receive {:cordon_protected, 1, 42, [1, 2, 3], token}, 10_000
    :ok = Channel.reply(1, token, 7, [9])
    assert_receive {:cordon_notify, 1}, 10_000
    assert {:ok, "7:9"} = recv(1)
    assert Process.alive?(storm), "the storm ended before channel 1 was served"

    samples = watch(samples)
    assert_receive {:storm_done, {:ok, 0, [sent]}}, 30_000
    # Lower than the real rate by far, but no burst a waiter could keep up
    # with message by message.
    assert sent > 100_000, "the storm sent only #{sent} notifications"

    {most, _} = Enum.max_by(samples, fn {len, _} -> len end)
    {_, peak} = Enum.max_by(samples, fn {_, mem} -> mem end)
    assert most <= 3, "the mailbox held #{most} messages during the storm"

    assert peak - mem0 < 16_000_000,
           "the VM grew by #{peak - mem0} bytes during the storm"

    # The ack delivers what coalesced: one notification for all of them.
    refute_received {:cordon_notify, 0}
    :ok = Channel.ack(0)
    assert_receive {:cordon_notify, 0}, 10_000
    :ok = Channel.ack(0)
  end

  # The mailbox length and the VM's memory, sampled every 20 ms until the
  # storm's call returns (its message ends the watch, left in the mailbox).
  defp watch(samples) do
    receive do
      {:storm_done, _} = done ->
        send(self(), done)
        [sample() | samples]
    after
      20 -> watch([sample() | samples])
    end
  end

  defp sample do
    {:message_queue_len, len} = Process.info(self(), :message_queue_len)
    {len, :erlang.memory(:total)}
  end

  defp recv(ch) do
    case Queue.recv(ch) do
      {:error, :empty} ->
        assert_receive {:cordon_notify, ^ch}, 10_000
        :ok = Channel.ack(ch)
        recv(ch)

      other ->
        other
    end
  end
end
