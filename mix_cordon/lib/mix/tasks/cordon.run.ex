# SPDX-License-Identifier: BSD-2-Clause
defmodule Mix.Tasks.Cordon.Run do
  use Mix.Task

  @shortdoc "Builds the system if needed and boots it"

  @moduledoc """
  Builds the system image (as `mix cordon.build`) and boots it with
  `cordon run`, which verifies the image's signature with
  `keys/signing.pub` and every file's hash before it starts anything:

      mix cordon.run [--no-build]

  Every line of output is prefixed by the PD that wrote it. Ctrl-C opens
  the VM's BREAK menu, as in any mix task that serves; a second Ctrl-C (or
  `a`) ends mix, and with it the system: every PD is stopped cleanly.

    * `--no-build` — boot the image as it is
  """

  @impl true
  def run(args) do
    opts =
      case OptionParser.parse(args, strict: [build: :boolean]) do
        {opts, [], []} -> opts
        _ -> Mix.raise("usage: mix cordon.run [--no-build] (see mix help cordon.run)")
      end

    {p, t} =
      if Keyword.get(opts, :build, true),
        do: Mix.Tasks.Cordon.Build.build(),
        else: {CordonNew.Project.load!(), CordonNew.Toolchain.find!()}

    image = CordonNew.Project.image_dir(p)
    unless File.dir?(image), do: Mix.raise("no image in #{image}; run mix cordon.build")

    args = ["run", "--key", CordonNew.Project.public_key(p), "--name", p.name, image]
    status = CordonNew.Foreground.run(t.cordon, args, CordonNew.Toolchain.env(t))
    if status != 0, do: Mix.raise("cordon run exited with status #{status}")
  end
end
