# SPDX-License-Identifier: BSD-2-Clause
defmodule Mix.Tasks.Cordon.NewApp do
  use Mix.Task

  @shortdoc "Adds an Elixir app PD to the system"

  @moduledoc """
  Adds an Elixir app PD to the system project in the current directory:

      mix cordon.new_app NAME [--channel-to PD] [--priority N]

  Creates `apps/NAME` (a mix project with a supervisor and a
  `Cordon.Server`, and a test) and adds a `<protection_domain>` for it just
  before the description's `</system>`: the rest of the file, comments and
  formatting included, stays as it was.

    * `--channel-to PD` — also a channel between PD and the new app, on
      which PD may call the app (pp on PD's end); the app gets a priority
      above PD's, as protected calls go only to higher priorities
    * `--priority N` — the app's priority (default 150, or PD's plus 10)

  Then `mix cordon.build` builds it and checks the description.
  """

  @impl true
  def run(args), do: CordonNew.AddPd.run(:app, args)
end
