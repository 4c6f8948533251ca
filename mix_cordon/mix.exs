# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.MixProject do
  use Mix.Project

  # The Mix archive of Cordon's developer workflow: `mix cordon.new`,
  # `cordon.build`, `cordon.run`, `cordon.new_app`, `cordon.new_driver`.
  # No dependencies (nothing can come from Hex); the templates are read at
  # compile time (CordonNew.Templates), so the archive is one .ez file.
  # Build and install it with `make archive` and `mix_cordon/install`.
  def project do
    [
      app: :cordon_new,
      version: "0.1.0",
      elixir: "~> 1.14",
      elixirc_options: [warnings_as_errors: true],
      deps: []
    ]
  end

  def application, do: [extra_applications: [:eex, :crypto, :xmerl]]
end
