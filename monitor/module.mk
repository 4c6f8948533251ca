# SPDX-License-Identifier: BSD-2-Clause
# monitor/: the root task.  Linked into the `cordon` binary by cli/module.mk.
MONITOR_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(wildcard monitor/*.c))

$(B)/obj/host/monitor/%.o: HOST_CFLAGS += $(shell pkg-config --cflags libseccomp)
