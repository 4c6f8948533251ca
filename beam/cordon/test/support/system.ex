# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.Test.System do
  @moduledoc """
  Runs ExUnit files inside a BEAM PD of a real system, with `cordon run`.

  The system (`system/0`) has the BEAM PD `tests` (the application
  `pdtests`: the runner in test/pd/runner.ex and the chosen test files in
  its priv directory), a native callee `peer` and a native caller
  `client`. `run/1` boots it, waits for `tests` to end, stops the system
  and returns `{tests_exit_status, output}`.
  """

  @deadline_ms 240_000

  def top, do: Path.expand("../../../..", __DIR__)
  def build, do: System.get_env("CORDON_BUILD") || Path.join(top(), "build")

  @doc """
  Boots the system with `files` (names in test/pd) as the in-PD tests.
  Options: `grant_port:` gives the PD `tests` a tcp_listen grant "echo" on
  127.0.0.1 at that port; `on_line:` is called with each output line, in
  the calling process (to act from the host while the PD runs);
  `dist: true` boots `dist_system/0` instead, and `on_line` may then call
  `kill_pd/1` to kill a PD of it with SIGKILL.
  """
  def run(files, opts \\ []) do
    dir = app_dir(files, opts)

    try do
      boot(Path.join(dir, "tests.system"), Keyword.get(opts, :on_line, fn _ -> :ok end))
    after
      File.rm_rf!(dir)
    end
  end

  # A world-readable directory (PDs run as nobody) under the build.
  defp app_dir(files, opts) do
    base = Path.join(build(), "tests/beam")
    File.mkdir_p!(base)
    dir = Path.join(base, "mix-#{System.unique_integer([:positive])}")
    lib = Path.join(dir, "lib")
    ebin = Path.join(lib, "pdtests/ebin")
    priv = Path.join(lib, "pdtests/priv")
    File.mkdir_p!(ebin)
    File.mkdir_p!(priv)
    File.cp_r!(Path.join(build(), "lib/beam/cordon"), Path.join(lib, "cordon"))

    pd_dir = Path.join(top(), "beam/cordon/test/pd")
    {_, 0} = System.cmd("elixirc", ["-o", ebin, Path.join(pd_dir, "runner.ex")])
    for f <- files, do: File.cp!(Path.join(pd_dir, f), Path.join(priv, f))

    File.write!(Path.join(ebin, "pdtests.app"), """
    {application,pdtests,[{description,"cordon in-PD tests"},{vsn,"0.1"},
     {modules,['Elixir.CordonPdTests']},{registered,[]},
     {applications,[kernel,stdlib,crypto,elixir,ex_unit,cordon]},
     {mod,{'Elixir.CordonPdTests',[]}}]}.
    """)

    system = if opts[:dist], do: dist_system(), else: system(opts[:grant_port])
    File.write!(Path.join(dir, "tests.system"), system)
    {_, 0} = System.cmd("chmod", ["-R", "a+rX", dir])
    dir
  end

  @doc "The system description the in-PD tests run in."
  def system(grant_port \\ nil) do
    tb = Path.join(build(), "tests/beam")

    grant =
      if grant_port,
        do: ~s(<grant name="echo" type="tcp_listen" port="#{grant_port}" />),
        else: ""

    """
    <system>
      <memory_region name="shared" size="0x4000" />
      <memory_region name="big" size="0x400000" />
      <memory_region name="ro" size="0x1000" />
      <protection_domain name="peer" priority="200">
        <program_image path="#{tb}/peer.elf" />
        <map mr="shared" vaddr="0x20000000" perms="rw" setvar_vaddr="shared" />
      </protection_domain>
      <protection_domain name="tests" priority="100" restart="temporary">
        <beam_app path="lib" app="pdtests" />
        <map mr="shared" vaddr="0x20000000" perms="rw" />
        <map mr="big" vaddr="0x30000000" perms="rw" />
        <map mr="ro" vaddr="0x40000000" perms="r" />
        #{grant}
      </protection_domain>
      <protection_domain name="client" priority="50">
        <program_image path="#{tb}/client.elf" />
      </protection_domain>
      <channel>
        <end pd="tests" id="0" pp="true" notify="true" queue_size="0x4000" />
        <end pd="peer" id="0" notify="true" queue_size="0x4000" />
      </channel>
      <channel>
        <end pd="tests" id="1" notify="true" />
        <end pd="client" id="0" pp="true" notify="true" queue_size="0x1000" />
      </channel>
    </system>
    """
  end

  @doc """
  Two BEAM PDs of the application `pdtests`, joined by a distribution link:
  `tests` (node `pdtests@tests`) runs the in-PD tests, `other` (node
  `pdtests@other`, restarted when it dies) runs `dist_peer.ex` from the
  priv directory. `lonely` (`pdtests@lonely`) has a link to `other` only,
  so `tests` has no way to it.
  """
  def dist_system do
    """
    <system>
      <protection_domain name="tests" priority="100" restart="temporary">
        <beam_app path="lib" app="pdtests" />
      </protection_domain>
      <protection_domain name="other" priority="100">
        <beam_app path="lib" app="pdtests" />
      </protection_domain>
      <protection_domain name="lonely" priority="100">
        <beam_app path="lib" app="pdtests" />
      </protection_domain>
      <channel dist="true">
        <end pd="tests" id="0" queue_size="0x100000" />
        <end pd="other" id="0" queue_size="0x100000" />
      </channel>
      <channel dist="true">
        <end pd="lonely" id="0" queue_size="0x40000" />
        <end pd="other" id="1" queue_size="0x40000" />
      </channel>
    </system>
    """
  end

  @doc "Kills PD `pd` of the system being run (from an `on_line` callback)."
  def kill_pd(pd) do
    name = Process.get(:cordon_system_name)
    {out, 0} = System.cmd(Path.join(build(), "bin/cordon"), ["ps", "-s", name])

    pid =
      out
      |> String.split("\n")
      |> Enum.find_value(fn line ->
        case String.split(line) do
          [^pd | rest] -> Enum.find_value(rest, &(Regex.match?(~r/^[0-9]+$/, &1) && &1))
          _ -> nil
        end
      end)

    {_, 0} = System.cmd("kill", ["-KILL", pid])
    :ok
  end

  # Run `cordon run`, follow its output until the tests PD ended, then
  # stop the system (SIGTERM) and collect the rest.
  defp boot(system, on_line) do
    cordon = Path.join(build(), "bin/cordon")
    name = "mix-#{System.unique_integer([:positive])}-#{System.pid()}"
    Process.put(:cordon_system_name, name)

    port =
      Port.open({:spawn_executable, cordon}, [
        :binary,
        :exit_status,
        :stderr_to_stdout,
        {:line, 4096},
        # a name of its own: `cordon run` refuses a second system of one
        # name, and other suites may run a tests.system of their own
        # -L: the examples' program images live in the build tree
        args: ["run", "--name", name, "-L", Path.join(build(), "examples"), system]
      ])

    {:os_pid, os_pid} = Port.info(port, :os_pid)
    deadline = System.monotonic_time(:millisecond) + @deadline_ms
    follow(port, os_pid, deadline, on_line, [], nil)
  end

  defp follow(port, os_pid, deadline, on_line, acc, status) do
    left = max(deadline - System.monotonic_time(:millisecond), 0)

    receive do
      {^port, {:data, {_, line}}} ->
        now = status || tests_ended(line) || stop_asked(on_line.(line))
        # SIGTERM once, when the end is first seen; the system stops.
        if now && is_nil(status), do: System.cmd("kill", ["-TERM", "#{os_pid}"])
        follow(port, os_pid, deadline, on_line, [line | acc], now)

      {^port, {:exit_status, _}} ->
        {status || :no_exit_seen, acc |> Enum.reverse() |> Enum.join("\n")}
    after
      left ->
        System.cmd("kill", ["-KILL", "#{os_pid}"])
        {:timeout, acc |> Enum.reverse() |> Enum.join("\n")}
    end
  end

  # on_line may end the run itself by returning {:stop, status}.
  defp stop_asked({:stop, status}), do: status
  defp stop_asked(_), do: nil

  @doc """
  Boots the system description at `path` (with the build's examples on the
  search path, `-L BUILD/examples`), calls `on_line` with each output line until
  it returns `{:stop, status}`, then stops the system. Returns `{status,
  output}` (`:timeout` if it never asked to stop).
  """
  def boot_file(path, on_line), do: boot(path, on_line)

  defp tests_ended(line) do
    cond do
      m = Regex.run(~r/^MON\|INFO: pd=tests exited status=(\d+)/, line) ->
        String.to_integer(Enum.at(m, 1))

      String.starts_with?(line, "MON|FAULT: pd=tests ") ->
        {:fault, line}

      true ->
        nil
    end
  end
end
