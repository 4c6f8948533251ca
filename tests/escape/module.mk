# SPDX-License-Identifier: BSD-2-Clause
# tests/escape: the escape suite's PDs (attacker.c: one attack per PD, by
# name; target.c: the victim, the bystander and the checker), built like a
# user's PD (through cordon.pc) into $(B)/tests/escape/X.elf.
ESC_ELFS := $(patsubst tests/escape/%.c,$(B)/tests/escape/%.elf,$(wildcard tests/escape/*.c))

tests: $(ESC_ELFS)
