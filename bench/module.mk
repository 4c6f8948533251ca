# SPDX-License-Identifier: BSD-2-Clause
# bench/: the benchmarks (docs/performance.md).
#
#   ipc-bench    Cordon IPC next to its baselines
#   pd-bench     recovery time and the cost of the sandbox, with its PDs
#                in $(B)/bench/pd
#   bench/flood  (a script, run by hand) another PD's restart and
#                `cordon ps` under an output flood, against a quiet system
#
#   make bench                 build and run both (BENCH_ARGS=--quick for a
#                              smoke run; PD_BENCH_ARGS for pd-bench alone)
#   make bench-doc             run both in full and write their tables into
#                              docs/performance.md, between the bench markers
#   make bench-doc-pd          the same for pd-bench's tables only
BENCH_SRCS := bench/main.c bench/harness.c bench/baseline.c bench/cases.c bench/chan.c \
              bench/copy.c bench/ring.c bench/report.c
BENCH_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(BENCH_SRCS))
PD_BENCH_SRCS := bench/pdmain.c bench/start.c bench/seccomp.c bench/recovery.c \
                 bench/harness.c bench/chan.c bench/report.c
PD_BENCH_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(PD_BENCH_SRCS))
# The bench's PDs, built like a user's PD (through cordon.pc), and the
# system that runs them, beside them so `cordon run -L` finds them.
PD_BENCH_PDS := $(patsubst bench/pd/%.c,$(B)/bench/pd/%.elf,$(wildcard bench/pd/*.c)) \
                $(B)/bench/pd/recovery.system

$(B)/bench/ipc-bench: $(BENCH_OBJS) $(IPC_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -lm

$(B)/bench/pd-bench: $(PD_BENCH_OBJS) $(IPC_HOST_OBJS) $(SANDBOX_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(SANDBOX_LIBS) -lm

$(B)/bench/pd/recovery.system: bench/pd/recovery.system
	@mkdir -p $(dir $@)
	cp $< $@

tests: $(B)/bench/ipc-bench $(B)/bench/pd-bench $(PD_BENCH_PDS)

PD_BENCH_ARGS ?= $(BENCH_ARGS)
PD_BENCH_DEPS := $(B)/bench/pd-bench $(PD_BENCH_PDS) $(B)/bin/cordon

bench: $(B)/bench/ipc-bench $(PD_BENCH_DEPS)
	$(B)/bench/ipc-bench $(BENCH_ARGS)
	$(B)/bench/pd-bench $(PD_BENCH_ARGS)

bench-doc: $(B)/bench/ipc-bench bench-doc-pd
	$(B)/bench/ipc-bench --markdown > $(B)/bench/table.md
	$(TOP)/bench/splice $(B)/bench/table.md $(TOP)/docs/performance.md

bench-doc-pd: $(PD_BENCH_DEPS)
	$(B)/bench/pd-bench --markdown --only recovery > $(B)/bench/recovery.md
	$(B)/bench/pd-bench --markdown --only sandbox > $(B)/bench/sandbox.md
	$(TOP)/bench/splice $(B)/bench/recovery.md $(TOP)/docs/performance.md recovery
	$(TOP)/bench/splice $(B)/bench/sandbox.md $(TOP)/docs/performance.md sandbox

.PHONY: bench bench-doc bench-doc-pd

# beam-bench (BEAM PDs): its own file, bench/beam/module.mk.
include bench/beam/module.mk
