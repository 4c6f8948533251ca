# monitor/: the root task.  Linked into the `cordon` binary by cli/module.mk.
MONITOR_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(wildcard monitor/*.c))
