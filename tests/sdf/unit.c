/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdf unit test: the plan sdf_load() builds from good descriptions
 * (tests/sdf/good/), number parsing, the diagnostic format and the summary.
 * The rules each bad description breaks are tested one fixture at a time in
 * tests/sdf/check.bats; here we check what a valid description turns into.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#include "ipc/abi.h"
#include "sdf/internal.h"
#include "sdf/sdf.h"

#ifndef SDF_TEST_DIR
#error "SDF_TEST_DIR: the tests/sdf source directory"
#endif
#ifndef SDF_IMAGE_DIR
#error "SDF_IMAGE_DIR: where tests/sdf/module.mk built pd.elf"
#endif

static const char *const search[] = {SDF_IMAGE_DIR, NULL};

/* Load tests/sdf/good/NAME; fail the test on any error or warning. */
static struct sdf_system *load_good(const char *name)
{
	char path[512];
	struct sdf_diag diag = SDF_DIAG_INIT(stderr);

	snprintf(path, sizeof(path), "%s/good/%s", SDF_TEST_DIR, name);
	struct sdf_system *sys = sdf_load(path, search, &diag);
	assert_non_null(sys);
	assert_int_equal(diag.errors, 0);
	assert_int_equal(diag.warnings, 0);
	return sys;
}

static const struct sdf_pd *pd(const struct sdf_system *sys, const char *name)
{
	long i = sdf_pd_find(sys, name);
	assert_true(i >= 0);
	return &sys->pds[i];
}

/* The symbol's value, found independently of sdf/elf.c. */
static uint64_t symbol_value(const char *path, const char *name)
{
	uint64_t value = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			if (gelf_getsym(d, (int)i, &sym) &&
			    !strcmp(elf_strptr(e, sh.sh_link, sym.st_name), name))
				value = sym.st_value;
		}
	}
	elf_end(e);
	close(fd);
	assert_int_not_equal(value, 0);
	return value;
}

/* Write `text` to a fresh file in a temporary directory; returns its path. */
static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/sdf-unit-XXXXXX");
	assert_non_null(path);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* ---- numbers ------------------------------------------------------------ */

static void numbers_as_microkit_writes_them(void **state)
{
	uint64_t v = 0;
	(void)state;

	assert_int_equal(sdf_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sdf_parse_u64("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(sdf_parse_u64("0x1_000", &v), 0);
	assert_int_equal(v, 0x1000);
	assert_int_equal(sdf_parse_u64("0xABCdef", &v), 0);
	assert_int_equal(v, 0xabcdef);
	assert_int_equal(sdf_parse_u64("1_000_000", &v), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(sdf_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(sdf_parse_u64("0xffff_ffff_ffff_ffff", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void numbers_rejected(void **state)
{
	uint64_t v = 7;
	(void)state;

	static const char *const bad[] = {"",     "0x",  "_1", "1_", "1__0", "0x_1", "12a",
	                                  "0X10", "1.5", " 1", "1 ", "+1",   "0b1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sdf_parse_u64(bad[i], &v) != -1)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
	assert_int_equal(sdf_parse_u64("-1", &v), -2);
	assert_int_equal(sdf_parse_u64("18446744073709551616", &v), -3);
	assert_int_equal(sdf_parse_u64("0x1_0000_0000_0000_0000", &v), -3);
	assert_int_equal(v, 7); /* untouched on failure */
}

/* ---- the plan ----------------------------------------------------------- */

static void minimal_defaults(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("minimal.system");

	assert_int_equal(sys->npds, 1);
	assert_int_equal(sys->nregions, 0);
	assert_int_equal(sys->nchannels, 0);
	const struct sdf_pd *p = &sys->pds[0];
	assert_string_equal(p->name, "solo");
	assert_int_equal(p->kind, SDF_PD_NATIVE);
	assert_string_equal(p->program, SDF_IMAGE_DIR "/pd.elf");
	assert_int_equal(p->priority, 0);
	assert_int_equal(p->budget_us, 1000);
	assert_int_equal(p->period_us, 1000);
	assert_false(p->passive);
	assert_int_equal(p->stack_size, 0x1000);
	assert_int_equal(p->parent, -1);
	assert_int_equal(p->child_id, -1);
	assert_int_equal(p->nmaps, 0);
	assert_null(p->maps);
	assert_int_equal(p->loc.line, 4);
	assert_string_equal(p->loc.file, sys->path);
	assert_string_equal(sys->dir, SDF_TEST_DIR "/good");
	sdf_free(sys);
}

static void full_pds_in_document_order(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("full.system");
	static const char *const names[] = {"client", "server", "worker",
	                                    "helper", "spare",  "logger"};

	assert_int_equal(sys->npds, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(sys->pds[i].name, names[i]);

	const struct sdf_pd *client = pd(sys, "client");
	assert_int_equal(client->priority, 10);
	assert_int_equal(client->budget_us, 500);
	assert_int_equal(client->period_us, 2000);
	assert_int_equal(client->loc.line, 7);

	const struct sdf_pd *server = pd(sys, "server");
	assert_int_equal(server->priority, 200);
	assert_true(server->passive);
	assert_int_equal(server->stack_size, 0x4000);
	assert_int_equal(server->budget_us, 1000);
	assert_int_equal(server->period_us, 1000);

	/* children: parent index and id; nesting follows the document */
	assert_int_equal(pd(sys, "worker")->parent, sdf_pd_find(sys, "server"));
	assert_int_equal(pd(sys, "worker")->child_id, 3);
	assert_int_equal(pd(sys, "helper")->parent, sdf_pd_find(sys, "worker"));
	assert_int_equal(pd(sys, "helper")->child_id, 0);
	assert_int_equal(pd(sys, "spare")->parent, sdf_pd_find(sys, "server"));
	assert_int_equal(pd(sys, "spare")->child_id, 7);
	assert_int_equal(pd(sys, "logger")->parent, -1);
	assert_string_equal(pd(sys, "logger")->program, SDF_IMAGE_DIR "/pd-fixed.elf");

	assert_int_equal(sdf_pd_find(sys, "nobody"), -1);
	assert_int_equal(sdf_pd_find(sys, NULL), -1);
	sdf_free(sys);
}

static void full_regions_and_maps(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("full.system");

	assert_int_equal(sys->nregions, 2);
	assert_int_equal(sdf_region_find(sys, "buffer"), 0);
	assert_int_equal(sdf_region_find(sys, "ring"), 1);
	assert_int_equal(sdf_region_find(sys, "none"), -1);
	assert_int_equal(sys->regions[0].size, 0x2000);
	assert_int_equal(sys->regions[0].page_size, 4096);
	assert_int_equal(sys->regions[1].size, 0x1000);

	const struct sdf_pd *client = pd(sys, "client");
	assert_int_equal(client->nmaps, 2);
	const struct sdf_map *m = &client->maps[0];
	assert_int_equal(m->region, 0);
	assert_int_equal(m->vaddr, 0x4000000);
	assert_int_equal(m->perms, IPC_PERM_R | IPC_PERM_W);
	assert_string_equal(m->setvar_vaddr, "buffer_vaddr");
	assert_int_equal(m->setvar_off, symbol_value(SDF_IMAGE_DIR "/pd.elf", "buffer_vaddr"));
	m = &client->maps[1];
	assert_int_equal(m->region, 1);
	assert_int_equal(m->vaddr, 0x5000000);
	assert_int_equal(m->perms, IPC_PERM_R);
	assert_string_equal(m->setvar_vaddr, "other_vaddr");
	assert_int_equal(m->setvar_off, symbol_value(SDF_IMAGE_DIR "/pd.elf", "other_vaddr"));
	assert_int_not_equal(client->maps[0].setvar_off, client->maps[1].setvar_off);

	const struct sdf_pd *server = pd(sys, "server");
	assert_int_equal(server->nmaps, 1);
	assert_int_equal(server->maps[0].region, 0);
	assert_int_equal(server->maps[0].perms, IPC_PERM_R | IPC_PERM_W); /* default rw */
	assert_null(server->maps[0].setvar_vaddr);
	assert_int_equal(server->maps[0].setvar_off, 0);
	sdf_free(sys);
}

static void full_channels(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("full.system");
	long client = sdf_pd_find(sys, "client"), server = sdf_pd_find(sys, "server");
	long logger = sdf_pd_find(sys, "logger"), worker = sdf_pd_find(sys, "worker");

	assert_int_equal(sys->nchannels, 3);
	const struct sdf_channel *ch = &sys->channels[0];
	assert_int_equal(ch->end[0].pd, client);
	assert_int_equal(ch->end[0].id, 0);
	assert_true(ch->end[0].pp);
	assert_true(ch->end[0].notify);
	assert_int_equal(ch->end[0].queue_size, 0);
	assert_int_equal(ch->end[1].pd, server);
	assert_int_equal(ch->end[1].id, 62);
	assert_false(ch->end[1].pp); /* default */
	assert_true(ch->end[1].notify);

	ch = &sys->channels[1];
	assert_int_equal(ch->end[0].pd, client);
	assert_int_equal(ch->end[0].id, 1);
	assert_false(ch->end[0].notify);
	assert_int_equal(ch->end[0].queue_size, 0x1000);
	assert_int_equal(ch->end[1].pd, logger);
	assert_true(ch->end[1].notify);
	assert_int_equal(ch->end[1].queue_size, 0x10000);
	assert_int_equal(ch->loc.line, 33);
	assert_int_equal(ch->end[1].loc.line, 35);

	ch = &sys->channels[2];
	assert_int_equal(ch->end[0].pd, worker);
	assert_int_equal(ch->end[0].id, 5);
	assert_int_equal(ch->end[1].pd, server);
	assert_int_equal(ch->end[1].id, 1);
	assert_false(ch->end[1].pp);
	sdf_free(sys);
}

static void image_not_found_without_search_path(void **state)
{
	(void)state;
	/* an image found in the description's own directory is used only when
	 * the search path has none: minimal.system names pd.elf, which only
	 * the search path has */
	char path[512];
	struct sdf_diag diag = SDF_DIAG_INIT(NULL);
	snprintf(path, sizeof(path), "%s/good/minimal.system", SDF_TEST_DIR);
	assert_null(sdf_load(path, NULL, &diag));
	assert_int_equal(diag.errors, 1);
}

static void expect_children(const struct sdf_system *sys, size_t s, const char *const *names)
{
	const struct sdf_supervisor *sd = &sys->sups[s];
	size_t n = 0;
	while (names[n])
		n++;
	assert_int_equal(sd->nchildren, n);
	for (size_t i = 0; i < n; i++) {
		const struct sdf_child *c = &sd->children[i];
		/* a leading '@' marks a supervisor */
		bool want_sup = names[i][0] == '@';
		assert_int_equal(c->is_supervisor, want_sup);
		if (want_sup) {
			assert_true(c->index < sys->nsups);
			assert_string_equal(sys->sups[c->index].name, names[i] + 1);
			assert_int_equal(sys->sups[c->index].parent, (long)s);
		} else {
			assert_true(c->index < sys->npds);
			assert_string_equal(sys->pds[c->index].name, names[i]);
			assert_int_equal(sys->pds[c->index].sup, (long)s);
		}
	}
}

static void supervision_tree(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("supervision.system");

	assert_int_equal(sys->nsups, 4);
	const struct sdf_supervisor *root = &sys->sups[0];
	assert_string_equal(root->name, "root");
	assert_int_equal(root->parent, -1);
	assert_int_equal(root->strategy, SDF_STRATEGY_ONE_FOR_ONE);
	assert_int_equal(root->intensity, 3);
	assert_int_equal(root->period_ms, 5000);
	assert_int_equal(root->loc.line, 4); /* <system> */
	expect_children(sys, 0, (const char *const[]){"early", "@drivers", "@apps", "late", NULL});

	const struct sdf_supervisor *drivers = &sys->sups[1];
	assert_string_equal(drivers->name, "drivers");
	assert_int_equal(drivers->strategy, SDF_STRATEGY_REST_FOR_ONE);
	assert_int_equal(drivers->intensity, 0); /* allowed: never restart */
	assert_int_equal(drivers->period_ms, 500);
	assert_int_equal(drivers->loc.line, 11);
	expect_children(sys, 1, (const char *const[]){"bus", "@net", "uart", NULL});

	const struct sdf_supervisor *net = &sys->sups[2];
	assert_string_equal(net->name, "net");
	assert_int_equal(net->parent, 1);
	assert_int_equal(net->strategy, SDF_STRATEGY_ONE_FOR_ALL);
	assert_int_equal(net->intensity, 3);
	assert_int_equal(net->period_ms, 5000);
	expect_children(sys, 2, (const char *const[]){"eth", "ip", NULL});

	const struct sdf_supervisor *apps = &sys->sups[3];
	assert_int_equal(apps->strategy, SDF_STRATEGY_ONE_FOR_ONE);
	assert_int_equal(apps->intensity, 10);
	assert_int_equal(apps->period_ms, 60000);
	expect_children(sys, 3, (const char *const[]){"app", NULL});

	/* a child PD belongs to its parent PD, not to a supervisor */
	assert_int_equal(pd(sys, "probe")->sup, -1);
	assert_int_equal(pd(sys, "probe")->parent, sdf_pd_find(sys, "bus"));
	assert_int_equal(pd(sys, "probe")->restart, SDF_RESTART_PERMANENT);
	sdf_free(sys);
}

static void restart_kinds_limits_and_regions(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("supervision.system");

	assert_int_equal(pd(sys, "early")->restart, SDF_RESTART_TEMPORARY);
	assert_int_equal(pd(sys, "bus")->restart, SDF_RESTART_PERMANENT);
	assert_int_equal(pd(sys, "eth")->restart, SDF_RESTART_TRANSIENT);
	assert_int_equal(pd(sys, "late")->restart, SDF_RESTART_PERMANENT); /* default */

	assert_int_equal(pd(sys, "bus")->memory_limit, 64ull << 20);
	assert_int_equal(pd(sys, "bus")->max_tasks, 4);
	assert_int_equal(pd(sys, "probe")->memory_limit, 1ull << 20);
	assert_int_equal(pd(sys, "probe")->max_tasks, 0);
	assert_int_equal(pd(sys, "eth")->memory_limit, 0);
	assert_int_equal(pd(sys, "eth")->max_tasks, 1);
	assert_int_equal(pd(sys, "ip")->memory_limit, 2ull << 30);
	assert_int_equal(pd(sys, "late")->memory_limit, 0);
	assert_int_equal(pd(sys, "late")->max_tasks, 0);

	assert_true(sys->regions[sdf_region_find(sys, "state")].clear_on_restart);
	assert_false(sys->regions[sdf_region_find(sys, "log")].clear_on_restart);
	sdf_free(sys);
}

static void microkit_systems_get_the_root_supervisor(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("full.system");

	assert_int_equal(sys->nsups, 1);
	assert_string_equal(sys->sups[0].name, "root");
	/* top-level PDs only, in document order; children stay with parents */
	expect_children(sys, 0, (const char *const[]){"client", "server", "logger", NULL});
	assert_int_equal(pd(sys, "worker")->sup, -1);
	assert_int_equal(pd(sys, "helper")->sup, -1);
	for (size_t r = 0; r < sys->nregions; r++)
		assert_false(sys->regions[r].clear_on_restart);
	sdf_free(sys);
}

static void names_of_kinds(void **state)
{
	(void)state;
	assert_string_equal(sdf_strategy_name(SDF_STRATEGY_ONE_FOR_ONE), "one_for_one");
	assert_string_equal(sdf_strategy_name(SDF_STRATEGY_ONE_FOR_ALL), "one_for_all");
	assert_string_equal(sdf_strategy_name(SDF_STRATEGY_REST_FOR_ONE), "rest_for_one");
	assert_string_equal(sdf_restart_name(SDF_RESTART_PERMANENT), "permanent");
	assert_string_equal(sdf_restart_name(SDF_RESTART_TRANSIENT), "transient");
	assert_string_equal(sdf_restart_name(SDF_RESTART_TEMPORARY), "temporary");
}

/* ---- diagnostics -------------------------------------------------------- */

static void diagnostic_format(void **state)
{
	(void)state;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	char *path = write_tmp("<system>\n"
	                       "  <protection_domain name=\"a\" priority=\"255\">\n"
	                       "    <program_image path=\"pd.elf\" />\n"
	                       "  </protection_domain>\n"
	                       "</system>\n");
	struct sdf_diag diag = SDF_DIAG_INIT(f);
	assert_null(sdf_load(path, search, &diag));
	fclose(f);
	assert_int_equal(diag.errors, 1);
	assert_int_equal(diag.warnings, 0);

	char *want = NULL;
	assert_true(asprintf(&want,
	                     "%s:2: error: <protection_domain>: priority 255 is out of range "
	                     "0..254\n  hint: use a priority from 0 (lowest) to 254 (highest)\n",
	                     path) > 0);
	assert_string_equal(out, want);
	unlink(path);
	free(want);
	free(path);
	free(out);
}

/* A PD "a" running pd.elf plus an unmapped region (a warning), with the
 * PD's attributes `pd_attrs`. */
static struct sdf_system *load_with_unused_region(const char *pd_attrs, struct sdf_diag *diag)
{
	char *text = NULL;
	assert_true(asprintf(&text,
	                     "<system>\n"
	                     "  <protection_domain name=\"a\"%s>\n"
	                     "    <program_image path=\"pd.elf\" />\n"
	                     "  </protection_domain>\n"
	                     "  <memory_region name=\"unused\" size=\"0x1000\" />\n"
	                     "</system>\n",
	                     pd_attrs) > 0);
	char *path = write_tmp(text);
	struct sdf_system *sys = sdf_load(path, search, diag);
	unlink(path);
	free(path);
	free(text);
	return sys;
}

static void every_error_is_counted(void **state)
{
	(void)state;
	struct sdf_diag diag = SDF_DIAG_INIT(NULL);
	assert_null(load_with_unused_region(" priority=\"x\" bogus=\"1\"", &diag));
	assert_int_equal(diag.errors, 2);
	assert_int_equal(diag.warnings, 1);
}

static void warnings_alone_do_not_fail(void **state)
{
	(void)state;
	struct sdf_diag diag = SDF_DIAG_INIT(NULL);
	struct sdf_system *sys = load_with_unused_region("", &diag);
	assert_non_null(sys);
	assert_int_equal(diag.errors, 0);
	assert_int_equal(diag.warnings, 1);
	sdf_free(sys);
}

static void grants_in_the_plan(void **state)
{
	(void)state;
	struct sdf_system *sys = load_good("grants.system");
	static const uint8_t lo[4] = {127, 0, 0, 1}, lo2[4] = {127, 0, 0, 2}, any[16] = {0};
	static const uint8_t lo6[16] = {[15] = 1};

	const struct sdf_pd *web = pd(sys, "web");
	assert_int_equal(web->ngrants, 2);
	const struct sdf_grant *g = &web->grants[0];
	assert_string_equal(g->name, "http");
	assert_int_equal(g->type, SDF_GRANT_TCP_LISTEN);
	assert_false(g->ipv6); /* default 127.0.0.1 */
	assert_memory_equal(g->addr, lo, 4);
	assert_string_equal(g->address, "127.0.0.1");
	assert_int_equal(g->port, 8080);
	assert_int_equal(g->backlog, 128); /* default */
	assert_int_equal(g->loc.line, 8);
	g = &web->grants[1];
	assert_string_equal(g->name, "admin");
	assert_true(g->ipv6);
	assert_memory_equal(g->addr, lo6, 16);
	assert_string_equal(g->address, "::1");
	assert_int_equal(g->port, 8081);
	assert_int_equal(g->backlog, 4);

	const struct sdf_pd *helper = pd(sys, "helper");
	assert_int_equal(helper->ngrants, 1);
	assert_memory_equal(helper->grants[0].addr, lo2, 4);

	const struct sdf_pd *pub = pd(sys, "public");
	assert_int_equal(pub->ngrants, 2);
	assert_false(pub->grants[0].ipv6);
	assert_memory_equal(pub->grants[0].addr, any, 4);
	assert_int_equal(pub->grants[0].backlog, 1000);
	assert_true(pub->grants[1].ipv6);
	assert_memory_equal(pub->grants[1].addr, any, 16);
	assert_string_equal(pub->grants[1].address, "::"); /* canonical form */

	assert_int_equal(pd(sys, "none")->ngrants, 0);
	assert_null(pd(sys, "none")->grants);
	assert_string_equal(sdf_grant_type_name(SDF_GRANT_TCP_LISTEN), "tcp_listen");
	sdf_free(sys);
}

/* Assert that the summary of good/NAME contains every string of want[]. */
static void summary_contains(const char *name, const char *const *want, size_t n)
{
	struct sdf_system *sys = load_good(name);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	sdf_print_summary(sys, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!strstr(out, want[i]))
			fail_msg("summary lacks \"%s\":\n%s", want[i], out);
	free(out);
	sdf_free(sys);
}

static void summary_names_everything(void **state)
{
	(void)state;
	static const char *const want[] = {
	    "6 protection domains, 3 channels, 2 memory regions",
	    "budget 500 us per 2000 us",
	    "child 3 of server",
	    "client:0 <-> server:62 (ppcall client->server)",
	    "queue client->logger 4 KiB",
	    "no notify client->logger",
	    "buffer 8 KiB: client rw at 0x4000000 (setvar buffer_vaddr)",
	    "supervision:\n  root: one_for_one, 3 restarts in 5 s: client, server, logger\n",
	};
	summary_contains("full.system", want, sizeof(want) / sizeof(want[0]));
}

static void summary_shows_supervision(void **state)
{
	(void)state;
	static const char *const want[] = {
	    "early    priority 0, restart temporary, ",
	    "bus      priority 0, memory 64 MiB, tasks 4, ",
	    "state 4 KiB: bus rw at 0x20000000 (cleared on restart)\n",
	    "supervision:\n"
	    "  root: one_for_one, 3 restarts in 5 s: early, drivers (supervisor), apps "
	    "(supervisor), late\n"
	    "  drivers (under root): rest_for_one, 0 restarts in 0.500 s: bus, net (supervisor), "
	    "uart\n"
	    "  net (under drivers): one_for_all, 3 restarts in 5 s: eth, ip\n"
	    "  apps (under root): one_for_one, 10 restarts in 60 s: app\n",
	};
	summary_contains("supervision.system", want, sizeof(want) / sizeof(want[0]));
}

static void summary_shows_grants(void **state)
{
	(void)state;
	static const char *const want[] = {
	    "grants:\n"
	    "  web.http: tcp_listen 127.0.0.1:8080, backlog 128\n"
	    "  web.admin: tcp_listen [::1]:8081, backlog 4\n"
	    "  helper.http: tcp_listen 127.0.0.2:8080, backlog 128\n"
	    "  public.v4: tcp_listen 0.0.0.0:9000, backlog 1000\n"
	    "  public.v6: tcp_listen [::]:9000, backlog 128\n"
	    "supervision:\n",
	};
	summary_contains("grants.system", want, sizeof(want) / sizeof(want[0]));
}

/* The applications a .app needs: both lists, quoted atoms, and nothing
 * from inside env, strings, binaries or comments. */
static void app_file_dependencies(void **state)
{
	static const char text[] =
	    "%% {applications, [from_a_comment]}\n"
	    "{application, 'my app',\n"
	    " [{description, \"{applications, [from_a_string]}\"},\n"
	    "  {env, [{applications, [from_env]}, {bin, <<\"x\">>}]},\n"
	    "  {applications, [kernel, stdlib, 'quoted-name']}, % a comment\n"
	    "  {included_applications, [inner]},\n"
	    "  {optional_applications, [maybe]}]}.\n";
	static const char *const want[] = {"kernel", "stdlib", "quoted-name", "inner"};
	char **names = NULL;
	size_t n = 0;
	(void)state;

	assert_int_equal(sdf_app_deps(text, &names, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	sdf_app_deps_free(names, n);

	assert_int_equal(sdf_app_deps("{module, x, []}.", &names, &n), -2);
	assert_int_equal(
	    sdf_app_deps("{application, x, [{applications, [a, \"b\"]}]}.", &names, &n), -2);
	assert_int_equal(sdf_app_deps("{application, x, [{applications, [a", &names, &n), -2);
	assert_int_equal(sdf_app_deps("{application, 'x", &names, &n), -2);
	assert_null(names);
	assert_int_equal(sdf_app_deps("{application, x, []}.", &names, &n), 0);
	assert_int_equal(n, 0);
	sdf_app_deps_free(names, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(numbers_as_microkit_writes_them),
	    cmocka_unit_test(numbers_rejected),
	    cmocka_unit_test(minimal_defaults),
	    cmocka_unit_test(full_pds_in_document_order),
	    cmocka_unit_test(full_regions_and_maps),
	    cmocka_unit_test(full_channels),
	    cmocka_unit_test(image_not_found_without_search_path),
	    cmocka_unit_test(supervision_tree),
	    cmocka_unit_test(restart_kinds_limits_and_regions),
	    cmocka_unit_test(microkit_systems_get_the_root_supervisor),
	    cmocka_unit_test(names_of_kinds),
	    cmocka_unit_test(diagnostic_format),
	    cmocka_unit_test(every_error_is_counted),
	    cmocka_unit_test(warnings_alone_do_not_fail),
	    cmocka_unit_test(summary_names_everything),
	    cmocka_unit_test(summary_shows_supervision),
	    cmocka_unit_test(grants_in_the_plan),
	    cmocka_unit_test(summary_shows_grants),
	    cmocka_unit_test(app_file_dependencies),
	};
	return cmocka_run_group_tests_name("sdf", tests, NULL, NULL);
}
