# SPDX-License-Identifier: BSD-2-Clause
# examples/cluster: two Elixir applications, each in its own BEAM PD, built
# into the code directory their <beam_app path="cluster/lib"> names:
#
#   $(B)/examples/cluster/lib/producer/ebin   app/producer, with its .app
#   $(B)/examples/cluster/lib/keeper/ebin     app/keeper, with its .app
#   $(B)/examples/cluster/lib/cordon          a copy of the cordon library
#
# Each directory is built beside its place and moved in, world-readable (a
# PD runs as nobody), as examples/sensor/module.mk does.
CLUSTER_LIB    := $(B)/examples/cluster/lib
CLUSTER_APPS   := $(CLUSTER_LIB)/producer/ebin/producer.app $(CLUSTER_LIB)/keeper/ebin/keeper.app
CLUSTER_CORDON := $(CLUSTER_LIB)/cordon/priv/cordon_nif.so

# One rule per application ($(1)), from its one source file and .app.src.
define CLUSTER_APP_RULE
$(CLUSTER_LIB)/$(1)/ebin/$(1).app: examples/cluster/app/$(1)/$(1).ex \
		examples/cluster/app/$(1)/$(1).app.src examples/cluster/module.mk $(CORDON_APP)
	rm -rf $(CLUSTER_LIB)/$(1)/ebin.new
	@mkdir -p $(CLUSTER_LIB)/$(1)/ebin.new
	$(ELIXIRC) --warnings-as-errors -pa $(B)/lib/beam/cordon/ebin \
		-o $(CLUSTER_LIB)/$(1)/ebin.new examples/cluster/app/$(1)/$(1).ex >/dev/null
	mods=$$$$(cd $(CLUSTER_LIB)/$(1)/ebin.new && ls *.beam | sed "s/\.beam$$$$//; s/.*/'&'/" | paste -sd,); \
	sed "s/{modules, \[\]}/{modules, [$$$$mods]}/" examples/cluster/app/$(1)/$(1).app.src \
		>$(CLUSTER_LIB)/$(1)/ebin.new/$(1).app
	chmod a+rX $(B)/examples/cluster $(CLUSTER_LIB) $(CLUSTER_LIB)/$(1)
	chmod -R a+rX $(CLUSTER_LIB)/$(1)/ebin.new
	rm -rf $(CLUSTER_LIB)/$(1)/ebin
	mv $(CLUSTER_LIB)/$(1)/ebin.new $(CLUSTER_LIB)/$(1)/ebin
endef
$(foreach app,producer keeper,$(eval $(call CLUSTER_APP_RULE,$(app))))

$(CLUSTER_CORDON): $(CORDON_APP) $(NIF_SO) examples/cluster/module.mk
	rm -rf $(CLUSTER_LIB)/cordon.new
	@mkdir -p $(CLUSTER_LIB)/cordon.new
	cp -R $(B)/lib/beam/cordon/ebin $(B)/lib/beam/cordon/priv $(CLUSTER_LIB)/cordon.new/
	chmod a+rX $(B)/examples/cluster $(CLUSTER_LIB)
	chmod -R a+rX $(CLUSTER_LIB)/cordon.new
	rm -rf $(CLUSTER_LIB)/cordon
	mv $(CLUSTER_LIB)/cordon.new $(CLUSTER_LIB)/cordon

cluster: $(CLUSTER_APPS) $(CLUSTER_CORDON)
all: cluster
.PHONY: cluster
