/* SPDX-License-Identifier: BSD-2-Clause */
/* The arithmetic between Microkit's attributes and the kernel's knobs. */
#include <stdio.h>

#include "budget/internal.h"

#define CFS_MIN_US 1000u              /* the kernel refuses quotas and periods below 1 ms */
#define CFS_MAX_US 1000000u           /* and periods above 1 s */
#define STEP       1.0369266382873439 /* 10000^(1/254) */

int budget_cpu_quota(uint64_t budget_us, uint64_t period_us, uint64_t *quota_us,
                     uint64_t *cfs_period_us)
{
	*quota_us = 0;
	*cfs_period_us = 0;
	if (budget_us == 0 || period_us == 0)
		return -1;
	if (budget_us >= period_us)
		return 0;
	/* budget/period as a ratio q/p with CFS_MIN_US <= p <= CFS_MAX_US and
	 * q >= CFS_MIN_US.  Long integer arithmetic: both are < 2^64 / 2^20. */
	long double ratio = (long double)budget_us / (long double)period_us;
	uint64_t p = period_us;
	if (p > CFS_MAX_US)
		p = CFS_MAX_US;
	if (p < CFS_MIN_US)
		p = CFS_MIN_US;
	uint64_t q = (uint64_t)(ratio * (long double)p + 0.5L);
	if (q < CFS_MIN_US) {
		/* Lengthen the period until the quota reaches 1 ms. */
		long double need = (long double)CFS_MIN_US / ratio;
		p = need > CFS_MAX_US ? CFS_MAX_US : (uint64_t)(need + 0.5L);
		q = (uint64_t)(ratio * (long double)p + 0.5L);
		if (q < CFS_MIN_US)
			q = CFS_MIN_US; /* below 1/1000 of a CPU: the best Linux does */
	}
	*quota_us = q;
	*cfs_period_us = p;
	return 0;
}

unsigned budget_weight(unsigned priority)
{
	if (priority > 254)
		priority = 254;
	/* 10000^(priority/254) by repeated multiplication (no libm). */
	double w = 1.0;
	for (unsigned i = 0; i < priority; i++)
		w *= STEP;
	unsigned r = (unsigned)(w + 0.5);
	return r < 1 ? 1 : r > 10000 ? 10000 : r;
}

unsigned budget_shares(unsigned weight)
{
	/* The inverse of the kernel's cpu.shares -> cpu.weight mapping:
	 * weight 100 is the default 1024 shares; shares are at least 2. */
	unsigned s = (unsigned)((uint64_t)weight * 1024u / 100u);
	return s < 2 ? 2 : s;
}

void budget_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "KMGT";
	int i = -1;
	uint64_t v = bytes;
	while (v && v % 1024 == 0 && i < 3) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, suffix[i]);
}
