/* SPDX-License-Identifier: BSD-2-Clause */
/* A PD that checks one sandbox promise from the inside, chosen by its own
 * name, and prints what happened.  Checks that the kernel should refuse by
 * killing the PD (seccomp) print their intent first, so the test can tell
 * "killed at the attempt" from "never tried". */
#include <cordon.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void init(void)
{
	const char *me = cordon_name();

	if (!strcmp(me, "open_passwd")) {
		int fd = open("/etc/passwd", O_RDONLY);
		cordon_dbg_printf("open /etc/passwd: %s\n", fd < 0 ? strerror(errno) : "opened");
	} else if (!strcmp(me, "inet_socket")) {
		cordon_dbg_puts("trying socket(AF_INET)\n");
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		cordon_dbg_printf("socket(AF_INET): %s\n", fd < 0 ? strerror(errno) : "created");
	} else if (!strcmp(me, "see_others")) {
		/* In its own pid namespace the PD is pid 1 and alone: every
		 * other pid is unknown to it. */
		int visible = 0;
		for (pid_t pid = 2; pid < 4096; pid++)
			if (kill(pid, 0) == 0 || errno != ESRCH)
				visible++;
		cordon_dbg_printf("pid %d, other processes visible: %d\n", (int)getpid(), visible);
	} else if (!strcmp(me, "chatty")) {
		/* More output than the monitor keeps of one PD (500 lines),
		 * and less than it relays of a stream in a second (1000). */
		for (int i = 1; i <= 800; i++)
			cordon_dbg_printf("chatty line %d\n", i);
	} else if (!strcmp(me, "quiet")) {
		cordon_dbg_puts("quiet's only line\n");
	} else if (!strcmp(me, "crlf")) {
		/* Line ends as the BEAM writes them, and carriage returns that
		 * are not a line's end. */
		cordon_dbg_puts("a CRLF line\r\n");
		cordon_dbg_puts("over\rwritten\r\n");
		cordon_dbg_puts("two returns\r\r\n");
		cordon_dbg_puts("a return, then the end\r.\n");
	} else {
		cordon_dbg_printf("probe: unknown check '%s'\n", me);
	}
}
