# SPDX-License-Identifier: BSD-2-Clause
# sdf/: parse and validate system descriptions (libxml2, libelf).
SDF_SRCS := sdf/sdf.c sdf/parse.c sdf/validate.c sdf/elf.c sdf/diag.c sdf/summary.c sdf/beam.c \
            sdf/readable.c sdf/appfile.c
SDF_OBJS := $(SDF_SRCS:%.c=$(B)/obj/host/%.o)
SDF_LIBS  = $(shell pkg-config --libs libxml-2.0 libelf)

$(B)/obj/host/sdf/%.o: HOST_CFLAGS += $(shell pkg-config --cflags libxml-2.0 libelf)

# cli/module.mk names $(SDF_OBJS) in its link rule before this file is read
# (modules are included in alphabetical order), so declare the dependency
# here too; $^ in its recipe picks these up.
$(B)/bin/cordon: $(SDF_OBJS)
