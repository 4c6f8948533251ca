/*
 * ipc — the algorithms over the shared-memory ABI in ipc/abi.h: notify,
 * protected call and reply, queues, and waiting for any of them.  Used by
 * libcordon inside a PD, by the BEAM NIF, and (for the monitor's few writes)
 * by the monitor.  No I/O but futex; no allocation.
 */
#ifndef CORDON_IPC_H
#define CORDON_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/abi.h"

/* ---- Monitor side: the only writes the monitor makes to an end page. ---- */

/* Fresh page (zeroed by ftruncate): set magic, version, life = down, epoch 0. */
void ipc_end_init(struct ipc_end *e);

/* The owner is about to (re)start: clear everything it wrote, bump the
 * epoch, mark it up.  Only while the owner is not running. */
void ipc_end_up(struct ipc_end *e);

/* The owner died or was stopped: mark it down, bump `event`, and wake every
 * futex a peer may sleep on in this page, so blocked callers return
 * CORDON_LABEL_PEER_DOWN and event loops see the change. */
void ipc_end_down(struct ipc_end *e);

#endif
