/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sel4/sel4.h — the seL4 names that Microkit components use, with the
 * meaning they keep on Cordon.  <microkit.h> includes it, as Microkit's own
 * header brings in <sel4/sel4.h>, so code such as
 *
 *     microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
 *     {
 *         seL4_SetMR(0, seL4_GetMR(0) + 1);
 *         return seL4_MessageInfo_new(0, 0, 0, 1);
 *     }
 *
 * builds unchanged.  Only what has a meaning here is provided: the word
 * types, message info, message registers and error codes.  What is left out
 * is left out on purpose, so that a port fails at compile time rather than
 * at run time:
 *   - system calls (seL4_Call, seL4_Send, seL4_Recv, seL4_Signal, ...):
 *     Cordon PDs talk through <microkit.h> / <cordon.h> only;
 *   - capability transfer: no capabilities travel in a Cordon message, so
 *     capsUnwrapped and extraCaps are accepted as 0 and read back as 0;
 *   - seL4_UserContext and seL4_TCB_ReadRegisters/WriteRegisters/Resume:
 *     a child PD that faulted is a Linux process that has ended, so its
 *     registers can be neither read nor set; fault() receives the
 *     instruction pointer and fault address in mr3 and mr2 instead, and a
 *     restart starts the program again from its entry point;
 *   - fault labels (seL4_Fault_VMFault, ...): fault()'s label on Cordon is
 *     the Linux signal number (0 for an exit), see <cordon.h>.
 */
#ifndef CORDON_SEL4_SEL4_H
#define CORDON_SEL4_SEL4_H

#include <stdint.h>

#include <cordon.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int8_t seL4_Int8;
typedef int16_t seL4_Int16;
typedef int32_t seL4_Int32;
typedef int64_t seL4_Int64;
typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef uintptr_t seL4_Word;
typedef int seL4_Bool; /* seL4 has int8_t; int keeps fault()'s ABI with cordon.h */
#define seL4_True  1
#define seL4_False 0

/* As many message registers as seL4 has. */
#define seL4_MsgMaxLength CORDON_MAX_MRS

/* The error codes of seL4's API, with seL4's values.  Nothing in Cordon's
 * API returns them; they are here for components that pass them around in
 * message registers, as Microkit examples do. */
typedef enum {
	seL4_NoError = 0,
	seL4_InvalidArgument,
	seL4_InvalidCapability,
	seL4_IllegalOperation,
	seL4_RangeError,
	seL4_AlignmentError,
	seL4_FailedLookup,
	seL4_TruncatedMessage,
	seL4_DeleteFirst,
	seL4_RevokeFirst,
	seL4_NotEnoughMemory,
	seL4_NumErrors
} seL4_Error;

/* A message's label and length.  seL4 wraps the word in a struct; here it is
 * the word itself (cordon_msginfo, with seL4's bit layout), so that it is
 * the same type as microkit_msginfo and either converts to the other. */
typedef cordon_msginfo seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Uint64 label, seL4_Uint64 capsUnwrapped,
                                                      seL4_Uint64 extraCaps, seL4_Uint64 length)
{
	(void)capsUnwrapped; /* no capabilities travel: see above */
	(void)extraCaps;
	return cordon_msginfo_new(label, (uint16_t)length);
}

static inline seL4_Uint64 seL4_MessageInfo_get_label(seL4_MessageInfo_t info)
{
	return cordon_msginfo_get_label(info);
}

static inline seL4_Uint64 seL4_MessageInfo_get_length(seL4_MessageInfo_t info)
{
	return cordon_msginfo_get_count(info);
}

static inline seL4_Uint64 seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t info)
{
	(void)info;
	return 0;
}

static inline seL4_Uint64 seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t info)
{
	(void)info;
	return 0;
}

/* The PD's message registers, the same ones microkit_mr_set/get and
 * cordon_mr_set/get reach.  An index beyond seL4_MsgMaxLength is reported
 * with the PD's name and ignored (set) or reads 0 (get). */
static inline void seL4_SetMR(int i, seL4_Word mr)
{
	cordon_mr_set((unsigned int)i, mr);
}

static inline seL4_Word seL4_GetMR(int i)
{
	return (seL4_Word)cordon_mr_get((unsigned int)i);
}

#ifdef __cplusplus
}
#endif
#endif
