# SPDX-License-Identifier: BSD-2-Clause
# mix_cordon/: the Mix archive of the developer workflow (mix cordon.new,
# cordon.build, cordon.run, ...), built with `mix archive.build` into
# $(B)/mix/cordon_new-0.1.0.ez; `mix_cordon/install [MIX_HOME]` installs
# it.  Its _build lives in the build directory, not in the source tree.
# Built only when mix is there (Debian's elixir).
MIX_CORDON_EZ  := $(B)/mix/cordon_new-0.1.0.ez
MIX_CORDON_SRC := $(shell find mix_cordon/lib mix_cordon/templates -type f 2>/dev/null) mix_cordon/mix.exs

$(MIX_CORDON_EZ): $(MIX_CORDON_SRC) mix_cordon/module.mk
	@mkdir -p $(B)/mix/new
	cd mix_cordon && MIX_BUILD_PATH=$(B)/mix/_build MIX_ENV=prod mix archive.build --no-deps-check \
		-o $(B)/mix/new/$(notdir $@) >/dev/null
	mv $(B)/mix/new/$(notdir $@) $@

archive: $(MIX_CORDON_EZ)
ifneq ($(shell command -v mix 2>/dev/null),)
all: archive
endif
.PHONY: archive
