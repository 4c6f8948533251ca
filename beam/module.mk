# SPDX-License-Identifier: BSD-2-Clause
# beam/: the `cordon` Elixir library with its NIF, built into a ready OTP
# application directory, $(B)/lib/beam/cordon/{ebin,priv}: what a BEAM PD's
# <beam_app path> holds beside the application that uses it.  World-readable
# whatever the umask: a PD runs as nobody.
#
# The NIF is C built like PD code (PD_CFLAGS: -fPIC, UBSan in trap mode
# under SANITIZE=1; the BEAM has no sanitizer runtime) and linked with
# libcordon's boot code and ipc/, so it reads the same boot information
# through the same checks as a native PD.  The Elixir modules are compiled
# with elixirc (no mix, no Hex: the build needs nothing from the network).
# beam/cordon is also a mix project, for `mix test` (see its mix.exs).
ERL_ROOT     ?= /usr/lib/erlang
ERL_INCLUDE  := $(ERL_ROOT)/usr/include
ELIXIRC      ?= elixirc
NIF_SRCS     := $(wildcard beam/cordon/c_src/*.c)
NIF_OBJS     := $(patsubst %.c,$(B)/obj/pd/%.o,$(NIF_SRCS))
NIF_SO       := $(B)/lib/beam/cordon/priv/cordon_nif.so
CORDON_EX    := $(sort $(wildcard beam/cordon/lib/*.ex beam/cordon/lib/*/*.ex))
CORDON_APP   := $(B)/lib/beam/cordon/ebin/cordon.app

$(NIF_OBJS): PD_CFLAGS += -isystem $(ERL_INCLUDE)

# A shared object may leave symbols undefined, to be found at load time;
# only the VM's enif_* may be (and libc's), anything else is a link error
# the BEAM would report only when loading it inside a PD.
$(NIF_SO): $(NIF_OBJS) $(B)/obj/pd/libcordon/boot.o $(IPC_PD_OBJS) beam/module.mk \
		beam/cordon/c_src/exports.map
	@mkdir -p $(dir $@)
	$(CC) -shared $(PD_CFLAGS) -Wl,--version-script=beam/cordon/c_src/exports.map \
		$(filter %.o,$^) -o $@.tmp
	@undef=$$(nm -u $@.tmp | awk '$$1 == "U" && $$2 !~ /^enif_|@/ {print $$2}'); \
	if [ -n "$$undef" ]; then echo "$@: undefined symbols:" $$undef >&2; rm -f $@.tmp; exit 1; fi
	chmod a+rX $(dir $@) $@.tmp
	mv $@.tmp $@

# The .app lists the modules elixirc wrote; compiled into a fresh
# directory, so a module removed from the source is gone from the build.
$(CORDON_APP): $(CORDON_EX) beam/module.mk
	rm -rf $(B)/lib/beam/cordon/ebin.new
	@mkdir -p $(B)/lib/beam/cordon/ebin.new
	$(ELIXIRC) --warnings-as-errors -o $(B)/lib/beam/cordon/ebin.new $(CORDON_EX) >/dev/null
	$(call otp_app,$(B)/lib/beam/cordon/ebin.new,cordon,Cordon: channels$(comma) queues and regions of a BEAM protection domain,kernel$(comma)stdlib$(comma)elixir)
	chmod -R a+rX $(B)/lib/beam/cordon/ebin.new
	rm -rf $(B)/lib/beam/cordon/ebin
	mv $(B)/lib/beam/cordon/ebin.new $(B)/lib/beam/cordon/ebin

nif: $(NIF_SO)
beam: $(NIF_SO) $(CORDON_APP)
all: beam
.PHONY: nif beam
