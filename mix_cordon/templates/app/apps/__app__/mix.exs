defmodule <%= @mod %>.MixProject do
  use Mix.Project

  # An app of a Cordon system: `mix cordon.build` (at the system's top)
  # makes a prod release of it (Debian's ERTS, so include_erts: false) and
  # puts its applications in the system image.
  def project do
    [
      app: :<%= @app %>,
      version: "0.1.0",
      elixir: "~> 1.14",
      config_path: "../../config/config.exs",
      build_embedded: true,
      start_permanent: Mix.env() == :prod,
      deps: [{:cordon, path: cordon_lib()}],
      # outside a PD the app cannot reach its channels: tests call its
      # functions without starting it
      aliases: [test: "test --no-start"],
      releases: [<%= @app %>: [include_erts: false, include_executables_for: [], strip_beams: true]]
    ]
  end

  def application do
    [mod: {<%= @mod %>.Application, []}, extra_applications: [:logger]]
  end

  # The cordon library of the Cordon checkout in CORDON_HOME, or wherever
  # the cordon archive's toolchain lookup finds it.
  defp cordon_lib do
    home =
      System.get_env("CORDON_HOME") ||
        (Code.ensure_loaded?(CordonNew.Toolchain) && CordonNew.Toolchain.find!().home) ||
        Mix.raise("set CORDON_HOME to a built Cordon checkout, or install the cordon archive")

    Path.join(home, "beam/cordon")
  end
end
