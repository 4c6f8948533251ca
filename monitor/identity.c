/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Each PD's own identity.  The kernel keeps per-user budgets (descriptors
 * in flight with SCM_RIGHTS, RLIMIT_NPROC, inotify watches, message
 * queues, ...) by the user on the host, whatever user namespace a process
 * is in: PDs that share a uid share them, and one can drain them for all.
 *
 * A monitor run as root gives PD p of a system the uid and gid
 *     MON_ID_BASE + block * MON_ID_BLOCK + p
 * where block (0..MON_ID_BLOCKS-1) comes from the system's name, so two
 * systems running at once (they have different names: the admin socket
 * says so) almost always get disjoint ranges; ids from 0x10000 up are
 * outside what Debian allocates to users and system users.  Each PD's
 * user namespace maps that one id to itself.  No file on the host is
 * owned by them: a PD reads its root with the rights of "others", as
 * nobody did before.
 *
 * An unprivileged monitor can map only its own uid into a user namespace
 * (subordinate ids need newuidmap, setuid root); its PDs keep its uid, as
 * before, and share its budgets: docs/security.md says so.
 */
#include <unistd.h>

#include "monitor/internal.h"

#define MON_ID_BASE   0x10000u
#define MON_ID_BLOCK  1024u
#define MON_ID_BLOCKS 4096u

int mon_pd_identity(const struct mon *m, size_t p, uid_t *uid)
{
	*uid = 0;
	if (geteuid() != 0)
		return 0; /* the sandbox's default: the monitor's own uid */
	if (p >= MON_ID_BLOCK)
		return -1;
	uint32_t h = 2166136261u; /* FNV-1a of the system's name */
	for (const char *s = m->name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	*uid = MON_ID_BASE + (h % MON_ID_BLOCKS) * MON_ID_BLOCK + (uid_t)p;
	return 0;
}
