# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.Foreground do
  @moduledoc """
  Runs a program that owns the terminal's output for as long as mix runs,
  and stops it cleanly when mix ends.

  A port program runs in a session of its own (erl_child_setup), so the
  terminal's Ctrl-C reaches only the VM, never the program, and a VM that
  ends leaves it running. So the program runs under a small shell that
  holds the port's pipe (fd 3, `nouse_stdio`): when the VM ends, however
  it ends, the pipe closes and the shell sends the program SIGINT, its
  orderly stop. The program writes straight to the terminal (fds 0-2 are
  the VM's), so nothing it prints after the VM is gone is lost.
  """

  @watch ~S"""
  "$@" &
  pid=$!
  { cat <&3 >/dev/null; kill -INT "$pid" 2>/dev/null; } &
  wait "$pid"
  """

  @doc "Runs exe with args and env; its exit status."
  def run(exe, args, env) do
    port =
      Port.open({:spawn_executable, System.find_executable("sh")}, [
        :nouse_stdio,
        :exit_status,
        args: ["-c", @watch, "cordon-run", exe | args],
        env: for({k, v} <- env, do: {String.to_charlist(k), String.to_charlist(v)})
      ])

    receive do
      {^port, {:exit_status, status}} -> status
    end
  end
end
