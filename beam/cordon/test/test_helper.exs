# SPDX-License-Identifier: BSD-2-Clause
# The tests run real systems with `cordon run` (see test/support/system.ex):
# each test file in test/pd/ is an ExUnit file run *inside* a BEAM PD,
# against native PDs (tests/beam/peer.c, tests/beam/client.c); the host
# side checks that every in-PD test passed.
ExUnit.start(timeout: 300_000)
