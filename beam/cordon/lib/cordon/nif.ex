# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.NIF do
  @moduledoc false
  # The NIF (c_src/). Every function here is replaced when the library
  # loads; the bodies run only if it could not be loaded at all.
  @on_load :load
  @compile {:autoload, true}

  def load do
    path = Path.join(priv_dir(), "cordon_nif") |> String.to_charlist()

    case :erlang.load_nif(path, 0) do
      :ok ->
        :ok

      {:error, {reason, text}} ->
        IO.puts(:stderr, "cordon: cannot load #{path}.so: #{reason}: #{text}")
        :ok
    end
  end

  # The application's priv directory, or the one beside this module's ebin
  # when the code was loaded without the application on the code path.
  defp priv_dir do
    case :code.priv_dir(:cordon) do
      dir when is_list(dir) -> List.to_string(dir)
      {:error, _} -> :code.which(__MODULE__) |> Path.dirname() |> Path.join("../priv")
    end
  end

  defp nif, do: :erlang.nif_error(:cordon_nif_not_loaded)

  def info, do: nif()
  def label(_name), do: nif()
  def grant(_name), do: nif()
  def notify(_ch), do: nif()
  def subscribe(_ch), do: nif()
  def ack(_ch), do: nif()
  def unsubscribe(_ch), do: nif()
  def call(_ch, _label, _words), do: nif()
  def reply(_ch, _token, _label, _words), do: nif()
  def monitor(_ch), do: nif()
  def demonitor(_ch, _ref), do: nif()
  def peer_up(_ch), do: nif()
  def queue_send(_ch, _bin), do: nif()
  def queue_recv(_ch), do: nif()
  def regions, do: nif()
  def ready, do: nif()
  def region_read(_name, _offset, _len), do: nif()
  def region_write(_name, _offset, _bin), do: nif()
end
