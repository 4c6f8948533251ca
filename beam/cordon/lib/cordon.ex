# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon do
  @moduledoc """
  The capabilities of a BEAM protection domain: what the system description
  gave this PD, reached from Elixir.

    * `Cordon.Channel` — notifications and protected calls, both ways;
    * `Cordon.Server` — a behaviour for serving protected calls, like a
      GenServer;
    * `Cordon.Queue` — binaries and terms through a channel's queues;
    * `Cordon.Region` — shared memory regions, read and written as binaries;
    * `monitor/1` — a `:DOWN` message when a peer PD dies or restarts;
    * `grant/1` — authority handed in by the monitor (a listening socket).

  A channel is named by its id in this PD's end (an integer 0..62, as in the
  description's `<end id=...>`). Using a channel the PD does not hold, or in
  a way its end does not allow, raises `ArgumentError` with the reason, and
  so does any malformed argument: no call can crash the VM.

  Outside a PD started by `cordon run` the library loads, and every function
  raises `ArgumentError` explaining that there is no boot information.
  """

  @typedoc "A channel id of this PD's end, 0..62."
  @type channel :: 0..62

  @doc "This PD's name, from the system description."
  @spec name() :: String.t()
  def name, do: info!().name

  @doc """
  The channels this PD holds, with what its end may do:
  `%{id:, peer:, notify:, call:, serve:, tx_queue:, rx_queue:}`, where the
  queue fields are the largest message in bytes, or `:undefined`.
  """
  @spec channels() :: [map()]
  def channels, do: info!().channels

  @doc """
  This PD's incarnation: 1 at its first start, one more at each restart. A
  distribution node's creation follows it (`:cordon_dist`), so a pid of
  an earlier incarnation never names a process of this one.
  """
  @spec incarnation() :: non_neg_integer()
  def incarnation, do: info!().incarnation

  @doc "Is this VM a Cordon protection domain (started by `cordon run`)?"
  @spec available?() :: boolean()
  def available? do
    match?(%{}, Cordon.NIF.info())
  rescue
    _ -> false
  end

  @doc """
  Monitors the PD at the other end of `channel` (an id, or the peer's name).

  Exactly one message follows, as from `Process.monitor/1`:

      {:DOWN, ref, :cordon_pd, {channel, peer_name}, reason}

  with `reason` `:down` when the peer died or was stopped, `:restarted` when
  its restart was over before this PD noticed, or `:noproc` at once when it
  is not running now. When the supervisor restarts the peer, subscribers of
  the channel get `{:cordon_peer_up, channel}` (see `Cordon.Channel`).
  """
  @spec monitor(channel() | String.t()) :: reference()
  def monitor(channel), do: Cordon.NIF.monitor(channel_of(channel))

  @doc "Cancels a monitor; `true` if it was still active."
  @spec demonitor(reference()) :: boolean()
  def demonitor(ref) when is_reference(ref) do
    Enum.any?(channels(), fn %{id: id} -> Cordon.NIF.demonitor(id, ref) end)
  end

  def demonitor(other), do: raise(ArgumentError, "not a monitor reference: #{inspect(other)}")

  @doc """
  A grant from the system description, by name:
  `{:ok, %{kind: :tcp_listen, fd: fd, port: port, address: ip, family: :inet | :inet6}}`
  or `{:error, :undefined}`.

  A `tcp_listen` grant is a listening TCP socket the monitor opened and
  bound (a PD cannot create or bind one). `listen/2` wraps `:gen_tcp`:

      {:ok, socket} = Cordon.listen(:http, [:binary, active: false])

  OTP's httpd takes it as `port: 0` with
  `socket_type: {:ip_comm, [fd: fd, ifaddr: :undefined]}` (the `ifaddr`
  entry undoes the `{ip, any}` httpd adds, which would make gen_tcp bind
  again), plus `ipfamily: family`.
  """
  @spec grant(String.t() | atom()) :: {:ok, map()} | {:error, :undefined}
  def grant(name) when is_atom(name) and not is_nil(name), do: grant(Atom.to_string(name))

  def grant(name) when is_binary(name) do
    case Cordon.NIF.grant(name) do
      {:ok, kind, fd, port, address, family} ->
        {:ok, %{kind: kind, fd: fd, port: port, address: address, family: family}}

      error ->
        error
    end
  end

  def grant(other),
    do: raise(ArgumentError, "a grant name is a string or an atom, not #{inspect(other)}")

  @doc """
  `:gen_tcp.listen/2` on the `tcp_listen` grant `name`, with `opts` (the
  grant's descriptor and address family added). `{:error, :undefined}`
  when there is no such grant.
  """
  @spec listen(String.t() | atom(), [term()]) :: {:ok, :gen_tcp.socket()} | {:error, term()}
  def listen(name, opts \\ []) when is_list(opts) do
    with {:ok, %{kind: :tcp_listen, fd: fd, family: family}} <- grant(name) do
      :gen_tcp.listen(0, [{:fd, fd}, family | opts])
    end
  end

  @doc false
  def channel_of(id) when is_integer(id), do: id

  def channel_of(peer) when is_binary(peer) do
    case Enum.find(channels(), &(&1.peer == peer)) do
      %{id: id} -> id
      nil -> raise ArgumentError, "protection domain #{name()} has no channel to #{inspect(peer)}"
    end
  end

  def channel_of(other),
    do: raise(ArgumentError, "a channel is an id 0..62 or a peer's name, not #{inspect(other)}")

  defp info! do
    case Cordon.NIF.info() do
      {:error, why} -> raise ArgumentError, "not running in a Cordon protection domain: #{why}"
      info -> info
    end
  end
end
