# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.Channel do
  @moduledoc """
  Notifications and protected calls on a channel, with seL4 Microkit's
  semantics: notifications coalesce, a protected call blocks the caller
  until the callee replies, and carries a label and up to 120 words (seL4_MsgMaxLength).

  ## Events

  One process per channel subscribes (`subscribe/1`) and receives:

    * `{:cordon_notify, ch}` — the peer notified, or a queue on the channel
      became non-empty (receiver) or has room again (sender);
    * `{:cordon_peer_down, ch}` and `{:cordon_peer_up, ch}` — the peer died
      or was stopped, and is running again after its restart;
    * `{:cordon_protected, ch, label, words, token}` — the peer made a
      protected call; answer it with `reply/4` (`Cordon.Server` does this
      for you). The peer waits until then.

  These three coalesce, as notifications do on seL4: once one of them is
  sent, the channel sends no other until the subscriber calls `ack/1`
  (`Cordon.Server` does it before its callbacks). Then what happened
  meanwhile comes at once: the peer's down and/or up since the last one
  heard, and one `{:cordon_notify, ch}` for any number of notifications.
  So a peer that notifies as fast as it can never fills the subscriber's
  mailbox. Call `ack/1` when the message is received, before acting on
  it: a notification during the action then comes as a fresh message.

  A notification that arrives while nobody subscribes is kept (coalesced)
  and delivered on subscription; a call waits for a subscriber.
  """

  @doc "Notifies the peer. Never blocks."
  @spec notify(Cordon.channel()) :: :ok
  def notify(ch), do: Cordon.NIF.notify(ch)

  @doc """
  Makes the calling process the channel's subscriber (see Events).
  `{:error, {:subscribed, pid}}` when another live process is.
  """
  @spec subscribe(Cordon.channel()) :: :ok | {:error, {:subscribed, pid()}}
  def subscribe(ch), do: Cordon.NIF.subscribe(ch)

  @doc """
  Acknowledges the channel's events received so far (see Events): the
  next ones may be sent. Only the subscriber; `{:error, :not_subscribed}`
  otherwise.
  """
  @spec ack(Cordon.channel()) :: :ok | {:error, :not_subscribed}
  def ack(ch), do: Cordon.NIF.ack(ch)

  @doc "Stops the calling process's subscription."
  @spec unsubscribe(Cordon.channel()) :: :ok | {:error, :not_subscribed}
  def unsubscribe(ch), do: Cordon.NIF.unsubscribe(ch)

  @doc """
  A protected call: `label` (0..2^52-4) and up to 120 words (unsigned 64-bit
  integers) to the peer, whose reply comes back as `{:ok, label, words}`.

  Fails with `{:error, :peer_down}` when the callee is not running or dies
  (or restarts) before it replies, `{:error, :invalid}` when it refuses the
  call, `{:error, :broken}` when it corrupted the channel. Calls on one
  channel from several processes are made one at a time, in order.

  The calling process spins briefly on its scheduler for a fast reply, then
  waits in `receive` (not blocking the scheduler) for a slow one.
  """
  @spec call(Cordon.channel(), non_neg_integer(), [non_neg_integer()]) ::
          {:ok, non_neg_integer(), [non_neg_integer()]}
          | {:error, :peer_down | :invalid | :broken | :busy}
  def call(ch, label, words \\ [])

  # The NIF checks the label's upper bound (Cordon.NIF.label(:user_max)).
  def call(ch, label, words) when is_integer(label) and label >= 0 and is_list(words) do
    case Cordon.NIF.call(ch, label, words) do
      {:wait, ref} ->
        receive do
          {:cordon_reply, ^ref, result} -> result
        end

      result ->
        result
    end
  end

  def call(_ch, label, words) when is_list(words),
    do:
      raise(
        ArgumentError,
        "a label is an integer 0..#{Cordon.NIF.label(:user_max)}, not #{inspect(label)}"
      )

  def call(_ch, _label, words),
    do: raise(ArgumentError, "message words are a list of integers, not #{inspect(words)}")

  @doc """
  Answers the protected call `token` (from `{:cordon_protected, ...}`).
  `{:error, :stale}` when that call is no longer waiting (its caller died).
  """
  @spec reply(Cordon.channel(), non_neg_integer(), non_neg_integer(), [non_neg_integer()]) ::
          :ok | {:error, :stale}
  def reply(ch, token, label, words), do: Cordon.NIF.reply(ch, token, label, words)

  @doc "Is the peer running (as far as this PD has seen)?"
  @spec peer_up?(Cordon.channel()) :: boolean()
  def peer_up?(ch), do: Cordon.NIF.peer_up(ch)
end
