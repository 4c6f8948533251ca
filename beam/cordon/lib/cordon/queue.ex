# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.Queue do
  @moduledoc """
  A channel's message queues: binaries of 1 up to half the ring's size,
  in order, through shared memory.

  Sending never blocks: a full queue answers `{:error, :full}`, and the
  subscriber of the channel gets `{:cordon_notify, ch}` when the consumer
  has made room. Receiving never blocks either: an empty queue answers
  `{:error, :empty}`, and the subscriber is notified when a message comes.
  Those notifications coalesce until the subscriber calls
  `Cordon.Channel.ack/1` (see `Cordon.Channel`, Events).

  Terms travel as `:erlang.term_to_binary/1` and are decoded with
  `:erlang.binary_to_term(bin, [:safe])`: the peer is untrusted, and `:safe`
  refuses to create atoms or functions it sends.
  """

  @doc "Sends `binary`. `{:error, :peer_down}` when full and the peer is not running."
  @spec send(Cordon.channel(), binary()) ::
          :ok | {:error, :full | :peer_down | :too_big | :broken}
  def send(ch, binary) when is_binary(binary), do: Cordon.NIF.queue_send(ch, binary)

  def send(_ch, other),
    do: raise(ArgumentError, "a queue message is a binary, not #{inspect(other)}")

  @doc "Receives the oldest message."
  @spec recv(Cordon.channel()) :: {:ok, binary()} | {:error, :empty | :peer_down | :broken}
  def recv(ch), do: Cordon.NIF.queue_recv(ch)

  @doc "Sends a term (`:erlang.term_to_binary/1`)."
  @spec send_term(Cordon.channel(), term()) ::
          :ok | {:error, :full | :peer_down | :too_big | :broken}
  def send_term(ch, term), do: Cordon.NIF.queue_send(ch, :erlang.term_to_binary(term))

  @doc """
  Receives a term. A message that is not a safe external term is
  `{:error, {:bad_term, binary}}`: consumed, and handed back for inspection.
  """
  @spec recv_term(Cordon.channel()) ::
          {:ok, term()} | {:error, :empty | :peer_down | :broken | {:bad_term, binary()}}
  def recv_term(ch) do
    with {:ok, bin} <- Cordon.NIF.queue_recv(ch) do
      try do
        {:ok, :erlang.binary_to_term(bin, [:safe])}
      rescue
        ArgumentError -> {:error, {:bad_term, bin}}
      end
    end
  end

  @doc "The largest message the queue from this PD on `ch` carries, in bytes."
  @spec max_message(Cordon.channel()) :: pos_integer()
  def max_message(ch) do
    case Enum.find(Cordon.channels(), &(&1.id == ch)) do
      %{tx_queue: n} when is_integer(n) -> n
      _ -> raise ArgumentError, "channel #{inspect(ch)} has no queue from this PD"
    end
  end
end
