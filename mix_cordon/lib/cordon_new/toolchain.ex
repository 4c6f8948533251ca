# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.Toolchain do
  @moduledoc """
  Finds the Cordon toolchain a system project builds with: the `cordon`
  command, the pkg-config directory of `cordon.pc` (native drivers), the
  `cordon` Elixir library (apps depend on it by path) and the build whose
  NIF it copies.

  Looked up in this order, the first that answers wins:

    1. `CORDON_HOME`: a Cordon checkout, built with `make`
       (`$CORDON_HOME/build/bin/cordon`); `CORDON_BUILD` may name another
       build directory of it (`build-asan`);
    2. `cordon` on `PATH` (`CHECKOUT/build/bin/cordon`);
    3. `pkg-config cordon` (its `prefix` is `CHECKOUT/build`).

  Generated projects hold no path of the checkout: `CORDON_HOME` is the one
  setting, and without it the lookup above runs again in every build.
  """

  defstruct [:home, :build, :cordon, :pkg_config_path, :lib, :found_by]

  @doc "The toolchain, or raises Mix.Error saying what was tried."
  def find! do
    case find() do
      {:ok, t} -> t
      {:error, tried} -> Mix.raise(not_found(tried))
    end
  end

  def find do
    tries = [&from_home/0, &from_path/0, &from_pkg_config/0]

    Enum.reduce_while(tries, {:error, []}, fn try, {:error, tried} ->
      case try.() do
        {:ok, t} -> {:halt, {:ok, t}}
        {:error, why} -> {:cont, {:error, tried ++ [why]}}
      end
    end)
  end

  defp from_home do
    case System.get_env("CORDON_HOME") do
      nil -> {:error, "CORDON_HOME is not set"}
      "" -> {:error, "CORDON_HOME is empty"}
      home -> checkout(Path.expand(home), "CORDON_HOME=#{home}")
    end
  end

  defp from_path do
    case System.find_executable("cordon") do
      nil ->
        {:error, "no cordon on PATH"}

      exe ->
        # CHECKOUT/BUILD/bin/cordon
        real = resolve(exe)

        checkout(real |> Path.dirname() |> Path.dirname() |> Path.dirname(), "PATH (#{exe})",
          build: real |> Path.dirname() |> Path.dirname()
        )
    end
  end

  defp from_pkg_config do
    with exe when exe != nil <- System.find_executable("pkg-config"),
         {prefix, 0} <- System.cmd(exe, ["--variable=prefix", "cordon"], stderr_to_stdout: true) do
      build = String.trim(prefix)
      checkout(Path.dirname(build), "pkg-config cordon (prefix #{build})", build: build)
    else
      nil -> {:error, "no pkg-config"}
      {_, _} -> {:error, "pkg-config knows no cordon"}
    end
  end

  defp checkout(home, how, opts \\ []) do
    build = opts[:build] || Path.expand(System.get_env("CORDON_BUILD") || Path.join(home, "build"))

    cordon = Path.join(build, "bin/cordon")
    lib = Path.join(home, "beam/cordon")

    cond do
      not File.regular?(Path.join(lib, "mix.exs")) ->
        {:error, "#{how}: #{home} is not a Cordon checkout (no beam/cordon/mix.exs)"}

      not File.regular?(cordon) ->
        {:error, "#{how}: #{cordon} does not exist (run make in #{home})"}

      true ->
        {:ok,
         %__MODULE__{
           home: home,
           build: build,
           cordon: cordon,
           pkg_config_path: Path.join(build, "lib/pkgconfig"),
           lib: lib,
           found_by: how
         }}
    end
  end

  defp resolve(path) do
    case File.read_link(path) do
      {:ok, target} -> resolve(Path.expand(target, Path.dirname(path)))
      {:error, _} -> path
    end
  end

  defp not_found(tried) do
    """
    cannot find the Cordon toolchain; tried:
    #{Enum.map_join(tried, "\n", &"  - #{&1}")}
    hint: build Cordon (make) and set CORDON_HOME to its checkout, e.g.
          export CORDON_HOME=$HOME/src/cordon
    """
  end

  @doc "The environment every tool of the build runs with."
  def env(%__MODULE__{} = t) do
    pc =
      Enum.join(Enum.reject([t.pkg_config_path, System.get_env("PKG_CONFIG_PATH")], &(&1 in [nil, ""])), ":")

    [{"CORDON_HOME", t.home}, {"CORDON_BUILD", t.build}, {"PKG_CONFIG_PATH", pc}]
  end

  @doc "Runs the toolchain's `cordon` with args; {output, status}."
  def cordon(%__MODULE__{} = t, args, opts \\ []) do
    System.cmd(t.cordon, args, [stderr_to_stdout: true, env: env(t)] ++ opts)
  end

  @doc "The Cordon ABI version the toolchain speaks (`cordon version`)."
  def abi!(%__MODULE__{} = t) do
    {out, 0} = cordon(t, ["version"])

    case Regex.run(~r/\babi (\d+)\b/, out) do
      [_, n] -> String.to_integer(n)
      nil -> Mix.raise("#{t.cordon} version says no ABI version (#{String.trim(out)}); rebuild Cordon")
    end
  end
end
