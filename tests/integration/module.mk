# SPDX-License-Identifier: BSD-2-Clause
# tests/integration: PDs for whole-system tests, each tests/integration/X.c
# built like a user's PD (through cordon.pc) into $(B)/tests/integration/X.elf.
ITEST_ELFS := $(patsubst tests/integration/%.c,$(B)/tests/integration/%.elf,$(wildcard tests/integration/*.c))

tests: $(ITEST_ELFS)
