/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The port baseline of beam-bench: an Erlang port program that echoes
 * every {packet, 4} frame it reads on standard input back on standard
 * output, unchanged.  The BEAM PD opens it with
 * open_port({spawn_executable, ...}, [binary, {packet, 4}]) and times a
 * frame holding a label and the words of a protected call (the same
 * payload Cordon.Channel.call/3 carries), so the two round trips do the
 * same work: bytes to another process and back.
 *
 * Linked statically: it runs inside the BEAM PD's sandbox, started by the
 * runtime's erl_child_setup, where the root holds beam.smp's libraries but
 * nothing chosen for this program.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_FRAME (1u << 16)

/* Read or write all n bytes; false on end of file or error. */
static int full(int fd, uint8_t *p, size_t n, int out)
{
	while (n) {
		ssize_t r = out ? write(fd, p, n) : read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

int main(void)
{
	static uint8_t buf[4 + MAX_FRAME];

	for (;;) {
		if (!full(0, buf, 4, 0))
			return 0; /* the port was closed */
		uint32_t n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
		             (uint32_t)buf[2] << 8 | buf[3];
		if (n > MAX_FRAME || !full(0, buf + 4, n, 0) || !full(1, buf, 4 + n, 1))
			return 1;
	}
}
