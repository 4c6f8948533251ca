# SPDX-License-Identifier: BSD-2-Clause
# examples/: each examples/NAME/PD.c is one native PD, built the way a user
# would build it, through cordon.pc, into $(B)/examples/NAME/PD.elf, so
# `cordon run -L build/examples examples/NAME/NAME.system` finds them.
EXAMPLE_SRCS := $(wildcard examples/*/*.c)
EXAMPLE_ELFS := $(patsubst examples/%.c,$(B)/examples/%.elf,$(EXAMPLE_SRCS))

all: $(EXAMPLE_ELFS)
