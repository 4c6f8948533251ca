/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The caller's side of a PD's seccomp listener (SANDBOX_POLICY_BEAM): read
 * a refused call, answer it.  The child side (the filter installed with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, the descriptor passed to the parent and
 * closed before exec) is in spawn.c.
 *
 * The caller is an event loop that must never block.  SECCOMP_IOCTL_NOTIF_RECV
 * ignores O_NONBLOCK, so receive polls first; a notification that vanishes
 * between the poll and the ioctl (its thread was killed) makes the ioctl
 * fail with ENOENT instead of blocking: the kernel counts one pending
 * request per notification sent, whatever became of it.
 *
 * Plain ioctls rather than libseccomp's seccomp_notify_*: those allocate
 * per call and fold every kernel error into -ECANCELED, and the ioctl
 * numbers carry the structures' sizes, so the kernel keeps them stable.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sandbox/internal.h"
#include "sandbox/sandbox.h"

int sandbox_notify_receive(const struct sandbox_child *child, struct sandbox_syscall *call)
{
	struct seccomp_notif req;
	struct pollfd pfd = {.fd = child->notify_fd, .events = POLLIN};
	int rc;

	if (child->notify_fd < 0)
		return -EBADF;
	do
		rc = poll(&pfd, 1, 0);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0 || !(pfd.revents & POLLIN))
		return pfd.revents & (POLLHUP | POLLERR) ? -EPIPE : -EAGAIN;
	memset(&req, 0, sizeof(req)); /* the kernel insists */
	do
		rc = ioctl(child->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	memset(call, 0, sizeof(*call));
	call->id = req.id;
	call->pid = (pid_t)req.pid;
	call->nr = req.data.nr;
	call->ip = req.data.instruction_pointer;
	memcpy(call->args, req.data.args, sizeof(call->args));
	return 0;
}

int sandbox_notify_refuse(const struct sandbox_child *child, uint64_t id, int err)
{
	struct seccomp_notif_resp resp = {
	    .id = id,
	    .val = 0,
	    .error = -err,
	    .flags = 0, /* never SECCOMP_USER_NOTIF_FLAG_CONTINUE */
	};
	int rc;

	if (child->notify_fd < 0)
		return -EBADF;
	do
		rc = ioctl(child->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}

int notify_continue(int listener, uint64_t id)
{
	struct seccomp_notif_resp resp = {
	    .id = id,
	    .val = 0,
	    .error = 0,
	    .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE,
	};
	int rc;

	do
		rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}
