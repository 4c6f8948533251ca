/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcordon without a sandbox: boot information validation (hand-built
 * boot memfds, one broken rule each), what boot maps and sets, the API's
 * capability checks, child-fault messages, and the fault handler's report.
 * The test is the monitor: it creates the memfds and the ctl socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "libcordon/internal.h"

#define REGION_VADDR 0x7e0000000000ull
#define RING         4096u

/* A setvar target, and a read-only object that must not be one. */
uintptr_t test_region_vaddr;
const uintptr_t test_readonly_var = 1;

/* Entry points: the test's own (loop.c needs init). */
static int fault_calls;
static cordon_child fault_child;
static cordon_msginfo fault_info;
static uint64_t fault_mr[4];

void init(void)
{
}

int fault(cordon_child child, cordon_msginfo msginfo, cordon_msginfo *reply)
{
	fault_calls++;
	fault_child = child;
	fault_info = msginfo;
	for (unsigned i = 0; i < 4; i++)
		fault_mr[i] = cordon_mr_get(i);
	return child == 7; /* restart child 7 only */
}

static int high(int fd)
{
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	assert_true(h >= 100);
	close(fd);
	return h;
}

static int mem(size_t size)
{
	int fd = memfd_create("t", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return high(fd);
}

static int first(struct dl_phdr_info *info, size_t size, void *data)
{
	*(uintptr_t *)data = info->dlpi_addr;
	return 1;
}

/* The program's load bias, as the monitor's setvar_off assumes it. */
static uintptr_t load_bias(void)
{
	uintptr_t bias = 0;
	dl_iterate_phdr(first, &bias);
	return bias;
}

struct fx {
	struct ipc_boot b;
	int ctl_mon;         /* the monitor's end of the ctl socket */
	struct ipc_mon *mon; /* the monitor page, read-write here */
	struct ipc_end *own; /* channel 2's end pages, read-write here */
	struct ipc_end *peer;
	int fds[16];
	int nfds;
};

static int keep(struct fx *f, int fd)
{
	f->fds[f->nfds++] = fd;
	return fd;
}

static void *rw(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

/* A valid boot: PD "tpd", channel 2 (notify both ways, caller, a tx queue),
 * channel 9 (no rights), one region mapped rw at REGION_VADDR with setvar. */
static void fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	struct ipc_boot *b = &f->b;
	b->magic = IPC_BOOT_MAGIC;
	b->version = IPC_VERSION;
	b->ncpus = 1;
	snprintf(b->name, sizeof(b->name), "tpd");
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	f->ctl_mon = keep(f, high(sv[0]));
	b->ctl_fd = keep(f, high(sv[1]));
	b->mon_fd = keep(f, mem(IPC_PAGE_SIZE));
	f->mon = rw(b->mon_fd, IPC_PAGE_SIZE);
	f->mon->magic = IPC_MON_MAGIC;
	f->mon->version = IPC_VERSION;

	struct ipc_boot_channel *c = &b->channels[b->nchannels++];
	c->id = 2;
	c->flags = IPC_CH_NOTIFY | IPC_CH_PEER_NOTIFY | IPC_CH_CALLER | IPC_CH_TX_QUEUE;
	snprintf(c->peer, sizeof(c->peer), "peer");
	c->own_fd = keep(f, mem(IPC_PAGE_SIZE));
	c->peer_fd = keep(f, mem(IPC_PAGE_SIZE));
	c->txq_fd = keep(f, mem(RING));
	c->txq_size = RING;
	c->rxq_fd = -1;
	f->own = rw(c->own_fd, IPC_PAGE_SIZE);
	f->peer = rw(c->peer_fd, IPC_PAGE_SIZE);
	ipc_end_init(f->own);
	ipc_end_init(f->peer);
	ipc_end_up(f->own);
	ipc_end_up(f->peer);

	c = &b->channels[b->nchannels++];
	c->id = 9;
	snprintf(c->peer, sizeof(c->peer), "quiet");
	c->own_fd = keep(f, mem(IPC_PAGE_SIZE));
	c->peer_fd = keep(f, mem(IPC_PAGE_SIZE));
	c->txq_fd = c->rxq_fd = -1;

	struct ipc_boot_map *m = &b->maps[b->nmaps++];
	m->vaddr = REGION_VADDR;
	m->size = 2 * IPC_PAGE_SIZE;
	m->perms = IPC_PERM_R | IPC_PERM_W;
	m->fd = keep(f, mem(2 * IPC_PAGE_SIZE));
	snprintf(m->region, sizeof(m->region), "buf");
}

static void fx_close(struct fx *f)
{
	lc_boot_unmap(&lc_pd);
	memset(&lc_pd, 0, sizeof(lc_pd));
	lc_pd.ctl_fd = -1;
	munmap(f->mon, IPC_PAGE_SIZE);
	munmap(f->own, IPC_PAGE_SIZE);
	munmap(f->peer, IPC_PAGE_SIZE);
	for (int i = 0; i < f->nfds; i++)
		close(f->fds[i]);
}

/* The boot information in a memfd, as the monitor hands it in. */
static int boot_fd(const struct ipc_boot *b, size_t size)
{
	int fd = mem(size);
	assert_int_equal(pwrite(fd, b, size < sizeof(*b) ? size : sizeof(*b), 0),
	                 size < sizeof(*b) ? size : sizeof(*b));
	return fd;
}

static int boot(struct fx *f, char *why, size_t len)
{
	int fd = boot_fd(&f->b, sizeof(f->b));
	memset(&lc_pd, 0, sizeof(lc_pd));
	int r = lc_boot(fd, &lc_pd, why, len);
	close(fd);
	return r;
}

/* ---- the valid boot ---- */

static void boot_maps_everything_and_sets_variables(void **state)
{
	struct fx f;
	char why[256] = "";
	fx_open(&f);
	f.b.maps[0].has_setvar = 1;
	f.b.maps[0].setvar_off = (uintptr_t)&test_region_vaddr - load_bias();
	test_region_vaddr = 0;
	assert_int_equal(boot(&f, why, sizeof(why)), 0);
	assert_string_equal(cordon_name(), "tpd");
	assert_int_equal(lc_pd.nchans, 2);
	assert_non_null(lc_pd.by_id[2]);
	assert_non_null(lc_pd.by_id[9]);
	assert_null(lc_pd.by_id[0]);
	assert_string_equal(lc_pd.by_id[2]->peer, "peer");
	assert_int_equal(test_region_vaddr, REGION_VADDR);
	/* The region is the memfd, at its address. */
	((volatile char *)REGION_VADDR)[5] = 'x';
	char c = 0;
	assert_int_equal(pread(f.b.maps[0].fd, &c, 1, 5), 1);
	assert_int_equal(c, 'x');
	/* Channel pages are the memfds too. */
	assert_ptr_not_equal(lc_pd.by_id[2]->ipc.own, NULL);
	assert_int_equal(lc_pd.by_id[2]->ipc.peer->magic, IPC_END_MAGIC);
	fx_close(&f);
}

/* ---- one broken rule each: refused with a reason, nothing left mapped ---- */

struct bad {
	const char *name;
	void (*mutate)(struct fx *f);
	const char *why; /* a substring of the reason */
};

static void m_magic(struct fx *f)
{
	f->b.magic = 0x12345678;
}
static void m_version(struct fx *f)
{
	f->b.version = IPC_VERSION + 1;
}
static void m_ncpus_zero(struct fx *f)
{
	f->b.ncpus = 0;
}
static void m_name_unterminated(struct fx *f)
{
	memset(f->b.name, 'a', IPC_NAME_MAX);
}
static void m_name_empty(struct fx *f)
{
	f->b.name[0] = 0;
}
static void m_too_many_channels(struct fx *f)
{
	f->b.nchannels = IPC_MAX_CHANNELS + 1;
}
static void m_too_many_maps(struct fx *f)
{
	f->b.nmaps = IPC_MAX_MAPS + 1;
}
static void m_ch_id_63(struct fx *f)
{
	f->b.channels[1].id = 63;
}
static void m_ch_id_twice(struct fx *f)
{
	f->b.channels[1].id = 2;
}
static void m_ch_unknown_flag(struct fx *f)
{
	f->b.channels[0].flags |= 1u << 9;
}
static void m_ch_fd_below_first(struct fx *f)
{
	f->b.channels[0].own_fd = 3;
}
static void m_ch_fd_reused(struct fx *f)
{
	f->b.channels[1].peer_fd = f->b.channels[0].own_fd;
}
static void m_ch_fd_huge(struct fx *f)
{
	f->b.channels[1].peer_fd = 1 << 20;
}
static void m_ch_peer_unterminated(struct fx *f)
{
	memset(f->b.channels[0].peer, 'p', IPC_NAME_MAX);
}
static void m_txq_not_pow2(struct fx *f)
{
	f->b.channels[0].txq_size = 5000;
}
static void m_txq_too_small(struct fx *f)
{
	f->b.channels[0].txq_size = 2048;
}
static void m_rxq_without_flag(struct fx *f)
{
	f->b.channels[1].rxq_size = 4096;
}
static void m_ctl_fd_bad(struct fx *f)
{
	f->b.ctl_fd = -1;
}
static void m_mon_fd_is_ctl(struct fx *f)
{
	f->b.mon_fd = f->b.ctl_fd;
}
static void m_map_unaligned(struct fx *f)
{
	f->b.maps[0].vaddr += 8;
}
static void m_map_size_zero(struct fx *f)
{
	f->b.maps[0].size = 0;
}
static void m_map_wraps(struct fx *f)
{
	f->b.maps[0].vaddr = ~0ull & ~0xfffull;
}
static void m_map_perms_zero(struct fx *f)
{
	f->b.maps[0].perms = 0;
}
static void m_map_perms_unknown(struct fx *f)
{
	f->b.maps[0].perms = 8;
}
static void m_map_overlap(struct fx *f)
{
	f->b.maps[1] = f->b.maps[0];
	f->b.maps[1].vaddr += IPC_PAGE_SIZE;
	f->b.maps[1].fd = f->b.channels[1].own_fd + 1000;
	f->b.nmaps = 2;
}
/* Descriptor checks that need the real object. */
static void m_end_page_too_small(struct fx *f)
{
	assert_int_equal(ftruncate(f->b.channels[1].own_fd, 100), 0);
}
static void m_region_smaller_than_map(struct fx *f)
{
	f->b.maps[0].size = 4 * IPC_PAGE_SIZE;
}
static void m_ctl_not_socket(struct fx *f)
{
	f->b.ctl_fd = dup2(f->b.maps[0].fd, 3000);
}
static void m_mon_page_bad_magic(struct fx *f)
{
	f->mon->magic = 0;
}
static void m_setvar_readonly(struct fx *f)
{
	f->b.maps[0].has_setvar = 1;
	f->b.maps[0].setvar_off = (uintptr_t)&test_readonly_var - load_bias();
}
static void m_setvar_misaligned(struct fx *f)
{
	f->b.maps[0].has_setvar = 1;
	f->b.maps[0].setvar_off = (uintptr_t)&test_region_vaddr - load_bias() + 1;
}
static void m_map_address_in_use(struct fx *f)
{
	f->b.maps[0].vaddr = (uintptr_t)f->mon;
}

static const struct bad bads[] = {
    {"boot_magic_wrong", m_magic, "bad magic"},
    {"boot_version_wrong", m_version, "version"},
    {"ncpus_zero", m_ncpus_zero, "ncpus 0"},
    {"pd_name_unterminated", m_name_unterminated, "PD name"},
    {"pd_name_empty", m_name_empty, "PD name"},
    {"channels_more_than_63", m_too_many_channels, "channels, at most 63"},
    {"maps_more_than_64", m_too_many_maps, "maps, at most 64"},
    {"channel_id_63", m_ch_id_63, "id 63 out of range"},
    {"channel_id_twice", m_ch_id_twice, "given twice"},
    {"channel_flag_unknown", m_ch_unknown_flag, "unknown flags"},
    {"channel_fd_below_first", m_ch_fd_below_first, "descriptor"},
    {"channel_fd_reused", m_ch_fd_reused, "reused"},
    {"channel_fd_out_of_range", m_ch_fd_huge, "descriptor"},
    {"channel_peer_name_unterminated", m_ch_peer_unterminated, "peer name"},
    {"txq_size_not_power_of_two", m_txq_not_pow2, "bad tx queue"},
    {"txq_size_below_minimum", m_txq_too_small, "bad tx queue"},
    {"rxq_without_flag", m_rxq_without_flag, "rx queue given without the flag"},
    {"ctl_fd_negative", m_ctl_fd_bad, "control socket"},
    {"mon_fd_same_as_ctl", m_mon_fd_is_ctl, "monitor page"},
    {"map_vaddr_unaligned", m_map_unaligned, "bad range"},
    {"map_size_zero", m_map_size_zero, "bad range"},
    {"map_range_wraps", m_map_wraps, "bad range"},
    {"map_perms_zero", m_map_perms_zero, "bad perms"},
    {"map_perms_unknown", m_map_perms_unknown, "bad perms"},
    {"maps_overlap", m_map_overlap, "overlaps"},
    {"end_page_smaller_than_a_page", m_end_page_too_small, "not a memory object"},
    {"region_smaller_than_map", m_region_smaller_than_map, "not a memory object"},
    {"ctl_fd_not_a_socket", m_ctl_not_socket, "not a socket"},
    {"monitor_page_magic_wrong", m_mon_page_bad_magic, "monitor page"},
    {"setvar_in_readonly_segment", m_setvar_readonly, "writable segment"},
    {"setvar_misaligned", m_setvar_misaligned, "misaligned"},
    {"map_address_in_use", m_map_address_in_use, "already in use"},
};

static void boot_refuses_each_broken_rule(void **state)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct fx f;
		char why[256] = "";
		fx_open(&f);
		bads[i].mutate(&f);
		int r = boot(&f, why, sizeof(why));
		if (r != -1 || !strstr(why, bads[i].why)) {
			print_error("%s: lc_boot returned %d, why \"%s\" (expected \"%s\")\n",
			            bads[i].name, r, why, bads[i].why);
			fail();
		}
		assert_int_equal(lc_pd.nmapped, 0); /* nothing left behind */
		assert_int_equal(lc_pd.nchans, 0);
		if (f.b.ctl_fd == 3000)
			close(3000);
		fx_close(&f);
	}
	/* And the valid one still boots (its region address is free again). */
	struct fx f;
	char why[256];
	fx_open(&f);
	assert_int_equal(boot(&f, why, sizeof(why)), 0);
	fx_close(&f);
}

static void boot_fd_too_small_or_missing(void **state)
{
	struct fx f;
	char why[256] = "";
	fx_open(&f);
	int fd = boot_fd(&f.b, 100);
	assert_int_equal(lc_boot(fd, &lc_pd, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not boot information"));
	close(fd);
	assert_int_equal(lc_boot(999, &lc_pd, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cordon run"));
	fx_close(&f);
}

/* ---- the API's capability checks ---- */

static int saved_err = -1, err_pipe[2];

static void capture_stderr(void)
{
	assert_int_equal(pipe2(err_pipe, O_NONBLOCK), 0);
	saved_err = dup(2);
	dup2(err_pipe[1], 2);
}

/* Everything written to stderr since capture_stderr, NUL-terminated. */
static const char *captured(void)
{
	static char buf[4096];
	dup2(saved_err, 2);
	close(saved_err);
	close(err_pipe[1]);
	ssize_t n = read(err_pipe[0], buf, sizeof(buf) - 1);
	close(err_pipe[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void booted(struct fx *f)
{
	char why[256];
	fx_open(f);
	assert_int_equal(boot(f, why, sizeof(why)), 0);
	ipc_spin_init(&lc_pd.spin, 0, 1);
	for (unsigned i = 0; i < lc_pd.nchans; i++)
		ipc_chan_start(&lc_pd.chans[i].ipc);
}

static void api_refuses_what_the_pd_does_not_hold(void **state)
{
	struct fx f;
	booted(&f);
	uint32_t before = f.own->notify_seq;

	capture_stderr();
	cordon_notify(5);
	const char *out = captured();
	assert_string_equal(out, "tpd: cordon_notify: channel 5 is not a channel of this PD\n");

	capture_stderr();
	cordon_notify(9); /* held, but no notify right */
	assert_non_null(
	    strstr(captured(), "tpd: cordon_notify: channel 9 (to quiet) does not allow"));

	capture_stderr();
	cordon_msginfo r = cordon_ppcall(9, cordon_msginfo_new(1, 0));
	assert_non_null(strstr(captured(), "tpd: cordon_ppcall: channel 9"));
	assert_int_equal(cordon_msginfo_get_label(r), CORDON_LABEL_INVALID);

	capture_stderr();
	r = cordon_ppcall(200, cordon_msginfo_new(1, 0));
	assert_non_null(strstr(captured(), "tpd: cordon_ppcall: channel 200 is not"));
	assert_int_equal(cordon_msginfo_get_label(r), CORDON_LABEL_INVALID);

	char b[8] = {0};
	capture_stderr();
	assert_int_equal(cordon_queue_recv(2, b, sizeof(b)), CORDON_EQUEUE_NOQUEUE);
	assert_int_equal(cordon_queue_send(9, b, sizeof(b)), CORDON_EQUEUE_NOQUEUE);
	out = captured();
	assert_non_null(
	    strstr(out, "tpd: cordon_queue_recv: channel 2 (to peer) has no queue from"));
	assert_non_null(strstr(out, "tpd: cordon_queue_send: channel 9"));

	capture_stderr();
	cordon_mr_set(CORDON_MAX_MRS, 1);
	assert_int_equal(cordon_mr_get(199), 0);
	out = captured();
	assert_non_null(strstr(out, "cordon_mr_set: message register 120 out of range"));
	assert_non_null(strstr(out, "cordon_mr_get: message register 199 out of range"));

	assert_int_equal(f.own->notify_seq, before); /* nothing was sent */

	/* What the PD holds works, silently. */
	capture_stderr();
	cordon_notify(2);
	assert_int_equal(cordon_queue_send(2, b, sizeof(b)), 0);
	assert_int_equal(cordon_queue_max_msg(2), RING / 2 - IPC_QUEUE_HDR);
	cordon_mr_set(63, 42);
	assert_int_equal(cordon_mr_get(63), 42);
	assert_string_equal(captured(), "");
	assert_true(f.own->notify_seq != before);

	/* A ppcall to a peer that is down returns at once. */
	ipc_end_down(f.peer);
	r = cordon_ppcall(2, cordon_msginfo_new(1, 1));
	assert_int_equal(cordon_msginfo_get_label(r), CORDON_LABEL_PEER_DOWN);
	fx_close(&f);
}

/* ---- control messages ---- */

static void send_ctl(int fd, const struct ipc_ctl *c, size_t len)
{
	assert_int_equal(send(fd, c, len, 0), (ssize_t)len);
}

static void child_faults_reach_fault_and_restart_requests_go_out(void **state)
{
	struct fx f;
	struct ipc_ctl c, got;
	booted(&f);
	fault_calls = 0;

	memset(&c, 0, sizeof(c));
	c.type = IPC_CTL_CHILD_FAULT;
	c.channel = 7;
	c.signo = SIGSEGV;
	c.code = 1;
	c.addr = 0xdead;
	c.ip = 0x401000;
	strcpy(c.what, "signal=SIGSEGV");
	send_ctl(f.ctl_mon, &c, sizeof(c));
	lc_ctl_drain();
	assert_int_equal(fault_calls, 1);
	assert_int_equal(fault_child, 7);
	assert_int_equal(cordon_msginfo_get_label(fault_info), SIGSEGV);
	assert_int_equal(cordon_msginfo_get_count(fault_info), 4);
	assert_int_equal(fault_mr[0], SIGSEGV);
	assert_int_equal(fault_mr[1], 1);
	assert_int_equal(fault_mr[2], 0xdead);
	assert_int_equal(fault_mr[3], 0x401000);
	/* fault() returned nonzero for child 7: a restart request. */
	assert_int_equal(recv(f.ctl_mon, &got, sizeof(got), MSG_DONTWAIT), sizeof(got));
	assert_int_equal(got.type, IPC_CTL_PD_RESTART);
	assert_int_equal(got.channel, 7);

	/* Child 3: fault() returns 0, nothing goes out. */
	c.channel = 3;
	send_ctl(f.ctl_mon, &c, sizeof(c));
	lc_ctl_drain();
	assert_int_equal(fault_calls, 2);
	assert_int_equal(recv(f.ctl_mon, &got, sizeof(got), MSG_DONTWAIT), -1);

	/* Malformed messages are reported and ignored. */
	capture_stderr();
	struct ipc_ctl bad = c;
	bad.signo = 1000;
	send_ctl(f.ctl_mon, &bad, sizeof(bad));
	bad = c;
	bad.channel = 63;
	send_ctl(f.ctl_mon, &bad, sizeof(bad));
	bad = c;
	memset(bad.what, 'x', sizeof(bad.what));
	send_ctl(f.ctl_mon, &bad, sizeof(bad));
	bad = c;
	bad.type = IPC_CTL_FAULT;
	send_ctl(f.ctl_mon, &bad, sizeof(bad));
	send_ctl(f.ctl_mon, &c, sizeof(c) - 1);
	lc_ctl_drain();
	const char *out = captured();
	assert_int_equal(fault_calls, 2);
	assert_non_null(strstr(out, "signal number out of range"));
	assert_non_null(strstr(out, "child id out of range"));
	assert_non_null(strstr(out, "description not terminated"));
	assert_non_null(strstr(out, "unexpected message type"));
	assert_non_null(strstr(out, "wrong size"));

	/* cordon_pd_restart / cordon_pd_stop are requests to the monitor. */
	cordon_pd_stop(4);
	assert_int_equal(recv(f.ctl_mon, &got, sizeof(got), MSG_DONTWAIT), sizeof(got));
	assert_int_equal(got.type, IPC_CTL_PD_STOP);
	assert_int_equal(got.channel, 4);
	cordon_pd_restart(5);
	assert_int_equal(recv(f.ctl_mon, &got, sizeof(got), MSG_DONTWAIT), sizeof(got));
	assert_int_equal(got.type, IPC_CTL_PD_RESTART);
	fx_close(&f);
}

/* ---- the fault handler ---- */

/* Fork a child with a ctl socket and the fault handlers, run how(), and
 * return the report it sent and how it ended. */
static int die_in_child(void (*how)(void), struct ipc_ctl *report)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		lc_pd.ctl_fd = sv[1];
		if (lc_fault_install() < 0)
			_exit(2);
		how();
		_exit(3);
	}
	close(sv[1]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	memset(report, 0, sizeof(*report));
	assert_int_equal(recv(sv[0], report, sizeof(*report), MSG_DONTWAIT), sizeof(*report));
	close(sv[0]);
	return st;
}

static volatile uintptr_t bad_address = 16; /* opaque to the compiler */

static void segv(void)
{
	*(volatile int *)bad_address = 1;
}

static void sigabrt(void)
{
	abort();
}

static void sigsys_from_seccomp(void)
{
	struct sock_filter filt[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = 4, .filter = filt};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(4);
	syscall(__NR_getppid);
}

static void fault_handler_reports_then_dies_of_the_signal(void **state)
{
	struct ipc_ctl r;
	int st = die_in_child(segv, &r);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
	assert_int_equal(r.type, IPC_CTL_FAULT);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(r.addr, 16);
	assert_true(r.ip != 0);

	st = die_in_child(sigabrt, &r);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
	assert_int_equal(r.signo, SIGABRT);

	st = die_in_child(sigsys_from_seccomp, &r);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	assert_int_equal(r.signo, SIGSYS);
	assert_int_equal(r.code, 1); /* SYS_SECCOMP */
	assert_int_equal(r.addr, __NR_getppid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(boot_maps_everything_and_sets_variables),
	    cmocka_unit_test(boot_refuses_each_broken_rule),
	    cmocka_unit_test(boot_fd_too_small_or_missing),
	    cmocka_unit_test(api_refuses_what_the_pd_does_not_hold),
	    cmocka_unit_test(child_faults_reach_fault_and_restart_requests_go_out),
	    cmocka_unit_test(fault_handler_reports_then_dies_of_the_signal),
	};
	return cmocka_run_group_tests_name("libcordon_boot", tests, NULL, NULL);
}
