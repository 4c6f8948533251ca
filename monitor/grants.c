/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Grants: the listening sockets a system description gives its PDs
 * (<grant type="tcp_listen">).  Each is opened once, before any PD starts,
 * and kept by the monitor (close-on-exec) until the system stops: the port
 * stays bound across the PD's restarts, and connections that arrive while
 * the PD is down wait in the backlog for its next incarnation.  Every start
 * of the PD that holds the grant gets the socket handed in through its boot
 * information (mon_boot_write); no other PD ever gets it.
 *
 * The socket belongs to the monitor's network namespace: the PD, in its
 * own empty one, can accept on it but can create no socket of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monitor/internal.h"

static const char *hint_for(int err)
{
	switch (err) {
	case EADDRINUSE:
		return "another program (or another Cordon system) holds that address and port: "
		       "stop it, or give the grant another port";
	case EACCES:
	case EPERM:
		return "ports below 1024 need root (CAP_NET_BIND_SERVICE): run cordon as root, "
		       "or give the grant a port from 1024 up";
	case EADDRNOTAVAIL:
		return "the address is not one of this machine's: use 127.0.0.1, ::1, 0.0.0.0, :: "
		       "or the address of one of its interfaces";
	case EAFNOSUPPORT:
		return "this machine has no IPv6: give the grant an IPv4 address";
	default:
		return "check the grant's address and port";
	}
}

/* socket, SO_REUSEADDR (a restarted system rebinds at once, whatever its
 * last connections left in TIME_WAIT), IPv6-only for IPv6 addresses (so
 * :: and 0.0.0.0 are two sockets, as sdf/ validates them), bind, listen.
 * Returns the descriptor, or -1 with errno and the failing step in *what. */
static int open_listen(const struct sdf_grant *g, const char **what)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} a;
	socklen_t alen;
	int one = 1;

	memset(&a, 0, sizeof(a));
	if (g->ipv6) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(g->port);
		memcpy(&a.in6.sin6_addr, g->addr, 16);
		alen = sizeof(a.in6);
	} else {
		a.in.sin_family = AF_INET;
		a.in.sin_port = htons(g->port);
		memcpy(&a.in.sin_addr, g->addr, 4);
		alen = sizeof(a.in);
	}
	*what = "socket";
	cleanup_fd int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* On each failure errno survives fd's cleanup (close_fd keeps it). */
	*what = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (g->ipv6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0))
		return -1;
	*what = "bind";
	if (bind(fd, &a.sa, alen) < 0)
		return -1;
	*what = "listen";
	if (listen(fd, (int)g->backlog) < 0)
		return -1;
	return steal_fd(&fd);
}

int mon_grants_open(struct mon *m)
{
	const struct sdf_system *sys = m->sys;

	for (size_t p = 0; p < sys->npds; p++) {
		const struct sdf_pd *pd = &sys->pds[p];
		if (!pd->ngrants)
			continue;
		m->pds[p].grants = malloc(pd->ngrants * sizeof(int));
		if (!m->pds[p].grants) {
			mon_err(m, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < pd->ngrants; i++)
			m->pds[p].grants[i] = -1;
	}
	for (size_t p = 0; p < sys->npds; p++) {
		const struct sdf_pd *pd = &sys->pds[p];
		for (size_t i = 0; i < pd->ngrants; i++) {
			const struct sdf_grant *g = &pd->grants[i];
			const char *what = "";
			int fd = open_listen(g, &what);
			if (fd < 0) {
				int e = errno;
				mon_err(m,
				        "grant %s of pd=%s (%s:%d): cannot listen on %s%s%s:%u: "
				        "%s: %s",
				        g->name, pd->name, g->loc.file, g->loc.line,
				        g->ipv6 ? "[" : "", g->address, g->ipv6 ? "]" : "", g->port,
				        what, strerror(e));
				mon_err(m, "  hint: %s", hint_for(e));
				return -1;
			}
			m->pds[p].grants[i] = fd;
			mon_info(m, "grant %s of pd=%s: %s on %s%s%s:%u, backlog %u", g->name,
			         pd->name, sdf_grant_type_name(g->type), g->ipv6 ? "[" : "",
			         g->address, g->ipv6 ? "]" : "", g->port, g->backlog);
		}
	}
	return 0;
}

/* The previous incarnation may have left the socket non-blocking, shut it
 * down (which stops a listener) or shrunk its backlog: each start gets it
 * in the state the description says, blocking and listening.  Connections
 * already queued stay queued (listen on a listening socket only sets the
 * backlog). */
int mon_grant_rearm(struct mon *m, size_t p, size_t i, char *why, size_t whylen)
{
	const struct sdf_grant *g = &m->sys->pds[p].grants[i];
	int fd = m->pds[p].grants[i];
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 || listen(fd, (int)g->backlog) < 0) {
		snprintf(why, whylen, "grant %s: cannot re-arm its socket: %s", g->name,
		         strerror(errno));
		return -1;
	}
	return 0;
}

void mon_grants_close(struct mon *m)
{
	for (size_t p = 0; m->pds && p < m->sys->npds; p++) {
		if (!m->pds[p].grants)
			continue;
		for (size_t i = 0; i < m->sys->pds[p].ngrants; i++)
			if (m->pds[p].grants[i] >= 0)
				close(m->pds[p].grants[i]);
		free(m->pds[p].grants);
		m->pds[p].grants = NULL;
	}
}
