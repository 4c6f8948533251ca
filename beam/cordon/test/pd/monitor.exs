# SPDX-License-Identifier: BSD-2-Clause
defmodule MonitorTest do
  # Cordon.monitor/1 on the native PD `peer`, which dies of SIGSEGV in the
  # middle of a protected call with label 3; its supervisor restarts it.
  use ExUnit.Case

  alias Cordon.Channel

  test "a callee dying mid-call: the call fails, DOWN arrives, then peer_up, then calls work again" do
    :ok = Channel.subscribe(0)
    assert Channel.peer_up?(0)
    ref = Cordon.monitor(0)
    by_name = Cordon.monitor("peer")
    assert Channel.call(0, 3, []) == {:error, :peer_down}
    assert_receive {:DOWN, ^ref, :cordon_pd, {0, "peer"}, reason}, 10_000
    assert reason in [:down, :restarted]
    assert_receive {:DOWN, ^by_name, :cordon_pd, {0, "peer"}, ^reason}, 10_000
    assert_receive {:cordon_peer_down, 0}, 10_000
    :ok = Channel.ack(0)
    assert_receive {:cordon_peer_up, 0}, 30_000
    assert Channel.peer_up?(0)
    assert Channel.call(0, 1, [7]) == {:ok, 101, [7]}
    # A monitor fires once: the restart above does not re-arm it.
    refute_received {:DOWN, ^ref, _, _, _}
  end

  test "demonitor cancels a monitor, and says whether it was active" do
    ref = Cordon.monitor(0)
    assert Cordon.demonitor(ref) == true
    assert Cordon.demonitor(ref) == false
    assert Channel.call(0, 3, []) == {:error, :peer_down}
    :ok = Channel.subscribe(0)
    wait_up()
    refute_received {:DOWN, ^ref, _, _, _}
  end

  test "an OTP supervisor restarts a worker that links its fate to the driver's" do
    test = self()

    worker = fn ->
      ref = monitor_up(0)
      send(test, {:worker_up, self()})

      receive do
        {:DOWN, ^ref, :cordon_pd, _, reason} -> exit({:driver, reason})
      end
    end

    children = [%{id: :w, start: {Task, :start_link, [worker]}, restart: :permanent}]
    {:ok, sup} = Supervisor.start_link(children, strategy: :one_for_one)
    assert_receive {:worker_up, first}, 5_000
    assert Channel.call(0, 3, []) == {:error, :peer_down}
    assert_receive {:worker_up, second}, 10_000
    assert first != second
    Supervisor.stop(sup)
    :ok = Channel.subscribe(0)
    wait_up()
  end

  # A monitor of the driver once it is up.  A worker restarted while the
  # system restarts the driver would otherwise get :noproc at once, exit
  # again, and run its supervisor out of restarts in microseconds: the
  # race this test lost under load.  :noproc is in the mailbox when
  # Cordon.monitor/1 returns (the NIF sends it in the call).
  defp monitor_up(ch, deadline \\ System.monotonic_time(:millisecond) + 30_000) do
    ref = Cordon.monitor(ch)

    receive do
      {:DOWN, ^ref, :cordon_pd, _, :noproc} ->
        if System.monotonic_time(:millisecond) > deadline, do: exit(:driver_never_up)
        Process.sleep(5)
        monitor_up(ch, deadline)
    after
      0 -> ref
    end
  end

  defp wait_up do
    unless Channel.peer_up?(0) do
      :ok = Channel.ack(0)
      assert_receive {:cordon_peer_up, 0}, 30_000
    end
  end
end
