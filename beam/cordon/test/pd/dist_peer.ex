# SPDX-License-Identifier: BSD-2-Clause
defmodule DistPeer do
  @moduledoc false
  # The other side of dist.exs: ordinary OTP processes, reached from the
  # PD `tests` over the distribution link, with nothing Cordon-specific.

  defmodule Echo do
    @moduledoc false
    use GenServer
    def init(_), do: {:ok, nil}
    def handle_call({:echo, term}, _from, s), do: {:reply, {:echo, term}, s}
    def handle_call({:sum, bin}, _from, s), do: {:reply, :erlang.crc32(bin), s}
    def handle_call(:incarnation, _from, s), do: {:reply, Cordon.incarnation(), s}

    def handle_cast({:send_back, to, n, size}, s) do
      pad = :binary.copy(<<7>>, size)
      for i <- 1..n, do: send(to, {:seq, i, pad})
      {:noreply, s}
    end
  end

  def start do
    IO.puts("dist_peer #{node()} up, incarnation #{Cordon.incarnation()}")
    :pg.start_link()
    {:ok, pid} = GenServer.start_link(Echo, nil, name: :echo)
    :ok = :pg.join(:cordon_group, pid)
    # a plain registered process: messages to {name, node} come back
    spawn(fn ->
      Process.register(self(), :mirror)
      mirror()
    end)

    {:ok, pid}
  end

  # Connect to `node` at OS time `at` (ms): the test connects at the same
  # moment from its side.
  def connect_at(node, at) do
    spawn(fn ->
      wait = at - :os.system_time(:millisecond)
      if wait > 0, do: receive(after: (wait -> :ok))
      Node.connect(node)
    end)

    :ok
  end

  # Connected to `node` and its application up.
  def reach(node) do
    Node.connect(node) == true and :erpc.call(node, Process, :whereis, [:echo], 5_000) != nil
  catch
    _, _ -> false
  end

  # A process that only lives, for links and monitors across PDs.
  def idle do
    receive do
      :stop -> :ok
    end
  end

  defp mirror do
    receive do
      {from, msg} when is_pid(from) -> send(from, {:mirrored, msg})
      _ -> :ok
    end

    mirror()
  end
end
