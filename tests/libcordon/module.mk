# SPDX-License-Identifier: BSD-2-Clause
# tests/libcordon: libcordon's own files built for the host (ASan with
# SANITIZE=1), tested without a sandbox; the test plays the monitor.
$(B)/tests/unit/libcordon_%: $(B)/obj/host/tests/libcordon/%_test.o $(LC_HOST_OBJS) $(IPC_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(shell pkg-config --libs cmocka)

tests: $(B)/tests/unit/libcordon_boot
