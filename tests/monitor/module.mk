# SPDX-License-Identifier: BSD-2-Clause
# tests/monitor: PDs used by the monitor's integration tests (run.bats).
all: $(B)/tests/monitor/probe.elf
