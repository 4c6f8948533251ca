defmodule <%= @mod %>Test do
  use ExUnit.Case, async: true

  @peer <%= @mod %>.Channels.<%= @peer_fn %>()

  test "scale answers the word times the factor" do
    assert {:reply, 0, [42], 2} = <%= @mod %>.Server.handle_protected(@peer, 1, [21], 2)
  end

  test "an unknown label is refused" do
    assert {:invalid, 2} = <%= @mod %>.Server.handle_protected(@peer, 9, [], 2)
  end
end
