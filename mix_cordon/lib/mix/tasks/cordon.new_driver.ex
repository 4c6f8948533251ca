# SPDX-License-Identifier: BSD-2-Clause
defmodule Mix.Tasks.Cordon.NewDriver do
  use Mix.Task

  @shortdoc "Adds a native C driver PD to the system"

  @moduledoc """
  Adds a native driver PD in C to the system project in the current
  directory:

      mix cordon.new_driver NAME [--channel-to PD] [--priority N]

  Creates `drivers/NAME` (`NAME.c` and a Makefile building it with
  `pkg-config cordon`) and adds a `<protection_domain>` for it just before
  the description's `</system>`: the rest of the file, comments and
  formatting included, stays as it was.

    * `--channel-to PD` — also a channel between the new driver and PD, on
      which the driver may call PD (pp on the driver's end); the driver
      gets a priority below PD's, as protected calls go only to higher
      priorities
    * `--priority N` — the driver's priority (default 100, or PD's minus 10)

  Then `mix cordon.build` builds it and checks the description.
  """

  @impl true
  def run(args), do: CordonNew.AddPd.run(:driver, args)
end
