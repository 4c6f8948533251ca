# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.Names do
  @moduledoc false

  # An OTP application name that is also a PD name: a-z first, then a-z,
  # 0-9, _ (what <beam_app app> accepts), and not one of the runtime's own
  # applications, which the release would shadow.
  @reserved ~w(cordon elixir eex ex_unit iex logger mix kernel stdlib compiler crypto
               ssl public_key inets sasl runtime_tools xmerl)

  def check!(name, what) do
    cond do
      not Regex.match?(~r/\A[a-z][a-z0-9_]{0,62}\z/, name) ->
        Mix.raise("""
        #{what} name #{inspect(name)} is not valid
        hint: a lowercase letter first, then lowercase letters, digits and _ (at most 63), e.g. my_app
        """)

      name in @reserved ->
        Mix.raise("#{what} name #{inspect(name)} is taken by Erlang, Elixir or Cordon; choose another")

      true ->
        name
    end
  end

  def module(name), do: Macro.camelize(name)
end
