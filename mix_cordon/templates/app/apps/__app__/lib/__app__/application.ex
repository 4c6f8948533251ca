defmodule <%= @mod %>.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    greeting = Application.get_env(:<%= @app %>, :greeting, "hello")
    factor = Application.get_env(:<%= @app %>, :factor, 1)
    IO.puts("<%= @app %>: #{greeting}, factor #{factor}")

<%= if @peer do %>    children = [{<%= @mod %>.Server, factor}]<% else %>    # give it a channel (mix cordon.new_app --channel-to PD) and serve it:
    #   children = [{<%= @mod %>.Server, factor}]
    children = []<% end %>
    Supervisor.start_link(children, strategy: :one_for_one, name: <%= @mod %>.Supervisor)
  end
end
