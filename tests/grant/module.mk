# SPDX-License-Identifier: BSD-2-Clause
# tests/grant: the PD of the grant tests (pd.c: what it does depends on its
# name), built like a user's PD (through cordon.pc) into
# $(B)/tests/grant/pd.elf.
$(B)/tests/grant/pd.elf: tests/grant/pd.c $(B)/lib/libcordon.a $(B)/lib/pkgconfig/cordon.pc
	@mkdir -p $(dir $@)
	$(CC) $(PD_CFLAGS) $< $$($(CORDON_PC) --cflags --libs cordon) -o $@

tests: $(B)/tests/grant/pd.elf
