/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main() of every native PD: libcordon owns it (cordon.h).  Alone in its
 * file so unit tests can link the rest of libcordon with their own main.
 */
#include "libcordon/internal.h"

int main(void)
{
	return lc_main();
}
