/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of mon_beam_dist (monitor/beam.c): what a BEAM PD's VM is told
 * about its distribution links.  Each claim is checked on a command line and
 * environment built from a small system made here: two BEAM PDs on a link,
 * a third BEAM PD with no link, and a native PD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor/beam.h"

static struct sdf_pd pds[4] = {
    {.name = "sensor", .kind = SDF_PD_BEAM, .beam_app = "reader"},
    {.name = "history", .kind = SDF_PD_BEAM, .beam_app = "keeper"},
    {.name = "alone", .kind = SDF_PD_BEAM, .beam_app = "alone"},
    {.name = "driver", .kind = SDF_PD_NATIVE},
};

static struct sdf_channel chans[3] = {
    /* the link: sensor's end 3, history's end 5 */
    {.end = {{.pd = 0, .id = 3, .queue_size = 0x40000}, {.pd = 1, .id = 5, .queue_size = 0x40000}},
     .dist = true},
    /* a plain queue between history and alone: no distribution */
    {.end = {{.pd = 1, .id = 0, .queue_size = 0x1000}, {.pd = 2, .id = 0, .queue_size = 0x1000}}},
    {.end = {{.pd = 2, .id = 1}, {.pd = 3, .id = 0}}},
};

static const struct sdf_system sys = {.pds = pds, .npds = 4, .channels = chans, .nchannels = 3};

/* A prepared PD as mon_beam_prepare leaves it, reduced to one argument and
 * one variable (all mon_beam_dist adds to). */
static void prepared(struct mon_beam *b)
{
	memset(b, 0, sizeof(*b));
	b->argv = calloc(2, sizeof(char *));
	b->envp = calloc(2, sizeof(char *));
	assert_non_null(b->argv);
	assert_non_null(b->envp);
	b->argv[0] = strdup("beam.smp");
	b->envp[0] = strdup("HOME=/tmp");
}

static size_t count(char **v)
{
	size_t n = 0;
	while (v[n])
		n++;
	return n;
}

/* The argument after `flag`, or NULL. */
static const char *arg_of(char **argv, const char *flag)
{
	for (size_t i = 0; argv[i]; i++)
		if (strcmp(argv[i], flag) == 0)
			return argv[i + 1];
	return NULL;
}

static const char *env_of(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

static bool is_secret(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static void linked_pds_get_node_names_carrier_and_one_shared_secret(void **state)
{
	struct mon_beam a, b;
	char why[256];

	prepared(&a);
	prepared(&b);
	assert_int_equal(mon_beam_dist(&sys, 0, &a, why, sizeof(why)), 0);
	assert_int_equal(mon_beam_dist(&sys, 1, &b, why, sizeof(why)), 0);

	assert_string_equal(arg_of(a.argv, "-sname"), "reader@sensor");
	assert_string_equal(arg_of(b.argv, "-sname"), "keeper@history");
	assert_string_equal(arg_of(a.argv, "-proto_dist"), "cordon");
	assert_string_equal(arg_of(a.argv, "-start_epmd"), "false");
	/* no mesh: :global keeps to the links */
	assert_null(arg_of(a.argv, "-connect_all"));
	assert_string_equal(arg_of(a.argv, "prevent_overlapping_partitions"), "false");
	/* a cookie of its own, so the VM never writes ~/.erlang.cookie */
	assert_true(is_secret(arg_of(a.argv, "-setcookie"), 32));
	assert_string_not_equal(arg_of(a.argv, "-setcookie"), arg_of(b.argv, "-setcookie"));

	/* each end names its own channel id and the other's node; one secret */
	const char *ea = env_of(a.envp, "CORDON_DIST"), *eb = env_of(b.envp, "CORDON_DIST");
	assert_non_null(ea);
	assert_non_null(eb);
	assert_int_equal(strncmp(ea, "3:keeper@history:", 17), 0);
	assert_int_equal(strncmp(eb, "5:reader@sensor:", 16), 0);
	assert_true(is_secret(ea + 17, 32));
	assert_string_equal(ea + 17, eb + 16);
	/* the link's secret is not the node's cookie */
	assert_string_not_equal(ea + 17, arg_of(a.argv, "-setcookie"));
	/* what was there stays */
	assert_string_equal(a.argv[0], "beam.smp");
	assert_string_equal(env_of(a.envp, "HOME"), "/tmp");
	mon_beam_free(&a);
	mon_beam_free(&b);
}

static void a_restart_gets_the_same_secret(void **state)
{
	struct mon_beam a, again;
	char why[256];

	prepared(&a);
	prepared(&again);
	assert_int_equal(mon_beam_dist(&sys, 0, &a, why, sizeof(why)), 0);
	assert_int_equal(mon_beam_dist(&sys, 0, &again, why, sizeof(why)), 0);
	assert_string_equal(env_of(a.envp, "CORDON_DIST"), env_of(again.envp, "CORDON_DIST"));
	mon_beam_free(&a);
	mon_beam_free(&again);
}

static void a_pd_without_a_link_runs_without_distribution(void **state)
{
	struct mon_beam b;
	char why[256];

	prepared(&b);
	assert_int_equal(mon_beam_dist(&sys, 2, &b, why, sizeof(why)), 0);
	assert_int_equal(count(b.argv), 1);
	assert_int_equal(count(b.envp), 1);
	assert_null(arg_of(b.argv, "-sname"));
	assert_null(env_of(b.envp, "CORDON_DIST"));
	mon_beam_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(linked_pds_get_node_names_carrier_and_one_shared_secret),
	    cmocka_unit_test(a_restart_gets_the_same_secret),
	    cmocka_unit_test(a_pd_without_a_link_runs_without_distribution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
