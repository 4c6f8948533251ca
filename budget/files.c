/* SPDX-License-Identifier: BSD-2-Clause */
/* Control files: each read or written whole, in one call, as cgroupfs
 * wants (a control file takes one value per write()). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "budget/internal.h"

static int sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	return openat(dirfd, path, flags, mode);
}

struct budget_os budget_os = {
    .openat = sys_openat,
    .mkdir = mkdir,
    .rmdir = rmdir,
};

static int open_in(const char *dir, const char *file, int flags)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd;
	do
		fd = budget_os.openat(AT_FDCWD, path, flags | O_CLOEXEC, 0);
	while (fd < 0 && errno == EINTR);
	return fd;
}

int bfile_write(const char *dir, const char *file, const char *text)
{
	int fd = open_in(dir, file, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t n;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	int e = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return e;
}

int bfile_read(const char *dir, const char *file, char *buf, size_t len)
{
	int fd = open_in(dir, file, O_RDONLY);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	int e = 0;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return e;
}

int bfile_key(const char *dir, const char *file, const char *key, uint64_t *v)
{
	char buf[4096];
	int e = bfile_read(dir, file, buf, sizeof(buf));
	if (e < 0)
		return e;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			char *end;
			errno = 0;
			unsigned long long x = strtoull(line + klen + 1, &end, 10);
			if (errno || end == line + klen + 1)
				return -EINVAL;
			*v = x;
			return 0;
		}
		line = next;
	}
	return -ENOENT;
}

bool bfile_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return stat(path, &st) == 0;
}
