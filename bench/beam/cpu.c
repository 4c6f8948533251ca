/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where the CPU goes: the CPU time of each thread of the calls system, read
 * from the host's /proc (schedstat: nanoseconds on a CPU) whenever the BEAM
 * PD reports a case done, so each case gets the time its threads ran:
 * the VM's scheduler, the NIF's waiter thread, the VM's other threads, the
 * port program, the target PD and the native caller PD.
 *
 * PD pids come from the monitor's "pd=NAME started pid=N" lines (host
 * pids: the monitor sees its PDs from outside their pid namespaces).  The
 * port program is the child of the VM's erl_child_setup, found by its
 * name.  A thread that ends between two looks loses its last interval;
 * none does while the cases run.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/beam/beam.h"

/* The first number of a schedstat file: ns on a CPU; 0 if unreadable. */
static uint64_t ns_on_cpu(const char *path)
{
	unsigned long long ns = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static void read_comm(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* A process's name and parent, from /proc/PID/stat; false if gone. */
static bool comm_ppid(pid_t pid, char *comm, size_t len, pid_t *ppid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	char *open = strchr(line, '('), *close = strrchr(line, ')');
	int pp;
	if (!ok || !open || !close || close < open || sscanf(close + 1, " %*c %d", &pp) != 1)
		return false;
	snprintf(comm, len, "%.*s", (int)(close - open - 1), open + 1);
	*ppid = pp;
	return true;
}

/* The child of parent named name, or 0. */
static pid_t child_named(pid_t parent, const char *name)
{
	DIR *d = opendir("/proc");
	pid_t found = 0;
	struct dirent *e;
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char comm[64];
		pid_t pp;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (comm_ppid(pid, comm, sizeof(comm), &pp) && pp == parent && !strcmp(comm, name))
			found = pid;
	}
	closedir(d);
	return found;
}

static void total(struct cpu_watch *w, uint64_t v[CPU_PARTS])
{
	char path[512], comm[64];
	memset(v, 0, sizeof(uint64_t) * CPU_PARTS);

	snprintf(path, sizeof(path), "/proc/%d/task", (int)w->pid[PD_BENCH]);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", (int)w->pid[PD_BENCH],
		         e->d_name);
		read_comm(path, comm, sizeof(comm));
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)w->pid[PD_BENCH],
		         e->d_name);
		enum cpu_part part = !strcmp(comm, "1_scheduler")     ? CPU_SCHED
		                     : !strcmp(comm, "cordon_waiter") ? CPU_WAITER
		                                                      : CPU_VM_OTHER;
		v[part] += ns_on_cpu(path);
	}
	if (d)
		closedir(d);
	if (!w->port) {
		pid_t setup = child_named(w->pid[PD_BENCH], "erl_child_setup");
		w->port = setup ? child_named(setup, "port_echo") : 0;
	}
	if (w->port) {
		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)w->port);
		v[CPU_PORT] = ns_on_cpu(path);
	}
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)w->pid[PD_TARGET]);
	v[CPU_TARGET] = ns_on_cpu(path);
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)w->pid[PD_NCALLER]);
	v[CPU_NCALLER] = ns_on_cpu(path);
}

void cpu_start(struct cpu_watch *w)
{
	total(w, w->last);
	w->since = now_ns();
}

void cpu_case(struct cpu_watch *w, double into[CPU_PARTS], double *wall)
{
	uint64_t now[CPU_PARTS];
	*wall += (double)(now_ns() - w->since);
	total(w, now);
	for (int i = 0; i < CPU_PARTS; i++) {
		into[i] += now[i] >= w->last[i] ? (double)(now[i] - w->last[i]) : 0;
		w->last[i] = now[i];
	}
}
