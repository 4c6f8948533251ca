/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * budget unit test: the arithmetic; the v2 and v1 logic on a fake cgroup
 * tree (plain directories: budget_os is replaced so control files are
 * created on first write and directories emptied before rmdir); and, when
 * run as root on a machine with a usable hierarchy, a real cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "budget/internal.h"

/* ---- the arithmetic ---- */

static void quota_maps_budget_period_into_cfs_range(void **state)
{
	static const struct {
		uint64_t budget, period, quota, cfs_period;
	} cases[] = {
	    {1000, 1000, 0, 0},      /* Microkit's default: a whole CPU */
	    {2000, 1000, 0, 0},      /* more than a period: no quota */
	    {200, 1000, 1000, 5000}, /* quota below 1 ms: period stretched */
	    {500, 1000, 1000, 2000},
	    {2000, 10000, 2000, 10000},     /* already in range */
	    {5000, 2000000, 2500, 1000000}, /* period above 1 s: scaled down */
	    {1, 10000000, 1000, 1000000},   /* 1e-7 of a CPU: 1/1000 is the floor */
	    {999, 1000, 1000, 1001},        /* near 1: the period grows by one */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t q = 7, p = 7;
		assert_int_equal(budget_cpu_quota(cases[i].budget, cases[i].period, &q, &p), 0);
		assert_int_equal(q, cases[i].quota);
		assert_int_equal(p, cases[i].cfs_period);
	}
	uint64_t q, p;
	assert_int_equal(budget_cpu_quota(0, 1000, &q, &p), -1);
}

static void weight_grows_with_priority(void **state)
{
	assert_int_equal(budget_weight(0), 1);
	assert_int_equal(budget_weight(254), 10000);
	assert_int_equal(budget_weight(127), 100); /* the middle is the default weight */
	assert_int_equal(budget_weight(999), 10000);
	for (unsigned p = 1; p <= 254; p++)
		assert_true(budget_weight(p) >= budget_weight(p - 1));
	/* 19 levels double the weight, within rounding */
	unsigned a = budget_weight(150), b = budget_weight(169);
	assert_true(b >= 2 * a - 2 && b <= 2 * a + 2);
	assert_int_equal(budget_shares(100), 1024);
	assert_int_equal(budget_shares(1), 10);
	assert_int_equal(budget_shares(10000), 102400);
}

static void sizes_are_formatted_like_the_description(void **state)
{
	char buf[32];
	budget_format_size(64u << 20, buf, sizeof(buf));
	assert_string_equal(buf, "64M");
	budget_format_size(1536u << 10, buf, sizeof(buf));
	assert_string_equal(buf, "1536K");
	budget_format_size(3ull << 30, buf, sizeof(buf));
	assert_string_equal(buf, "3G");
	budget_format_size(12345, buf, sizeof(buf));
	assert_string_equal(buf, "12345");
}

/* ---- a fake cgroup tree ---- */

static int fake_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd = openat(dirfd, path, flags, mode);
	if (fd < 0 && errno == ENOENT && (flags & O_ACCMODE) == O_WRONLY)
		fd = openat(dirfd, path, flags | O_CREAT, 0644);
	return fd;
}

static int fake_rmdir(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (de->d_type == DT_REG) {
				char f[PATH_MAX];
				snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
				unlink(f);
			}
		closedir(d);
	}
	return rmdir(path);
}

struct fake {
	char top[PATH_MAX]; /* the temporary directory */
	char mountinfo[PATH_MAX];
	char self[PATH_MAX];
};

static void put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void get(const char *dir, const char *file, char *buf, size_t len)
{
	assert_int_equal(bfile_read(dir, file, buf, len), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	snprintf(f->top, sizeof(f->top), "/tmp/budget-unit-XXXXXX");
	assert_non_null(mkdtemp(f->top));
	snprintf(f->mountinfo, sizeof(f->mountinfo), "%s/mountinfo", f->top);
	snprintf(f->self, sizeof(f->self), "%s/cgroup", f->top);
	budget_os.openat = fake_openat;
	budget_os.rmdir = fake_rmdir;
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->top);
	assert_int_equal(system(cmd), 0);
	free(f);
	budget_os.openat = (int (*)(int, const char *, int, mode_t))openat;
	budget_os.rmdir = rmdir;
	return 0;
}

static void mkdirs(const char *top, const char *sub)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", top, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* This process's start time, as budget_owner_name writes it. */
static unsigned long long my_start(void)
{
	char name[64], *dash;
	assert_int_equal(budget_owner_name(name, sizeof(name)), 0);
	dash = strrchr(name, '-');
	assert_non_null(dash);
	return strtoull(dash + 1, NULL, 10);
}

/* Only a monitor provably gone loses its cgroups: pid gone, or the pid now
 * a process that started at another time (a reused pid, or another monitor
 * of that number).  A live owner's stay, and so do names not of our shape. */
static void only_a_dead_owners_cgroups_are_removed(void **state)
{
	struct fake *f = *state;
	char own[PATH_MAX], text[256], path[PATH_MAX];
	unsigned long long me = my_start();
	mkdirs(f->top, "cg");
	mkdirs(f->top, "cg/user");
	snprintf(own, sizeof(own), "%s/cg/user", f->top);
	put(own, "cgroup.controllers", "cpu memory pids\n");
	put(own, "cgroup.subtree_control", "cpu memory pids\n");
	snprintf(text, sizeof(text), "30 1 0:26 / %s/cg rw shared:4 - cgroup2 cgroup2 rw\n",
	         f->top);
	put(f->top, "mountinfo", text);
	put(f->top, "cgroup", "0::/user\n");
	static const char *const gone[] = {"dead", "reused", "reused.monitor"};
	static const char *const kept[] = {"live", "live.monitor", "old-live", "other"};
	char names[7][64];
	snprintf(names[0], 64, "cordon-%d-%llu", (int)dead_pid(), me);
	snprintf(names[1], 64, "cordon-%d-%llu", (int)getpid(), me + 1);
	snprintf(names[2], 64, "cordon-%d-%llu.monitor", (int)getpid(), me + 1);
	snprintf(names[3], 64, "cordon-%d-%llu", (int)getpid(), me);
	snprintf(names[4], 64, "cordon-%d-%llu.monitor", (int)getpid(), me);
	snprintf(names[5], 64, "cordon-%d", (int)getpid());
	snprintf(names[6], 64, "cordon-%d-%llu-x", (int)dead_pid(), me);
	for (size_t i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "cg/user/%s", names[i]);
		mkdirs(f->top, path);
	}

	struct budget_where w = {f->mountinfo, f->self, 0};
	struct budget_root *r;
	char why[1024];
	if (budget_open("cordon-1-1", &w, &r, why, sizeof(why)))
		fail_msg("%s", why);
	for (size_t i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "%s/%s", own, names[i]);
		if ((access(path, F_OK) == 0) != (i >= 3))
			fail_msg("%s (%s) should %s", names[i], i < 3 ? gone[i] : kept[i - 3],
			         i < 3 ? "be removed" : "stay");
	}
	budget_close(r);
}

static void v2_on_a_fake_tree(void **state)
{
	struct fake *f = *state;
	char own[PATH_MAX], text[256], stale[64];
	mkdirs(f->top, "cg");
	mkdirs(f->top, "cg/user");
	snprintf(own, sizeof(own), "%s/cg/user", f->top);
	put(own, "cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
	put(own, "cgroup.subtree_control", "cpu\n");
	/* A monitor that died without cleaning up. */
	snprintf(stale, sizeof(stale), "cg/user/cordon-%d", (int)dead_pid());
	mkdirs(f->top, stale);
	strcat(stale, "/pd");
	mkdirs(f->top, stale);
	snprintf(text, sizeof(text), "30 1 0:26 / %s/cg rw shared:4 - cgroup2 cgroup2 rw\n",
	         f->top);
	put(f->top, "mountinfo", text);
	put(f->top, "cgroup", "0::/user\n");

	struct budget_where w = {f->mountinfo, f->self, 0};
	struct budget_root *r;
	char why[1024];
	int e = budget_open("cordon-1", &w, &r, why, sizeof(why));
	if (e)
		fail_msg("%s", why);
	assert_int_equal(budget_mode(r), BUDGET_V2);
	snprintf(text, sizeof(text), "%s/cordon-1", own);
	assert_string_equal(budget_dir(r, 0), text);
	assert_null(budget_dir(r, 1));
	get(own, "cgroup.subtree_control", text, sizeof(text));
	assert_string_equal(text, "+memory +pids"); /* cpu was there */
	get(budget_dir(r, 0), "cgroup.subtree_control", text, sizeof(text));
	assert_string_equal(text, "+memory +cpu +pids");
	snprintf(text, sizeof(text), "%s/%s", f->top, stale);
	assert_int_equal(access(text, F_OK), -1); /* the stale one is gone */

	struct budget_limits lim = {32u << 20, 4, 200, 1000, 254};
	struct budget_cg *cg;
	if (budget_cg_create(r, "hog", &lim, &cg, why, sizeof(why)))
		fail_msg("%s", why);
	const char *d = budget_cg_dir(cg, 0);
	get(d, "memory.max", text, sizeof(text));
	assert_string_equal(text, "33554432");
	get(d, "pids.max", text, sizeof(text));
	assert_string_equal(text, "4");
	get(d, "cpu.max", text, sizeof(text));
	assert_string_equal(text, "1000 5000");
	get(d, "cpu.weight", text, sizeof(text));
	assert_string_equal(text, "10000");
	assert_int_equal(budget_cg_attach(cg, 4242, why, sizeof(why)), 0);
	get(d, "cgroup.procs", text, sizeof(text));
	assert_string_equal(text, "4242");
	uint64_t n = 9;
	put(d, "memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
	assert_int_equal(budget_cg_oom_kills(cg, &n), 0);
	assert_int_equal(n, 1);
	put(d, "memory.current", "1048576\n");
	assert_int_equal(budget_cg_memory(cg, &n), 0);
	assert_int_equal(n, 1048576);
	put(d, "cpu.stat", "usage_usec 777\nuser_usec 700\n");
	assert_int_equal(budget_cg_cpu_usec(cg, &n), 0);
	assert_int_equal(n, 777);
	snprintf(text, sizeof(text), "%s", d);
	assert_int_equal(budget_cg_destroy(cg), 0);
	assert_int_equal(access(text, F_OK), -1);

	/* No limits: no memory.max, no cpu.max; a weight all the same. */
	struct budget_limits none = {0, 0, 1000, 1000, 0};
	assert_int_equal(budget_cg_create(r, "plain", &none, &cg, why, sizeof(why)), 0);
	assert_false(bfile_exists(budget_cg_dir(cg, 0), "memory.max"));
	assert_false(bfile_exists(budget_cg_dir(cg, 0), "cpu.max"));
	get(budget_cg_dir(cg, 0), "cpu.weight", text, sizeof(text));
	assert_string_equal(text, "1");
	assert_int_equal(budget_cg_destroy(cg), 0);
	assert_int_equal(budget_cg_create(r, "../x", &none, &cg, why, sizeof(why)), -EINVAL);

	snprintf(text, sizeof(text), "%s", budget_dir(r, 0));
	budget_close(r);
	assert_int_equal(access(text, F_OK), -1);
}

static void v1_on_a_fake_tree(void **state)
{
	struct fake *f = *state;
	char text[2048];
	mkdirs(f->top, "memory");
	mkdirs(f->top, "memory/job");
	mkdirs(f->top, "cpu,cpuacct");
	snprintf(text, sizeof(text), "%s/cpu,cpuacct", f->top);
	put(text, "cpuacct.usage", "0\n");
	mkdirs(f->top, "pids");
	snprintf(text, sizeof(text),
	         "30 1 0:26 / %1$s/memory rw - cgroup cgroup rw,memory\n"
	         "31 1 0:27 / %1$s/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	         "32 1 0:28 / %1$s/pids rw - cgroup cgroup rw,pids\n"
	         "33 1 0:29 / %1$s/unified rw - cgroup2 cgroup2 rw\n",
	         f->top);
	put(f->top, "mountinfo", text);
	put(f->top, "cgroup", "4:memory:/job\n3:cpu,cpuacct:/\n2:pids:/\n0::/\n");
	mkdirs(f->top, "unified");
	snprintf(text, sizeof(text), "%s/unified", f->top);
	put(text, "cgroup.controllers", "hugetlb\n");

	struct budget_where w = {f->mountinfo, f->self, 0};
	struct budget_root *r;
	char why[1024];
	if (budget_open("cordon-2", &w, &r, why, sizeof(why)))
		fail_msg("%s", why);
	assert_int_equal(budget_mode(r), BUDGET_V1);
	snprintf(text, sizeof(text), "%s/memory/job/cordon-2", f->top);
	assert_string_equal(budget_dir(r, 0), text);
	snprintf(text, sizeof(text), "%s/cpu,cpuacct/cordon-2", f->top);
	assert_string_equal(budget_dir(r, 1), text); /* cpu and cpuacct: one directory */
	snprintf(text, sizeof(text), "%s/pids/cordon-2", f->top);
	assert_string_equal(budget_dir(r, 2), text);
	assert_null(budget_dir(r, 3));

	struct budget_limits lim = {64u << 20, 16, 2000, 10000, 127};
	struct budget_cg *cg;
	if (budget_cg_create(r, "sensor", &lim, &cg, why, sizeof(why)))
		fail_msg("%s", why);
	get(budget_cg_dir(cg, 0), "memory.limit_in_bytes", text, sizeof(text));
	assert_string_equal(text, "67108864");
	get(budget_cg_dir(cg, 1), "cpu.cfs_period_us", text, sizeof(text));
	assert_string_equal(text, "10000");
	get(budget_cg_dir(cg, 1), "cpu.cfs_quota_us", text, sizeof(text));
	assert_string_equal(text, "2000");
	get(budget_cg_dir(cg, 1), "cpu.shares", text, sizeof(text));
	assert_string_equal(text, "1024");
	get(budget_cg_dir(cg, 2), "pids.max", text, sizeof(text));
	assert_string_equal(text, "16");
	assert_int_equal(budget_cg_attach(cg, 77, why, sizeof(why)), 0);
	for (int i = 0; i < 3; i++) {
		get(budget_cg_dir(cg, (size_t)i), "cgroup.procs", text, sizeof(text));
		assert_string_equal(text, "77");
	}
	put(budget_cg_dir(cg, 0), "memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	uint64_t n;
	assert_int_equal(budget_cg_oom_kills(cg, &n), 0);
	assert_int_equal(n, 3);
	put(budget_cg_dir(cg, 1), "cpuacct.usage", "5000000\n");
	assert_int_equal(budget_cg_cpu_usec(cg, &n), 0);
	assert_int_equal(n, 5000);
	assert_int_equal(budget_cg_destroy(cg), 0);
	budget_close(r);
	snprintf(text, sizeof(text), "%s/memory/job/cordon-2", f->top);
	assert_int_equal(access(text, F_OK), -1);
}

static void nothing_usable_says_why_for_each(void **state)
{
	struct fake *f = *state;
	char text[1024];
	mkdirs(f->top, "unified");
	snprintf(text, sizeof(text), "33 1 0:29 / %s/unified rw - cgroup2 cgroup2 rw\n", f->top);
	put(f->top, "mountinfo", text);
	put(f->top, "cgroup", "0::/\n");
	snprintf(text, sizeof(text), "%s/unified", f->top);
	put(text, "cgroup.controllers", "hugetlb\n");

	struct budget_where w = {f->mountinfo, f->self, 0};
	struct budget_root *r = (void *)1;
	char why[1024];
	assert_true(budget_open("cordon-3", &w, &r, why, sizeof(why)) < 0);
	assert_null(r);
	assert_non_null(strstr(why, "cgroup v2: "));
	assert_non_null(strstr(why, "offers the controllers 'hugetlb', without memory cpu pids"));
	assert_non_null(strstr(why, "cgroup v1: no memory hierarchy mounted"));
	snprintf(text, sizeof(text), "%s/unified/cordon-3", f->top);
	assert_int_equal(access(text, F_OK), -1); /* nothing left behind */
}

/* ---- the real thing, when we may ---- */

static void a_real_cgroup_holds_a_process(void **state)
{
	struct budget_root *r;
	char why[1024], name[32];
	snprintf(name, sizeof(name), "cordon-%d", (int)getpid());
	if (budget_open(name, NULL, &r, why, sizeof(why)) < 0) {
		fprintf(stderr, "skipped: %s\n", why);
		skip();
	}
	struct budget_limits lim = {16u << 20, 8, 200, 1000, 200};
	struct budget_cg *cg;
	if (budget_cg_create(r, "unit", &lim, &cg, why, sizeof(why)))
		fail_msg("%s", why);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		(void)!read(p[0], &c, 1); /* wait to be placed */
		_exit(0);
	}
	close(p[0]);
	assert_int_equal(budget_cg_attach(cg, pid, why, sizeof(why)), 0);
	char path[64], self[4096];
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	assert_int_equal(bfile_read(path, "cgroup", self, sizeof(self)), 0);
	snprintf(path, sizeof(path), "/%s/unit\n", name);
	assert_non_null(strstr(self, path));
	uint64_t n = 99;
	assert_int_equal(budget_cg_oom_kills(cg, &n), 0);
	assert_int_equal(n, 0);
	close(p[1]);
	waitpid(pid, NULL, 0);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", budget_cg_dir(cg, 0));
	assert_int_equal(budget_cg_destroy(cg), 0);
	assert_int_equal(access(dir, F_OK), -1);
	snprintf(dir, sizeof(dir), "%s", budget_dir(r, 0));
	budget_close(r);
	assert_int_equal(access(dir, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quota_maps_budget_period_into_cfs_range),
	    cmocka_unit_test(weight_grows_with_priority),
	    cmocka_unit_test(sizes_are_formatted_like_the_description),
	    cmocka_unit_test_setup_teardown(v2_on_a_fake_tree, fake_setup, fake_teardown),
	    cmocka_unit_test_setup_teardown(only_a_dead_owners_cgroups_are_removed, fake_setup,
	                                    fake_teardown),
	    cmocka_unit_test_setup_teardown(v1_on_a_fake_tree, fake_setup, fake_teardown),
	    cmocka_unit_test_setup_teardown(nothing_usable_says_why_for_each, fake_setup,
	                                    fake_teardown),
	    cmocka_unit_test(a_real_cgroup_holds_a_process),
	};
	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
