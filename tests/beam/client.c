/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A native PD that calls the BEAM PD (beam/cordon/test): on a notification
 * from it, a protected call with label 42 and the words [1, 2, 3]; the
 * reply goes back through the queue as text, "label:w0,w1,..." (or
 * "label:" with no words).
 */
#include <cordon.h>
#include <stdio.h>
#include <string.h>

void init(void)
{
	cordon_dbg_puts("client up\n");
}

void notified(cordon_channel ch)
{
	char out[1024];
	int len;

	for (unsigned i = 0; i < 3; i++)
		cordon_mr_set(i, i + 1);
	cordon_msginfo r = cordon_ppcall(ch, cordon_msginfo_new(42, 3));
	len = snprintf(out, sizeof(out), "%llu:", (unsigned long long)cordon_msginfo_get_label(r));
	for (unsigned i = 0; i < cordon_msginfo_get_count(r); i++)
		len += snprintf(out + len, sizeof(out) - (size_t)len, "%s%llu", i ? "," : "",
		                (unsigned long long)cordon_mr_get(i));
	cordon_queue_send(ch, out, (size_t)len);
}
