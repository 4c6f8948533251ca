# Build-time configuration of the system's apps, as in a mix release:
# `mix cordon.build` evaluates it (MIX_ENV prod) into each app's sys.config,
# which the VM of its PD loads at boot (application environment, Logger).
import Config

config :<%= @name %>, factor: 2

config :logger, level: :info
