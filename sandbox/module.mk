# SPDX-License-Identifier: BSD-2-Clause
# sandbox/: the Linux backend of the kernel role (namespaces, an empty
# read-only root, no privileges, seccomp).  Host code only: linked into the
# `cordon` binary by cli/module.mk and into the sandbox unit test.
SANDBOX_SRCS := sandbox/spawn.c sandbox/plan.c sandbox/deps.c sandbox/policy.c \
                sandbox/policy_native.c sandbox/policy_beam.c \
                sandbox/notify.c
SANDBOX_OBJS := $(SANDBOX_SRCS:%.c=$(B)/obj/host/%.o)
SANDBOX_LIBS  = $(shell pkg-config --libs libseccomp libelf)

$(B)/obj/host/sandbox/%.o: HOST_CFLAGS += $(shell pkg-config --cflags libseccomp libelf)

# cli/module.mk names $(SANDBOX_OBJS) in its link rule before this file is
# read (modules are included in alphabetical order): declare it here too.
$(B)/bin/cordon: $(SANDBOX_OBJS)
