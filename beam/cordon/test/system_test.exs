# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.SystemTest do
  # Every API of the library, round-tripped with native PDs in a real
  # system: each file of test/pd/ runs inside a BEAM PD (see
  # Cordon.Test.System) and must pass there.
  use ExUnit.Case, async: false

  for file <- ~w(channel.exs server.exs queue.exs region.exs monitor.exs args.exs
                 scheduler.exs storm.exs) do
    @file_name file
    test "in a BEAM PD: #{file}" do
      {status, out} = Cordon.Test.System.run([@file_name])
      assert status == 0, "the in-PD tests failed (status #{inspect(status)}):\n#{out}"
      assert out =~ ~r/in-PD tests: [1-9]\d* run, 0 failed/, out
    end
  end

  test "between BEAM PDs: dist.exs, Erlang distribution over a distribution link" do
    {status, out} =
      Cordon.Test.System.run(["dist.exs", "dist_peer.ex"],
        dist: true,
        on_line: fn line ->
          # dist.exs asks the host to kill -9 a PD mid-transfer
          case Regex.run(~r/^tests\| .*kill -9 (\w+)$/, line) do
            [_, pd] -> Cordon.Test.System.kill_pd(pd)
            nil -> :ok
          end
        end
      )

    assert status == 0, "the in-PD tests failed (status #{inspect(status)}):\n#{out}"
    assert out =~ ~r/in-PD tests: [1-9]\d* run, 0 failed/, out
  end

  test "in a BEAM PD: grant.exs, with the host connecting to the granted port" do
    port = free_port()

    {status, out} =
      Cordon.Test.System.run(["grant.exs"],
        grant_port: port,
        on_line: fn line ->
          if line =~ "tests| grant ready port=#{port}", do: talk(port)
        end
      )

    assert status == 0, "the in-PD tests failed (status #{inspect(status)}):\n#{out}"
    assert out =~ ~r/in-PD tests: 1 run, 0 failed/, out
  end

  # A port nobody listens on now (the kernel's choice, then released).
  defp free_port do
    {:ok, s} = :gen_tcp.listen(0, ip: {127, 0, 0, 1})
    {:ok, port} = :inet.port(s)
    :gen_tcp.close(s)
    port
  end

  defp talk(port) do
    {:ok, c} = :gen_tcp.connect(~c"127.0.0.1", port, [:binary, active: false, packet: :line])

    for line <- ["hello\n", "cordon\n"] do
      :ok = :gen_tcp.send(c, line)
      {:ok, ^line} = :gen_tcp.recv(c, 0, 30_000)
    end

    :ok = :gen_tcp.send(c, "bye\n")
    :gen_tcp.close(c)
  end

  test "examples/sensor: the Elixir app reads the native driver and serves its status page over HTTP" do
    port = free_port()

    dir =
      Path.join(
        Cordon.Test.System.build(),
        "tests/beam/sensor-#{System.unique_integer([:positive])}"
      )

    File.mkdir_p!(dir)
    system = Path.join(dir, "sensor.system")

    File.read!(Path.join(Cordon.Test.System.top(), "examples/sensor/sensor.system"))
    |> String.replace(~s(port="8080"), ~s(port="#{port}"))
    |> then(&File.write!(system, &1))

    {:ok, _} = Application.ensure_all_started(:inets)
    me = self()

    {status, out} =
      Cordon.Test.System.boot_file(system, fn line ->
        # The page shows a temperature once the app has read one.
        if line =~ ~r/^app\| reading [0-9]+\.[0-9]{3} C \(sample/ and
             not Process.get(:fetched, false) do
          Process.put(:fetched, true)
          send(me, {:page, fetch(port)})
          {:stop, :fetched}
        end
      end)

    File.rm_rf!(dir)
    assert status == :fetched, out
    assert_received {:page, {:ok, {{_, 200, _}, _headers, body}}}
    assert to_string(body) =~ "°C", to_string(body)
  end

  # OTP 25's httpd may answer a request that waited in the backlog while
  # it started with 500 (examples/sensor/README.md): ask again then.
  defp fetch(port, tries \\ 3) do
    case :httpc.request(:get, {~c"http://127.0.0.1:#{port}/", []}, [timeout: 10_000], []) do
      {:ok, {{_, 500, _}, _, _}} when tries > 1 -> fetch(port, tries - 1)
      other -> other
    end
  end

  test "outside a PD the library loads and every call says why it cannot work" do
    refute Cordon.available?()

    assert_raise ArgumentError, ~r/not running in a Cordon protection domain/, fn ->
      Cordon.name()
    end

    assert_raise ArgumentError, ~r/not running in a Cordon protection domain/, fn ->
      Cordon.Channel.notify(0)
    end
  end
end
