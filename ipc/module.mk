# SPDX-License-Identifier: BSD-2-Clause
# ipc/: the algorithms over the shared-memory ABI.  Built twice: for host
# programs (monitor, CLI, unit tests; HOST_CFLAGS, so ASan under SANITIZE=1)
# and for PDs (PD_CFLAGS: -fPIC, UBSan trap mode only), linked into libcordon.
IPC_SRCS := ipc/os_linux.c ipc/end.c ipc/mon.c ipc/wait.c ipc/chan.c ipc/notify.c ipc/call.c ipc/queue.c
IPC_HOST_OBJS := $(patsubst %.c,$(B)/obj/host/%.o,$(IPC_SRCS))
IPC_PD_OBJS   := $(patsubst %.c,$(B)/obj/pd/%.o,$(IPC_SRCS))
