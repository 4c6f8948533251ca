# SPDX-License-Identifier: BSD-2-Clause
# tests/supervise: PDs for the supervision and soak tests, built like a
# user's PD (through cordon.pc) into $(B)/tests/supervise/X.elf.
SUPT_ELFS := $(patsubst tests/supervise/%.c,$(B)/tests/supervise/%.elf,$(wildcard tests/supervise/*.c))

tests: $(SUPT_ELFS)
