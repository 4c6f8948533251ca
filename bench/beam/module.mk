# SPDX-License-Identifier: BSD-2-Clause
# bench/beam: beam-bench, BEAM PDs next to baselines from the same run
# (docs/performance.md, "BEAM PDs"), with what it runs in
# $(B)/bench/beam: the native PDs (target.elf, ncaller.elf) and lib/, the
# applications a BEAM PD loads (beambench with the port program in its
# priv/, beamstart, and a copy of the cordon library).
#
#   make bench-beam          build and run it (BEAM_BENCH_ARGS=--quick for a
#                            smoke run; BENCH_ARGS applies too)
#   make bench-doc-beam      run it in full and write its tables into
#                            docs/performance.md, between the bench:beam markers
BEAM_BENCH_OWN  := bench/beam/main.c bench/beam/calls.c bench/beam/cpu.c bench/beam/start.c \
                   bench/beam/proc.c
BEAM_BENCH_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(BEAM_BENCH_OWN) bench/harness.c bench/report.c)
BB_DIR          := $(B)/bench/beam
BB_CORDON_SRC   := $(B)/lib/beam/cordon
BEAM_BENCH_FILES := $(BB_DIR)/target.elf $(BB_DIR)/ncaller.elf \
                    $(BB_DIR)/lib/beambench/ebin/beambench.app \
                    $(BB_DIR)/lib/beambench/priv/port_echo \
                    $(BB_DIR)/lib/beamstart/ebin/beamstart.app \
                    $(BB_DIR)/lib/cordon/ebin/cordon.app

# The NIF's spin bound, read from its header so the report and the header
# cannot disagree.
NIF_CALL_SPIN_NS := $(shell sed -n 's/^\#define NIF_CALL_SPIN_NS *\([0-9]*\)u*.*/\1/p' \
                      beam/cordon/c_src/nif.h)
$(patsubst %.c,$(B)/obj/host/%.o,$(BEAM_BENCH_OWN)): HOST_CFLAGS += -DNIF_SPIN_NS=$(NIF_CALL_SPIN_NS)
$(patsubst %.c,$(B)/obj/host/%.o,$(BEAM_BENCH_OWN)): beam/cordon/c_src/nif.h bench/beam/module.mk

# start.c builds the VM's command line as the monitor does (monitor/beam.c)
# from a description it loads (sdf/; the monitor asks sandbox/ for the
# libraries of NIFs).
$(B)/bench/beam-bench: $(BEAM_BENCH_OBJS) $(B)/obj/host/monitor/beam.o $(B)/obj/host/monitor/beam_config.o $(SDF_OBJS) $(SANDBOX_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(SDF_LIBS) $(SANDBOX_LIBS) -lm

$(BB_DIR)/%.elf: bench/beam/pd/%.c $(PD_IMAGE_DEPS)
	$(pd_image)

# The port program runs in the BEAM PD's root, which holds beam.smp's
# libraries and nothing chosen for it: static.  No sanitizer: it is the
# baseline, a plain C program.
$(BB_DIR)/lib/beambench/priv/port_echo: bench/beam/port_echo.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -static $< -o $@

# The applications, compiled with elixirc as beam/module.mk compiles cordon
# (ELIXIRC is set there), each into a fresh ebin.
$(BB_DIR)/lib/beambench/ebin/beambench.app: bench/beam/app/beambench.ex \
		$(BB_CORDON_SRC)/ebin/cordon.app bench/beam/module.mk
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(ELIXIRC) --warnings-as-errors -pa $(BB_CORDON_SRC)/ebin -o $(dir $@) $< >/dev/null
	$(call otp_app,$(dir $@),beambench,beam-bench,kernel$(comma)stdlib$(comma)elixir$(comma)cordon,Elixir.BeamBench)

$(BB_DIR)/lib/beamstart/ebin/beamstart.app: bench/beam/app/beamstart.ex bench/beam/module.mk
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(ELIXIRC) --warnings-as-errors -o $(dir $@) $< >/dev/null
	$(call otp_app,$(dir $@),beamstart,beam-bench start probe,kernel$(comma)stdlib$(comma)elixir,Elixir.BeamStart)

# The cordon library beside the application, as a user's release holds it.
$(BB_DIR)/lib/cordon/ebin/cordon.app: $(BB_CORDON_SRC)/ebin/cordon.app \
		$(BB_CORDON_SRC)/priv/cordon_nif.so
	rm -rf $(BB_DIR)/lib/cordon && mkdir -p $(BB_DIR)/lib
	cp -R $(BB_CORDON_SRC) $(BB_DIR)/lib/cordon

tests: $(B)/bench/beam-bench $(BEAM_BENCH_FILES)

BEAM_BENCH_ARGS ?= $(BENCH_ARGS)
BEAM_BENCH_DEPS := $(B)/bench/beam-bench $(BEAM_BENCH_FILES) $(B)/bin/cordon

bench-beam: $(BEAM_BENCH_DEPS)
	$(B)/bench/beam-bench $(BEAM_BENCH_ARGS)

bench-doc-beam: $(BEAM_BENCH_DEPS)
	$(B)/bench/beam-bench --markdown > $(B)/bench/beam.md
	$(TOP)/bench/splice $(B)/bench/beam.md $(TOP)/docs/performance.md beam

bench: bench-beam
bench-doc: bench-doc-beam

.PHONY: bench-beam bench-doc-beam
