# SPDX-License-Identifier: BSD-2-Clause
defmodule DistTest do
  # Erlang distribution between the BEAM PDs `tests` and `other` over their
  # distribution link (Cordon.Test.System.dist_system/0): the ordinary OTP
  # API, nothing Cordon-specific in the calling code. `other` runs
  # dist_peer.ex; `lonely` is linked to `other` only.
  use ExUnit.Case

  @other :pdtests@other
  @lonely :pdtests@lonely

  setup do
    assert node() == :pdtests@tests
    wait_connect(@other, 60_000)
    :ok
  end

  # Connected and the peer's application up (it may be restarting).
  defp wait_connect(node, left) do
    wait_until(
      fn ->
        Node.connect(node) == true and
          try do
            :erpc.call(node, Process, :whereis, [:echo], 5_000) != nil
          catch
            _, _ -> false
          end
      end,
      left
    )
  end

  defp wait_until(fun, left \\ 10_000) do
    cond do
      fun.() ->
        :ok

      left <= 0 ->
        flunk("condition never held")

      true ->
        receive after: (20 -> :ok)
        wait_until(fun, left - 20)
    end
  end

  test "Node.connect and Node.list" do
    assert Node.connect(@other) == true
    assert @other in Node.list()
  end

  test "GenServer.call to a registered name on the other node" do
    assert GenServer.call({:echo, @other}, {:echo, :hello}) == {:echo, :hello}
  end

  test "send to a registered name and to a remote pid" do
    send({:mirror, @other}, {self(), :by_name})
    assert_receive {:mirrored, :by_name}, 5_000
    pid = :erpc.call(@other, Process, :whereis, [:mirror])
    assert node(pid) == @other
    send(pid, {self(), :by_pid})
    assert_receive {:mirrored, :by_pid}, 5_000
  end

  test ":erpc runs a function on the other node" do
    assert :erpc.call(@other, :erlang, :node, []) == @other
    assert :erpc.call(@other, Cordon, :name, []) == "other"
  end

  test ":pg groups span both PDs" do
    case :pg.start(:pg) do
      {:ok, _} -> :ok
      {:error, {:already_started, _}} -> :ok
    end

    :ok = :pg.join(:cordon_group, self())
    wait_until(fn -> length(:pg.get_members(:cordon_group)) == 2 end)
    [remote] = :pg.get_members(:cordon_group) -- [self()]
    assert node(remote) == @other
    wait_until(fn -> self() in :erpc.call(@other, :pg, :get_members, [:cordon_group]) end)
    :ok = :pg.leave(:cordon_group, self())
  end

  test ":global names are seen on the directly linked node" do
    name = :"dist_test_#{System.unique_integer([:positive])}"
    # after a test that restarted `other`, :global may still be syncing
    # with its new incarnation
    :ok = :global.sync()
    :yes = :global.register_name(name, self())
    wait_until(fn -> :erpc.call(@other, :global, :whereis_name, [name]) == self() end, 30_000)
    :global.unregister_name(name)
  end

  test "terms from 1 byte to 16 MiB arrive whole (checksummed)" do
    for size <- [1, 100, 65_535, 65_537, 200_000, 1_048_576, 16_777_216] do
      bin = :crypto.strong_rand_bytes(size)
      assert GenServer.call({:echo, @other}, {:sum, bin}, 60_000) == :erlang.crc32(bin)
      assert GenServer.call({:echo, @other}, {:echo, bin}, 60_000) == {:echo, bin}
    end
  end

  test "100k messages arrive in order" do
    n = 100_000
    GenServer.cast({:echo, @other}, {:send_back, self(), n, 0})

    for i <- 1..n do
      assert_receive {:seq, ^i, _}, 10_000
    end
  end

  test "no connection to a PD without a link: false at once, no hang" do
    {us, result} = :timer.tc(fn -> Node.connect(@lonely) end)
    assert result == false
    assert us < 1_000_000
    refute @lonely in Node.list()
    assert Node.connect(:nobody@nowhere) == false
    # `other` is linked to `lonely`: the link is its own, not ours.
    wait_until(fn -> Node.connect(@lonely) == false end)
  end

  test "simultaneous connects from both sides end in one working connection" do
    for _ <- 1..5 do
      at = :os.system_time(:millisecond) + 300
      :ok = :erpc.call(@other, DistPeer, :connect_at, [node(), at])
      true = Node.disconnect(@other)
      wait = at - :os.system_time(:millisecond)
      if wait > 0, do: receive(after: (wait -> :ok))
      Node.connect(@other)
      wait_connect(@other, 20_000)
      assert Enum.count(Node.list(), &(&1 == @other)) == 1
      assert GenServer.call({:echo, @other}, {:echo, :after}) == {:echo, :after}
    end
  end

  test "garbage on the link: the connection drops, this VM lives on, it comes back" do
    :ok = :net_kernel.monitor_nodes(true)
    # The peer writes a record that is no distribution packet into the
    # queue toward us, as a hostile PD could.
    garbage = <<131, 68, 255, 255, 255, 255>> <> :crypto.strong_rand_bytes(64)
    :erpc.cast(@other, Cordon.Queue, :send, [0, garbage])
    assert_receive {:nodedown, @other}, 10_000
    wait_connect(@other, 20_000)
    assert GenServer.call({:echo, @other}, {:echo, :again}) == {:echo, :again}
    :ok = :net_kernel.monitor_nodes(false)
  end

  test "kill -9 of the peer mid-transfer: nodedown, :noconnection, no message of the dead incarnation after the restart" do
    :ok = :net_kernel.monitor_nodes(true)
    Process.flag(:trap_exit, true)
    before = GenServer.call({:echo, @other}, :incarnation)
    echo = :erpc.call(@other, Process, :whereis, [:echo])
    mon = Process.monitor(echo)
    linked = Node.spawn_link(@other, DistPeer, :idle, [])
    # mid-transfer: the peer streams messages to us while it is killed
    GenServer.cast({:echo, @other}, {:send_back, self(), 1_000_000, 100})
    assert_receive {:seq, 1, _}, 10_000
    IO.puts("kill -9 other")
    until_nodedown()
    assert_receive {:DOWN, ^mon, :process, ^echo, :noconnection}, 1_000
    assert_receive {:EXIT, ^linked, :noconnection}, 1_000
    wait_connect(@other, 60_000)
    assert GenServer.call({:echo, @other}, :incarnation) > before
    # A pid of the dead incarnation names no process of the new one.
    refute :erpc.call(@other, :erlang, :is_process_alive, [echo])
    assert GenServer.call({:echo, @other}, {:echo, :reborn}) == {:echo, :reborn}
    refute_received {:seq, _, _}
    Process.flag(:trap_exit, false)
    :ok = :net_kernel.monitor_nodes(false)
  end

  test "kill -9 of the other end of a link: the survivor sees nodedown, lives, and reaches it after its restart" do
    # `other` and `lonely`, a link of their own; here `other` is the survivor.
    wait_until(fn -> :erpc.call(@other, DistPeer, :reach, [@lonely]) end, 60_000)
    before = :erpc.call(@other, :erpc, :call, [@lonely, Cordon, :incarnation, []])
    IO.puts("kill -9 lonely")
    wait_until(fn -> @lonely not in :erpc.call(@other, Node, :list, []) end)
    wait_until(fn -> :erpc.call(@other, DistPeer, :reach, [@lonely]) end, 60_000)
    assert :erpc.call(@other, :erpc, :call, [@lonely, Cordon, :incarnation, []]) > before
  end

  # Everything the dead incarnation sent comes before the nodedown.
  defp until_nodedown do
    receive do
      {:seq, _, _} -> until_nodedown()
      {:nodedown, @other} -> :ok
    after
      30_000 -> flunk("no nodedown after kill -9")
    end
  end
end
