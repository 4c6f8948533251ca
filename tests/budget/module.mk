# SPDX-License-Identifier: BSD-2-Clause
# tests/budget: the budget unit test (host) and the PD of the budget
# integration tests, built like a user's PD (through cordon.pc).
# Paths are built in PATH_MAX buffers from a short temporary directory.
$(B)/obj/host/tests/budget/unit.o: HOST_CFLAGS += $(shell pkg-config --cflags cmocka) -Wno-format-truncation

$(B)/tests/unit/budget: $(B)/obj/host/tests/budget/unit.o $(BUDGET_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(shell pkg-config --libs cmocka)

tests: $(B)/tests/budget/pd.elf $(B)/tests/unit/budget
