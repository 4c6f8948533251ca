# SPDX-License-Identifier: BSD-2-Clause
# Cordon — one non-recursive build for everything.
#
#   make                      build into build/ what running needs (CLI, libcordon,
#                             pkg-config file, the BEAM library, examples): only
#                             the run dependencies (scripts/deps)
#   make tests                also what the test suite needs: unit tests (cmocka),
#                             test PDs, benchmarks, fuzz targets (scripts/deps --test)
#   make SANITIZE=1 tests     the same with ASan+UBSan into build-asan/
#   make test                 build tests, then run the whole suite (plain);
#                             `make test SANITIZE=1` under sanitizers
#   make install PREFIX=/usr/local
#
# Each component folder contributes a module.mk fragment; this file only holds
# the common flags and rules.  See README.md for why Make.

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD    ?= build-asan
SAN_HOST  = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Code that runs inside a sandboxed PD cannot load the ASan runtime (it needs
# /proc, which a PD does not have), so PD-side code gets UBSan in trap mode:
# no runtime, a SIGILL fault on undefined behaviour.  The same code runs under
# full ASan in the unit tests, outside the sandbox.
SAN_PD    = -fsanitize=undefined -fsanitize-undefined-trap-on-error
else
BUILD    ?= build
SAN_HOST  =
SAN_PD    =
endif

PREFIX  ?= /usr/local
CC      ?= cc
TOP     := $(abspath .)
B       := $(abspath $(BUILD))

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wno-unused-parameter
BASE_CFLAGS = -std=gnu11 -O2 -g -D_GNU_SOURCE $(WARN) -I$(TOP)/include -I$(TOP)
HOST_CFLAGS = $(BASE_CFLAGS) $(SAN_HOST)
HOST_LDFLAGS = $(SAN_HOST)
PD_CFLAGS   = $(BASE_CFLAGS) -fPIC $(SAN_PD)

HOST_LIBS_XML     := $(shell pkg-config --cflags --libs libxml-2.0 2>/dev/null)
HOST_LIBS_SECCOMP := $(shell pkg-config --libs libseccomp 2>/dev/null)

all:
# Everything the test suite runs.  A module adds here, never to `all`, what
# needs a test dependency (cmocka, clang, bats): `all` must build on a machine
# with only the run dependencies (scripts/fresh-machine checks it).
tests: all

# Keep every intermediate object: without this, objects only named through
# pattern rules are deleted after the link and rebuilt on the next make.
.SECONDARY:

# Objects built for the host programs (monitor, CLI, tests) and for PDs.
$(B)/obj/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/pd/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(PD_CFLAGS) -MMD -MP -c $< -o $@

# Components first, and after them the CLI and the BEAM library's NIF,
# which link the others: a rule's prerequisites are expanded when it is
# read, so the object lists it names must be defined by then.
include $(sort $(filter-out cli/module.mk beam/module.mk,$(wildcard */module.mk)))
include cli/module.mk beam/module.mk
include $(sort $(wildcard tests/*/module.mk) $(wildcard examples/*/module.mk))

# A build made in another tree (this checkout copied or moved) holds that
# tree's paths: its dependency files name the other tree's sources, and test
# programs their fixtures' directories.  Make would find it up to date and
# run the other tree; a build here starts it afresh instead.  $(B)/.top
# records where a build was made.
BUILT_IN := $(shell cat $(B)/.top 2>/dev/null)
ifneq ($(BUILT_IN),$(TOP))
ifneq ($(BUILT_IN),)
# Removed only where this Makefile puts builds itself; a BUILD= elsewhere
# is the user's to clear.
ifeq ($(filter $(TOP)/build $(TOP)/build-asan,$(B)),)
$(error $(B) was built in $(BUILT_IN), not in this checkout ($(TOP)); remove it, or build elsewhere)
endif
$(info $(B) was built in $(BUILT_IN), not in this checkout ($(TOP)): building it afresh)
$(shell rm -rf '$(B)')
endif
$(shell mkdir -p $(B) && echo '$(TOP)' >$(B)/.top)
endif

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

test: tests
	$(TOP)/tests/run $(if $(filter 1,$(SANITIZE)),--sanitize)

clean:
	rm -rf build build-asan

.PHONY: all tests test clean install
