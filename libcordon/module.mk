# SPDX-License-Identifier: BSD-2-Clause
# libcordon/: the native PD runtime, $(B)/lib/libcordon.a (with ipc/ built
# for PDs), its public headers in $(B)/include and cordon.pc in
# $(B)/lib/pkgconfig, so `cc pd.c $(pkg-config --cflags --libs cordon)`
# builds a PD against the build tree.  LC_HOST_OBJS are the same sources
# built for host unit tests (everything but main.c and microkit.c).
LC_SRCS      := $(wildcard libcordon/*.c)
LC_PD_OBJS   := $(patsubst %.c,$(B)/obj/pd/%.o,$(LC_SRCS))
LC_HOST_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(filter-out libcordon/main.c libcordon/microkit.c,$(LC_SRCS)))
LC_HEADERS   := include/cordon.h include/microkit.h

# Write cordon.pc for a prefix: $(call lc_pc,PREFIX,FILE)
lc_pc = printf '%s\n' 'prefix=$(1)' 'includedir=$${prefix}/include' 'libdir=$${prefix}/lib' '' \
	'Name: cordon' 'Description: Cordon native protection-domain runtime (libcordon)' \
	'Version: 0.1' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lcordon' >$(2)

$(B)/lib/libcordon.a: $(LC_PD_OBJS) $(IPC_PD_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/include/%.h: include/%.h
	@mkdir -p $(dir $@)
	cp $< $@

# The build tree's cordon.pc names no absolute path: pkg-config puts the
# file's own directory in ${pcfiledir}, so a copied or moved build still
# builds PDs against itself, never against the tree it was made in.
$(B)/lib/pkgconfig/cordon.pc: libcordon/module.mk $(addprefix $(B)/,$(LC_HEADERS))
	@mkdir -p $(dir $@)
	$(call lc_pc,$${pcfiledir}/../..,$@)

all: $(B)/lib/libcordon.a $(B)/lib/pkgconfig/cordon.pc

install: install-lib
install-lib: $(B)/lib/libcordon.a
	install -D -m 0644 include/cordon.h $(DESTDIR)$(PREFIX)/include/cordon.h
	install -D -m 0644 include/microkit.h $(DESTDIR)$(PREFIX)/include/microkit.h
	install -D -m 0644 $(B)/lib/libcordon.a $(DESTDIR)$(PREFIX)/lib/libcordon.a
	@mkdir -p $(DESTDIR)$(PREFIX)/lib/pkgconfig
	$(call lc_pc,$(PREFIX),$(DESTDIR)$(PREFIX)/lib/pkgconfig/cordon.pc)
.PHONY: install-lib
