/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Weak entry points for the ones a component leaves out.  init() has no
 * default: a PD without it does not link ("undefined reference to init").
 */
#include "libcordon/internal.h"

__attribute__((weak)) void notified(cordon_channel ch)
{
	lc_err("notified on channel %u, but this PD has no notified()", ch);
}

__attribute__((weak)) cordon_msginfo protected(cordon_channel ch, cordon_msginfo msginfo)
{
	lc_err("protected call on channel %u, but this PD has no protected()", ch);
	return cordon_msginfo_new(CORDON_LABEL_INVALID, 0);
}

__attribute__((weak)) int fault(cordon_child child, cordon_msginfo msginfo,
                                cordon_msginfo *reply_msginfo)
{
	lc_err("child %u faulted (signal %llu), but this PD has no fault(); it stays stopped",
	       child, (unsigned long long)cordon_msginfo_get_label(msginfo));
	return 0;
}

__attribute__((weak)) void peer_down(cordon_channel ch)
{
}

__attribute__((weak)) void peer_up(cordon_channel ch)
{
}
