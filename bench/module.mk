# bench/: ipc-bench, Cordon IPC next to its baselines (issue 3, item 9).
#
#   make bench                 build and run it (BENCH_ARGS=--quick for a smoke run)
#   make bench-doc             run it in full and write its tables into
#                              docs/performance.md, between the bench markers
BENCH_SRCS := bench/main.c bench/harness.c bench/baseline.c bench/cases.c bench/copy.c \
              bench/ring.c bench/report.c
BENCH_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(BENCH_SRCS))

# The top Makefile includes the module.mk files in sorted order, so bench/
# comes before ipc/ and IPC_HOST_OBJS is still empty here: expand it a
# second time, once every file has been read.
.SECONDEXPANSION:
$(B)/bench/ipc-bench: $(BENCH_OBJS) $$(IPC_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -lm

all: $(B)/bench/ipc-bench

bench: $(B)/bench/ipc-bench
	$(B)/bench/ipc-bench $(BENCH_ARGS)

bench-doc: $(B)/bench/ipc-bench
	$(B)/bench/ipc-bench --markdown > $(B)/bench/table.md
	$(TOP)/bench/splice $(B)/bench/table.md $(TOP)/docs/performance.md

.PHONY: bench bench-doc
