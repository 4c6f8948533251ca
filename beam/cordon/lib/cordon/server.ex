# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.Server do
  @moduledoc """
  A process that serves protected calls made by native PDs, in the style of
  a GenServer:

      defmodule Clock do
        use Cordon.Server, channels: [2]

        def init(start), do: {:ok, start}

        # label 1: read the clock
        def handle_protected(2, 1, [], ticks), do: {:reply, 0, [ticks], ticks}
        def handle_protected(_ch, _label, _words, ticks), do: {:invalid, ticks}

        def handle_notify(2, ticks), do: {:noreply, ticks + 1}
      end

      children = [{Clock, 0}]
      Supervisor.start_link(children, strategy: :one_for_one)

  The server subscribes to its channels (see `Cordon.Channel`), so it gets
  their notifications, peer events and calls. Callbacks:

    * `init(arg)` — `{:ok, state}` or `{:stop, reason}`;
    * `handle_protected(ch, label, words, state)` — `{:reply, label, words,
      state}`, `{:invalid, state}` to refuse the call (the caller gets
      `{:error, :invalid}`), or `{:stop, reason, label, words, state}`;
    * `handle_notify(ch, state)` — optional;
    * `handle_peer(ch, :up | :down, state)` — optional;
    * `handle_call/3`, `handle_cast/2`, `handle_info/2`, `terminate/2` — as
      in a GenServer, optional.

  When the server dies while serving a call, the caller gets `{:error,
  :peer_down}`, and the next call waits until a server subscribes again (a
  supervisor restarting it).
  """
  use GenServer

  @type state :: term()
  @callback init(arg :: term()) :: {:ok, state()} | {:stop, term()}
  @callback handle_protected(Cordon.channel(), non_neg_integer(), [non_neg_integer()], state()) ::
              {:reply, non_neg_integer(), [non_neg_integer()], state()}
              | {:invalid, state()}
              | {:stop, term(), non_neg_integer(), [non_neg_integer()], state()}
  @callback handle_notify(Cordon.channel(), state()) :: {:noreply, state()} | {:stop, term(), state()}
  @callback handle_peer(Cordon.channel(), :up | :down, state()) ::
              {:noreply, state()} | {:stop, term(), state()}
  @optional_callbacks handle_notify: 2, handle_peer: 3

  defmacro __using__(opts) do
    quote location: :keep, bind_quoted: [opts: opts] do
      @behaviour Cordon.Server
      @cordon_channels Keyword.get(opts, :channels, [])

      def child_spec(arg) do
        %{id: __MODULE__, start: {__MODULE__, :start_link, [arg]}}
      end

      def start_link(arg, opts \\ []) do
        Cordon.Server.start_link(__MODULE__, arg, Keyword.put_new(opts, :channels, @cordon_channels))
      end

      defoverridable child_spec: 1, start_link: 1, start_link: 2
    end
  end

  @doc """
  Starts a server of `module` on `opts[:channels]` (a list of channel ids);
  the other options are GenServer's (`:name`, ...).
  """
  def start_link(module, arg, opts) do
    {channels, gen_opts} = Keyword.pop(opts, :channels, [])

    unless is_list(channels) and channels != [],
      do: raise(ArgumentError, ":channels must be a non-empty list of channel ids")

    GenServer.start_link(__MODULE__, {module, arg, channels}, gen_opts)
  end

  @impl true
  def init({module, arg, channels}) do
    case Enum.find_value(channels, &subscribe_error/1) do
      nil ->
        case module.init(arg) do
          {:ok, state} -> {:ok, {module, state}}
          {:stop, reason} -> {:stop, reason}
          other -> {:stop, {:bad_return_value, other}}
        end

      error ->
        {:stop, error}
    end
  end

  defp subscribe_error(ch) do
    case Cordon.Channel.subscribe(ch) do
      :ok -> nil
      {:error, why} -> {:cannot_subscribe, ch, why}
    end
  end

  @impl true
  def handle_info({:cordon_protected, ch, label, words, token}, {module, state}) do
    case module.handle_protected(ch, label, words, state) do
      {:reply, rlabel, rwords, state} ->
        Cordon.Channel.reply(ch, token, rlabel, rwords)
        {:noreply, {module, state}}

      {:invalid, state} ->
        Cordon.Channel.reply(ch, token, Cordon.NIF.label(:invalid), [])
        {:noreply, {module, state}}

      {:stop, reason, rlabel, rwords, state} ->
        Cordon.Channel.reply(ch, token, rlabel, rwords)
        {:stop, reason, {module, state}}
    end
  end

  def handle_info({:cordon_notify, ch}, {module, state}) do
    Cordon.Channel.ack(ch)

    if function_exported?(module, :handle_notify, 2),
      do: wrap(module, module.handle_notify(ch, state)),
      else: {:noreply, {module, state}}
  end

  def handle_info({:cordon_peer_down, ch}, s), do: peer(ch, :down, s)
  def handle_info({:cordon_peer_up, ch}, s), do: peer(ch, :up, s)

  def handle_info(msg, {module, state}) do
    if function_exported?(module, :handle_info, 2),
      do: wrap(module, module.handle_info(msg, state)),
      else: {:noreply, {module, state}}
  end

  @impl true
  def handle_call(msg, from, {module, state}) do
    case module.handle_call(msg, from, state) do
      {:reply, reply, state} -> {:reply, reply, {module, state}}
      {:noreply, state} -> {:noreply, {module, state}}
      {:stop, reason, reply, state} -> {:stop, reason, reply, {module, state}}
      {:stop, reason, state} -> {:stop, reason, {module, state}}
    end
  end

  @impl true
  def handle_cast(msg, {module, state}), do: wrap(module, module.handle_cast(msg, state))

  @impl true
  def terminate(reason, {module, state}) do
    if function_exported?(module, :terminate, 2), do: module.terminate(reason, state)
  end

  defp peer(ch, what, {module, state}) do
    Cordon.Channel.ack(ch)

    if function_exported?(module, :handle_peer, 3),
      do: wrap(module, module.handle_peer(ch, what, state)),
      else: {:noreply, {module, state}}
  end

  defp wrap(module, {:noreply, state}), do: {:noreply, {module, state}}
  defp wrap(module, {:stop, reason, state}), do: {:stop, reason, {module, state}}
end
