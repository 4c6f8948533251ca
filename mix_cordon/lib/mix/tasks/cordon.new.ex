# SPDX-License-Identifier: BSD-2-Clause
defmodule Mix.Tasks.Cordon.New do
  use Mix.Task

  @shortdoc "Creates a system project: an Elixir app PD and a C driver PD"

  @moduledoc """
  Creates a Cordon system project in directory NAME:

      mix cordon.new NAME

  It holds:

    * `NAME.system`, the system description: the app PD `NAME` and the
      driver PD `sensor`, joined by a channel on which the driver calls the
      app;
    * `apps/NAME`, the Elixir app: a mix project depending on the `cordon`
      library, with a supervisor and a `Cordon.Server`, and a test;
    * `drivers/sensor`, the native driver in C, built with `pkg-config cordon`;
    * `config/config.exs` and `config/runtime.exs`, as in a release;
    * `keys/signing.pub` and `keys/signing.key`, an Ed25519 key pair that
      signs the image; the private key is git-ignored;
    * a README and a `.gitignore`.

  NAME is a lowercase letter, then lowercase letters, digits and `_`.
  Then: `cd NAME && mix cordon.run`.
  """

  alias CordonNew.{Keys, Names, Templates}

  @impl true
  def run(args) do
    case OptionParser.parse(args, strict: []) do
      {_, [name], []} -> create(name)
      {_, [], []} -> Mix.raise("expected the project's NAME: mix cordon.new NAME")
      {_, _, [{opt, _} | _]} -> Mix.raise("unknown option #{opt} (see mix help cordon.new)")
      {_, _, _} -> Mix.raise("expected one NAME: mix cordon.new NAME")
    end
  end

  defp create(name) do
    Names.check!(name, "project")
    dir = Path.expand(name)

    if File.exists?(dir) do
      Mix.raise("#{name} exists already; choose another name or remove it")
    end

    mod = Names.module(name)

    files =
      Templates.render("new", name: name, mod: mod) ++
        Templates.render("app", name: name, mod: mod, app: name, peer: "sensor", peer_fn: "sensor") ++
        Templates.render("driver",
          name: name,
          mod: mod,
          driver: "sensor",
          peer: name,
          peer_fn: CordonNew.Channels.ident(name)
        )

    Templates.write!(files, dir)
    CordonNew.Channels.generate!(CordonNew.Project.load!(dir))
    Keys.generate!(Path.join(dir, "keys/signing.pub"), Path.join(dir, "keys/signing.key"))
    Mix.shell().info([:green, "* creating ", :reset, "keys/signing.pub, keys/signing.key"])

    Mix.shell().info("""

    Your system #{name} is ready:

        cd #{name}
        mix cordon.run        # build the signed image and boot it; Ctrl-C twice stops it

    The image signing key's private half is #{Path.join(dir, "keys/signing.key")}:
    git-ignored, keep it safe. Cordon is found through CORDON_HOME, else
    `cordon` on PATH, else `pkg-config cordon`.
    """)
  end
end
