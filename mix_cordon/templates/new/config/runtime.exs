# Evaluated inside each app's PD when it boots, before the app starts, as
# a release's runtime.exs: values that belong to the device, not the build.
import Config

config :<%= @name %>, greeting: "hello from runtime.exs"
