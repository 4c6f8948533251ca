# SPDX-License-Identifier: BSD-2-Clause
defmodule GrantTest do
  # A tcp_listen grant (the host test gives one on a free port): gen_tcp
  # serves on the socket the monitor opened and handed in, while the PD
  # still cannot make a socket of its own. The host side (system_test.exs)
  # connects when it sees "grant ready", sends lines, and ends with "bye".
  use ExUnit.Case

  test "gen_tcp serves on the granted socket; the PD cannot open one itself" do
    assert {:ok, %{kind: :tcp_listen, fd: fd, port: port, address: {127, 0, 0, 1}, family: :inet}} =
             Cordon.grant(:echo)

    assert {:ok, listen} = Cordon.listen("echo", [:binary, active: false, packet: :line])
    assert {:ok, {{127, 0, 0, 1}, ^port}} = :inet.sockname(listen)
    assert is_integer(fd) and fd > 2
    assert Cordon.listen(:nothing) == {:error, :undefined}
    assert :gen_tcp.listen(0, []) == {:error, :eacces}
    assert :gen_tcp.connect(~c"127.0.0.1", port, []) == {:error, :eacces}
    IO.puts("grant ready port=#{port}")
    assert {:ok, conn} = :gen_tcp.accept(listen, 60_000)
    assert echo(conn, []) == ["hello\n", "cordon\n"]
    :gen_tcp.close(conn)
  end

  defp echo(conn, got) do
    case :gen_tcp.recv(conn, 0, 60_000) do
      {:ok, "bye\n"} ->
        Enum.reverse(got)

      {:ok, line} ->
        :ok = :gen_tcp.send(conn, line)
        echo(conn, [line | got])
    end
  end
end
