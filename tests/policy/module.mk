# SPDX-License-Identifier: BSD-2-Clause
# tests/policy: unit tests of the monitor's pure parts, the PD lifecycle
# (monitor/lifecycle.c) and the supervision policy (monitor/policy.c).
POLICY_T_OBJS := $(B)/obj/host/monitor/lifecycle.o $(B)/obj/host/monitor/policy.o

$(B)/obj/host/tests/policy/%.o: HOST_CFLAGS += $(shell pkg-config --cflags cmocka)

$(B)/tests/unit/pd_lifecycle: $(B)/obj/host/tests/policy/lifecycle_test.o $(POLICY_T_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(shell pkg-config --libs cmocka)

$(B)/tests/unit/sup_policy: $(B)/obj/host/tests/policy/policy_test.o $(POLICY_T_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(shell pkg-config --libs cmocka)

tests: $(B)/tests/unit/pd_lifecycle $(B)/tests/unit/sup_policy
