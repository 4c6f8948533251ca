/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XML -> struct sdf_system.  The document is hostile input: it is read with a
 * size cap, DTDs are refused before libxml2 sees them (so no entity can be
 * declared, expanded or fetched), libxml2 runs with XML_PARSE_NONET and
 * without XML_PARSE_NOENT/DTDLOAD, and every element, attribute and piece of
 * text is checked against what the format allows.  Every problem is reported;
 * an element with an error is kept with defaults so later checks still run,
 * but is marked so they do not pile consequential errors on it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "ipc/abi.h"
#include "sdf/internal.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_t;
#else
typedef xmlErrorPtr xml_error_t;
#endif

struct ctx {
	struct build *b;
	const char *file;
	bool oom;
};

#define ERR(c, line, elem, hint, ...)                                                              \
	diag_error((c)->b->diag, (c)->file, (line), (elem), (hint), __VA_ARGS__)
#define WARN(c, line, elem, hint, ...)                                                             \
	diag_warning((c)->b->diag, (c)->file, (line), (elem), (hint), __VA_ARGS__)

static const char hint_number[] = "write a decimal number or a 0x-prefixed hexadecimal one";
static const char hint_bool[] = "write \"true\" or \"false\"";

/* ---- small helpers ------------------------------------------------------ */

static char *dup_or_oom(struct ctx *c, const char *s)
{
	char *d = strdup(s);
	if (!d)
		c->oom = true;
	return d;
}

/* Grow *arr (of elements of size sz) so that index n fits; zeroes new room. */
static bool grow(struct ctx *c, void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 4;
	while (ncap <= n)
		ncap *= 2;
	void *p = reallocarray(*arr, ncap, sz);
	if (!p) {
		c->oom = true;
		return false;
	}
	memset((char *)p + *cap * sz, 0, (ncap - *cap) * sz);
	*arr = p;
	*cap = ncap;
	return true;
}

/* Grow two arrays that are indexed alike (a public one and the build's
 * record beside it) under one capacity, so they cannot drift apart. */
static bool grow2(struct ctx *c, void **a, size_t asz, void **b, size_t bsz, size_t *cap, size_t n)
{
	size_t cap_b = *cap;
	/* both grow from the same capacity to the same one; when the second
	 * fails, b is left larger than a, never smaller */
	return grow(c, b, &cap_b, n, bsz) && grow(c, a, cap, n, asz);
}

static int line_of(const xmlNode *n)
{
	long l = xmlGetLineNo((xmlNode *)n);
	return l > 0 && l < 0x7fffffff ? (int)l : 0;
}

static const char *ename(const xmlNode *n)
{
	return (const char *)n->name;
}

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp(ename(n), name);
}

int sdf_parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool digit = false, last_us = false;

	if (*s == '-')
		return -2;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned d;
		if (*s == '_') {
			/* a separator only between digits, as in 1_000_000 */
			if (!digit || last_us)
				return -1;
			last_us = true;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -3;
		v = v * base + d;
		digit = true;
		last_us = false;
	}
	if (!digit || last_us)
		return -1;
	*out = v;
	return 0;
}

/* A number attribute within [min, max]; false (reported) otherwise. */
static bool num(struct ctx *c, int line, const char *elem, const char *attr, const char *val,
                uint64_t min, uint64_t max, const char *range_hint, uint64_t *out)
{
	uint64_t v = 0;
	switch (sdf_parse_u64(val, &v)) {
	case -1:
		ERR(c, line, elem, hint_number, "%s \"%s\" is not a number", attr, val);
		return false;
	case -2:
		ERR(c, line, elem, range_hint, "%s \"%s\" is negative", attr, val);
		return false;
	case -3:
		ERR(c, line, elem, range_hint, "%s \"%s\" is too large", attr, val);
		return false;
	}
	if (v < min || v > max) {
		/* bounds in the base the value was written in */
		bool hex = val[0] == '0' && val[1] == 'x';
		if (max == UINT64_MAX)
			ERR(c, line, elem, range_hint,
			    hex ? "%s %s is less than 0x%llx" : "%s %s is less than %llu", attr,
			    val, (unsigned long long)min);
		else
			ERR(c, line, elem, range_hint,
			    hex ? "%s %s is out of range 0x%llx..0x%llx"
			        : "%s %s is out of range %llu..%llu",
			    attr, val, (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

static bool boolean(struct ctx *c, int line, const char *elem, const char *attr, const char *val,
                    bool *out)
{
	if (!strcmp(val, "true"))
		*out = true;
	else if (!strcmp(val, "false"))
		*out = false;
	else {
		ERR(c, line, elem, hint_bool, "%s \"%s\" is not a boolean", attr, val);
		return false;
	}
	return true;
}

/* PD and region names end up in boot records, log prefixes and file names. */
static bool valid_name(struct ctx *c, int line, const char *elem, const char *val)
{
	static const char hint[] = "use 1 to 63 characters from A-Z a-z 0-9 _ -";
	size_t len = strlen(val);

	if (len == 0) {
		ERR(c, line, elem, hint, "name is empty");
		return false;
	}
	if (len > SDF_NAME_MAX) {
		ERR(c, line, elem, hint, "name \"%.20s...\" is %zu bytes long; the limit is %d",
		    val, len, SDF_NAME_MAX);
		return false;
	}
	for (const char *p = val; *p; p++) {
		if (!isascii((unsigned char)*p) ||
		    !(isalnum((unsigned char)*p) || *p == '_' || *p == '-')) {
			ERR(c, line, elem, hint, "name \"%s\" contains '%c'", val,
			    isprint((unsigned char)*p) ? *p : '?');
			return false;
		}
	}
	return true;
}

static bool valid_symbol(struct ctx *c, int line, const char *elem, const char *attr,
                         const char *val)
{
	static const char hint[] = "name a C variable of the program, e.g. setvar_vaddr=\"buffer\"";
	bool ok = *val && !isdigit((unsigned char)*val) && strlen(val) <= 255;

	for (const char *p = val; ok && *p; p++)
		ok = isascii((unsigned char)*p) && (isalnum((unsigned char)*p) || *p == '_');
	if (!ok)
		ERR(c, line, elem, hint, "%s \"%s\" is not a C identifier", attr, val);
	return ok;
}

/* ---- attributes ------------------------------------------------------- */

/*
 * Every attribute an element knows is a row of that element's table: its
 * name, whether it is required, the kind of value (checked here, once, by
 * read_attrs), the range a number must lie in and the hint for a bad one.
 * Microkit attributes that mean nothing on Linux are rows too, refused with
 * the reason or, when harmless, accepted with a warning after their value
 * has been checked like any other; nothing is dropped silently.  Element
 * code then reads values by name (attr_str, attr_u64, ...), never by
 * position.
 */
enum akind {
	AK_TEXT,   /* any string; the element checks it */
	AK_NAME,   /* valid_name() */
	AK_SYMBOL, /* valid_symbol() */
	AK_NUM,    /* sdf_parse_u64() within [min, max] */
	AK_BOOL,   /* "true" or "false" */
	AK_ENUM,   /* one of choices; the value is its index */
};

enum {
	A_REQUIRED = 1u << 0, /* an error when absent (in the contexts it applies to) */
	A_REFUSED = 1u << 1,  /* always an error: why = the reason */
	A_IGNORED = 1u << 2,  /* checked, then a warning: why = the reason */
	A_TOP = 1u << 3,      /* only on a PD that is not a child PD */
	A_CHILD = 1u << 4,    /* only on a child PD */
};

/* Where an element sits, for rows marked A_TOP or A_CHILD. */
enum { IN_TOP = A_TOP, IN_CHILD = A_CHILD };

struct attr {
	const char *name;
	enum akind kind;
	unsigned flags;
	uint64_t min, max;          /* AK_NUM */
	const char *hint;           /* AK_NUM, AK_ENUM: what a good value is */
	const char *const *choices; /* AK_ENUM, NULL-terminated */
	const char *noun;           /* AK_ENUM: "\"x\" is not a <noun>" */
	const char *unless;         /* A_REQUIRED unless this one is given
	                               (Microkit: size unless prefill_path) */
	const char *why, *why_hint; /* A_REFUSED, A_IGNORED; or, for A_TOP and
	                               A_CHILD rows, the error elsewhere */
	/* a check beyond the kind, reported by itself; NULL: none */
	bool (*check)(struct ctx *c, int line, const char *elem, uint64_t v, const char *val);
};

#define MAX_ATTRS 16

struct attrs {
	const char *elem;
	const struct attr *rows;
	size_t n;
	unsigned where;          /* IN_TOP, IN_CHILD or 0 */
	char *val[MAX_ATTRS];    /* as written; NULL when absent */
	bool ok[MAX_ATTRS];      /* present and of its kind */
	uint64_t num[MAX_ATTRS]; /* AK_NUM: the number; AK_BOOL: 0/1; AK_ENUM: index */
};

#define ATTRS(e, rows_, where_)                                                                    \
	{                                                                                          \
		.elem = (e), .rows = (rows_), .n = sizeof(rows_) / sizeof((rows_)[0]),             \
		.where = (where_)                                                                  \
	}

/* cpu is checked against this machine, where the PDs will run, as
 * Microkit's tool checks it against the board's cores. */
static bool cpu_exists(struct ctx *c, int line, const char *elem, uint64_t cpu, const char *val)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (ncpu <= 0 || cpu < (uint64_t)ncpu)
		return true;
	char hint[96];
	snprintf(hint, sizeof(hint), "this machine has %ld CPU%s: use 0 to %ld", ncpu,
	         ncpu == 1 ? "" : "s", ncpu - 1);
	ERR(c, line, elem, hint, "cpu %s is beyond the CPUs of this machine", val);
	return false;
}

static const char *const restart_kinds[] = {"permanent", "transient", "temporary", NULL};
static const char *const strategies[] = {"one_for_one", "one_for_all", "rest_for_one", NULL};
static const char *const grant_types[] = {"tcp_listen", NULL};

static const struct attr pd_attrs[] = {
    {.name = "name", .kind = AK_NAME, .flags = A_REQUIRED},
    {.name = "priority",
     .kind = AK_NUM,
     .max = SDF_MAX_PRIORITY,
     .hint = "use a priority from 0 (lowest) to 254 (highest)"},
    {.name = "budget",
     .kind = AK_NUM,
     .min = 1,
     .max = UINT64_MAX,
     .hint = "give the budget in microseconds, at least 1"},
    {.name = "period",
     .kind = AK_NUM,
     .min = 1,
     .max = UINT64_MAX,
     .hint = "give the period in microseconds, at least 1"},
    {.name = "passive", .kind = AK_BOOL},
    {.name = "stack_size",
     .kind = AK_NUM,
     .min = SDF_STACK_MIN,
     .max = SDF_STACK_MAX,
     .hint = "use 0x1000 (4 KiB) to 0x1000000 (16 MiB), a multiple of 0x1000"},
    {.name = "restart",
     .kind = AK_ENUM,
     .flags = A_TOP,
     .choices = restart_kinds,
     .noun = "restart kind",
     .hint = "write \"permanent\", \"transient\" or \"temporary\"",
     .why = "restart on a child protection domain",
     .why_hint = "remove restart: a child PD is restarted by its parent PD's fault() handler, "
                 "not by a supervisor"},
    {.name = "restart_delay",
     .kind = AK_NUM,
     .flags = A_TOP,
     .max = SDF_RESTART_DELAY_MS_MAX,
     .hint = "give the wait before restarting after a failed start in milliseconds, "
             "from 0 (at once) to 60000",
     .why = "restart_delay on a child protection domain",
     .why_hint = "remove restart_delay: a child PD is restarted by its parent PD's fault() "
                 "handler, not by a supervisor"},
    {.name = "id",
     .kind = AK_NUM,
     .flags = A_REQUIRED | A_CHILD,
     .max = SDF_MAX_CHANNEL_ID,
     .hint = "use a child id from 0 to 62"},
    {.name = "cpu",
     .kind = AK_NUM,
     .flags = A_IGNORED,
     .max = UINT64_MAX,
     .hint = "give the index of a CPU of this machine, from 0",
     .check = cpu_exists,
     .why = "cpu is ignored: Cordon runs on Linux and does not pin PDs to CPUs yet",
     .why_hint = "remove cpu"},
    {.name = "fpu",
     .kind = AK_BOOL,
     .flags = A_IGNORED,
     .why = "fpu is ignored: Cordon runs PDs as Linux processes, which always have the FPU",
     .why_hint = "remove fpu"},
    {.name = "smc",
     .flags = A_REFUSED,
     .why = "smc is not supported: Cordon runs on Linux, which does not forward ARM secure "
            "monitor calls from processes",
     .why_hint = "remove smc"},
    {.name = "domain",
     .flags = A_REFUSED,
     .why = "domain is not supported: Cordon runs on Linux, which has no seL4 domain scheduler",
     .why_hint = "remove domain; use priority, budget and period"},
    {.name = "pp",
     .flags = A_REFUSED,
     .why = "pp on a protection domain is the old seL4 Core Platform form",
     .why_hint = "put pp=\"true\" on the caller's <end> of the channel instead"},
    {.name = "setvar_id",
     .flags = A_REFUSED,
     .why = "setvar_id is not supported by Cordon yet",
     .why_hint = "remove setvar_id and give the parent the child's id as a constant"},
};

static const struct attr region_attrs[] = {
    {.name = "name", .kind = AK_NAME, .flags = A_REQUIRED},
    {.name = "size",
     .kind = AK_NUM,
     .flags = A_REQUIRED,
     .min = 1,
     .max = SDF_VADDR_LIMIT,
     .hint = "give the size in bytes, a nonzero multiple of 0x1000",
     .unless = "prefill_path"},
    {.name = "page_size", .kind = AK_NUM, .max = UINT64_MAX, .hint = hint_number},
    {.name = "clear_on_restart", .kind = AK_BOOL},
    {.name = "phys_addr",
     .flags = A_REFUSED,
     .why = "phys_addr is not supported: Cordon runs on Linux, where a PD's memory has no fixed "
            "physical address",
     .why_hint = "remove phys_addr; regions are anonymous shared memory on Linux"},
    {.name = "prefill_path",
     .flags = A_REFUSED,
     .why = "prefill_path is not supported by Cordon yet: regions start zero-filled",
     .why_hint = "remove prefill_path and let a PD fill the region in init()"},
    {.name = "prefill_bootinfo",
     .flags = A_REFUSED,
     .why = "prefill_bootinfo is not supported: Cordon runs on Linux, which has no seL4 boot "
            "info",
     .why_hint = "remove prefill_bootinfo"},
};

static const struct attr map_attrs[] = {
    {.name = "mr", .kind = AK_TEXT, .flags = A_REQUIRED},
    {.name = "vaddr",
     .kind = AK_NUM,
     .flags = A_REQUIRED,
     .min = SDF_VADDR_MIN,
     .max = SDF_VADDR_LIMIT - 1,
     .hint = "Linux refuses mappings below 0x10000 and has no user space above "
             "0x7ffffffff000"},
    {.name = "perms", .kind = AK_TEXT},
    {.name = "cached", .kind = AK_BOOL},
    {.name = "setvar_vaddr", .kind = AK_SYMBOL},
    {.name = "setvar_size",
     .flags = A_REFUSED,
     .why = "setvar_size is not supported by Cordon yet",
     .why_hint = "remove setvar_size and give the program the region's size another way"},
    {.name = "setvar_prefill_size",
     .flags = A_REFUSED,
     .why = "setvar_prefill_size is not supported by Cordon yet",
     .why_hint = "remove setvar_prefill_size"},
};

static const struct attr image_attrs[] = {
    {.name = "path", .kind = AK_TEXT, .flags = A_REQUIRED},
    {.name = "path_for_symbols",
     .flags = A_REFUSED,
     .why = "path_for_symbols is not supported by Cordon yet: symbols are read from the "
            "program image itself",
     .why_hint = "remove path_for_symbols and do not strip the setvar_vaddr symbols"},
};

static const struct attr beam_attrs[] = {
    {.name = "path", .kind = AK_TEXT, .flags = A_REQUIRED},
    {.name = "app", .kind = AK_TEXT, .flags = A_REQUIRED},
};

static const struct attr end_attrs[] = {
    {.name = "pd", .kind = AK_TEXT, .flags = A_REQUIRED},
    {.name = "id",
     .kind = AK_NUM,
     .flags = A_REQUIRED,
     .max = SDF_MAX_CHANNEL_ID,
     .hint = "use a channel id from 0 to 62"},
    {.name = "pp", .kind = AK_BOOL},
    {.name = "notify", .kind = AK_BOOL},
    {.name = "queue_size",
     .kind = AK_NUM,
     .min = IPC_QUEUE_MIN,
     .max = IPC_QUEUE_MAX,
     .hint = "use a power of two from 4096 to 0x4000000 (64 MiB)"},
    {.name = "setvar_id",
     .flags = A_REFUSED,
     .why = "setvar_id is not supported by Cordon yet",
     .why_hint = "remove setvar_id and give the program the channel id as a constant"},
};

static const struct attr supervisor_attrs[] = {
    {.name = "name", .kind = AK_NAME, .flags = A_REQUIRED},
    {.name = "strategy",
     .kind = AK_ENUM,
     .choices = strategies,
     .noun = "supervision strategy",
     .hint = "write \"one_for_one\", \"one_for_all\" or \"rest_for_one\""},
    {.name = "intensity",
     .kind = AK_NUM,
     .max = SDF_SUP_INTENSITY_MAX,
     .hint = "give the most restarts allowed within period, 0 to 1000000 (0: never restart)"},
    {.name = "period", .kind = AK_TEXT},
};

static const struct attr limits_attrs[] = {
    {.name = "memory", .kind = AK_TEXT},
    {.name = "tasks",
     .kind = AK_NUM,
     .min = 1,
     .max = SDF_TASKS_MAX,
     .hint = "give the most processes and threads the PD may have, at least 1"},
};

static const struct attr grant_attrs[] = {
    {.name = "name", .kind = AK_NAME, .flags = A_REQUIRED},
    {.name = "type",
     .kind = AK_ENUM,
     .flags = A_REQUIRED,
     .choices = grant_types,
     .noun = "grant type",
     .hint = "write type=\"tcp_listen\" (the only grant type so far)"},
    {.name = "port",
     .kind = AK_NUM,
     .flags = A_REQUIRED,
     .min = 1,
     .max = 65535,
     .hint = "give the TCP port to listen on, 1 to 65535"},
    {.name = "address", .kind = AK_TEXT},
    {.name = "backlog",
     .kind = AK_NUM,
     .min = 1,
     .max = SDF_BACKLOG_MAX,
     .hint = "give how many connections may wait to be accepted, 1 to 65535"},
};

/* <channel dist>: the channel is a distribution link between two BEAM PDs
 * (docs/system-description.md). */
static const struct attr channel_attrs[] = {
    {.name = "dist", .kind = AK_BOOL},
};

#define FITS(t) _Static_assert(sizeof(t) / sizeof((t)[0]) <= MAX_ATTRS, #t " fits struct attrs")
FITS(pd_attrs);
FITS(region_attrs);
FITS(map_attrs);
FITS(image_attrs);
FITS(beam_attrs);
FITS(end_attrs);
FITS(supervisor_attrs);
FITS(limits_attrs);
FITS(grant_attrs);
FITS(channel_attrs);
#undef FITS

/* <system> takes no attributes */
static const struct attr no_attrs[1];
#define NO_ATTRS(e)                                                                                \
	{                                                                                          \
		.elem = (e), .rows = no_attrs, .n = 0                                              \
	}

/* Microkit elements that mean nothing on Linux: refused with the reason. */
struct refusal {
	const char *parent;
	const char *name;
	const char *msg;
	const char *hint;
};

static const struct refusal refused_elems[] = {
    {"protection_domain", "irq",
     "interrupts are not supported: Cordon runs on Linux, where PDs cannot receive hardware "
     "interrupts",
     "remove <irq>; drive the device from Linux and notify the PD over a channel"},
    {"protection_domain", "setvar",
     "setvar region_paddr is not supported: Cordon runs on Linux, where a region has no "
     "fixed physical address",
     "remove <setvar>; use setvar_vaddr on <map> for the region's virtual address"},
    {"protection_domain", "virtual_machine",
     "virtual machines are not supported: Cordon runs PDs as Linux processes",
     "remove <virtual_machine>"},
    {"protection_domain", "ioport",
     "I/O ports are not supported: Cordon runs on Linux, where PDs get no port access",
     "remove <ioport>"},
    {"system", "virtual_machine",
     "virtual machines are not supported: Cordon runs PDs as Linux processes",
     "remove <virtual_machine>"},
    {"system", "domain_schedule",
     "domain schedules are not supported: Cordon runs on Linux, which has no seL4 domain "
     "scheduler",
     "remove <domain_schedule>; use priority, budget and period"},
    {"protection_domain", "supervisor",
     "a supervisor cannot be inside a protection domain: child PDs are supervised by their "
     "parent PD's fault() handler",
     "move the <supervisor> under <system> or into another <supervisor>"},
    {"system", "domains",
     "domains are not supported: Cordon runs on Linux, which has no seL4 domain scheduler",
     "remove <domains>; use priority, budget and period"},
    {"protection_domain", "cspace", "cspace is not supported: Cordon PDs hold no seL4 capabilities",
     "remove <cspace>; Cordon hands a PD only its channels, regions and grants"},
    {"protection_domain", "io_address_space",
     "I/O address spaces (IOMMU mappings) are not supported: Cordon runs on Linux, where PDs "
     "do not drive DMA",
     "remove <io_address_space>; drive DMA-capable devices from Linux"},
    {"system", "io_address_space",
     "I/O address spaces (IOMMU mappings) are not supported: Cordon runs on Linux, where PDs "
     "do not drive DMA",
     "remove <io_address_space>; drive DMA-capable devices from Linux"},
};

static const struct refusal *find_refusal(const char *parent, const char *name)
{
	for (size_t i = 0; i < sizeof(refused_elems) / sizeof(refused_elems[0]); i++)
		if (!strcmp(refused_elems[i].parent, parent) &&
		    !strcmp(refused_elems[i].name, name))
			return &refused_elems[i];
	return NULL;
}

static bool applies(const struct attrs *a, const struct attr *r)
{
	unsigned only = r->flags & (A_TOP | A_CHILD);
	return !only || (only & a->where);
}

static long row_of(const struct attrs *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->rows[i].name, name))
			return (long)i;
	return -1;
}

/* Check one present value against its row's kind. */
static bool check_kind(struct ctx *c, int line, struct attrs *a, size_t i)
{
	const struct attr *r = &a->rows[i];
	const char *v = a->val[i];
	bool b = false;

	switch (r->kind) {
	case AK_TEXT:
		return true;
	case AK_NAME:
		return valid_name(c, line, a->elem, v);
	case AK_SYMBOL:
		return valid_symbol(c, line, a->elem, r->name, v);
	case AK_NUM:
		return num(c, line, a->elem, r->name, v, r->min, r->max, r->hint, &a->num[i]);
	case AK_BOOL:
		if (!boolean(c, line, a->elem, r->name, v, &b))
			return false;
		a->num[i] = b;
		return true;
	case AK_ENUM:
		for (size_t k = 0; r->choices[k]; k++) {
			if (!strcmp(r->choices[k], v)) {
				a->num[i] = k;
				return true;
			}
		}
		ERR(c, line, a->elem, r->hint, "%s \"%s\" is not a %s", r->name, v, r->noun);
		return false;
	}
	return false;
}

static void unknown_attr(struct ctx *c, int line, const struct attrs *a, const xmlAttr *at)
{
	char hint[256];
	size_t nk = 0, k = 0;

	for (size_t i = 0; i < a->n; i++)
		nk += applies(a, &a->rows[i]) && !(a->rows[i].flags & (A_REFUSED | A_IGNORED));
	size_t off = (size_t)snprintf(hint, sizeof(hint), "<%s> takes %s", a->elem,
	                              nk ? "" : "no attributes");
	for (size_t i = 0; i < a->n && off < sizeof(hint); i++) {
		const struct attr *r = &a->rows[i];
		if (!applies(a, r) || (r->flags & (A_REFUSED | A_IGNORED)))
			continue;
		off += (size_t)snprintf(hint + off, sizeof(hint) - off, "%s%s",
		                        k == 0 ? "" : (k + 1 == nk ? " and " : ", "), r->name);
		k++;
	}
	if (at->ns && at->ns->prefix)
		ERR(c, line, a->elem, hint, "unknown attribute '%s:%s'",
		    (const char *)at->ns->prefix, (const char *)at->name);
	else
		ERR(c, line, a->elem, hint, "unknown attribute '%s'", (const char *)at->name);
}

/*
 * The one reader of attributes: take n's attributes into a by its table;
 * report unknown, misplaced and refused ones, missing required ones, and
 * values not of their row's kind; warn about ignored ones that are valid.
 * Returns false if anything was reported as an error.  Free with
 * attrs_free().
 */
static bool read_attrs(struct ctx *c, const xmlNode *n, struct attrs *a)
{
	int line = line_of(n);
	unsigned before = c->b->diag->errors;

	for (const xmlAttr *at = n->properties; at; at = at->next) {
		long i = at->ns ? -1 : row_of(a, (const char *)at->name);
		if (i < 0 || (!applies(a, &a->rows[i]) && !a->rows[i].why)) {
			unknown_attr(c, line, a, at);
			continue;
		}
		const struct attr *r = &a->rows[i];
		if (!applies(a, r) || (r->flags & A_REFUSED)) {
			ERR(c, line, a->elem, r->why_hint, "%s", r->why);
			continue;
		}
		xmlChar *v = xmlNodeGetContent((const xmlNode *)at);
		free(a->val[i]);
		a->val[i] = dup_or_oom(c, v ? (const char *)v : "");
		xmlFree(v);
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct attr *r = &a->rows[i];
		if (!(r->flags & A_REQUIRED) || !applies(a, r) || a->val[i])
			continue;
		long u = r->unless ? row_of(a, r->unless) : -1;
		/* an attribute refused above was still given: one error, not two */
		if (u >= 0 && xmlHasProp(n, (const xmlChar *)r->unless))
			continue;
		char hint[96];
		snprintf(hint, sizeof(hint), "add %s=\"...\"", r->name);
		ERR(c, line, a->elem, hint, "missing required attribute '%s'", r->name);
	}
	for (size_t i = 0; i < a->n && !c->oom; i++) {
		if (!a->val[i])
			continue;
		a->ok[i] = check_kind(c, line, a, i);
		if (a->ok[i] && a->rows[i].check)
			a->ok[i] = a->rows[i].check(c, line, a->elem, a->num[i], a->val[i]);
		if (a->ok[i] && (a->rows[i].flags & A_IGNORED))
			WARN(c, line, a->elem, a->rows[i].why_hint, "%s", a->rows[i].why);
	}
	return c->b->diag->errors == before && !c->oom;
}

static void attrs_free(struct attrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->val[i]);
		a->val[i] = NULL;
	}
}

/* The row of `name`: every name element code asks for is in its table. */
static size_t row(const struct attrs *a, const char *name)
{
	long i = row_of(a, name);
	if (i < 0) {
		fprintf(stderr, "sdf: <%s> has no attribute row '%s'\n", a->elem, name);
		abort();
	}
	return (size_t)i;
}

/* Whether `name` was given at all (even with a bad value). */
static bool attr_given(const struct attrs *a, const char *name)
{
	return a->val[row(a, name)] != NULL;
}

/* The value of `name` as written when it was given and valid, else NULL. */
static const char *attr_str(const struct attrs *a, const char *name)
{
	size_t i = row(a, name);
	return a->ok[i] ? a->val[i] : NULL;
}

/* Like attr_str, but the caller owns the string. */
static char *attr_take(struct attrs *a, const char *name)
{
	size_t i = row(a, name);
	char *v = a->ok[i] ? a->val[i] : NULL;
	if (v)
		a->val[i] = NULL;
	return v;
}

/* The number (AK_NUM), 0/1 (AK_BOOL) or choice (AK_ENUM) of `name`, when
 * given and valid; *out is left alone otherwise. */
static bool attr_u64(const struct attrs *a, const char *name, uint64_t *out)
{
	size_t i = row(a, name);
	if (a->ok[i])
		*out = a->num[i];
	return a->ok[i];
}

static bool attr_bool(const struct attrs *a, const char *name, bool *out)
{
	uint64_t v;
	if (!attr_u64(a, name, &v))
		return false;
	*out = v != 0;
	return true;
}

/* Text between elements is a mistake (or an attempt to hide something);
 * only whitespace and comments are allowed. */
static bool check_text(struct ctx *c, const xmlNode *parent, const xmlNode *n)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		/* libxml2 numbers a text node by the line it ends on */
		int line = line_of(n);
		for (const xmlChar *p = n->content; line && p && *p; p++)
			line -= *p == '\n';
		for (const xmlChar *p = n->content; p && *p; p++) {
			if (*p == '\n')
				line++;
			if (isspace(*p))
				continue;
			int len = 0;
			while (len < 20 && p[len] && !iscntrl(p[len]))
				len++;
			ERR(c, line > 0 ? line : line_of(parent), ename(parent),
			    "remove it; use <!-- comments --> for notes",
			    "unexpected text \"%.*s\"", len, (const char *)p);
			return false;
		}
		return true;
	}
	if (n->type == XML_ENTITY_REF_NODE) {
		ERR(c, line_of(parent), ename(parent), "write the text out; entities are not used",
		    "unexpected entity reference '&%s;'", ename(n));
		return false;
	}
	return true; /* comments, processing instructions */
}

/* An element that takes no children. */
static bool check_leaf(struct ctx *c, const xmlNode *n)
{
	bool ok = true;
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type == XML_ELEMENT_NODE) {
			ERR(c, line_of(k), ename(n), "move it out, or remove it",
			    "unexpected element <%s>: <%s> takes no child elements", ename(k),
			    ename(n));
			ok = false;
		} else if (!check_text(c, n, k))
			ok = false;
	}
	return ok;
}

static void unknown_element(struct ctx *c, const xmlNode *parent, const xmlNode *k,
                            const char *allowed)
{
	const struct refusal *r = k->ns ? NULL : find_refusal(ename(parent), ename(k));
	if (r) {
		ERR(c, line_of(k), ename(k), r->hint, "%s", r->msg);
		return;
	}
	char hint[160];
	snprintf(hint, sizeof(hint), "<%s> may contain %s", ename(parent), allowed);
	if (k->ns && k->ns->prefix)
		ERR(c, line_of(k), ename(parent), hint, "unknown element <%s:%s>",
		    (const char *)k->ns->prefix, ename(k));
	else
		ERR(c, line_of(k), ename(parent), hint, "unknown element <%s>", ename(k));
}

/* ---- elements --------------------------------------------------------- */

static void parse_map(struct ctx *c, size_t p, const xmlNode *n)
{
	struct sdf_system *sys = c->b->sys;
	struct build_pd *bp = &c->b->bpd[p];
	struct sdf_pd *pd = &sys->pds[p];
	struct attrs a = ATTRS("map", map_attrs, 0);
	const char *elem = "map";
	int line = line_of(n);
	size_t i = pd->nmaps;

	if (!grow2(c, (void **)&pd->maps, sizeof(*pd->maps), (void **)&bp->maps, sizeof(*bp->maps),
	           &bp->cap_maps, i))
		return;
	pd->nmaps++;

	struct sdf_map *m = &pd->maps[i];
	memset(m, 0, sizeof(*m));
	m->loc.file = sys->path;
	m->loc.line = line;
	m->perms = IPC_PERM_R | IPC_PERM_W;

	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	bp->maps[i].mr = attr_take(&a, "mr");
	attr_u64(&a, "vaddr", &m->vaddr);
	const char *perms_s = attr_str(&a, "perms");
	if (perms_s) {
		unsigned perms = 0;
		bool bad = !*perms_s;
		for (const char *s = perms_s; *s; s++) {
			if (*s == 'r')
				perms |= IPC_PERM_R;
			else if (*s == 'w')
				perms |= IPC_PERM_W;
			else if (*s == 'x')
				perms |= IPC_PERM_X;
			else
				bad = true;
		}
		if (bad) {
			ERR(c, line, elem,
			    "combine the letters r (read), w (write) and x (execute)",
			    "perms \"%s\" is not a combination of 'r', 'w' and 'x'", perms_s);
			ok = false;
		} else if (perms == IPC_PERM_W) {
			ERR(c, line, elem, "use perms=\"rw\"",
			    "perms \"w\": write-only mappings are not allowed");
			ok = false;
		} else {
			m->perms = perms;
			if ((perms & IPC_PERM_W) && (perms & IPC_PERM_X))
				WARN(c, line, elem,
				     "map it \"rx\" where code runs and \"rw\" where it is written",
				     "perms \"%s\" makes memory both writable and executable",
				     perms_s);
		}
	}
	bool cached = true;
	if (attr_bool(&a, "cached", &cached) && !cached)
		WARN(c, line, elem, "remove cached=\"false\"",
		     "cached=\"false\" has no effect: Cordon runs on Linux, where regions are "
		     "ordinary cached memory");
	const char *setvar = attr_str(&a, "setvar_vaddr");
	for (size_t j = 0; setvar && j < i; j++) {
		if (pd->maps[j].setvar_vaddr && !strcmp(pd->maps[j].setvar_vaddr, setvar)) {
			ERR(c, line, elem, "each variable can hold one address; drop one",
			    "setvar_vaddr \"%s\" is already set by the map at line %d", setvar,
			    pd->maps[j].loc.line);
			ok = false;
			break;
		}
	}
	m->setvar_vaddr = attr_take(&a, "setvar_vaddr");
	attrs_free(&a);
	bp->maps[i].ok = ok && bp->maps[i].mr;
	if (!ok)
		bp->ok = false;
}

static void parse_program_image(struct ctx *c, size_t p, const xmlNode *n)
{
	struct build_pd *bp = &c->b->bpd[p];
	struct attrs a = ATTRS("program_image", image_attrs, 0);
	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	const char *path = attr_str(&a, "path");

	if (bp->image_line) {
		ERR(c, line_of(n), "program_image", "keep one <program_image>",
		    "a protection domain has one program image; another was given at line %d",
		    bp->image_line);
		bp->ok = false;
	} else if (path && !*path) {
		ERR(c, line_of(n), "program_image", "give the path of the PD's ELF file",
		    "path is empty");
		bp->ok = false;
		bp->image_line = line_of(n);
	} else {
		bp->image_line = line_of(n);
		bp->image = attr_take(&a, "path");
		if (!ok)
			bp->ok = false;
	}
	attrs_free(&a);
}

/* <beam_app path="DIR" app="NAME"/>: the PD runs OTP application NAME
 * from the ebin directories under DIR on the BEAM (beam.c checks DIR). */
static void parse_beam_app(struct ctx *c, size_t p, const xmlNode *n)
{
	struct build_pd *bp = &c->b->bpd[p];
	struct sdf_pd *pd = &c->b->sys->pds[p];
	struct attrs a = ATTRS("beam_app", beam_attrs, 0);
	const char *elem = "beam_app";
	int line = line_of(n);
	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	const char *path = attr_str(&a, "path"), *app = attr_str(&a, "app");

	if (bp->beam_line) {
		ERR(c, line, elem, "keep one <beam_app>",
		    "a protection domain runs one application; another was given at line %d",
		    bp->beam_line);
		ok = false;
	} else if (path && !*path) {
		ERR(c, line, elem, "give the directory holding the application's ebin",
		    "path is empty");
		ok = false;
	}
	if (app && !bp->beam_line) {
		/* an atom Erlang and Elixir both write bare: lower-case first */
		bool good = *app >= 'a' && *app <= 'z' && strlen(app) <= SDF_NAME_MAX;
		for (const char *q = app; good && *q; q++)
			good = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_';
		if (!good) {
			ERR(c, line, elem,
			    "name the OTP application as in its .app file: a-z first, then a-z 0-9 "
			    "_",
			    "app \"%s\" is not an application name", app);
			ok = false;
		}
	}
	if (!bp->beam_line) {
		bp->beam_line = line;
		pd->kind = SDF_PD_BEAM;
		if (ok) {
			bp->beam_path = attr_take(&a, "path");
			pd->beam_app = attr_take(&a, "app");
		}
	}
	if (!ok)
		bp->ok = false;
	attrs_free(&a);
}

/* Append child (is_sup, index) to supervisor `sup`'s children. */
static bool add_child(struct ctx *c, size_t sup, bool is_sup, size_t index)
{
	struct sdf_supervisor *sd = &c->b->sys->sups[sup];
	if (!grow(c, (void **)&sd->children, &c->b->cap_children[sup], sd->nchildren,
	          sizeof(*sd->children)))
		return false;
	sd->children[sd->nchildren++] = (struct sdf_child){.is_supervisor = is_sup, .index = index};
	return true;
}

/* A new supervisor under `parent` (-1: the root), with OTP's defaults. */
static long new_sup(struct ctx *c, long parent, int line)
{
	struct build *b = c->b;
	struct sdf_system *sys = b->sys;
	size_t i = sys->nsups;

	if (!grow2(c, (void **)&sys->sups, sizeof(*sys->sups), (void **)&b->cap_children,
	           sizeof(*b->cap_children), &b->cap_sups, i))
		return -1;
	sys->nsups++;
	struct sdf_supervisor *sd = &sys->sups[i];
	sd->strategy = SDF_STRATEGY_ONE_FOR_ONE;
	sd->intensity = SDF_SUP_INTENSITY_DEFAULT;
	sd->period_ms = SDF_SUP_PERIOD_MS_DEFAULT;
	sd->parent = parent;
	sd->loc.file = sys->path;
	sd->loc.line = line;
	if (parent >= 0 && !add_child(c, (size_t)parent, true, i))
		return -1;
	return (long)i;
}

/* Seconds as a decimal with at most three fractional digits ("5", "0.5",
 * "1_000"), or a whole number as num() takes it; to milliseconds. */
static bool seconds_ms(struct ctx *c, int line, const char *elem, const char *attr, const char *val,
                       uint64_t *out)
{
	static const char hint[] = "give the period in seconds, e.g. period=\"5\" or \"0.25\"; "
	                           "at least 0.001, at most a year";
	const char *dot = strchr(val, '.');
	char whole[32];
	uint64_t s = 0, ms = 0;
	int rc = 0;

	if (dot) {
		size_t wl = (size_t)(dot - val), fl = strlen(dot + 1);
		if (wl == 0 || wl >= sizeof(whole) || fl == 0 || fl > 3 ||
		    strspn(dot + 1, "0123456789") != fl || (val[0] == '0' && val[1] == 'x')) {
			ERR(c, line, elem, hint, "%s \"%s\" is not a number of seconds", attr, val);
			return false;
		}
		memcpy(whole, val, wl);
		whole[wl] = '\0';
		rc = sdf_parse_u64(whole, &s);
		for (size_t i = 0; i < 3; i++)
			ms = ms * 10 + (i < fl ? (uint64_t)(dot[1 + i] - '0') : 0);
	} else
		rc = sdf_parse_u64(val, &s);
	if (rc == -1) {
		ERR(c, line, elem, hint, "%s \"%s\" is not a number of seconds", attr, val);
		return false;
	}
	if (rc == -2) {
		ERR(c, line, elem, hint, "%s \"%s\" is negative", attr, val);
		return false;
	}
	if (rc == -3 || s > SDF_SUP_PERIOD_MS_MAX / 1000 || s * 1000 + ms > SDF_SUP_PERIOD_MS_MAX) {
		ERR(c, line, elem, hint, "%s \"%s\" is longer than a year", attr, val);
		return false;
	}
	if (s * 1000 + ms == 0) {
		ERR(c, line, elem, hint, "%s \"%s\" is not a positive time", attr, val);
		return false;
	}
	*out = s * 1000 + ms;
	return true;
}

/* Bytes with an optional binary suffix K, M or G ("64M", "0x10_0000"). */
static bool bytes(struct ctx *c, int line, const char *elem, const char *attr, const char *val,
                  uint64_t *out)
{
	static const char hint[] = "give a number of bytes, optionally with K, M or G (binary), "
	                           "e.g. memory=\"64M\"; at least 1M";
	char num_part[64];
	size_t len = strlen(val);
	unsigned shift = 0;
	uint64_t v = 0;

	if (len > 0 && len < sizeof(num_part)) {
		switch (val[len - 1]) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		}
	}
	if (len == 0 || len >= sizeof(num_part)) {
		ERR(c, line, elem, hint, "%s \"%.20s\" is not a size", attr, val);
		return false;
	}
	memcpy(num_part, val, len - (shift ? 1 : 0));
	num_part[len - (shift ? 1 : 0)] = '\0';
	switch (sdf_parse_u64(num_part, &v)) {
	case 0:
		break;
	case -2:
		ERR(c, line, elem, hint, "%s \"%s\" is negative", attr, val);
		return false;
	case -3:
		ERR(c, line, elem, hint, "%s \"%s\" is too large", attr, val);
		return false;
	default:
		ERR(c, line, elem, hint, "%s \"%s\" is not a size", attr, val);
		return false;
	}
	if (shift && v > (UINT64_MAX >> shift)) {
		ERR(c, line, elem, hint, "%s \"%s\" is too large", attr, val);
		return false;
	}
	*out = v << shift;
	return true;
}

/* <limits memory tasks/> inside a <protection_domain>: cgroup limits. */
static void parse_limits(struct ctx *c, size_t p, const xmlNode *n)
{
	struct attrs a = ATTRS("limits", limits_attrs, 0);
	const char *elem = "limits";
	int line = line_of(n);
	struct build_pd *bp = &c->b->bpd[p];
	struct sdf_pd *pd = &c->b->sys->pds[p];
	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	const char *memory = attr_str(&a, "memory");
	uint64_t v;

	if (bp->limits_line) {
		ERR(c, line, elem, "merge them into one <limits memory=\"...\" tasks=\"...\"/>",
		    "a protection domain has one <limits>; another was given at line %d",
		    bp->limits_line);
		ok = false;
	} else
		bp->limits_line = line;
	if (memory) {
		if (!bytes(c, line, elem, "memory", memory, &v))
			ok = false;
		else if (v < SDF_MEMORY_LIMIT_MIN) {
			ERR(c, line, elem, "give at least 1M, or leave memory out for no limit",
			    "memory %s is less than 1M, too little for any PD to start", memory);
			ok = false;
		} else
			pd->memory_limit = v;
	}
	if (attr_u64(&a, "tasks", &v))
		pd->max_tasks = (unsigned)v;
	if (!attr_given(&a, "memory") && !attr_given(&a, "tasks"))
		WARN(c, line, elem, "add memory=\"...\" and/or tasks=\"...\", or remove <limits>",
		     "<limits> without memory or tasks has no effect");
	attrs_free(&a);
	if (!ok)
		bp->ok = false;
}

/* <grant name type port address backlog/> inside a <protection_domain>:
 * a listening TCP socket the monitor opens and hands in (tcp_listen). */
static void parse_grant(struct ctx *c, size_t p, const xmlNode *n)
{
	struct sdf_system *sys = c->b->sys;
	struct build_pd *bp = &c->b->bpd[p];
	struct sdf_pd *pd = &sys->pds[p];
	struct attrs a = ATTRS("grant", grant_attrs, 0);
	const char *elem = "grant";
	int line = line_of(n);
	size_t i = pd->ngrants;
	uint64_t v;

	if (!grow2(c, (void **)&pd->grants, sizeof(*pd->grants), (void **)&bp->grant_ok,
	           sizeof(*bp->grant_ok), &bp->cap_grants, i))
		return;
	pd->ngrants++;

	struct sdf_grant *g = &pd->grants[i];
	memset(g, 0, sizeof(*g));
	g->loc.file = sys->path;
	g->loc.line = line;
	g->type = SDF_GRANT_TCP_LISTEN;
	g->backlog = SDF_BACKLOG_DEFAULT;
	inet_pton(AF_INET, "127.0.0.1", g->addr);
	snprintf(g->address, sizeof(g->address), "127.0.0.1");

	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	const char *name = attr_str(&a, "name");
	for (size_t j = 0; name && j < i; j++) {
		if (pd->grants[j].name && !strcmp(pd->grants[j].name, name)) {
			ERR(c, line, elem, "give every grant of a protection domain its own name",
			    "grant name '%s' is already used by the grant at line %d", name,
			    pd->grants[j].loc.line);
			ok = false;
			break;
		}
	}
	g->name = attr_take(&a, "name");
	if (attr_u64(&a, "port", &v))
		g->port = (uint16_t)v;
	const char *address = attr_str(&a, "address");
	if (address) {
		static const char hint[] = "write an address literal such as 127.0.0.1, 0.0.0.0, "
		                           "::1 or :: (no brackets; host names are not looked up)";
		uint8_t addr[16];
		if (inet_pton(AF_INET, address, addr) == 1) {
			memset(g->addr, 0, sizeof(g->addr));
			memcpy(g->addr, addr, 4);
			inet_ntop(AF_INET, addr, g->address, sizeof(g->address));
		} else if (inet_pton(AF_INET6, address, addr) != 1) {
			ERR(c, line, elem, hint, "address \"%.64s\" is not an IPv4 or IPv6 address",
			    address);
			ok = false;
		} else if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
			ERR(c, line, elem, "write the IPv4 address itself, e.g. 127.0.0.1",
			    "address \"%s\" is an IPv4-mapped IPv6 address", address);
			ok = false;
		} else {
			g->ipv6 = true;
			memcpy(g->addr, addr, sizeof(addr));
			inet_ntop(AF_INET6, addr, g->address, sizeof(g->address));
		}
	}
	if (attr_u64(&a, "backlog", &v))
		g->backlog = (unsigned)v;
	attrs_free(&a);
	bp->grant_ok[i] = ok;
	if (!ok)
		bp->ok = false;
}

static long new_pd(struct ctx *c)
{
	struct build *b = c->b;
	struct sdf_system *sys = b->sys;
	size_t i = sys->npds;

	if (!grow2(c, (void **)&sys->pds, sizeof(*sys->pds), (void **)&b->bpd, sizeof(*b->bpd),
	           &b->cap_pds, i))
		return -1;
	sys->npds++;
	return (long)i;
}

/* A <protection_domain>: top level or in a <supervisor> (parent -1, sup its
 * supervisor), or a child PD (parent its parent PD, sup -1). */
static void parse_pd(struct ctx *c, const xmlNode *n, long parent, long sup)
{
	struct sdf_system *sys = c->b->sys;
	struct attrs a = ATTRS("protection_domain", pd_attrs, parent >= 0 ? IN_CHILD : IN_TOP);
	const char *elem = "protection_domain";
	int line = line_of(n);
	long p = new_pd(c);

	if (p < 0)
		return;
	struct sdf_pd *pd = &sys->pds[p];
	struct build_pd *bp = &c->b->bpd[p];
	pd->kind = SDF_PD_NATIVE;
	pd->priority = SDF_PRIORITY_DEFAULT;
	pd->budget_us = SDF_BUDGET_DEFAULT;
	pd->period_us = SDF_BUDGET_DEFAULT;
	pd->stack_size = SDF_STACK_MIN;
	pd->parent = parent;
	pd->child_id = -1;
	pd->loc.file = sys->path;
	pd->loc.line = line;
	pd->restart = SDF_RESTART_PERMANENT;
	pd->sup = sup;
	if (sup >= 0 && !add_child(c, (size_t)sup, false, (size_t)p))
		return;

	bool ok = read_attrs(c, n, &a);
	uint64_t v;
	if ((pd->name = attr_take(&a, "name")))
		bp->name_ok = true;
	if (attr_u64(&a, "priority", &v))
		pd->priority = (unsigned)v;
	if (attr_u64(&a, "budget", &v))
		pd->budget_us = pd->period_us = v;
	if (attr_u64(&a, "period", &v))
		pd->period_us = v;
	bool budget_ok = !attr_given(&a, "budget") || attr_str(&a, "budget");
	bool period_ok = !attr_given(&a, "period") || attr_str(&a, "period");
	if (budget_ok && period_ok && pd->budget_us > pd->period_us) {
		ERR(c, line, elem, "make the budget at most the period (the PD's share of a CPU)",
		    "budget (%llu us) is larger than period (%llu us)",
		    (unsigned long long)pd->budget_us, (unsigned long long)pd->period_us);
		ok = false;
	}
	attr_bool(&a, "passive", &pd->passive);
	if (attr_u64(&a, "stack_size", &v)) {
		if (v % SDF_PAGE_SIZE) {
			ERR(c, line, elem, "use a multiple of 0x1000 (4 KiB)",
			    "stack_size %s is not a multiple of the page size",
			    attr_str(&a, "stack_size"));
			ok = false;
		} else
			pd->stack_size = v;
	}
	if (attr_u64(&a, "restart", &v))
		pd->restart = (enum sdf_restart)v;
	pd->restart_delay_ms = SDF_RESTART_DELAY_MS_DEFAULT;
	if (attr_u64(&a, "restart_delay", &v))
		pd->restart_delay_ms = v;
	if (attr_u64(&a, "id", &v))
		pd->child_id = (long)v;
	attrs_free(&a);
	bp->ok = ok;

	/* `pd` and `bp` may move as child PDs are appended: use p from here on */
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE) {
			if (!check_text(c, n, k))
				c->b->bpd[p].ok = false;
			continue;
		}
		if (is(k, "program_image"))
			parse_program_image(c, (size_t)p, k);
		else if (is(k, "beam_app"))
			parse_beam_app(c, (size_t)p, k);
		else if (is(k, "map"))
			parse_map(c, (size_t)p, k);
		else if (is(k, "limits"))
			parse_limits(c, (size_t)p, k);
		else if (is(k, "grant"))
			parse_grant(c, (size_t)p, k);
		else if (is(k, "protection_domain"))
			parse_pd(c, k, p, -1);
		else {
			unknown_element(c, n, k,
			                "<program_image> or <beam_app>, <map>, <limits>, <grant> "
			                "and child <protection_domain>");
			c->b->bpd[p].ok = false;
		}
		if (c->oom)
			return;
	}
	if (c->b->bpd[p].image_line && c->b->bpd[p].beam_line) {
		ERR(c, c->b->bpd[p].beam_line, "beam_app",
		    "keep <program_image> for a native PD or <beam_app> for a BEAM PD",
		    "protection domain '%s' has both a <program_image> (line %d) and a "
		    "<beam_app>",
		    sys->pds[p].name ? sys->pds[p].name : "?", c->b->bpd[p].image_line);
		c->b->bpd[p].ok = false;
	} else if (c->b->bpd[p].beam_line) {
		/* a BEAM PD: beam.c checks the rest */
	} else if (!c->b->bpd[p].image_line) {
		ERR(c, line, elem,
		    "add <program_image path=\"...\"/> naming the PD's ELF file, or "
		    "<beam_app path=\"...\" app=\"...\"/>",
		    "protection domain '%s' has no <program_image>",
		    sys->pds[p].name ? sys->pds[p].name : "?");
		c->b->bpd[p].ok = false;
	}
	if (sys->pds[p].nmaps > IPC_MAX_MAPS) {
		ERR(c, line, elem, "merge regions, or split the PD",
		    "protection domain '%s' has %zu maps; the limit is %u",
		    sys->pds[p].name ? sys->pds[p].name : "?", sys->pds[p].nmaps, IPC_MAX_MAPS);
		c->b->bpd[p].ok = false;
	}
	if (sys->pds[p].ngrants > IPC_MAX_GRANTS) {
		ERR(c, line, elem, "split the PD, or serve several things on one port",
		    "protection domain '%s' has %zu grants; the limit is %u",
		    sys->pds[p].name ? sys->pds[p].name : "?", sys->pds[p].ngrants, IPC_MAX_GRANTS);
		c->b->bpd[p].ok = false;
	}
}

static void parse_region(struct ctx *c, const xmlNode *n)
{
	struct build *b = c->b;
	struct sdf_system *sys = b->sys;
	struct attrs a = ATTRS("memory_region", region_attrs, 0);
	const char *elem = "memory_region";
	int line = line_of(n);
	size_t i = sys->nregions;

	if (!grow2(c, (void **)&sys->regions, sizeof(*sys->regions), (void **)&b->region_ok,
	           sizeof(*b->region_ok), &b->cap_regions, i))
		return;
	sys->nregions++;
	struct sdf_region *r = &sys->regions[i];
	r->page_size = SDF_PAGE_SIZE;
	r->loc.file = sys->path;
	r->loc.line = line;

	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	uint64_t v;
	attr_bool(&a, "clear_on_restart", &r->clear_on_restart);
	if (!(r->name = attr_take(&a, "name")))
		ok = false;
	if (attr_u64(&a, "page_size", &v) && v != SDF_PAGE_SIZE) {
		ERR(c, line, elem, "remove page_size (0x1000 is the default)",
		    "page_size %s is not supported: Cordon maps regions with 4 KiB Linux pages",
		    attr_str(&a, "page_size"));
		ok = false;
	}
	if (attr_u64(&a, "size", &v)) {
		if (v % r->page_size) {
			ERR(c, line, elem, "round the size up to a multiple of 0x1000 (4 KiB)",
			    "size %s is not a multiple of the page size 0x%llx",
			    attr_str(&a, "size"), (unsigned long long)r->page_size);
			ok = false;
		} else
			r->size = v;
	}
	attrs_free(&a);
	b->region_ok[i] = ok;
}

static bool parse_end(struct ctx *c, const xmlNode *n, struct sdf_end *e, char **pdname)
{
	struct attrs a = ATTRS("end", end_attrs, 0);
	const char *elem = "end";
	int line = line_of(n);
	uint64_t v;

	e->notify = true;
	e->loc.line = line;
	bool ok = read_attrs(c, n, &a);
	ok = check_leaf(c, n) && ok;
	*pdname = attr_take(&a, "pd");
	if (attr_u64(&a, "id", &v))
		e->id = (unsigned)v;
	attr_bool(&a, "pp", &e->pp);
	attr_bool(&a, "notify", &e->notify);
	if (attr_u64(&a, "queue_size", &v)) {
		if (v & (v - 1)) {
			ERR(c, line, elem, "use a power of two from 4096 to 0x4000000 (64 MiB)",
			    "queue_size %s is not a power of two", attr_str(&a, "queue_size"));
			ok = false;
		} else
			e->queue_size = (uint32_t)v;
	}
	attrs_free(&a);
	return ok;
}

static void parse_channel(struct ctx *c, const xmlNode *n)
{
	struct build *b = c->b;
	struct sdf_system *sys = b->sys;
	int line = line_of(n);
	size_t i = sys->nchannels;
	struct attrs a = ATTRS("channel", channel_attrs, 0);

	if (!grow2(c, (void **)&sys->channels, sizeof(*sys->channels), (void **)&b->bch,
	           sizeof(*b->bch), &b->cap_channels, i))
		return;
	sys->nchannels++;
	struct sdf_channel *ch = &sys->channels[i];
	struct build_channel *bc = &b->bch[i];
	ch->loc.file = sys->path;
	ch->loc.line = line;

	bool ok = read_attrs(c, n, &a);
	attr_bool(&a, "dist", &ch->dist);
	attrs_free(&a);
	unsigned nends = 0;
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE) {
			ok = check_text(c, n, k) && ok;
			continue;
		}
		if (!is(k, "end")) {
			unknown_element(c, n, k, "two <end> elements");
			ok = false;
			continue;
		}
		struct sdf_end scratch = {0};
		char *scratch_name = NULL;
		struct sdf_end *e = nends < 2 ? &ch->end[nends] : &scratch;
		char **name = nends < 2 ? &bc->pd[nends] : &scratch_name;
		e->loc.file = sys->path;
		ok = parse_end(c, k, e, name) && ok;
		free(scratch_name);
		nends++;
		if (c->oom)
			return;
	}
	if (nends != 2) {
		ERR(c, line, "channel", "give exactly two <end pd=\"...\" id=\"...\"/> elements",
		    "a channel has exactly two <end> elements, this one has %u", nends);
		ok = false;
	} else if (ch->end[0].pp && ch->end[1].pp) {
		ERR(c, line, "channel", "set pp=\"true\" only on the caller's end",
		    "both ends have pp=\"true\"; protected calls go one way only");
		ok = false;
	}
	bc->ok = ok && bc->pd[0] && bc->pd[1];
}

/* <supervisor name strategy intensity period> under the supervisor `parent`:
 * its <protection_domain>s and <supervisor>s, started in document order. */

/* <supervisor name strategy intensity period> under the supervisor `parent`:
 * its <protection_domain>s and <supervisor>s, started in document order. */
static void parse_supervisor(struct ctx *c, const xmlNode *n, size_t parent)
{
	struct attrs a = ATTRS("supervisor", supervisor_attrs, 0);
	const char *elem = "supervisor";
	int line = line_of(n);
	long s = new_sup(c, (long)parent, line);
	uint64_t v;

	if (s < 0)
		return;
	read_attrs(c, n, &a);
	/* sys->sups may move as nested supervisors are added: index with s */
	struct sdf_supervisor *sd = &c->b->sys->sups[s];
	sd->name = attr_take(&a, "name");
	if (attr_u64(&a, "strategy", &v))
		sd->strategy = (enum sdf_strategy)v;
	if (attr_u64(&a, "intensity", &v))
		sd->intensity = (unsigned)v;
	const char *period = attr_str(&a, "period");
	if (period && seconds_ms(c, line, elem, "period", period, &v))
		sd->period_ms = v;
	attrs_free(&a);

	for (const xmlNode *k = n->children; k && !c->oom; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			check_text(c, n, k);
		else if (is(k, "protection_domain"))
			parse_pd(c, k, -1, s);
		else if (is(k, "supervisor"))
			parse_supervisor(c, k, (size_t)s);
		else
			unknown_element(c, n, k, "<protection_domain> and <supervisor>");
	}
	sd = &c->b->sys->sups[s];
	if (!c->oom && sd->nchildren == 0)
		WARN(c, line, elem, "put <protection_domain>s or <supervisor>s in it, or remove it",
		     "supervisor '%s' has no children", sd->name ? sd->name : "?");
}

/* ---- the document ----------------------------------------------------- */

static void parse_system(struct ctx *c, const xmlNode *root)
{
	struct build *b = c->b;

	b->system_line = line_of(root);
	if (!is(root, "system")) {
		ERR(c, line_of(root), ename(root), "make <system> the document's root element",
		    "the root element must be <system>");
		return;
	}
	struct attrs none = NO_ATTRS("system");
	read_attrs(c, root, &none);
	/* the implicit root supervisor: top-level PDs and supervisors */
	if (new_sup(c, -1, b->system_line) != 0 ||
	    !(b->sys->sups[0].name = dup_or_oom(c, SDF_ROOT_SUPERVISOR)))
		return;
	for (const xmlNode *k = root->children; k && !c->oom; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			check_text(c, root, k);
		else if (is(k, "protection_domain"))
			parse_pd(c, k, -1, 0);
		else if (is(k, "supervisor"))
			parse_supervisor(c, k, 0);
		else if (is(k, "memory_region"))
			parse_region(c, k);
		else if (is(k, "channel"))
			parse_channel(c, k);
		else
			unknown_element(c, root, k,
			                "<protection_domain>, <supervisor>, <memory_region> and "
			                "<channel>");
	}
}

struct xml_errors {
	struct ctx *c;
	unsigned n;
};

static void on_xml_error(void *user, xml_error_t err)
{
	struct xml_errors *xe = user;
	char msg[256];
	size_t len;

	if (!err || err->level < XML_ERR_ERROR)
		return;
	/* libxml2 keeps reporting after the first fatal error; the first ones
	 * are the useful ones */
	if (++xe->n > 5)
		return;
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "unknown error");
	len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	ERR(xe->c, err->line, NULL,
	    "fix the XML syntax: close every element, quote every attribute", "malformed XML: %s",
	    msg);
}

static void on_generic_error(void *user, const char *fmt, ...)
{
	/* everything the parser reports also arrives, structured, above */
	(void)user;
	(void)fmt;
}

/* Read at most SDF_FILE_MAX bytes of a regular file. */
static char *read_file(struct ctx *c, size_t *len)
{
	const char *path = c->file;
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		ERR(c, 0, NULL, "check the path of the system description", "cannot open: %s",
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ERR(c, 0, NULL, "give the path of a .system file", "not a regular file");
		goto out;
	}
	if (st.st_size > (off_t)SDF_FILE_MAX) {
		ERR(c, 0, NULL, "a system description is a small XML file", "larger than %u MiB",
		    SDF_FILE_MAX >> 20);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		c->oom = true;
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ERR(c, 0, NULL, "check the file", "cannot read: %s",
			    r < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	*len = got;
out:
	close(fd);
	return buf;
}

int sdf_parse(struct build *b)
{
	struct ctx c = {.b = b, .file = b->sys->path};
	struct xml_errors xe = {.c = &c};
	size_t len = 0;
	char *buf = read_file(&c, &len);

	if (!buf)
		return c.oom ? -1 : 0;

	/* No DTD at all: that shuts out entity expansion bombs and external
	 * entities whatever the libxml2 version and its defaults. */
	const char *dt = memmem(buf, len, "<!DOCTYPE", 9);
	if (dt) {
		int line = 1;
		for (const char *p = buf; p < dt; p++)
			line += *p == '\n';
		ERR(&c, line, NULL, "remove the <!DOCTYPE ...> declaration",
		    "DOCTYPE declarations are not allowed in a system description");
		free(buf);
		return 0;
	}
	if (memchr(buf, '\0', len)) {
		ERR(&c, 0, NULL, "a system description is a text file", "contains NUL bytes");
		free(buf);
		return 0;
	}

	xmlInitParser();
	xmlSetStructuredErrorFunc(&xe, on_xml_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlDoc *doc =
	    xmlReadMemory(buf, (int)len, c.file, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	free(buf);

	if (!doc) {
		if (!xe.n)
			ERR(&c, 0, NULL, "check the file", "cannot parse the XML");
		return 0;
	}
	int walked = 0;
	if (xe.n == 0) {
		const xmlNode *root = xmlDocGetRootElement(doc);
		if (!root)
			ERR(&c, 0, NULL, "add a <system> element", "the document is empty");
		else if (is(root, "system")) {
			parse_system(&c, root);
			walked = 1;
		} else
			parse_system(&c, root); /* reports the wrong root */
	}
	xmlFreeDoc(doc);
	return c.oom ? -1 : walked;
}
