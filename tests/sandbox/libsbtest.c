/* SPDX-License-Identifier: BSD-2-Clause */
/* A shared library found only through its user's DT_RUNPATH ($ORIGIN/lib). */
int sbtest_answer(void);
int sbtest_answer(void)
{
	return 42;
}
