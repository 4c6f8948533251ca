# SPDX-License-Identifier: BSD-2-Clause
defmodule RegionTest do
  # Cordon.Region: "shared" is mapped read-write here and in `peer`
  # (tests/beam/peer.c: label 4 writes a pattern and sums it, label 5 sums
  # what is there); "big" (4 MiB) only here; "ro" read-only here.
  use ExUnit.Case

  alias Cordon.Region

  test "the PD lists its regions with size and permissions" do
    assert Enum.sort_by(Region.list(), & &1.name) == [
             %{name: "big", size: 0x400000, read: true, write: true},
             %{name: "ro", size: 0x1000, read: true, write: false},
             %{name: "shared", size: 0x4000, read: true, write: true}
           ]

    assert Region.size("shared") == 0x4000
  end

  test "what the native PD writes, Elixir reads" do
    assert {:ok, 0, [sum]} = Cordon.Channel.call(0, 4, [1000])
    bytes = Region.read("shared", 0, 1000)
    assert bytes == for(i <- 0..999, into: <<>>, do: <<rem(i * 7 + 1, 256)>>)
    assert sum == bytes |> :binary.bin_to_list() |> Enum.sum()
  end

  test "what Elixir writes, the native PD reads" do
    data = for i <- 0..4095, into: <<>>, do: <<rem(i * 13, 251)>>
    :ok = Region.write("shared", 0, data)
    assert {:ok, 0, [sum]} = Cordon.Channel.call(0, 5, [4096])
    assert sum == data |> :binary.bin_to_list() |> Enum.sum()
  end

  test "a slice at an offset, up to the last byte" do
    :ok = Region.write("shared", 0x4000 - 3, "xyz")
    assert Region.read("shared", 0x4000 - 3, 3) == "xyz"
    assert Region.read("shared", 0x4000, 0) == ""
  end

  test "4 MiB in and out (copied on a dirty scheduler)" do
    # :crypto: a NIF with its own shared library (libcrypto), bound by the
    # monitor into the root (monitor/beam.c)
    data = :crypto.strong_rand_bytes(0x400000)
    :ok = Region.write("big", 0, data)
    assert Region.read("big", 0, 0x400000) == data
  end

  test "reads and writes outside the region, or against its permissions, raise" do
    assert_raise ArgumentError, ~r/outside region shared/, fn -> Region.read("shared", 0x4000 - 1, 2) end
    assert_raise ArgumentError, ~r/outside region shared/, fn -> Region.write("shared", 0x4000, "x") end
    assert_raise ArgumentError, ~r/outside region/, fn -> Region.read("shared", 0xFFFFFFFFFFFFFFFF, 2) end
    assert_raise ArgumentError, ~r/read-only/, fn -> Region.write("ro", 0, "x") end
    assert_raise ArgumentError, ~r/no memory region "nowhere"/, fn -> Region.read("nowhere", 0, 1) end
    assert Region.read("ro", 0, 4) == <<0, 0, 0, 0>>
  end
end
