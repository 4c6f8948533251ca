# SPDX-License-Identifier: BSD-2-Clause
defmodule Cordon.MixProject do
  use Mix.Project

  # The library for BEAM protection domains. Its NIF is C, built by the
  # Cordon Makefile (`make` at the top of the repository), never by mix:
  # the compiler below only copies the built NIF into priv/, so the build
  # needs nothing from Hex. CORDON_BUILD names the build directory
  # (default: the repository's build/). priv/ is in git (empty but for
  # .gitkeep) so that mix links it into _build before the compilers run:
  # a priv/ first made by the compiler would be missing from a fresh
  # clone's first build.
  def project do
    [
      app: :cordon,
      version: "0.1.0",
      elixir: "~> 1.14",
      compilers: [:cordon_nif | Mix.compilers()],
      elixirc_paths: elixirc_paths(Mix.env()),
      elixirc_options: [warnings_as_errors: true],
      deps: []
    ]
  end

  def application, do: [extra_applications: []]

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_), do: ["lib"]
end

defmodule Mix.Tasks.Compile.CordonNif do
  @shortdoc "Copies the cordon NIF built by Cordon's Makefile into priv/"
  @moduledoc false
  use Mix.Task.Compiler

  @impl true
  def run(_args) do
    build = System.get_env("CORDON_BUILD") || Path.expand("../../build", __DIR__)
    so = Path.join(build, "lib/beam/cordon/priv/cordon_nif.so")

    if File.exists?(so) do
      File.mkdir_p!("priv")
      File.cp!(so, "priv/cordon_nif.so")
      # With build_embedded (a release, a BEAM PD) mix copied priv/ into
      # _build before this compiler ran: that copy holds whatever NIF was
      # there before, perhaps another build's. Copy this one there too.
      built = Path.join(Mix.Project.app_path(), "priv")

      if File.dir?(built) and not match?({:ok, _}, File.read_link(built)),
        do: File.cp!(so, Path.join(built, "cordon_nif.so"))

      {:ok, []}
    else
      Mix.shell().error("""
      cordon: #{so} does not exist.
      hint: build Cordon first: `make` at the top of the repository
            (or set CORDON_BUILD to the build directory to use).
      """)

      {:error, []}
    end
  end
end
