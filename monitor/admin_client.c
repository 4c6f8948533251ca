/* SPDX-License-Identifier: BSD-2-Clause */
/* The client half of the admin socket (see admin.h), used by the CLI, and
 * the naming rules both halves share. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "monitor/admin.h"

int admin_rundir(char *buf, size_t len, bool create, char *why, size_t whylen)
{
	const char *env = getenv("CORDON_RUNTIME_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/cordon", xdg);
	else
		n = snprintf(buf, len, "/tmp/cordon-%u", (unsigned)geteuid());
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, whylen, "runtime directory path too long");
		return -1;
	}
	if (create && mkdir(buf, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create %s: %s", buf, strerror(errno));
		return -1;
	}
	if (lstat(buf, &st) < 0) {
		snprintf(why, whylen, "%s: %s", buf, strerror(errno));
		return -1;
	}
	/* Another user's directory (or a symlink planted in /tmp) must not
	 * receive our socket or hand us theirs. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(
		    why, whylen,
		    "%s is not a private directory of this user (want mode 0700, owner uid %u)",
		    buf, (unsigned)geteuid());
		return -1;
	}
	return 0;
}

void admin_system_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 7 && !strcmp(base + n - 7, ".system"))
		n -= 7;
	snprintf(buf, len, "%.*s", (int)n, base);
}

/* The one system running, when the caller named none. */
static int only_system(const char *dir, char *name, size_t len, FILE *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	char all[512] = "";

	if (!d)
		goto none;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n <= 5 || strcmp(e->d_name + n - 5, ".sock"))
			continue;
		if (found++ == 0)
			snprintf(name, len, "%.*s", (int)(n - 5), e->d_name);
		size_t used = strlen(all);
		snprintf(all + used, sizeof(all) - used, "%s%.*s", used ? ", " : "", (int)(n - 5),
		         e->d_name);
	}
	closedir(d);
	if (found == 1)
		return 0;
	if (found > 1) {
		fprintf(err, "cordon: several systems are running (%s); choose one with -s NAME\n",
		        all);
		return -1;
	}
none:
	fprintf(err,
	        "cordon: no system is running (no admin socket in %s)\n"
	        "  hint: start one with 'cordon run FILE'\n",
	        dir);
	return -1;
}

int admin_request(const char *system, const char *request, FILE *out, FILE *err)
{
	char dir[256], name[128], why[320], buf[ADMIN_MSG_MAX + 1];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = -1, rc = 2;

	if (admin_rundir(dir, sizeof(dir), false, why, sizeof(why)) < 0) {
		if (errno == ENOENT)
			fprintf(err,
			        "cordon: no system is running (%s)\n"
			        "  hint: start one with 'cordon run FILE'\n",
			        why);
		else
			fprintf(err, "cordon: %s\n", why);
		return 2;
	}
	if (system)
		snprintf(name, sizeof(name), "%s", system);
	else if (only_system(dir, name, sizeof(name), err) < 0)
		return 2;
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", dir, name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		fprintf(err, "cordon: admin socket path too long: %s/%s.sock\n", dir, name);
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(err,
			        "cordon: no system named '%s' is running\n"
			        "  hint: 'cordon ps' without -s lists the one running\n",
			        name);
		else
			fprintf(err, "cordon: %s: %s\n", sa.sun_path, strerror(errno));
		goto out;
	}
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		fprintf(err, "cordon: sending to %s: %s\n", sa.sun_path, strerror(errno));
		goto out;
	}
	bool first = true;
	for (;;) {
		ssize_t got = recv(fd, buf, ADMIN_MSG_MAX, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == ECONNRESET && !first)
			break; /* the monitor closed before reading all we sent */
		if (got < 0) {
			fprintf(err, "cordon: reading from %s: %s\n", sa.sun_path, strerror(errno));
			rc = 2;
			goto out;
		}
		if (got == 0)
			break;
		buf[got] = '\0';
		if (first) {
			first = false;
			if (!strcmp(buf, "ok")) {
				rc = 0;
			} else {
				fprintf(err, "cordon: %s\n", buf);
				rc = 1;
			}
			continue;
		}
		fputs(buf, rc == 0 ? out : err);
	}
	if (first) {
		fprintf(err, "cordon: the monitor closed the connection without answering\n");
		rc = 2;
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
