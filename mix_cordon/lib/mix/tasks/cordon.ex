# SPDX-License-Identifier: BSD-2-Clause
defmodule Mix.Tasks.Cordon do
  use Mix.Task

  @shortdoc "Lists the tasks of Cordon's system development"

  @moduledoc """
  Lists the tasks of the cordon archive:

      mix cordon

  Cordon builds systems of isolated protection domains: Elixir apps on the
  BEAM and native drivers in C. Start with `mix cordon.new NAME`.
  """

  @impl true
  def run(args) do
    if args != [], do: Mix.raise("mix cordon takes no arguments (see mix help cordon)")
    Application.load(:cordon_new)
    vsn = Application.spec(:cordon_new, :vsn)

    Mix.shell().info("Cordon v#{vsn}: secure, self-healing systems of isolated protection domains\n")

    tasks = [
      {"cordon.new NAME", Mix.Tasks.Cordon.New},
      {"cordon.build", Mix.Tasks.Cordon.Build},
      {"cordon.run", Mix.Tasks.Cordon.Run},
      {"cordon.new_app NAME", Mix.Tasks.Cordon.NewApp},
      {"cordon.new_driver NAME", Mix.Tasks.Cordon.NewDriver}
    ]

    width = tasks |> Enum.map(&String.length(elem(&1, 0))) |> Enum.max()

    for {usage, mod} <- tasks do
      Mix.shell().info("  mix #{String.pad_trailing(usage, width)}  # #{Mix.Task.shortdoc(mod)}")
    end

    Mix.shell().info("\nFurther help: mix help TASK")
  end
end
