# SPDX-License-Identifier: BSD-2-Clause
# tests/monitor: PDs used by the monitor's integration tests (run.bats).
tests: $(B)/tests/monitor/probe.elf

# The unit test of a BEAM PD's distribution flags (monitor/beam.c).
$(B)/obj/host/tests/monitor/beam_dist.o: HOST_CFLAGS += $(shell pkg-config --cflags cmocka)

$(B)/tests/unit/monitor_beam_dist: $(B)/obj/host/tests/monitor/beam_dist.o \
		$(B)/obj/host/monitor/beam.o $(B)/obj/host/monitor/beam_config.o $(SANDBOX_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) $(SANDBOX_LIBS) $(shell pkg-config --libs cmocka)

tests: $(B)/tests/unit/monitor_beam_dist
