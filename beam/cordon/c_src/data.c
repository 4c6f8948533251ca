/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Queues and memory regions from Elixir.  Bytes only; Cordon.Queue adds
 * terms on top (term_to_binary, binary_to_term with :safe).
 *
 * Large copies move to a dirty CPU scheduler (enif_schedule_nif), so no
 * call holds a normal scheduler for long: NIF_DIRTY_BYTES in nif.h.
 */
#include <string.h>

#include "beam/cordon/c_src/nif.h"

static bool on_normal_scheduler(void)
{
	return enif_thread_type() == ERL_NIF_THR_NORMAL_SCHEDULER;
}

/* Charge a copy to the calling process: about 1% of a timeslice per 16 KiB
 * (a few µs), so a process streaming messages is scheduled out as often as
 * one doing other work of the same cost. */
static void charge(ErlNifEnv *env, size_t bytes)
{
	if (on_normal_scheduler())
		nif_consume(env, bytes / (16u * 1024u));
}

static ERL_NIF_TERM queue_error(ErlNifEnv *env, long r)
{
	ERL_NIF_TERM why;
	switch (r) {
	case IPC_EQ_FULL:
		why = atoms.full;
		break;
	case IPC_EQ_EMPTY:
		why = atoms.empty;
		break;
	case IPC_EQ_TOOBIG:
		why = atoms.too_big;
		break;
	case IPC_EQ_BROKEN:
		why = atoms.broken;
		break;
	case IPC_EQ_DOWN:
		why = atoms.peer_down;
		break;
	default:
		why = atoms.no_queue;
		break;
	}
	return enif_make_tuple2(env, atoms.error, why);
}

/* queue_send(ch, binary) -> :ok | {:error, :full | :peer_down | :too_big | :broken} */
ERL_NIF_TERM nif_queue_send(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	ErlNifBinary bin;
	struct nif_chan *c = nif_chan_arg(env, argv[0], IPC_CH_TX_QUEUE,
	                                  "has no queue from this PD to its peer", &err);
	if (!c)
		return err;
	if (!enif_inspect_binary(env, argv[1], &bin))
		return nif_argerr(env, "a queue message is a binary");
	if (bin.size == 0)
		return nif_argerr(env, "a queue message is 1..%zu bytes, not empty",
		                  ipc_queue_max_msg(c->lc->ipc.txq_size));
	if (bin.size > NIF_DIRTY_BYTES && on_normal_scheduler())
		return enif_schedule_nif(env, "queue_send", ERL_NIF_DIRTY_JOB_CPU_BOUND,
		                         nif_queue_send, argc, argv);
	enif_mutex_lock(c->lock);
	int r = ipc_queue_send(&c->lc->ipc, bin.data, bin.size);
	/* No event loop runs after us to flush the batched wake-up: flush now
	 * (one fence when the consumer may be asleep, else two compares). */
	ipc_queue_flush(&c->lc->ipc);
	nif_check_broken(c);
	enif_mutex_unlock(c->lock);
	charge(env, bin.size);
	return r == 0 ? atoms.ok : queue_error(env, r);
}

/* The length the next rx record claims, as a hint for where to copy it
 * (hostile: ipc_queue_recv checks it properly).  Under c->lock. */
static size_t rx_hint(const struct nif_chan *c)
{
	const struct ipc_chan *ch = &c->lc->ipc;
	uint32_t len;
	size_t off = ch->rx_tail & (ch->rxq_size - 1);

	memcpy(&len, ch->rxq + off, sizeof(len));
	if (len == IPC_QUEUE_WRAP)
		memcpy(&len, ch->rxq, sizeof(len));
	return len;
}

/* queue_recv(ch) -> {:ok, binary} | {:error, :empty | :peer_down | :broken} */
ERL_NIF_TERM nif_queue_recv(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err, out;
	struct nif_chan *c = nif_chan_arg(env, argv[0], IPC_CH_RX_QUEUE,
	                                  "has no queue from its peer to this PD", &err);
	if (!c)
		return err;
	enif_mutex_lock(c->lock);
	if (on_normal_scheduler() && rx_hint(c) > NIF_DIRTY_BYTES) {
		enif_mutex_unlock(c->lock);
		return enif_schedule_nif(env, "queue_recv", ERL_NIF_DIRTY_JOB_CPU_BOUND,
		                         nif_queue_recv, argc, argv);
	}
	if (!c->rxbuf) {
		c->rxcap = ipc_queue_max_msg(c->lc->ipc.rxq_size);
		c->rxbuf = enif_alloc(c->rxcap);
		if (!c->rxbuf) {
			enif_mutex_unlock(c->lock);
			return nif_argerr(env, "out of memory for a %zu-byte receive buffer",
			                  c->rxcap);
		}
	}
	ssize_t r = ipc_queue_recv(&c->lc->ipc, c->rxbuf, c->rxcap);
	ipc_queue_flush(&c->lc->ipc);
	nif_check_broken(c);
	if (r >= 0)
		memcpy(enif_make_new_binary(env, (size_t)r, &out), c->rxbuf, (size_t)r);
	enif_mutex_unlock(c->lock);
	if (r > 0)
		charge(env, (size_t)r);
	return r >= 0 ? enif_make_tuple2(env, atoms.ok, out) : queue_error(env, r);
}

/* ---- regions ---- */

static const struct lc_region *region_arg(ErlNifEnv *env, ERL_NIF_TERM t, ERL_NIF_TERM *err)
{
	ErlNifBinary name;
	const struct lc_pd *pd = nif_pd();

	if (!nif.booted) {
		*err = nif_not_booted(env);
		return NULL;
	}
	if (!enif_inspect_binary(env, t, &name)) {
		*err = nif_argerr(env, "a region name is a string");
		return NULL;
	}
	for (unsigned i = 0; i < pd->nregions; i++) {
		const struct lc_region *r = &pd->regions[i];
		if (strlen(r->name) == name.size && memcmp(r->name, name.data, name.size) == 0)
			return r;
	}
	*err =
	    nif_argerr(env, "no memory region \"%.*s\" is mapped in protection domain %s",
	               (int)(name.size > 64 ? 64 : name.size), (const char *)name.data, pd->name);
	return NULL;
}

static bool range_arg(ErlNifEnv *env, const struct lc_region *r, ERL_NIF_TERM off_t, size_t len,
                      ErlNifUInt64 *off, ERL_NIF_TERM *err)
{
	if (!enif_get_uint64(env, off_t, off)) {
		*err = nif_argerr(env, "an offset is a non-negative integer");
		return false;
	}
	if (*off > r->size || len > r->size - *off) {
		*err = nif_argerr(env, "bytes %llu..%llu are outside region %s (%zu bytes)",
		                  (unsigned long long)*off, (unsigned long long)(*off + len),
		                  r->name, r->size);
		return false;
	}
	return true;
}

/* regions() -> [%{name: binary, size: integer, read: bool, write: bool}] */
ERL_NIF_TERM nif_regions(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	const struct lc_pd *pd = nif_pd();
	ERL_NIF_TERM list = enif_make_list(env, 0);

	if (!nif.booted)
		return nif_not_booted(env);
	for (unsigned i = pd->nregions; i-- > 0;) {
		const struct lc_region *r = &pd->regions[i];
		ERL_NIF_TERM m;
		ERL_NIF_TERM k[4] = {atoms.name, atoms.size, atoms.read, atoms.write};
		ERL_NIF_TERM v[4] = {nif_binary(env, r->name), enif_make_uint64(env, r->size),
		                     (r->perms & IPC_PERM_R) ? atoms.true_ : atoms.false_,
		                     (r->perms & IPC_PERM_W) ? atoms.true_ : atoms.false_};
		enif_make_map_from_arrays(env, k, v, 4, &m);
		list = enif_make_list_cell(env, m, list);
	}
	return list;
}

/* region_read(name, offset, length) -> binary.  The peer may write while we
 * copy: the bytes are whatever they were, each read once. */
ERL_NIF_TERM nif_region_read(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err, out;
	ErlNifUInt64 off, len;
	const struct lc_region *r = region_arg(env, argv[0], &err);
	if (!r)
		return err;
	if (!enif_get_uint64(env, argv[2], &len))
		return nif_argerr(env, "a length is a non-negative integer");
	if (!range_arg(env, r, argv[1], len, &off, &err))
		return err;
	if (!(r->perms & IPC_PERM_R))
		return nif_argerr(env, "region %s is not mapped readable in this PD", r->name);
	if (len > NIF_DIRTY_BYTES && on_normal_scheduler())
		return enif_schedule_nif(env, "region_read", ERL_NIF_DIRTY_JOB_CPU_BOUND,
		                         nif_region_read, argc, argv);
	unsigned char *p = enif_make_new_binary(env, len, &out);
	memcpy(p, (const unsigned char *)r->addr + off, len);
	return out;
}

/* region_write(name, offset, binary) -> :ok */
ERL_NIF_TERM nif_region_write(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ERL_NIF_TERM err;
	ErlNifUInt64 off;
	ErlNifBinary bin;
	const struct lc_region *r = region_arg(env, argv[0], &err);
	if (!r)
		return err;
	if (!enif_inspect_binary(env, argv[2], &bin))
		return nif_argerr(env, "region data is a binary");
	if (!range_arg(env, r, argv[1], bin.size, &off, &err))
		return err;
	if (!(r->perms & IPC_PERM_W))
		return nif_argerr(env, "region %s is mapped read-only in this PD", r->name);
	if (bin.size > NIF_DIRTY_BYTES && on_normal_scheduler())
		return enif_schedule_nif(env, "region_write", ERL_NIF_DIRTY_JOB_CPU_BOUND,
		                         nif_region_write, argc, argv);
	memcpy((unsigned char *)r->addr + off, bin.data, bin.size);
	return atoms.ok;
}
