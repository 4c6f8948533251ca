defmodule <%= @mod %>Test do
  use ExUnit.Case, async: true

  test "scale answers the word times the factor" do
    assert {:reply, 0, [42], 2} = <%= @mod %>.Server.handle_protected(<%= @ch %>, 1, [21], 2)
  end

  test "an unknown label is refused" do
    assert {:invalid, 2} = <%= @mod %>.Server.handle_protected(<%= @ch %>, 9, [], 2)
  end
end
