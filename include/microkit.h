/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * microkit.h — the seL4 Microkit component API on Cordon.
 *
 * A component written against Microkit's libmicrokit compiles unchanged:
 *
 *     #include <microkit.h>
 *
 *     void init(void) { microkit_dbg_puts(microkit_name); }
 *     void notified(microkit_channel ch) { microkit_notify(ch); }
 *     microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
 *     {
 *         microkit_mr_set(0, microkit_mr_get(0) + 1);
 *         return microkit_msginfo_new(0, 1);
 *     }
 *
 * and is built and described like any Cordon PD (cordon.pc, a .system
 * file in Microkit's format).  Every call maps onto cordon.h, so the
 * semantics are Cordon's: capability checks print the PD's name and the
 * channel; a protected call to a PD that dies returns the label
 * CORDON_LABEL_PEER_DOWN instead of hanging; microkit_pd_restart restarts
 * the child process from its start (a Linux process cannot be resumed at
 * an arbitrary entry point, so entry_point is ignored).  The seL4 names
 * Microkit's own examples use (seL4_MessageInfo_new, seL4_SetMR, ...) come
 * from <sel4/sel4.h>, included here as Microkit's header includes it.
 *
 * Differences a port may notice: microkit_msginfo and seL4_MessageInfo_t
 * are one 64-bit integer with seL4_MessageInfo's layout, not a struct;
 * seL4_Bool is an int (fault()'s return value must be a full register on
 * Linux); there are no IRQs, VCPUs or seL4 system calls.  A child PD that
 * is restarted (microkit_pd_restart, or fault() returning seL4_True) starts
 * with fresh globals: on seL4 the restart only resets the thread's program
 * counter in the same address space, so globals keep their values; on
 * Cordon the child is a Linux process that has ended, and its memory ended
 * with it.  Keep state a child must find again in a memory region.
 */
#ifndef CORDON_MICROKIT_H
#define CORDON_MICROKIT_H

#include <stdbool.h>
#include <stdint.h>

#include <cordon.h>
#include <sel4/sel4.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef cordon_channel microkit_channel;
typedef cordon_child microkit_child;
typedef cordon_msginfo microkit_msginfo;

#define MICROKIT_MAX_CHANNELS   62
#define MICROKIT_MAX_CHANNEL_ID (MICROKIT_MAX_CHANNELS - 1)
#define MICROKIT_PD_NAME_LENGTH 64

/* Entry points, with Microkit's signatures (identical to cordon.h's). */
void init(void);
void notified(microkit_channel ch);
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);
seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/* The PD's name, set before init(). */
extern char microkit_name[MICROKIT_PD_NAME_LENGTH];

static inline void microkit_dbg_putc(int c)
{
	cordon_dbg_putc(c);
}

static inline void microkit_dbg_puts(const char *s)
{
	cordon_dbg_puts(s);
}

static inline void microkit_dbg_put8(seL4_Uint8 x)
{
	cordon_dbg_printf("%u", (unsigned)x);
}

static inline void microkit_dbg_put32(seL4_Uint32 x)
{
	cordon_dbg_printf("%u", (unsigned)x);
}

static inline void microkit_notify(microkit_channel ch)
{
	cordon_notify(ch);
}

/* Cordon batches nothing: a deferred notification is sent at once. */
static inline void microkit_deferred_notify(microkit_channel ch)
{
	cordon_notify(ch);
}

static inline void microkit_irq_ack(microkit_channel ch)
{
	cordon_dbg_printf("%s microkit_irq_ack: no IRQs on Cordon (channel %u)\n", cordon_name(),
	                  ch);
}

static inline void microkit_deferred_irq_ack(microkit_channel ch)
{
	microkit_irq_ack(ch);
}

static inline microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo)
{
	return cordon_ppcall(ch, msginfo);
}

static inline microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count)
{
	return cordon_msginfo_new(label, count);
}

static inline seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo)
{
	return (seL4_Word)cordon_msginfo_get_label(msginfo);
}

static inline seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo)
{
	return cordon_msginfo_get_count(msginfo);
}

static inline void microkit_mr_set(seL4_Uint8 mr, seL4_Word value)
{
	cordon_mr_set(mr, value);
}

static inline seL4_Word microkit_mr_get(seL4_Uint8 mr)
{
	return (seL4_Word)cordon_mr_get(mr);
}

/* entry_point is ignored: the child restarts from its beginning. */
static inline void microkit_pd_restart(microkit_child pd, seL4_Word entry_point)
{
	(void)entry_point;
	cordon_pd_restart(pd);
}

static inline void microkit_pd_stop(microkit_child pd)
{
	cordon_pd_stop(pd);
}

/* Resume a child that fault() left stopped or that was stopped: on Cordon a
 * stopped child has no process left, so it is started again from its entry
 * point, with fresh globals.  Meant for a stopped child only: on a running
 * one it restarts it, where seL4 would leave it running. */
static inline void microkit_pd_resume(microkit_child pd)
{
	cordon_pd_restart(pd);
}

#ifdef __cplusplus
}
#endif
#endif
