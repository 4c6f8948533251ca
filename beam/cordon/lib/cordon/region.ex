# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.Region do
  @moduledoc """
  Shared memory regions mapped into this PD (`<map mr=...>`), by name.

  A region is plain shared memory: a peer may write it while this PD reads
  (each byte is read once, and is whatever it was then). Access is checked
  against the mapping's permissions and the region's size.
  """

  @doc "The regions: `[%{name:, size:, read:, write:}]`."
  @spec list() :: [map()]
  def list, do: Cordon.NIF.regions()

  @doc "The size of region `name` in bytes."
  @spec size(String.t()) :: non_neg_integer()
  def size(name) do
    case Enum.find(list(), &(&1.name == name)) do
      %{size: size} -> size
      nil -> raise ArgumentError, "no memory region #{inspect(name)} is mapped in this PD"
    end
  end

  @doc "`length` bytes of region `name` from `offset`, as a binary."
  @spec read(String.t(), non_neg_integer(), non_neg_integer()) :: binary()
  def read(name, offset, length), do: Cordon.NIF.region_read(name, offset, length)

  @doc "Writes `binary` into region `name` at `offset`."
  @spec write(String.t(), non_neg_integer(), binary()) :: :ok
  def write(name, offset, binary), do: Cordon.NIF.region_write(name, offset, binary)
end
