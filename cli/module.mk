# SPDX-License-Identifier: BSD-2-Clause
# cli/: the `cordon` command.  It links every host-side component.
CLI_OBJS := $(B)/obj/host/cli/cordon.o
HOST_COMPONENT_OBJS = $(SDF_OBJS) $(MONITOR_OBJS) $(SANDBOX_OBJS) $(IPC_HOST_OBJS) $(BUDGET_OBJS)
HOST_COMPONENT_LIBS = $(shell pkg-config --libs libxml-2.0 libseccomp libelf libdw)

$(B)/obj/host/cli/cordon.o: HOST_CFLAGS += -DCORDON_EXAMPLES_DIR='"$(B)/examples"'

$(B)/bin/cordon: $(CLI_OBJS) $(HOST_COMPONENT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_COMPONENT_LIBS)

all: $(B)/bin/cordon

install: install-cli
install-cli: $(B)/bin/cordon
	install -D -m 0755 $(B)/bin/cordon $(DESTDIR)$(PREFIX)/bin/cordon
.PHONY: install-cli
