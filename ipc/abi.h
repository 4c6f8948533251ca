/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The shared-memory ABI between the monitor and protection domains.
 *
 * This header is the contract for every byte that crosses a protection-domain
 * boundary.  Two rules shape it:
 *
 *  1. Single writer.  Every shared word has exactly one PD that may write it,
 *     and that PD is the only one holding a writable mapping: each channel
 *     end has its own page, mapped read-write by the PD that owns the end and
 *     read-only by the peer (the peer's fd is reopened O_RDONLY by the
 *     monitor, so it cannot be upgraded with mprotect).  A hostile PD can
 *     therefore scribble only on its own pages, and what it writes there is
 *     read by its peer as untrusted input: copied out, then bounds-checked.
 *     The monitor (trusted) also writes an end page, but only the `life`
 *     word and only while the owner is not running (dead, or not yet
 *     started).
 *
 *  2. Versioned, fixed layout.  Every structure is _Static_assert'ed, starts
 *     with a magic and a version, and uses fixed-width types only.
 *
 * Restarts: the monitor's ipc_end_up() keeps every counter of a page
 * (event, the *_seq words, queue_head/queue_tail, queue_want_space) across
 * a restart of its owner, so the surviving peer never has to resynchronise
 * and a counter can never come back to a value the peer has already seen.
 *
 * Memory ordering: a writer publishes payload with plain stores followed by a
 * release store (or RMW) of the sequence word; a reader acquires the sequence
 * word before copying the payload out.  Where a sleeper and a waker must not
 * miss each other (the `waiting` handshake) both sides use a seq_cst fence,
 * the classic store-buffer pattern; see ipc/wait.c.
 */
#ifndef CORDON_IPC_ABI_H
#define CORDON_IPC_ABI_H

#include <stdint.h>

#define IPC_VERSION      2u /* 2: 120 message registers, as seL4 */
#define IPC_PAGE_SIZE    4096u
#define IPC_MAX_CHANNELS 63u  /* channel ids are 0..62, as in Microkit */
#define IPC_MAX_MRS      120u /* message registers per call or reply: seL4_MsgMaxLength */
#define IPC_MAX_MAPS     64u  /* memory-region mappings per PD */
#define IPC_NAME_MAX     64u  /* PD and region names, including the NUL */

#define IPC_END_MAGIC  0x444e4543u /* "CEND" */
#define IPC_BOOT_MAGIC 0x544f4f42u /* "BOOT" */
#define IPC_QUEUE_MIN  4096u       /* smallest queue ring, bytes */
#define IPC_QUEUE_MAX  (64u << 20) /* largest queue ring, bytes */

/*
 * `life` packs the owner's incarnation and whether it is running:
 * bit 0 is 1 while the owner is up, bits 1..31 count (re)starts.  Written
 * only by the monitor.  A change of `life` while a caller waits for a reply
 * means the callee died or was restarted: the call fails with
 * CORDON_LABEL_PEER_DOWN.
 */
#define IPC_LIFE_UP       1u
#define IPC_LIFE_EPOCH(l) ((l) >> 1)

/*
 * One end of a channel: written by the PD that owns the end.  The peer reads
 * it.  4 KiB, so each end is one page and can be mapped with its own
 * permissions.
 */
struct ipc_end {
	uint32_t magic;            /* IPC_END_MAGIC, set by the monitor */
	uint32_t version;          /* IPC_VERSION, set by the monitor */
	uint32_t life;             /* monitor only: see IPC_LIFE_* */
	uint32_t event;            /* futex: owner bumps it on every notify and
	                              call; the monitor bumps it when the owner
	                              dies, so a sleeping peer wakes */
	uint32_t notify_seq;       /* owner: notifications sent to the peer */
	uint32_t call_seq;         /* owner as caller: protected calls issued */
	uint32_t reply_seq;        /* futex: owner as callee: the call_seq of the
	                              call just answered */
	uint32_t waiting;          /* owner: nonzero while it sleeps (or is about
	                              to) on words of the peer's end; the peer
	                              must futex-wake after changing them */
	uint64_t queue_head;       /* owner as producer: bytes ever written to
	                              the queue toward the peer */
	uint64_t queue_tail;       /* owner as consumer: bytes ever consumed from
	                              the queue from the peer */
	uint32_t queue_want_space; /* owner as producer: a nonzero counter,
	                              bumped each time it finds the queue full
	                              and wants a notification when there is
	                              room; the consumer answers each new value
	                              once */
	uint32_t call_life;        /* owner as caller: the callee's `life` when
	                              the call was issued; a restarted callee
	                              drops calls addressed to an earlier
	                              incarnation instead of running them */
	uint64_t call_info;        /* owner as caller: msginfo of the call */
	uint64_t reply_info;       /* owner as callee: msginfo of the reply */
	uint64_t call_mr[IPC_MAX_MRS];
	uint64_t reply_mr[IPC_MAX_MRS];
	uint8_t pad[IPC_PAGE_SIZE - 72 - 2 * 8 * IPC_MAX_MRS];
};
_Static_assert(sizeof(struct ipc_end) == IPC_PAGE_SIZE, "ipc_end is one page");
_Static_assert(__builtin_offsetof(struct ipc_end, queue_head) == 32, "ipc_end layout");
_Static_assert(__builtin_offsetof(struct ipc_end, call_info) == 56, "ipc_end layout");
_Static_assert(__builtin_offsetof(struct ipc_end, call_mr) == 72, "ipc_end layout");

/*
 * A message queue ring: a power-of-two byte array written only by the
 * producer.  Its head lives in the producer's end page and its tail in the
 * consumer's, so the ring itself holds only records:
 *
 *   [u32 length][u32 reserved][payload, padded to 8 bytes]
 *
 * A record never wraps: when the space to the end of the ring is too small
 * the producer writes a record with length IPC_QUEUE_WRAP and continues at
 * offset 0.  Every field is read by the consumer as hostile input.
 */
#define IPC_QUEUE_WRAP 0xffffffffu
#define IPC_QUEUE_HDR  8u

/* Boot information: written by the monitor into a sealed, read-only memfd
 * handed to the PD at fd IPC_FD_BOOT.  Trusted, but libcordon still checks
 * every count and fd against the limits here. */

/* Flags of a boot channel, from the system description. */
#define IPC_CH_NOTIFY      (1u << 0) /* this end may notify the peer */
#define IPC_CH_PEER_NOTIFY (1u << 1) /* the peer may notify this end */
#define IPC_CH_CALLER      (1u << 2) /* this end may ppcall the peer (this end is pp) */
#define IPC_CH_CALLEE      (1u << 3) /* this end serves ppcalls (the peer's end is pp) */
#define IPC_CH_TX_QUEUE    (1u << 4) /* a queue from this end to the peer */
#define IPC_CH_RX_QUEUE    (1u << 5) /* a queue from the peer to this end */

struct ipc_boot_channel {
	uint32_t id;       /* 0..62 */
	uint32_t flags;    /* IPC_CH_* */
	int32_t own_fd;    /* this end's page, read-write */
	int32_t peer_fd;   /* the peer's end page, read-only */
	int32_t txq_fd;    /* ring toward the peer, read-write, or -1 */
	int32_t rxq_fd;    /* ring from the peer, read-only, or -1 */
	uint32_t txq_size; /* bytes, power of two, or 0 */
	uint32_t rxq_size; /* bytes, power of two, or 0 */
	char peer[IPC_NAME_MAX];
};
_Static_assert(sizeof(struct ipc_boot_channel) == 32 + IPC_NAME_MAX, "boot channel layout");

#define IPC_PERM_R 1u
#define IPC_PERM_W 2u
#define IPC_PERM_X 4u

struct ipc_boot_map {
	uint64_t vaddr;      /* where to map; page aligned */
	uint64_t size;       /* bytes; page aligned */
	uint64_t setvar_off; /* offset from the program's load bias of a
	                        uintptr_t to set to vaddr, if has_setvar */
	uint32_t perms;      /* IPC_PERM_* */
	int32_t fd;          /* the region's memfd, opened for the perms */
	uint32_t has_setvar;
	uint32_t reserved;
	char region[IPC_NAME_MAX];
};
_Static_assert(sizeof(struct ipc_boot_map) == 40 + IPC_NAME_MAX, "boot map layout");

/* A grant: authority beyond channels and regions, opened by the monitor and
 * handed in as a descriptor (see docs/system-description.md, <grant>). */
#define IPC_MAX_GRANTS       16u
#define IPC_GRANT_TCP_LISTEN 1u /* a bound, listening TCP socket */

struct ipc_boot_grant {
	uint32_t kind; /* IPC_GRANT_* */
	int32_t fd;    /* the descriptor */
	uint32_t port; /* TCP_LISTEN: the port it is bound to */
	uint32_t reserved;
	char name[IPC_NAME_MAX];
};
_Static_assert(sizeof(struct ipc_boot_grant) == 16 + IPC_NAME_MAX, "boot grant layout");

struct ipc_boot {
	uint32_t magic;   /* IPC_BOOT_MAGIC */
	uint32_t version; /* IPC_VERSION */
	uint32_t nchannels;
	uint32_t nmaps;
	uint32_t ncpus;   /* CPUs the PD may run on (it cannot ask: no
	                     sched_getaffinity in its seccomp policy) */
	int32_t ctl_fd;   /* SOCK_SEQPACKET to the monitor (struct ipc_ctl) */
	uint32_t spin_ns; /* upper bound for spinning before sleeping; 0: never spin */
	int32_t mon_fd;   /* the PD's monitor page (struct ipc_mon), read-only */
	uint32_t ngrants;
	uint32_t reserved;
	char name[IPC_NAME_MAX];
	struct ipc_boot_channel channels[IPC_MAX_CHANNELS];
	struct ipc_boot_map maps[IPC_MAX_MAPS];
	struct ipc_boot_grant grants[IPC_MAX_GRANTS];
};

/* Fixed descriptors in every PD.  Everything else is closed before exec. */
#define IPC_FD_BOOT  3
#define IPC_FD_FIRST 4 /* the monitor hands capabilities in from here up */

/*
 * The monitor page: one per PD, written only by the monitor, mapped
 * read-only by the PD.  The PD's event loop waits on `event` beside its
 * channels' pages; when it changes, the PD reads the monitor's messages
 * (struct ipc_ctl, IPC_CTL_CHILD_FAULT) from the ctl socket until EAGAIN.
 * The page carries no payload, only the wake-up, so the monitor never
 * blocks on a PD and a PD never trusts more than a counter.
 */
#define IPC_MON_MAGIC 0x4e4f4d43u /* "CMON" */

struct ipc_mon {
	uint32_t magic;   /* IPC_MON_MAGIC */
	uint32_t version; /* IPC_VERSION */
	uint32_t event;   /* futex: bumped after each message queued on
	                     the ctl socket for this PD */
	uint32_t reserved;
	uint8_t pad[IPC_PAGE_SIZE - 16];
};
_Static_assert(sizeof(struct ipc_mon) == IPC_PAGE_SIZE, "ipc_mon is one page");

/*
 * Control messages over the ctl socket (one datagram each), both ways.
 * Each side treats the other's messages as hostile input: the monitor checks
 * the size, the type and every field before it acts, and so does libcordon.
 */
enum ipc_ctl_type {
	/* PD -> monitor */
	IPC_CTL_FAULT = 1,      /* the PD is about to die of a signal */
	IPC_CTL_BROKEN = 2,     /* the PD found a channel's shared memory corrupt */
	IPC_CTL_PD_RESTART = 3, /* restart child PD `channel` (its child id) */
	IPC_CTL_PD_STOP = 4,    /* stop child PD `channel` (its child id) */
	IPC_CTL_READY = 5,      /* the PD is ready: init() returned, or the BEAM
	                           application started; a death before it is a
	                           failed start */
	/* monitor -> PD */
	IPC_CTL_CHILD_FAULT = 16, /* child PD `channel` faulted or exited */
};

struct ipc_ctl {
	uint32_t type;    /* enum ipc_ctl_type */
	uint32_t channel; /* BROKEN: the channel id; PD_*, CHILD_FAULT: the child id */
	int32_t signo;    /* FAULT, CHILD_FAULT: the signal, or 0 for an exit */
	int32_t code;     /* FAULT, CHILD_FAULT: si_code, or the exit status */
	uint64_t addr;    /* FAULT, CHILD_FAULT: si_addr; for SIGSYS the
	                     number of the syscall seccomp refused */
	uint64_t ip;      /* FAULT, CHILD_FAULT: instruction pointer */
	char what[96];    /* BROKEN: what was wrong; CHILD_FAULT: the decoded
	                     fault line; NUL-terminated */
};
_Static_assert(sizeof(struct ipc_ctl) == 128, "ctl message layout");

#endif
