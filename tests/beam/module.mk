# SPDX-License-Identifier: BSD-2-Clause
# tests/beam: the native PDs the cordon library's tests talk to (peer, the
# callee; client, a caller of the BEAM PD), built like a user's PD.
BEAM_TEST_PDS := $(B)/tests/beam/peer.elf $(B)/tests/beam/client.elf

tests: $(BEAM_TEST_PDS)
