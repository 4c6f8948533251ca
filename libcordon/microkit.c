/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * microkit_name (include/microkit.h).  Linked only into programs that use
 * it: loop.c refers to it weakly and fills it in after boot.
 */
#include "microkit.h"

char microkit_name[MICROKIT_PD_NAME_LENGTH];
