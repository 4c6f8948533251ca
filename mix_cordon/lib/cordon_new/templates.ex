# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.Templates do
  @moduledoc """
  The generators' templates (mix_cordon/templates), read at compile time so
  the archive carries them. Three sets: `new` (a system project's top), `app`
  (an Elixir app PD) and `driver` (a native driver PD). File names hold
  `__name__`, `__app__` or `__driver__`, replaced by the assigns of the same
  name; contents are EEx. A trailing `.eex` is dropped (`__driver__.c.eex`:
  no tool of the repository takes the template for C).
  """

  root = Path.expand("../../templates", __DIR__)

  files =
    root
    |> Path.join("**/*")
    |> Path.wildcard(match_dot: true)
    |> Enum.filter(&File.regular?/1)
    |> Enum.sort()

  for f <- files, do: @external_resource(f)

  @templates (for f <- files do
                [set | rest] = Path.split(Path.relative_to(f, root))
                {set, Path.join(rest), File.read!(f)}
              end)

  @doc "The files of template set `set` (\"new\", \"app\", \"driver\") rendered with assigns: [{path, content}]."
  def render(set, assigns) do
    for {^set, path, content} <- @templates do
      path =
        Enum.reduce([:name, :app, :driver], path, fn key, p ->
          case Keyword.fetch(assigns, key) do
            {:ok, v} -> String.replace(p, "__#{key}__", to_string(v))
            :error -> p
          end
        end)

      {String.replace_suffix(path, ".eex", ""), EEx.eval_string(content, assigns: assigns)}
    end
  end

  @doc "Writes rendered files under dir with Mix.Generator (it says what it creates)."
  def write!(files, dir) do
    for {path, content} <- files do
      Mix.Generator.create_file(Path.join(dir, path), content, force: false, quiet: false)
    end

    :ok
  end
end
