defmodule <%= @mod %>.Server do
  @moduledoc """
  Serves protected calls on the channel to <%= @peer %>: label 1 (scale) with
  one word, answered with that word times the configured factor.
  """
  @peer <%= @mod %>.Channels.<%= @peer_fn %>()
  use Cordon.Server, channels: [@peer]

  @scale 1

  @impl true
  def init(factor) do
    # Subscribed already: say we serve, and the peer calls.
    :ok = Cordon.Channel.notify(@peer)
    {:ok, factor}
  end

  @impl true
  def handle_protected(@peer, @scale, [x], factor), do: {:reply, 0, [x * factor], factor}
  def handle_protected(_ch, _label, _words, factor), do: {:invalid, factor}

  # a restarted peer learns again that we serve
  @impl true
  def handle_peer(@peer, :up, factor) do
    :ok = Cordon.Channel.notify(@peer)
    {:noreply, factor}
  end

  def handle_peer(_ch, _event, factor), do: {:noreply, factor}
end
