# SPDX-License-Identifier: BSD-2-Clause
defmodule QueueTest do
  # Cordon.Queue with the native PD `peer`, which echoes every message on
  # channel 0 back, in order.
  use ExUnit.Case

  alias Cordon.Queue

  setup do
    :ok = Cordon.Channel.subscribe(0)
    :ok
  end

  # Receive n messages, waiting for notifications when the queue is empty.
  defp recv_n(0, acc), do: Enum.reverse(acc)

  defp recv_n(n, acc) do
    case Queue.recv(0) do
      {:ok, bin} ->
        recv_n(n - 1, [bin | acc])

      {:error, :empty} ->
        assert_receive {:cordon_notify, 0}, 10_000
        :ok = Cordon.Channel.ack(0)
        recv_n(n, acc)
    end
  end

  test "binaries go out and come back in order" do
    msgs = for i <- 1..200, do: :binary.copy(<<i>>, rem(i * 37, 1000) + 1)
    assert pump(msgs, []) == msgs
  end

  test "the largest message fits, one byte more is too big" do
    max = Queue.max_message(0)
    assert max == div(0x4000, 2) - 8
    assert Queue.send(0, :binary.copy("x", max)) == :ok
    assert Queue.send(0, :binary.copy("x", max + 1)) == {:error, :too_big}
    assert recv_n(1, []) == [:binary.copy("x", max)]
  end

  test "a full queue says so, and everything sent before is delivered after" do
    # 8000 bytes: at most two fit in the 16 KiB ring, fewer when a record
    # would straddle its end; the echo drains it meanwhile.
    big = :binary.copy("b", 8000)
    sent = fill(big, 0)
    assert recv_n(sent, []) == List.duplicate(big, sent)
    assert sent >= 1
  end

  test "terms round-trip with term_to_binary and a safe decode" do
    term = %{list: [1, 2.5, "three"], tuple: {:ok, self()}, map: %{nested: true}}
    :ok = Queue.send_term(0, term)
    [bin] = recv_n(1, [])
    assert :erlang.binary_to_term(bin) == term
    :ok = Queue.send_term(0, term)
    assert_receive {:cordon_notify, 0}, 10_000
    :ok = Cordon.Channel.ack(0)
    assert wait_term() == {:ok, term}
  end

  test "a term naming an atom this VM never saw is refused by the safe decode, not created" do
    name = "cordon_never_seen_atom_#{System.unique_integer([:positive])}"
    bin = <<131, 119, byte_size(name)>> <> name
    :ok = Queue.send(0, bin)
    assert wait_term() == {:error, {:bad_term, bin}}
    assert_raise ArgumentError, fn -> String.to_existing_atom(name) end
  end

  defp wait_term do
    case Queue.recv_term(0) do
      {:error, :empty} ->
        assert_receive {:cordon_notify, 0}, 10_000
        :ok = Cordon.Channel.ack(0)
        wait_term()

      other ->
        other
    end
  end

  defp fill(msg, n) do
    case Queue.send(0, msg) do
      :ok -> fill(msg, n + 1)
      {:error, :full} -> n
    end
  end

  # Send every message while receiving the echoes (the echo waits when
  # the way back is full, so a sender that never receives would stall).
  defp pump(msgs, got), do: pump(msgs, got, length(msgs))

  defp pump([], got, total), do: got ++ recv_n(total - length(got), [])

  defp pump([m | rest] = all, got, total) do
    case Queue.send(0, m) do
      :ok ->
        pump(rest, got ++ drain([]), total)

      {:error, :full} ->
        case drain([]) do
          [] ->
            assert_receive {:cordon_notify, 0}, 10_000
            :ok = Cordon.Channel.ack(0)
            pump(all, got, total)

          more ->
            pump(all, got ++ more, total)
        end
    end
  end

  defp drain(acc) do
    case Queue.recv(0) do
      {:ok, bin} -> drain([bin | acc])
      {:error, :empty} -> Enum.reverse(acc)
    end
  end
end
