# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.Project do
  @moduledoc """
  A system project as `mix cordon.new` lays it out:

      NAME.system            the system description (the only *.system at the top)
      config/config.exs      build-time configuration of every app
      config/runtime.exs     configuration evaluated in each app's PD at boot
      apps/APP/              an Elixir app PD: a mix project (image: apps/APP)
      drivers/DRIVER/        a native driver PD: a Makefile making DRIVER.elf
                             (image: drivers/DRIVER.elf)
      keys/signing.pub       the image signing key's public half
      keys/signing.key       its private half (git-ignored)
      _cordon/               build output: _cordon/image is the signed image
  """

  defstruct [:root, :name, :system, :apps, :drivers]

  @doc "The project in dir (default: the current directory), or raises saying why."
  def load!(dir \\ File.cwd!()) do
    root = Path.expand(dir)

    system =
      case Path.wildcard(Path.join(root, "*.system")) do
        [one] ->
          one

        [] ->
          Mix.raise("""
          no system description (*.system) in #{root}
          hint: run this at the top of a system project (mix cordon.new NAME makes one)
          """)

        many ->
          Mix.raise(
            "more than one system description in #{root}: #{Enum.map_join(many, ", ", &Path.basename/1)}; a project has one"
          )
      end

    %__MODULE__{
      root: root,
      name: Path.basename(system, ".system"),
      system: system,
      apps: subdirs(root, "apps", "mix.exs"),
      drivers: subdirs(root, "drivers", "Makefile")
    }
  end

  defp subdirs(root, kind, marker) do
    root
    |> Path.join("#{kind}/*/#{marker}")
    |> Path.wildcard()
    |> Enum.map(&(&1 |> Path.dirname() |> Path.basename()))
    |> Enum.sort()
  end

  def image_dir(%__MODULE__{root: r}), do: Path.join(r, "_cordon/image")
  def public_key(%__MODULE__{root: r}), do: Path.join(r, "keys/signing.pub")
  def private_key(%__MODULE__{root: r}), do: Path.join(r, "keys/signing.key")

  @doc "Names of the description's protection domains, in order."
  def pd_names(%__MODULE__{system: s}) do
    Regex.scan(~r/<protection_domain\b[^>]*\bname="([^"]+)"/, File.read!(s), capture: :all_but_first)
    |> List.flatten()
  end

  @doc """
  Inserts text before the description's closing `</system>`: an edit of the
  text, so the user's formatting and comments stay as they are.
  """
  def insert_before_end!(%__MODULE__{system: s}, text) do
    xml = File.read!(s)

    case :binary.matches(xml, "</system>") do
      [] ->
        Mix.raise("#{Path.basename(s)}: no </system> to add before")

      matches ->
        {at, _} = List.last(matches)
        {head, tail} = String.split_at(xml, at)

        head =
          String.trim_trailing(head, " ") |> then(&if(String.ends_with?(&1, "\n"), do: &1, else: &1 <> "\n"))

        File.write!(s, head <> text <> tail)
    end
  end
end
