/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Seccomp policy tables: private to policy.c, policy_native.c and the unit
 * tests.  One row allows one syscall, optionally only for some argument
 * values; several rows for the same syscall are alternatives (any one
 * matching allows the call).  Anything no row allows takes the policy's
 * default action (policy.c: SCMP_ACT_TRAP, SIGSYS with si_syscall, for
 * native PDs; SCMP_ACT_NOTIFY, a report to the monitor, for BEAM PDs).
 */
#ifndef CORDON_SANDBOX_POLICY_H
#define CORDON_SANDBOX_POLICY_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_ARGS 3

struct policy_rule {
	const char *syscall; /* name, as seccomp_syscall_resolve_name() knows it */
	uint32_t action;     /* SCMP_ACT_ALLOW or SCMP_ACT_ERRNO(e) */
	unsigned nargs;      /* conditions, all of which must hold */
	struct scmp_arg_cmp args[POLICY_MAX_ARGS];
	const char *why; /* the reason it is allowed: reviewed like code */
};

/* Argument conditions for the table (a plain initializer, not a compound
 * literal, so the table can be a static const array). */
#define ARG_EQ(n, v)                                                                               \
	{                                                                                          \
		.arg = (n), .op = SCMP_CMP_EQ, .datum_a = (v)                                      \
	}
#define ARG_MASKED(n, m, v)                                                                        \
	{                                                                                          \
		.arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = (m), .datum_b = (v)               \
	}

extern const struct policy_rule policy_native[];
extern const size_t policy_native_len;
extern const struct policy_rule policy_beam[];
extern const size_t policy_beam_len;

#endif
