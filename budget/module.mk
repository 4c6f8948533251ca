# SPDX-License-Identifier: BSD-2-Clause
# budget/: resource budgets of PDs with cgroups (v2 or v1).  Host code only:
# linked into the `cordon` binary (cli/module.mk) and into its unit test.
BUDGET_SRCS := budget/open.c budget/cg.c budget/files.c budget/quota.c
BUDGET_OBJS := $(BUDGET_SRCS:%.c=$(B)/obj/host/%.o)
