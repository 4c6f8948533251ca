# SPDX-License-Identifier: BSD-2-Clause
# tests/monitor: PDs used by the monitor's integration tests (run.bats).
tests: $(B)/tests/monitor/probe.elf
