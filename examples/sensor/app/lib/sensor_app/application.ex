# SPDX-License-Identifier: BSD-2-Clause
defmodule SensorApp.Application do
  @moduledoc """
  The sensor app: a reader of the native driver PD and the status page.

  Two levels of recovery meet here. Inside this PD, the supervisor restarts
  the reader when it crashes. The status page's listening socket, though,
  is handed in once per start of the PD (the `http` grant) and closes with
  the HTTP server that uses it, so a restarted server would have no socket:
  the server is a *significant* child, and when it ends the supervisor shuts
  down, the application stops, the VM exits, and the monitor's supervisor
  restarts the whole PD with its socket.
  """
  use Application
  @behaviour :supervisor

  @impl Application
  def start(_type, _args) do
    :supervisor.start_link({:local, SensorApp.Supervisor}, __MODULE__, [])
  end

  @impl :supervisor
  def init([]) do
    flags = %{strategy: :one_for_one, intensity: 3, period: 5, auto_shutdown: :any_significant}
    {:ok, {flags, [SensorApp.Reader.child_spec([]), SensorApp.Status.child_spec([])]}}
  end
end
