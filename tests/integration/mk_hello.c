/* SPDX-License-Identifier: BSD-2-Clause */
/* Microkit's hello example, as a Microkit user writes it: only <microkit.h>. */
#include <stdint.h>
#include <microkit.h>

void init(void)
{
	microkit_dbg_puts("hello, world\n");
}

void notified(microkit_channel ch)
{
}
