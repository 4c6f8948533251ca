# SPDX-License-Identifier: BSD-2-Clause
defmodule SensorApp.Status do
  @moduledoc """
  The status page: OTP's `:inets` httpd, started on the listening socket of
  this PD's `http` grant (the PD cannot open one itself), with this module
  as its only httpd module: `do/1` answers `GET /` with what
  `SensorApp.Reader` knows.
  """
  require Record
  Record.defrecordp(:mod, Record.extract(:mod, from_lib: "inets/include/httpd.hrl"))

  def child_spec(_arg) do
    # Not restarted here, and significant: see SensorApp.Application.
    %{
      id: __MODULE__,
      start: {__MODULE__, :start_link, []},
      restart: :temporary,
      significant: true,
      type: :supervisor,
      shutdown: :infinity
    }
  end

  @doc "Starts httpd, linked to the caller, on the granted socket."
  def start_link do
    name = Application.fetch_env!(:sensor_app, :http_grant)

    with {:ok, %{kind: :tcp_listen, fd: fd, port: port, family: family}} <- Cordon.grant(name),
         {:ok, pid} <- :inets.start(:httpd, config(fd, family), :stand_alone) do
      IO.puts("status page on port #{port}")
      {:ok, pid}
    else
      {:error, :undefined} -> {:error, {:no_grant, name}}
      {:error, why} -> {:error, {:httpd, why}}
    end
  end

  defp config(fd, family) do
    root = :code.lib_dir(:sensor_app)

    [
      # port 0 with {fd, Fd}: gen_tcp takes the socket as it is, bound and
      # listening. httpd adds {ip, any} to the options, which would make
      # gen_tcp bind it again (refused: it is bound, and a PD may not bind);
      # the {ifaddr, :undefined} after it takes that back.
      port: 0,
      socket_type: {:ip_comm, [fd: fd, ifaddr: :undefined]},
      # the grant's family: an IPv6 grant (address="::1") needs :inet6
      ipfamily: family,
      server_name: ~c"sensor",
      server_root: root,
      document_root: root,
      modules: [__MODULE__]
    ]
  end

  @doc false
  # httpd's module callback (`do` is a keyword in Elixir, hence unquote)
  def unquote(:do)(req) do
    case {mod(req, :method), mod(req, :request_uri)} do
      {~c"GET", ~c"/"} -> respond(200, page())
      {~c"GET", _} -> respond(404, "not found\n")
      _ -> respond(405, "only GET\n")
    end
  end

  defp respond(code, body) do
    head = [
      code: code,
      content_type: ~c"text/html; charset=utf-8",
      content_length: Integer.to_charlist(byte_size(body))
    ]

    {:proceed, [response: {:response, head, body}]}
  end

  defp page do
    rows =
      try do
        SensorApp.Reader.status() |> rows()
      catch
        :exit, _ -> [{"reader", "not running"}]
      end

    """
    <!DOCTYPE html>
    <html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
    <title>sensor</title></head>
    <body><h1>sensor (#{esc(Cordon.name())})</h1>
    <table>
    #{Enum.map_join(rows, "\n", fn {k, v} -> "<tr><th>#{esc(k)}</th><td>#{esc(v)}</td></tr>" end)}
    </table>
    </body></html>
    """
  end

  defp rows(s) do
    deg = &(SensorApp.Reader.degrees(&1) <> " °C")

    [
      {"temperature", if(s.reading, do: deg.(s.reading), else: "no reading yet")},
      {"sample", Integer.to_string(s.sample)},
      {"last reading", time(s.read_at)},
      {"driver", "#{s.driver}: #{if s.up, do: "up", else: "down"}"},
      {"driver restarts seen", Integer.to_string(s.restarts)},
      {"threshold", "#{deg.(s.threshold)}, #{if s.above, do: "above", else: "below"}"},
      {"threshold events", Integer.to_string(s.nevents)}
    ] ++
      Enum.map(s.events, fn e -> {"event", "#{time(e.at)} #{e.dir} at #{deg.(e.mdeg)}"} end) ++
      [{"reader since", time(s.started_at)}]
  end

  defp time(nil), do: "never"
  defp time(t), do: t |> DateTime.truncate(:millisecond) |> DateTime.to_iso8601()

  defp esc(s) do
    s
    |> String.replace("&", "&amp;")
    |> String.replace("<", "&lt;")
    |> String.replace(">", "&gt;")
    |> String.replace("\"", "&quot;")
  end
end
