# SPDX-License-Identifier: BSD-2-Clause
# fuzz/: libFuzzer targets for the hostile-input readers (docs/fuzzing.md).
#
#   fuzz-sdf    sdf_load() over arbitrary system descriptions
#   fuzz-end    ipc_poll/ipc_take_call/ipc_call/ipc_queue_recv/ipc_queue_send
#               against a scribbled peer page and rx ring
#   fuzz-boot   lc_boot_check() over arbitrary boot information
#
# Built with clang (-fsanitize=fuzzer,address,undefined) into $(B)/fuzz/,
# as part of `make tests`, and only when that compiler can link a fuzzer:
# the rest of the build never needs clang.  `make fuzz FUZZ_SECONDS=600`
# runs each target that long and merges what it found into
# fuzz/corpus/<target>/.
#
# The library sources are compiled a third time (after host/ and pd/) into
# obj/fuzz/, instrumented for coverage.  Their clang-only warnings are shown
# but not fatal there: gcc's -Werror build is the one that guards them, and
# a new clang warning in sdf/ must not break everyone's `make`.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=gnu11 -O1 -g -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) \
                -I$(TOP)/include -I$(TOP) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
                -Wno-format-nonliteral -DCORDON_FUZZING
FUZZ_LDFLAGS  = -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_TARGETS := fuzz-sdf fuzz-end fuzz-boot
# Merging into the committed corpus keeps an input only for a new edge, not
# for a new hit count of one (libFuzzer's counters): a few dozen to a few
# hundred small files per target.  The long runs themselves use counters.
FUZZ_MERGE_FLAGS ?= -use_counters=0

# Can $(FUZZ_CC) link a libFuzzer program with ASan and UBSan?  (clang and
# libclang-rt-14-dev on Debian 12.)  Probed once per make invocation.
FUZZ_OK := $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return d && n; }\n' | \
             $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1 && echo 1)

FUZZ_D := $(B)/fuzz
FUZZ_O := $(B)/obj/fuzz

# This file is read before ipc/ and sdf/ define SDF_SRCS and IPC_SRCS, and
# prerequisites are expanded when read: every .c of those folders is what
# those lists hold.
FUZZ_SDF_SRCS := $(wildcard sdf/*.c)
FUZZ_IPC_SRCS := $(wildcard ipc/*.c)
FUZZ_SDF_OBJS  := $(patsubst %.c,$(FUZZ_O)/%.o,$(FUZZ_SDF_SRCS) fuzz/sdf.c)
FUZZ_END_OBJS  := $(patsubst %.c,$(FUZZ_O)/%.o,$(FUZZ_IPC_SRCS) fuzz/end.c)
FUZZ_BOOT_OBJS := $(patsubst %.c,$(FUZZ_O)/%.o,$(FUZZ_IPC_SRCS) libcordon/boot.c fuzz/boot.c)

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_O)/sdf/%.o: FUZZ_CFLAGS += $(shell pkg-config --cflags libxml-2.0 libelf)
$(FUZZ_O)/fuzz/%.o: FUZZ_CFLAGS += -Werror

$(FUZZ_D)/fuzz-sdf: $(FUZZ_SDF_OBJS) | $(FUZZ_D)/images/pd.elf
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(SDF_LIBS)

$(FUZZ_D)/fuzz-end: $(FUZZ_END_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

$(FUZZ_D)/fuzz-boot: $(FUZZ_BOOT_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

# Program images the sdf corpus names, next to the fuzzer (fuzz/sdf.c looks
# in <its directory>/images): so descriptions get past the image checks into
# setvar resolution and the fixed-address overlap rules.  Built with $(CC),
# never run.
FUZZ_IMAGES := $(addprefix $(FUZZ_D)/images/,pd.elf pd-fixed.elf pd-aarch64.elf pd-object.elf \
                 pd-noexec.elf not-elf.elf)

$(FUZZ_D)/images/pd.elf: fuzz/image.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -fPIE -pie -o $@ $<

$(FUZZ_D)/images/pd-fixed.elf: fuzz/image.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -fno-PIE -no-pie -o $@ $<

# e_machine (2 bytes at offset 18) claims AArch64.
$(FUZZ_D)/images/pd-aarch64.elf: $(FUZZ_D)/images/pd.elf
	cp $< $@.tmp && printf '\267\000' | dd of=$@.tmp bs=1 seek=18 conv=notrunc status=none
	mv $@.tmp $@

$(FUZZ_D)/images/pd-object.elf: fuzz/image.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -c -o $@ $< && chmod 0755 $@

$(FUZZ_D)/images/pd-noexec.elf: $(FUZZ_D)/images/pd.elf
	cp $< $@ && chmod 0644 $@

$(FUZZ_D)/images/not-elf.elf: fuzz/image.c
	@mkdir -p $(dir $@)
	cp $< $@ && chmod 0755 $@

# Regenerates the boot seeds (fuzz/corpus/fuzz-boot/seed-*); see boot_seeds.c.
$(FUZZ_D)/boot-seeds: fuzz/boot_seeds.c ipc/abi.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -o $@ $<

ifeq ($(FUZZ_OK),1)
tests: fuzz-targets
fuzz-targets: $(addprefix $(FUZZ_D)/,$(FUZZ_TARGETS)) $(FUZZ_IMAGES)

# Long runs: each target FUZZ_SECONDS seconds from the committed corpus, new
# inputs collected in $(B)/fuzz/run/<target>/ (kept: the next run goes on
# from there), then merged (-merge=1: only inputs that add coverage) into
# fuzz/corpus/<target>/ for committing.
# A crash, leak or sanitizer report stops the run; the input is left in
# $(B)/fuzz/artifacts/.
fuzz: fuzz-targets
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_D)/run/$$t $(FUZZ_D)/artifacts; \
		echo "== $$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_D)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_D)/artifacts/$$t- $$(cat fuzz/$$t.options) \
			$(FUZZ_D)/run/$$t fuzz/corpus/$$t $$(ls -d fuzz/regress/$$t 2>/dev/null); \
		$(FUZZ_D)/$$t -merge=1 $(FUZZ_MERGE_FLAGS) $$(cat fuzz/$$t.options) \
			fuzz/corpus/$$t $(FUZZ_D)/run/$$t; \
	done

# Minimise the committed corpora from scratch (after a long run has grown
# them, or when a target changed what it reaches).
fuzz-cmin: fuzz-targets
	@set -e; for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_D)/cmin/$$t && mkdir -p $(FUZZ_D)/cmin/$$t; \
		$(FUZZ_D)/$$t -merge=1 $(FUZZ_MERGE_FLAGS) $$(cat fuzz/$$t.options) \
			$(FUZZ_D)/cmin/$$t fuzz/corpus/$$t; \
		rm -f fuzz/corpus/$$t/* && cp $(FUZZ_D)/cmin/$$t/* fuzz/corpus/$$t/; \
		echo "$$t: $$(ls fuzz/corpus/$$t | wc -l) inputs"; \
	done
else
# Said only when tests are built: `make` alone never needs clang.
ifneq ($(filter tests test fuzz%,$(MAKECMDGOALS)),)
$(info fuzz/: $(FUZZ_CC) cannot link libFuzzer with ASan+UBSan; fuzz targets not built (install clang libclang-rt-14-dev))
endif
fuzz fuzz-cmin fuzz-targets:
	@echo "fuzz/: needs clang with libFuzzer (Debian: clang libclang-rt-14-dev)" >&2; exit 1
endif

.PHONY: fuzz fuzz-cmin fuzz-targets
