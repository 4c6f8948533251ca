/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the fuzz targets: the canary that lets tests/fuzz/fuzz.bats
 * prove a smoke run fails when a target crashes.
 */
#ifndef CORDON_FUZZ_H
#define CORDON_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* With CORDON_FUZZ_CANARY set in the environment, an input starting with
 * "CORDON-CANARY" aborts, as a real finding would.  Never set otherwise. */
static inline void fuzz_canary(const uint8_t *data, size_t size)
{
	static int armed = -1;
	if (armed < 0)
		armed = getenv("CORDON_FUZZ_CANARY") != NULL;
	if (armed && size >= 13 && !memcmp(data, "CORDON-CANARY", 13))
		abort();
}

#endif
