/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cordon NIF: load, the function table, and the terms shared by its
 * files.  See nif.h for the threads and locks.
 *
 * Load boots the PD the way libcordon's main() does (the boot information
 * at fd 3, checked by the same code, libcordon/boot.c), with one change:
 * regions are mapped wherever the kernel likes, since the address space is
 * the VM's.  Once mapped, the descriptors of pages, rings and regions are
 * closed and the ones still needed (the ctl socket, grants) made
 * close-on-exec, so nothing the VM spawns later inherits them.
 *
 * A VM that was not started by `cordon run` (no boot information) still
 * loads the library: every function then raises ArgumentError saying why,
 * so `mix test` on a host gets an explanation, not an undefined function.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "beam/cordon/c_src/nif.h"
#include "ipc/os.h"

struct nif_state nif;
struct nif_atoms atoms;
static struct lc_pd pd = {.ctl_fd = -1};

ERL_NIF_TERM nif_argerr(ErlNifEnv *env, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	ERL_NIF_TERM keys[3] = {enif_make_atom(env, "__struct__"),
	                        enif_make_atom(env, "__exception__"),
	                        enif_make_atom(env, "message")};
	ERL_NIF_TERM vals[3] = {enif_make_atom(env, "Elixir.ArgumentError"), atoms.true_,
	                        nif_binary(env, msg)};
	ERL_NIF_TERM map;
	if (!enif_make_map_from_arrays(env, keys, vals, 3, &map))
		return enif_make_badarg(env);
	return enif_raise_exception(env, map);
}

ERL_NIF_TERM nif_not_booted(ErlNifEnv *env)
{
	return nif_argerr(env, "not running in a Cordon protection domain: %s", nif.why);
}

struct nif_chan *nif_chan_arg(ErlNifEnv *env, ERL_NIF_TERM t, uint32_t need, const char *what,
                              ERL_NIF_TERM *err)
{
	unsigned id;

	if (!nif.booted) {
		*err = nif_not_booted(env);
		return NULL;
	}
	if (!enif_get_uint(env, t, &id) || id >= IPC_MAX_CHANNELS) {
		*err = nif_argerr(env, "a channel is an integer 0..%u", IPC_MAX_CHANNELS - 1);
		return NULL;
	}
	struct nif_chan *c = nif.by_id[id];
	if (!c) {
		*err = nif_argerr(env, "channel %u is not a channel of protection domain %s", id,
		                  pd.name);
		return NULL;
	}
	if (need && !(c->lc->ipc.flags & need)) {
		*err = nif_argerr(env, "channel %u (to %s) %s", id, c->lc->peer, what);
		return NULL;
	}
	return c;
}

void *nif_monitor_resource(void)
{
	/* Allocated on first use, not at load: the VM gives a resource the
	 * room for monitors only if its type's down callback is in place when
	 * it is allocated, and the type's callbacks take effect after load. */
	void *r = __atomic_load_n(&nif.res, __ATOMIC_ACQUIRE);
	if (r)
		return r;
	void *mine = enif_alloc_resource(nif.res_type, 1);
	if (!mine)
		return NULL;
	if (__atomic_compare_exchange_n(&nif.res, &r, mine, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE))
		return mine; /* kept for the VM's life */
	enif_release_resource(mine);
	return r;
}

void nif_kick(void)
{
	__atomic_add_fetch(&nif.kick, 1, __ATOMIC_RELEASE);
	ipc_os_wake(&nif.kick);
}

ERL_NIF_TERM nif_reply_term(ErlNifEnv *env, uint64_t info, const uint64_t mr[IPC_MAX_MRS])
{
	uint64_t label = ipc_info_label(info);
	if (label == IPC_LABEL_PEER_DOWN)
		return enif_make_tuple2(env, atoms.error, atoms.peer_down);
	if (label == IPC_LABEL_INVALID)
		return enif_make_tuple2(env, atoms.error, atoms.invalid);
	if (label == IPC_LABEL_BROKEN)
		return enif_make_tuple2(env, atoms.error, atoms.broken);
	return enif_make_tuple3(env, atoms.ok, enif_make_uint64(env, label),
	                        nif_words(env, info, mr));
}

ERL_NIF_TERM nif_words(ErlNifEnv *env, uint64_t info, const uint64_t mr[IPC_MAX_MRS])
{
	ERL_NIF_TERM words[IPC_MAX_MRS];
	unsigned count = ipc_info_count(info);
	for (unsigned i = 0; i < count; i++)
		words[i] = enif_make_uint64(env, mr[i]);
	return enif_make_list_from_array(env, words, count);
}

ERL_NIF_TERM nif_binary(ErlNifEnv *env, const char *s)
{
	ERL_NIF_TERM t;
	size_t len = strlen(s);
	memcpy(enif_make_new_binary(env, len, &t), s, len);
	return t;
}

void nif_consume(ErlNifEnv *env, uint64_t percent)
{
	if (percent > 0)
		enif_consume_timeslice(env, percent > 100 ? 100 : (int)percent);
}

void nif_check_broken(struct nif_chan *c)
{
	struct ipc_chan *ch = &c->lc->ipc;
	struct ipc_ctl m;

	if (!ch->broken || ch->broken_count == c->lc->reported_broken)
		return;
	c->lc->reported_broken = ch->broken_count;
	memset(&m, 0, sizeof(m));
	m.type = IPC_CTL_BROKEN;
	m.channel = ch->id;
	snprintf(m.what, sizeof(m.what), "%s", ch->broken_what ? ch->broken_what : "corrupt");
	fprintf(stderr, "%s: channel %u to %s is broken: %s; it stays unusable until %s restarts\n",
	        pd.name, ch->id, c->lc->peer, m.what, c->lc->peer);
	if (pd.ctl_fd >= 0)
		send(pd.ctl_fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* ---- out: messages built under a lock, sent after ---- */

void nif_out_init(struct nif_out *out)
{
	memset(out, 0, sizeof(*out));
	out->env = enif_alloc_env();
}

void nif_out_add(struct nif_out *out, const ErlNifPid *pid, ERL_NIF_TERM msg)
{
	if (out->n == out->cap) {
		unsigned cap = out->cap ? 2 * out->cap : 8;
		ErlNifPid *to = enif_realloc(out->to, cap * sizeof(*to));
		if (to)
			out->to = to;
		ERL_NIF_TERM *m = to ? enif_realloc(out->msg, cap * sizeof(*m)) : NULL;
		if (!to || !m) {
			fprintf(stderr, "%s: cordon: out of memory, a message was dropped\n",
			        pd.name);
			return;
		}
		out->msg = m;
		out->cap = cap;
	}
	out->to[out->n] = *pid;
	out->msg[out->n] = msg;
	out->n++;
}

void nif_out_send(struct nif_out *out)
{
	if (out->n == 0)
		return;
	for (unsigned i = 0; i < out->n; i++) {
		/* Each send consumes the environment's terms only when it is
		 * the last: copy the others.  enif_send with a msg_env
		 * invalidates that env, so send copies from a scratch env. */
		ErlNifEnv *e = enif_alloc_env();
		ERL_NIF_TERM m = enif_make_copy(e, out->msg[i]);
		enif_send(NULL, &out->to[i], e, m);
		enif_free_env(e);
	}
	out->n = 0;
	enif_clear_env(out->env);
}

void nif_out_free(struct nif_out *out)
{
	enif_free(out->to);
	enif_free(out->msg);
	if (out->env)
		enif_free_env(out->env);
	memset(out, 0, sizeof(*out));
}

/* ---- small functions ---- */

static ERL_NIF_TERM boolean(bool b)
{
	return b ? atoms.true_ : atoms.false_;
}

/* ready() -> :ok, or {:error, why}: the PD's application has started (the
 * monitor's boot -eval calls it once ensure_all_started returned), so a
 * death from now on is a crash, not a failed start. */
static ERL_NIF_TERM nif_ready(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	struct ipc_ctl m;

	if (!nif.booted)
		return enif_make_tuple2(env, atoms.error, nif_binary(env, nif.why));
	memset(&m, 0, sizeof(m));
	m.type = IPC_CTL_READY;
	if (pd.ctl_fd < 0 ||
	    send(pd.ctl_fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		return enif_make_tuple2(env, atoms.error, nif_binary(env, "no control socket"));
	return atoms.ok;
}

/* info() -> %{name: binary, channels: [%{...}]}, or {:error, why} */
static ERL_NIF_TERM nif_info(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	if (!nif.booted)
		return enif_make_tuple2(env, atoms.error, nif_binary(env, nif.why));
	ERL_NIF_TERM list = enif_make_list(env, 0);
	for (unsigned i = nif.nchans; i-- > 0;) {
		const struct lc_chan *lc = nif.chans[i].lc;
		uint32_t f = lc->ipc.flags;
		ERL_NIF_TERM k[7] = {atoms.id,    atoms.peer,     atoms.notify,  atoms.call,
		                     atoms.serve, atoms.tx_queue, atoms.rx_queue};
		ERL_NIF_TERM v[7] = {
		    enif_make_uint(env, lc->ipc.id),
		    nif_binary(env, lc->peer),
		    boolean(f & IPC_CH_NOTIFY),
		    boolean(f & IPC_CH_CALLER),
		    boolean(f & IPC_CH_CALLEE),
		    (f & IPC_CH_TX_QUEUE)
		        ? enif_make_uint64(env, ipc_queue_max_msg(lc->ipc.txq_size))
		        : atoms.undefined,
		    (f & IPC_CH_RX_QUEUE)
		        ? enif_make_uint64(env, ipc_queue_max_msg(lc->ipc.rxq_size))
		        : atoms.undefined,
		};
		ERL_NIF_TERM m;
		enif_make_map_from_arrays(env, k, v, 7, &m);
		list = enif_make_list_cell(env, m, list);
	}
	/* The monitor writes this PD's `life` into every end it owns; any end
	 * tells the incarnation (the distribution carrier's node creation). */
	uint32_t life =
	    nif.nchans ? __atomic_load_n(&nif.chans[0].lc->ipc.own->life, __ATOMIC_ACQUIRE) : 0;
	ERL_NIF_TERM k[3] = {atoms.name, enif_make_atom(env, "channels"),
	                     enif_make_atom(env, "incarnation")};
	ERL_NIF_TERM v[3] = {nif_binary(env, pd.name), list,
	                     enif_make_uint(env, IPC_LIFE_EPOCH(life))};
	ERL_NIF_TERM m;
	enif_make_map_from_arrays(env, k, v, 3, &m);
	return m;
}

/* The address a granted socket is bound to, as inet's tuple, and its
 * family (:inet or :inet6); undefined when getsockname says nothing. */
static void grant_address(ErlNifEnv *env, int fd, ERL_NIF_TERM *addr, ERL_NIF_TERM *family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	*addr = *family = atoms.undefined;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		const uint8_t *b = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;
		*addr = enif_make_tuple4(env, enif_make_uint(env, b[0]), enif_make_uint(env, b[1]),
		                         enif_make_uint(env, b[2]), enif_make_uint(env, b[3]));
		*family = enif_make_atom(env, "inet");
	} else if (ss.ss_family == AF_INET6) {
		const uint8_t *b = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
		ERL_NIF_TERM w[8];
		for (int i = 0; i < 8; i++)
			w[i] = enif_make_uint(env, (unsigned)b[2 * i] << 8 | b[2 * i + 1]);
		*addr = enif_make_tuple_from_array(env, w, 8);
		*family = enif_make_atom(env, "inet6");
	}
}

/* grant(name :: binary) -> {:ok, kind, fd, port, address, family}
 *                        | {:error, :undefined} */
static ERL_NIF_TERM nif_grant(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	ErlNifBinary name;

	if (!nif.booted)
		return nif_not_booted(env);
	if (!enif_inspect_binary(env, argv[0], &name))
		return nif_argerr(env, "a grant name is a string");
	for (unsigned i = 0; i < pd.ngrants; i++) {
		const struct ipc_boot_grant *g = &pd.grants[i];
		if (strlen(g->name) == name.size && memcmp(g->name, name.data, name.size) == 0) {
			ERL_NIF_TERM addr, family;
			grant_address(env, g->fd, &addr, &family);
			ERL_NIF_TERM t[6] = {atoms.ok,
			                     atoms.tcp_listen,
			                     enif_make_int(env, g->fd),
			                     enif_make_uint(env, g->port),
			                     addr,
			                     family};
			return enif_make_tuple_from_array(env, t, 6);
		}
	}
	return enif_make_tuple2(env, atoms.error, atoms.undefined);
}

/* ---- load ---- */

static void make_atoms(ErlNifEnv *env)
{
#define A(field, name) atoms.field = enif_make_atom(env, name)
	A(ok, "ok");
	A(error, "error");
	A(true_, "true");
	A(false_, "false");
	A(undefined, "undefined");
	A(cordon_notify, "cordon_notify");
	A(cordon_peer_down, "cordon_peer_down");
	A(cordon_peer_up, "cordon_peer_up");
	A(cordon_protected, "cordon_protected");
	A(cordon_reply, "cordon_reply");
	A(down, "DOWN");
	A(cordon_pd, "cordon_pd");
	A(noproc, "noproc");
	A(peer_down, "peer_down");
	A(broken, "broken");
	A(invalid, "invalid");
	A(full, "full");
	A(empty, "empty");
	A(no_queue, "no_queue");
	A(too_big, "too_big");
	A(wait, "wait");
	A(busy, "busy");
	A(not_booted, "not_booted");
	A(id, "id");
	A(peer, "peer");
	A(notify, "notify");
	A(call, "call");
	A(serve, "serve");
	A(tx_queue, "tx_queue");
	A(rx_queue, "rx_queue");
	A(max_msg, "max_msg");
	A(name, "name");
	A(size, "size");
	A(read, "read");
	A(write, "write");
	A(fd, "fd");
	A(port, "port");
	A(tcp_listen, "tcp_listen");
	A(kind, "kind");
	A(restarted, "restarted");
#undef A
}

/* Close what is mapped, keep what is still needed but not for children. */
static void tidy_descriptors(void)
{
	for (unsigned i = 0; i < pd.nmapped; i++)
		close(pd.mapped[i].fd);
	close(IPC_FD_BOOT);
	fcntl(pd.ctl_fd, F_SETFD, FD_CLOEXEC);
	for (unsigned i = 0; i < pd.ngrants; i++)
		fcntl(pd.grants[i].fd, F_SETFD, FD_CLOEXEC);
}

static int boot(void)
{
	pd.maps_anywhere = true;
	if (lc_boot(IPC_FD_BOOT, &pd, nif.why, sizeof(nif.why)) < 0)
		return -1;
	tidy_descriptors();
	nif.ncpus = pd.ncpus;
	ipc_spin_init(&pd.spin, pd.spin_ns, pd.ncpus);
	for (unsigned i = 0; i < pd.nchans; i++) {
		struct nif_chan *c = &nif.chans[i];
		c->lc = &pd.chans[i];
		c->lock = enif_mutex_create("cordon_chan");
		if (!c->lock) {
			snprintf(nif.why, sizeof(nif.why), "out of memory");
			return -1;
		}
		c->fifo_tail = &c->fifo;
		ipc_chan_start(&c->lc->ipc);
		c->lc->life = c->lc->ipc.seen_life;
		nif.by_id[c->lc->ipc.id] = c;
		nif.nchans++;
	}
	return 0;
}

static int load(ErlNifEnv *env, void **priv, ERL_NIF_TERM info)
{
	make_atoms(env);
	ErlNifResourceTypeInit init = {
	    .dtor = NULL, .stop = NULL, .down = nif_owner_down, .members = 3};
	nif.res_type = enif_open_resource_type_x(env, "cordon_pd", &init, ERL_NIF_RT_CREATE, NULL);
	if (!nif.res_type)
		return 1;
	if (boot() < 0)
		return 0; /* loaded, not booted: every function says why */
	if (enif_thread_create("cordon_waiter", &nif.waiter, nif_waiter_main, NULL, NULL) != 0) {
		snprintf(nif.why, sizeof(nif.why), "cannot start the waiter thread");
		return 0;
	}
	nif.waiter_running = true;
	nif.booted = true;
	return 0;
}

/* A second load of the module (code upgrade) keeps the one PD state. */
static int upgrade(ErlNifEnv *env, void **priv, void **old_priv, ERL_NIF_TERM info)
{
	make_atoms(env);
	return 0;
}

static void unload(ErlNifEnv *env, void *priv)
{
	if (!nif.waiter_running)
		return;
	__atomic_store_n(&nif.stop, 1, __ATOMIC_RELEASE);
	nif_kick();
	enif_thread_join(nif.waiter, NULL);
	nif.waiter_running = false;
}

struct lc_pd *nif_pd(void)
{
	return &pd;
}

/* label(name) -> integer: the labels Cordon reserves, and the largest a
 * protocol may use, so the Elixir library holds none as a literal.  Works
 * without boot information (they are constants). */
static ERL_NIF_TERM nif_label(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
	static const struct {
		const char *name;
		uint64_t value;
	} labels[] = {
	    {"user_max", IPC_LABEL_USER_MAX},
	    {"peer_down", IPC_LABEL_PEER_DOWN},
	    {"invalid", IPC_LABEL_INVALID},
	    {"broken", IPC_LABEL_BROKEN},
	};
	char name[16];

	if (enif_get_atom(env, argv[0], name, sizeof(name), ERL_NIF_LATIN1) > 0)
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
			if (strcmp(name, labels[i].name) == 0)
				return enif_make_uint64(env, labels[i].value);
	return nif_argerr(env, "label/1 knows :user_max, :peer_down, :invalid and :broken");
}

static ErlNifFunc funcs[] = {
    {"info", 0, nif_info, 0},
    {"ready", 0, nif_ready, 0},
    {"label", 1, nif_label, 0},
    {"grant", 1, nif_grant, 0},
    {"notify", 1, nif_notify, 0},
    {"subscribe", 1, nif_subscribe, 0},
    {"ack", 1, nif_ack, 0},
    {"unsubscribe", 1, nif_unsubscribe, 0},
    {"call", 3, nif_call, 0},
    {"reply", 4, nif_reply, 0},
    {"monitor", 1, nif_monitor, 0},
    {"demonitor", 2, nif_demonitor, 0},
    {"peer_up", 1, nif_peer_up, 0},
    {"queue_send", 2, nif_queue_send, 0},
    {"queue_recv", 1, nif_queue_recv, 0},
    {"regions", 0, nif_regions, 0},
    {"region_read", 3, nif_region_read, 0},
    {"region_write", 3, nif_region_write, 0},
};

ERL_NIF_INIT(Elixir.Cordon.NIF, funcs, load, NULL, upgrade, unload)
