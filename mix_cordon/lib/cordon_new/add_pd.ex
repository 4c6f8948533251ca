# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.AddPd do
  @moduledoc """
  `mix cordon.new_app` and `mix cordon.new_driver`: a new PD's sources from
  the templates, and its elements inserted as text before `</system>`.
  """

  alias CordonNew.{Names, Project, Templates}

  def run(kind, args) do
    task = if kind == :app, do: "cordon.new_app", else: "cordon.new_driver"

    {opts, name} =
      case OptionParser.parse(args, strict: [channel_to: :string, priority: :integer]) do
        {opts, [name], []} -> {opts, name}
        {_, _, [{opt, _} | _]} -> Mix.raise("unknown or bad option #{opt} (see mix help #{task})")
        _ -> Mix.raise("expected one NAME: mix #{task} NAME [--channel-to PD]")
      end

    p = Project.load!()
    Names.check!(name, if(kind == :app, do: "app", else: "driver"))
    names = Project.pd_names(p)
    xml = File.read!(p.system)
    if name in names, do: Mix.raise("#{Path.basename(p.system)} has a protection domain #{name} already")
    src = Path.join(p.root, if(kind == :app, do: "apps/#{name}", else: "drivers/#{name}"))
    if File.exists?(src), do: Mix.raise("#{Path.relative_to_cwd(src)} exists already")

    peer = opts[:channel_to]

    if peer && peer not in names,
      do:
        Mix.raise(
          "--channel-to #{peer}: #{Path.basename(p.system)} has no protection domain #{peer} (it has: #{Enum.join(names, ", ")})"
        )

    prio = opts[:priority] || default_priority(kind, peer && priority_of(xml, peer))

    unless prio in 0..254, do: Mix.raise("--priority #{prio}: a priority is 0..254")

    mod = Names.module(name)
    common = [name: name, mod: mod, peer: peer, peer_fn: peer && CordonNew.Channels.ident(peer)]

    files =
      if kind == :app do
        # without a channel there is nothing to serve: no server, no test of it
        Templates.render("app", [app: name] ++ common)
        |> Enum.reject(fn {path, _} -> peer == nil and String.ends_with?(path, ["server.ex", "_test.exs"]) end)
      else
        Templates.render("driver", [driver: name] ++ common)
      end

    Templates.write!(files, p.root)

    body =
      if kind == :app,
        do: ~s(        <beam_app path="apps/#{name}" app="#{name}" />\n),
        else: ~s(        <program_image path="drivers/#{name}.elf" />\n)

    pd =
      ~s(    <protection_domain name="#{name}" priority="#{prio}">\n) <> body <> "    </protection_domain>\n"

    channel = if peer, do: channel_xml(kind, name, peer, next_id(xml, peer)), else: ""
    Project.insert_before_end!(p, pd <> channel)
    Mix.shell().info([:green, "* updating ", :reset, Path.relative_to_cwd(p.system)])
    CordonNew.Channels.generate!(Project.load!(p.root))
    Mix.shell().info("\nNext: mix cordon.build (builds #{name} and checks the description)")
  end

  defp default_priority(:app, nil), do: 150
  defp default_priority(:app, p), do: min(p + 10, 254)
  defp default_priority(:driver, nil), do: 100
  defp default_priority(:driver, p), do: max(p - 10, 0)

  # The caller's end is pp: the driver calls its peer; an app is called by its peer.
  defp channel_xml(:app, name, peer, peer_id),
    do:
      ~s(    <channel>\n        <end pd="#{peer}" id="#{peer_id}" pp="true" />\n        <end pd="#{name}" id="0" />\n    </channel>\n)

  defp channel_xml(:driver, name, peer, peer_id),
    do:
      ~s(    <channel>\n        <end pd="#{name}" id="0" pp="true" />\n        <end pd="#{peer}" id="#{peer_id}" />\n    </channel>\n)

  defp priority_of(xml, pd) do
    case Regex.run(~r/<protection_domain\b[^>]*\bname="#{Regex.escape(pd)}"[^>]*>/, xml) do
      [tag] ->
        case Regex.run(~r/\bpriority="(\d+)"/, tag) do
          [_, n] -> String.to_integer(n)
          nil -> 0
        end

      nil ->
        0
    end
  end

  # The lowest channel id the PD does not use yet.
  defp next_id(xml, pd) do
    used =
      for [tag] <- Regex.scan(~r/<end\b[^>]*>/, xml),
          Regex.match?(~r/\bpd="#{Regex.escape(pd)}"/, tag),
          [_, id] <- [Regex.run(~r/\bid="(\d+)"/, tag)],
          do: String.to_integer(id)

    Enum.find(0..62, &(&1 not in used)) || Mix.raise("#{pd} uses every channel id (0..62) already")
  end
end
