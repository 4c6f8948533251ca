# SPDX-License-Identifier: BSD-2-Clause
defmodule ServerTest do
  # Serving protected calls made by a native PD: the PD `client`
  # (tests/beam/client.c) calls us on our channel 1 with label 42 and the
  # words [1, 2, 3] whenever we notify it, and queues the reply back to us
  # as text "label:w0,w1,...".
  use ExUnit.Case

  defmodule Tens do
    use Cordon.Server, channels: [1]

    def init(test), do: {:ok, test}

    def handle_protected(1, 42, words, test) do
      send(test, {:served, words})

      case Process.get(:mode) do
        :crash -> raise "the server crashes mid-call"
        :refuse -> {:invalid, test}
        _ -> {:reply, 7, Enum.map(words, &(&1 * 10)), test}
      end
    end

    def handle_notify(1, test) do
      drain(test)
      {:noreply, test}
    end

    def handle_cast({:mode, mode}, test) do
      Process.put(:mode, mode)
      {:noreply, test}
    end

    defp drain(test) do
      case Cordon.Queue.recv(1) do
        {:ok, text} ->
          send(test, {:client_got, text})
          drain(test)

        {:error, :empty} ->
          :ok
      end
    end
  end

  test "a Cordon.Server under a supervisor answers a native PD's protected call" do
    {:ok, sup} = Supervisor.start_link([{Tens, self()}], strategy: :one_for_one)
    :ok = Cordon.Channel.notify(1)
    assert_receive {:served, [1, 2, 3]}, 10_000
    assert_receive {:client_got, "7:10,20,30"}, 10_000

    [{Tens, pid, :worker, _}] = Supervisor.which_children(sup)
    GenServer.cast(pid, {:mode, :refuse})
    :ok = Cordon.Channel.notify(1)
    assert_receive {:client_got, text}, 10_000
    assert text == "#{Cordon.NIF.label(:invalid)}:"
    Supervisor.stop(sup)
  end

  test "a server that dies mid-call fails the call (the caller is not left waiting) and its supervisor restarts it" do
    {:ok, sup} = Supervisor.start_link([{Tens, self()}], strategy: :one_for_one)
    [{Tens, pid, :worker, _}] = Supervisor.which_children(sup)
    ref = Process.monitor(pid)
    GenServer.cast(pid, {:mode, :crash})
    :ok = Cordon.Channel.notify(1)
    assert_receive {:served, [1, 2, 3]}, 10_000
    assert_receive {:DOWN, ^ref, :process, ^pid, _}, 10_000
    # The restarted server (a new process) gets the client's queued answer:
    # label CORDON_LABEL_PEER_DOWN, no words.
    assert_receive {:client_got, text}, 10_000
    assert text == "#{0xFFFFFFFFFFFFF}:"
    # ... and serves the next call.
    :ok = Cordon.Channel.notify(1)
    assert_receive {:client_got, "7:10,20,30"}, 10_000
    Supervisor.stop(sup)
  end
end
