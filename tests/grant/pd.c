/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PD of tests/grant/grant.bats.  What it does depends on its name:
 *
 *   echo*   holds a tcp_listen grant named "echo": says which sockets it
 *           holds and where it listens ("listening on 127.0.0.1:PORT
 *           token T", T random per start), then serves connections one at
 *           a time: reads a line, answers "echo T: LINE", half-closes.  The
 *           line "shutdown" shuts the listening socket down and exits 3
 *           (so the monitor must hand the next start a listening socket).
 *   snoop   holds no grant: says which sockets it holds, what the boot
 *           information and cordon_grant_fd("echo") give it and what
 *           listen and accept4 do on its ctl socket, then tries
 *           socket(AF_INET) (seccomp kills it).
 *
 * Everything runs in init(): a native PD's event loop waits on channels,
 * not on descriptors, so a server of connections blocks in accept4.
 */
#include <cordon.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "ipc/abi.h"

/* "sockets: N, inet: M": every open descriptor that is a socket, and how
 * many of them are IPv4 or IPv6 ones. */
static void inventory(void)
{
	int socks = 0, inet = 0;
	for (int fd = 0; fd < 512; fd++) {
		struct stat st;
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		socks++;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
		    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
			inet++;
	}
	cordon_dbg_printf("sockets: %d, inet: %d\n", socks, inet);
}

/* One line from c, without its newline; false at end of file or error. */
static bool read_line(int c, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		char ch;
		ssize_t r = read(c, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		if (ch == '\n')
			break;
		line[n++] = ch;
	}
	line[n] = '\0';
	return true;
}

static void echo(void)
{
	int lfd = cordon_grant_fd("echo");
	if (lfd < 0)
		exit(1);

	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char addr[INET_ADDRSTRLEN] = "?";
	uint32_t token = 0;
	if (getsockname(lfd, (struct sockaddr *)&sa, &len) < 0)
		cordon_dbg_printf("getsockname: %s\n", strerror(errno));
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	if (getrandom(&token, sizeof(token), 0) != sizeof(token))
		token = 0;
	cordon_dbg_printf("listening on %s:%u token %08x\n", addr, ntohs(sa.sin_port), token);

	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0) {
			cordon_dbg_printf("accept4: %s\n", strerror(errno));
			exit(2);
		}
		/* a client that sends nothing must not wedge the PD */
		struct timeval tv = {.tv_sec = 20};
		if (setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
			cordon_dbg_printf("setsockopt: %s\n", strerror(errno));
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		char who[INET_ADDRSTRLEN] = "?";
		if (getpeername(c, (struct sockaddr *)&peer, &plen) == 0)
			inet_ntop(AF_INET, &peer.sin_addr, who, sizeof(who));

		char line[200];
		if (!read_line(c, line, sizeof(line))) {
			close(c);
			continue;
		}
		if (!strcmp(line, "shutdown")) {
			cordon_dbg_printf("shutting the listening socket down\n");
			shutdown(lfd, SHUT_RDWR);
			close(c);
			exit(3);
		}
		dprintf(c, "echo %08x: %s\n", token, line);
		shutdown(c, SHUT_WR);
		close(c);
		cordon_dbg_printf("served %s: %s\n", who, line);
	}
}

static void snoop(void)
{
	static struct ipc_boot boot;
	if (pread(IPC_FD_BOOT, &boot, sizeof(boot), 0) != (ssize_t)sizeof(boot))
		exit(1);
	cordon_dbg_printf("boot information: %u grants\n", boot.ngrants);
	cordon_dbg_printf("cordon_grant_fd(\"echo\") = %d\n", cordon_grant_fd("echo"));
	/* the calls the policy allows for granted sockets reach only the ctl
	 * socket here, where they mean nothing */
	int ctl = boot.ctl_fd;
	cordon_dbg_printf("listen(ctl socket): %s\n",
	                  listen(ctl, 1) < 0 ? strerrorname_np(errno) : "listening");
	cordon_dbg_printf("accept4(ctl socket): %s\n", accept4(ctl, NULL, NULL, 0) < 0
	                                                   ? strerrorname_np(errno)
	                                                   : "a connection");
	cordon_dbg_printf("try: socket(AF_INET, SOCK_STREAM)\n");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cordon_dbg_printf("ESCAPED: socket returned %d (%s)\n", fd,
	                  fd < 0 ? strerror(errno) : "a socket");
}

void init(void)
{
	inventory();
	if (!strncmp(cordon_name(), "echo", 4))
		echo();
	else if (!strcmp(cordon_name(), "snoop"))
		snoop();
	else
		cordon_dbg_printf("no part for a PD named %s\n", cordon_name());
}
