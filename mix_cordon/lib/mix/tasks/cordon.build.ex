# SPDX-License-Identifier: BSD-2-Clause
defmodule Mix.Tasks.Cordon.Build do
  use Mix.Task

  @shortdoc "Builds the system's signed, content-addressed image"

  @moduledoc """
  Builds the system image of the project in the current directory:

      mix cordon.build

  Every app (`apps/APP`) is released for prod (`mix release`, Debian's
  ERTS), with `config/config.exs` evaluated into its `sys.config` and
  `config/runtime.exs` beside it; every driver (`drivers/DRIVER`) is built
  with its Makefile through `pkg-config cordon`; the description is checked
  with `cordon check`. The image, `_cordon/image`, holds every file by its
  SHA-256 and a manifest (path, size, SHA-256 of each file; OTP, Elixir and
  Cordon ABI versions) signed with `keys/signing.key` (Ed25519). Two builds
  of the same sources give the same manifest.

  Prints the manifest's SHA-256 last. `cordon run --key keys/signing.pub
  _cordon/image` boots it; `mix cordon.run` does both.
  """

  @impl true
  def run(args) do
    case OptionParser.parse(args, strict: []) do
      {_, [], []} -> build()
      _ -> Mix.raise("mix cordon.build takes no arguments (see mix help cordon.build)")
    end
  end

  @doc false
  def build do
    p = CordonNew.Project.load!()
    t = CordonNew.Toolchain.find!()
    {us, hash} = :timer.tc(fn -> CordonNew.Image.build!(p, t) end)

    Mix.shell().info(
      "image #{Path.relative_to_cwd(CordonNew.Project.image_dir(p))}: manifest sha256 #{hash} (#{div(us, 1000)} ms)"
    )

    {p, t}
  end
end
