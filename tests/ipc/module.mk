# SPDX-License-Identifier: BSD-2-Clause
# tests/ipc: unit tests of ipc/ (host build, so ASan with SANITIZE=1).
IPCT_HARNESS := $(B)/obj/host/tests/ipc/pair.o
CMOCKA_LIBS  := $(shell pkg-config --libs cmocka)

$(B)/tests/unit/ipc_%: $(B)/obj/host/tests/ipc/%_test.o $(IPCT_HARNESS) $(IPC_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

tests: $(B)/tests/unit/ipc_chan $(B)/tests/unit/ipc_hostile $(B)/tests/unit/ipc_spin \
     $(B)/tests/unit/ipc_queue
.SECONDARY: $(IPCT_HARNESS)
