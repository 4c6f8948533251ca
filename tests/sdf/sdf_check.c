/* SPDX-License-Identifier: BSD-2-Clause */
/* sdf-check [-L DIR]... FILE: `cordon check` with nothing but sdf linked,
 * so the sdf suite can run while other components are unfinished
 * (tests/sdf/check.bats uses it when SDF_CHECK names it). */
#include <stdio.h>
#include <string.h>

#include "sdf/sdf.h"

int main(int argc, char **argv)
{
	const char *search[65];
	size_t n = 0;
	int i;

	for (i = 1; i < argc - 1 && !strcmp(argv[i], "-L") && n < 64; i += 2)
		search[n++] = argv[i + 1];
	search[n] = NULL;
	if (i != argc - 1) {
		fprintf(stderr, "usage: sdf-check [-L DIR]... FILE\n");
		return 2;
	}
	struct sdf_diag diag = SDF_DIAG_INIT(stderr);
	struct sdf_system *sys = sdf_load(argv[i], search, &diag);
	if (!sys) {
		fprintf(stderr, "cordon check: %s: %u error%s, %u warning%s\n", argv[i],
		        diag.errors, diag.errors == 1 ? "" : "s", diag.warnings,
		        diag.warnings == 1 ? "" : "s");
		return 1;
	}
	sdf_print_summary(sys, stdout);
	sdf_free(sys);
	return 0;
}
