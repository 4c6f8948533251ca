# SPDX-License-Identifier: BSD-2-Clause
# tests/monitor: PDs used by the monitor's integration tests (run.bats).
$(B)/tests/monitor/probe.elf: tests/monitor/probe.c $(B)/lib/libcordon.a $(B)/lib/pkgconfig/cordon.pc
	@mkdir -p $(dir $@)
	$(CC) $(PD_CFLAGS) $< $$($(CORDON_PC) --cflags --libs cordon) -o $@

tests: $(B)/tests/monitor/probe.elf
