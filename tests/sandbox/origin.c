/* SPDX-License-Identifier: BSD-2-Clause */
/* Runs only if ld.so found libsbtest.so through $ORIGIN/lib in the PD. */
int sbtest_answer(void);
int main(void)
{
	return sbtest_answer() == 42 ? 0 : 1;
}
