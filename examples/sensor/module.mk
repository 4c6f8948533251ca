# SPDX-License-Identifier: BSD-2-Clause
# examples/sensor: the driver (driver.c) is built by examples/module.mk;
# this builds the Elixir app PD's code directory, what its
# <beam_app path="sensor/lib"> names:
#
#   $(B)/examples/sensor/lib/sensor_app/ebin   the app, compiled with elixirc,
#                                              and its .app (from app/sensor_app.app.src)
#   $(B)/examples/sensor/lib/cordon            a copy of the cordon library
#                                              ($(B)/lib/beam/cordon: ebin, priv)
#
# A copy, not a symlink: the PD mounts only that directory.  The PD runs as
# nobody, so everything is made world-readable.  Each directory is built
# beside its place and moved in, as beam/module.mk does, so a removed module
# is gone from the build.
SENSOR_LIB    := $(B)/examples/sensor/lib
SENSOR_EX     := $(sort $(wildcard examples/sensor/app/lib/*.ex examples/sensor/app/lib/*/*.ex))
SENSOR_APP    := $(SENSOR_LIB)/sensor_app/ebin/sensor_app.app
SENSOR_CORDON := $(SENSOR_LIB)/cordon/priv/cordon_nif.so

# -pa: the app calls the cordon library, which elixirc checks exists
$(SENSOR_APP): $(SENSOR_EX) examples/sensor/app/sensor_app.app.src examples/sensor/module.mk \
		$(CORDON_APP)
	rm -rf $(SENSOR_LIB)/sensor_app/ebin.new
	@mkdir -p $(SENSOR_LIB)/sensor_app/ebin.new
	$(ELIXIRC) --warnings-as-errors -pa $(B)/lib/beam/cordon/ebin \
		-o $(SENSOR_LIB)/sensor_app/ebin.new $(SENSOR_EX) >/dev/null
	mods=$$(cd $(SENSOR_LIB)/sensor_app/ebin.new && ls *.beam | sed "s/\.beam$$//; s/.*/'&'/" | paste -sd,); \
	sed "s/{modules, \[\]}/{modules, [$$mods]}/" examples/sensor/app/sensor_app.app.src \
		>$(SENSOR_LIB)/sensor_app/ebin.new/sensor_app.app
	chmod a+rX $(B)/examples/sensor $(SENSOR_LIB) $(SENSOR_LIB)/sensor_app
	chmod -R a+rX $(SENSOR_LIB)/sensor_app/ebin.new
	rm -rf $(SENSOR_LIB)/sensor_app/ebin
	mv $(SENSOR_LIB)/sensor_app/ebin.new $(SENSOR_LIB)/sensor_app/ebin

$(SENSOR_CORDON): $(CORDON_APP) $(NIF_SO) examples/sensor/module.mk
	rm -rf $(SENSOR_LIB)/cordon.new
	@mkdir -p $(SENSOR_LIB)/cordon.new
	cp -R $(B)/lib/beam/cordon/ebin $(B)/lib/beam/cordon/priv $(SENSOR_LIB)/cordon.new/
	chmod a+rX $(B)/examples/sensor $(SENSOR_LIB)
	chmod -R a+rX $(SENSOR_LIB)/cordon.new
	rm -rf $(SENSOR_LIB)/cordon
	mv $(SENSOR_LIB)/cordon.new $(SENSOR_LIB)/cordon

sensor: $(B)/examples/sensor/driver.elf $(SENSOR_APP) $(SENSOR_CORDON)
all: sensor
.PHONY: sensor
