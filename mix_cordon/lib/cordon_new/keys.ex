# SPDX-License-Identifier: BSD-2-Clause
defmodule CordonNew.Keys do
  @moduledoc """
  Ed25519 image signing keys, made and used with OTP's `:crypto`. Both
  halves are files of 64 lowercase hex digits and a newline: the public key
  (32 bytes) and the private key's seed (32 bytes), the form `cordon run
  --key` reads for the public one.
  """

  @doc "Makes a key pair: pub_path (0644) and priv_path (0600, never overwritten)."
  def generate!(pub_path, priv_path) do
    if File.exists?(priv_path), do: Mix.raise("#{priv_path} exists already; not overwriting a signing key")
    {pub, priv} = :crypto.generate_key(:eddsa, :ed25519)
    File.mkdir_p!(Path.dirname(priv_path))
    # created 0600 before the secret is written: never readable by others
    File.write!(priv_path, "")
    File.chmod!(priv_path, 0o600)
    File.write!(priv_path, Base.encode16(priv, case: :lower) <> "\n")
    File.write!(pub_path, Base.encode16(pub, case: :lower) <> "\n")
    :ok
  end

  def sign!(data, priv_path) do
    priv = read!(priv_path, "private")
    :crypto.sign(:eddsa, :none, data, [priv, :ed25519])
  end

  defp read!(path, what) do
    text =
      case File.read(path) do
        {:ok, t} -> String.trim(t)
        {:error, why} -> Mix.raise("cannot read the #{what} signing key #{path}: #{:file.format_error(why)}")
      end

    case Base.decode16(text, case: :mixed) do
      {:ok, <<key::binary-size(32)>>} -> key
      _ -> Mix.raise("#{path}: not an Ed25519 #{what} key (64 hex digits)")
    end
  end
end
