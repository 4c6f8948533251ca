/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control messages over the SEQPACKET socket to the monitor (abi.h):
 * reports and requests go out, child-fault messages come in.  What the
 * monitor sends is checked like any other input before fault() sees it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include "libcordon/internal.h"

/* Who: the PD's thread (not the fault handler, which sends its own). */
int lc_ctl_send(uint32_t type, uint32_t channel, const char *what)
{
	struct ipc_ctl c;

	if (lc_pd.ctl_fd < 0)
		return -1;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.channel = channel;
	if (what) {
		strncpy(c.what, what, sizeof(c.what) - 1);
		c.what[sizeof(c.what) - 1] = '\0';
	}
	ssize_t n;
	do
		n = send(lc_pd.ctl_fd, &c, sizeof(c), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(c) ? 0 : -1;
}

/* A child-fault message, checked field by field; NULL if malformed. */
static const char *child_fault_bad(const struct ipc_ctl *c)
{
	if (c->type != IPC_CTL_CHILD_FAULT)
		return "unexpected message type";
	if (c->channel >= CORDON_MAX_CHANNELS)
		return "child id out of range";
	if (c->signo < 0 || c->signo >= NSIG)
		return "signal number out of range";
	if (!memchr(c->what, '\0', sizeof(c->what)))
		return "description not terminated";
	return NULL;
}

static void child_fault(const struct ipc_ctl *c)
{
	lc_pd.mr[0] = (uint64_t)c->signo;
	lc_pd.mr[1] = (uint64_t)(int64_t)c->code;
	lc_pd.mr[2] = c->addr;
	lc_pd.mr[3] = c->ip;
	cordon_msginfo reply = cordon_msginfo_new(0, 0);
	int restart = fault(c->channel, cordon_msginfo_new((uint64_t)c->signo, 4), &reply);
	if (restart && lc_ctl_send(IPC_CTL_PD_RESTART, c->channel, NULL) < 0)
		lc_err("fault: could not ask the monitor to restart child %u", c->channel);
}

/* Who: the loop, after it saw the monitor page's event change (it took the
 * new value before calling: a message queued later bumps it again). */
void lc_ctl_drain(void)
{
	union {
		struct ipc_ctl c;
		char raw[sizeof(struct ipc_ctl) + 1]; /* + 1: see oversized ones */
	} m;

	if (lc_pd.ctl_fd < 0)
		return;
	for (;;) {
		ssize_t n = recv(lc_pd.ctl_fd, m.raw, sizeof(m.raw), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* EAGAIN: drained; 0: the monitor is gone */
		const char *bad =
		    n == (ssize_t)sizeof(struct ipc_ctl) ? child_fault_bad(&m.c) : "wrong size";
		if (bad) {
			lc_err("ignored a control message from the monitor: %s", bad);
			continue;
		}
		child_fault(&m.c);
	}
}
