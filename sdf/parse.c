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

struct aspec {
	const char *name;
	bool required;
	char *val; /* filled by get_attrs; free with free_attrs */
};

/* Microkit attributes and elements that mean nothing on Linux.  Refused
 * with the reason, never dropped silently; `warn` ones are harmless. */
struct refusal {
	const char *parent;
	const char *name;
	bool warn;
	const char *msg;
	const char *hint;
};

static const struct refusal refused_attrs[] = {
    {"memory_region", "phys_addr", false,
     "phys_addr is not supported: Cordon runs on Linux, where a PD's memory has no fixed "
     "physical address",
     "remove phys_addr; regions are anonymous shared memory on Linux"},
    {"protection_domain", "smc", false,
     "smc is not supported: Cordon runs on Linux, which does not forward ARM secure monitor "
     "calls from processes",
     "remove smc"},
    {"protection_domain", "domain", false,
     "domain is not supported: Cordon runs on Linux, which has no seL4 domain scheduler",
     "remove domain; use priority, budget and period"},
    {"protection_domain", "cpu", true,
     "cpu is ignored: Cordon runs on Linux and does not pin PDs to CPUs yet", "remove cpu"},
    {"protection_domain", "pp", false,
     "pp on a protection domain is the old seL4 Core Platform form",
     "put pp=\"true\" on the caller's <end> of the channel instead"},
    {"map", "setvar_size", false, "setvar_size is not supported by Cordon yet",
     "remove setvar_size and give the program the region's size another way"},
    {"map", "setvar_prefill_size", false, "setvar_prefill_size is not supported by Cordon yet",
     "remove setvar_prefill_size"},
    {"protection_domain", "fpu", true,
     "fpu is ignored: Cordon runs PDs as Linux processes, which always have the FPU", "remove fpu"},
    {"protection_domain", "setvar_id", false, "setvar_id is not supported by Cordon yet",
     "remove setvar_id and give the parent the child's id as a constant"},
    {"end", "setvar_id", false, "setvar_id is not supported by Cordon yet",
     "remove setvar_id and give the program the channel id as a constant"},
    {"program_image", "path_for_symbols", false,
     "path_for_symbols is not supported by Cordon yet: symbols are read from the program "
     "image itself",
     "remove path_for_symbols and do not strip the setvar_vaddr symbols"},
    {"memory_region", "prefill_path", false,
     "prefill_path is not supported by Cordon yet: regions start zero-filled",
     "remove prefill_path and let a PD fill the region in init()"},
    {"memory_region", "prefill_bootinfo", false,
     "prefill_bootinfo is not supported: Cordon runs on Linux, which has no seL4 boot info",
     "remove prefill_bootinfo"},
};

static const struct refusal refused_elems[] = {
    {"protection_domain", "irq", false,
     "interrupts are not supported: Cordon runs on Linux, where PDs cannot receive hardware "
     "interrupts",
     "remove <irq>; drive the device from Linux and notify the PD over a channel"},
    {"protection_domain", "setvar", false,
     "setvar region_paddr is not supported: Cordon runs on Linux, where a region has no "
     "fixed physical address",
     "remove <setvar>; use setvar_vaddr on <map> for the region's virtual address"},
    {"protection_domain", "virtual_machine", false,
     "virtual machines are not supported: Cordon runs PDs as Linux processes",
     "remove <virtual_machine>"},
    {"protection_domain", "ioport", false,
     "I/O ports are not supported: Cordon runs on Linux, where PDs get no port access",
     "remove <ioport>"},
    {"system", "virtual_machine", false,
     "virtual machines are not supported: Cordon runs PDs as Linux processes",
     "remove <virtual_machine>"},
    {"system", "domain_schedule", false,
     "domain schedules are not supported: Cordon runs on Linux, which has no seL4 domain "
     "scheduler",
     "remove <domain_schedule>; use priority, budget and period"},
    {"protection_domain", "supervisor", false,
     "a supervisor cannot be inside a protection domain: child PDs are supervised by their "
     "parent PD's fault() handler",
     "move the <supervisor> under <system> or into another <supervisor>"},
    {"system", "domains", false,
     "domains are not supported: Cordon runs on Linux, which has no seL4 domain scheduler",
     "remove <domains>; use priority, budget and period"},
    {"protection_domain", "cspace", false,
     "cspace is not supported: Cordon PDs hold no seL4 capabilities",
     "remove <cspace>; Cordon hands a PD only its channels, regions and grants"},
    {"system", "iommu", false,
     "IOMMU mappings are not supported: Cordon runs on Linux, where PDs do not drive DMA",
     "remove <iommu>"},
};

static const struct refusal *find_refusal(const struct refusal *t, size_t n, const char *parent,
                                          const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].parent, parent) && !strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static void free_attrs(struct aspec *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].val);
		a[i].val = NULL;
	}
}

/* Fill a[i].val from n's attributes; report unknown, refused and missing
 * ones.  Returns false if anything was reported as an error. */
static bool get_attrs(struct ctx *c, const xmlNode *n, struct aspec *a, size_t na)
{
	const char *elem = ename(n);
	int line = line_of(n);
	unsigned before = c->b->diag->errors;

	for (const xmlAttr *at = n->properties; at; at = at->next) {
		const char *name = (const char *)at->name;
		size_t i;

		for (i = 0; i < na; i++)
			if (!at->ns && !strcmp(a[i].name, name))
				break;
		if (i < na) {
			xmlChar *v = xmlNodeGetContent((const xmlNode *)at);
			a[i].val = dup_or_oom(c, v ? (const char *)v : "");
			xmlFree(v);
			continue;
		}
		const struct refusal *r =
		    at->ns ? NULL
		           : find_refusal(refused_attrs,
		                          sizeof(refused_attrs) / sizeof(refused_attrs[0]), elem,
		                          name);
		if (r && r->warn) {
			WARN(c, line, elem, r->hint, "%s", r->msg);
			continue;
		}
		if (r) {
			ERR(c, line, elem, r->hint, "%s", r->msg);
			continue;
		}
		char hint[256];
		size_t off = (size_t)snprintf(hint, sizeof(hint), "<%s> takes %s", elem,
		                              na ? "" : "no attributes");
		for (size_t j = 0; j < na && off < sizeof(hint); j++)
			off += (size_t)snprintf(hint + off, sizeof(hint) - off, "%s%s",
			                        j == 0 ? "" : (j + 1 == na ? " and " : ", "),
			                        a[j].name);
		if (at->ns && at->ns->prefix)
			ERR(c, line, elem, hint, "unknown attribute '%s:%s'",
			    (const char *)at->ns->prefix, name);
		else
			ERR(c, line, elem, hint, "unknown attribute '%s'", name);
	}
	for (size_t i = 0; i < na; i++) {
		if (a[i].required && !a[i].val) {
			char hint[96];
			snprintf(hint, sizeof(hint), "add %s=\"...\"", a[i].name);
			ERR(c, line, elem, hint, "missing required attribute '%s'", a[i].name);
		}
	}
	return c->b->diag->errors == before && !c->oom;
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
	const struct refusal *r =
	    k->ns ? NULL
	          : find_refusal(refused_elems, sizeof(refused_elems) / sizeof(refused_elems[0]),
	                         ename(parent), ename(k));
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
	struct aspec a[] = {
	    {"mr", true, NULL},      {"vaddr", true, NULL},         {"perms", false, NULL},
	    {"cached", false, NULL}, {"setvar_vaddr", false, NULL},
	};
	const size_t na = sizeof(a) / sizeof(a[0]);
	const char *elem = "map";
	int line = line_of(n);
	size_t i = pd->nmaps;

	/* maps and the two parallel arrays grow together */
	size_t cap = bp->cap_maps;
	if (!grow(c, (void **)&pd->maps, &cap, i, sizeof(*pd->maps)))
		return;
	cap = bp->cap_maps;
	if (!grow(c, (void **)&bp->map_mr, &cap, i, sizeof(*bp->map_mr)))
		return;
	cap = bp->cap_maps;
	if (!grow(c, (void **)&bp->map_ok, &cap, i, sizeof(*bp->map_ok)))
		return;
	bp->cap_maps = cap;
	pd->nmaps++;

	struct sdf_map *m = &pd->maps[i];
	memset(m, 0, sizeof(*m));
	m->loc.file = sys->path;
	m->loc.line = line;
	m->perms = IPC_PERM_R | IPC_PERM_W;

	bool ok = get_attrs(c, n, a, na);
	ok = check_leaf(c, n) && ok;
	if (a[0].val) {
		bp->map_mr[i] = a[0].val;
		a[0].val = NULL;
	}
	if (a[1].val) {
		ok = num(c, line, elem, "vaddr", a[1].val, SDF_VADDR_MIN, SDF_VADDR_LIMIT - 1,
		         "Linux refuses mappings below 0x10000 and has no user space above "
		         "0x7ffffffff000",
		         &m->vaddr) &&
		     ok;
	}
	if (a[2].val) {
		unsigned perms = 0;
		bool bad = !*a[2].val;
		for (const char *s = a[2].val; *s; s++) {
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
			    "perms \"%s\" is not a combination of 'r', 'w' and 'x'", a[2].val);
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
				     a[2].val);
		}
	}
	if (a[3].val) {
		bool cached = true;
		if (!boolean(c, line, elem, "cached", a[3].val, &cached))
			ok = false;
		else if (!cached)
			WARN(c, line, elem, "remove cached=\"false\"",
			     "cached=\"false\" has no effect: Cordon runs on Linux, where regions "
			     "are "
			     "ordinary cached memory");
	}
	if (a[4].val) {
		if (valid_symbol(c, line, elem, "setvar_vaddr", a[4].val)) {
			for (size_t j = 0; j < i; j++) {
				if (pd->maps[j].setvar_vaddr &&
				    !strcmp(pd->maps[j].setvar_vaddr, a[4].val)) {
					ERR(c, line, elem,
					    "each variable can hold one address; drop one",
					    "setvar_vaddr \"%s\" is already set by the map at line "
					    "%d",
					    a[4].val, pd->maps[j].loc.line);
					ok = false;
					break;
				}
			}
			m->setvar_vaddr = a[4].val;
			a[4].val = NULL;
		} else
			ok = false;
	}
	free_attrs(a, na);
	bp->map_ok[i] = ok && bp->map_mr[i];
	if (!ok)
		bp->ok = false;
}

static void parse_program_image(struct ctx *c, size_t p, const xmlNode *n, const xmlNode *pdn)
{
	struct build_pd *bp = &c->b->bpd[p];
	struct aspec a[] = {{"path", true, NULL}};
	bool ok = get_attrs(c, n, a, 1);
	ok = check_leaf(c, n) && ok;

	if (bp->image_line) {
		ERR(c, line_of(n), "program_image", "keep one <program_image>",
		    "a protection domain has one program image; another was given at line %d",
		    bp->image_line);
		bp->ok = false;
	} else if (a[0].val && !*a[0].val) {
		ERR(c, line_of(n), "program_image", "give the path of the PD's ELF file",
		    "path is empty");
		bp->ok = false;
		bp->image_line = line_of(n);
	} else {
		bp->image_line = line_of(n);
		bp->image = a[0].val;
		a[0].val = NULL;
		if (!ok)
			bp->ok = false;
	}
	(void)pdn;
	free_attrs(a, 1);
}

/* <beam_app path="DIR" app="NAME"/>: the PD runs OTP application NAME
 * from the ebin directories under DIR on the BEAM (beam.c checks DIR). */
static void parse_beam_app(struct ctx *c, size_t p, const xmlNode *n)
{
	struct build_pd *bp = &c->b->bpd[p];
	struct sdf_pd *pd = &c->b->sys->pds[p];
	struct aspec a[] = {{"path", true, NULL}, {"app", true, NULL}};
	const char *elem = "beam_app";
	int line = line_of(n);
	bool ok = get_attrs(c, n, a, 2);
	ok = check_leaf(c, n) && ok;

	if (bp->beam_line) {
		ERR(c, line, elem, "keep one <beam_app>",
		    "a protection domain runs one application; another was given at line %d",
		    bp->beam_line);
		ok = false;
	} else if (a[0].val && !*a[0].val) {
		ERR(c, line, elem, "give the directory holding the application's ebin",
		    "path is empty");
		ok = false;
	}
	if (a[1].val && !bp->beam_line) {
		/* an atom Erlang and Elixir both write bare: lower-case first */
		const char *v = a[1].val;
		bool good = *v >= 'a' && *v <= 'z' && strlen(v) <= SDF_NAME_MAX;
		for (const char *q = v; good && *q; q++)
			good = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_';
		if (!good) {
			ERR(c, line, elem,
			    "name the OTP application as in its .app file: a-z first, then a-z 0-9 "
			    "_",
			    "app \"%s\" is not an application name", v);
			ok = false;
		}
	}
	if (!bp->beam_line) {
		bp->beam_line = line;
		pd->kind = SDF_PD_BEAM;
		if (ok) {
			bp->beam_path = a[0].val;
			pd->beam_app = a[1].val;
			a[0].val = a[1].val = NULL;
		}
	}
	if (!ok)
		bp->ok = false;
	free_attrs(a, 2);
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
	size_t i = sys->nsups, cap = b->cap_sups;

	if (!grow(c, (void **)&sys->sups, &cap, i, sizeof(*sys->sups)))
		return -1;
	cap = b->cap_sups;
	if (!grow(c, (void **)&b->cap_children, &cap, i, sizeof(*b->cap_children)))
		return -1;
	b->cap_sups = cap;
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
	struct aspec a[] = {{"memory", false, NULL}, {"tasks", false, NULL}};
	const char *elem = "limits";
	int line = line_of(n);
	struct build_pd *bp = &c->b->bpd[p];
	struct sdf_pd *pd = &c->b->sys->pds[p];
	bool ok = get_attrs(c, n, a, 2);
	ok = check_leaf(c, n) && ok;
	uint64_t v;

	if (bp->limits_line) {
		ERR(c, line, elem, "merge them into one <limits memory=\"...\" tasks=\"...\"/>",
		    "a protection domain has one <limits>; another was given at line %d",
		    bp->limits_line);
		ok = false;
	} else
		bp->limits_line = line;
	if (a[0].val) {
		if (!bytes(c, line, elem, "memory", a[0].val, &v))
			ok = false;
		else if (v < SDF_MEMORY_LIMIT_MIN) {
			ERR(c, line, elem, "give at least 1M, or leave memory out for no limit",
			    "memory %s is less than 1M, too little for any PD to start", a[0].val);
			ok = false;
		} else
			pd->memory_limit = v;
	}
	if (a[1].val) {
		if (num(c, line, elem, "tasks", a[1].val, 1, SDF_TASKS_MAX,
		        "give the most processes and threads the PD may have, at least 1", &v))
			pd->max_tasks = (unsigned)v;
		else
			ok = false;
	}
	if (!a[0].val && !a[1].val)
		WARN(c, line, elem, "add memory=\"...\" and/or tasks=\"...\", or remove <limits>",
		     "<limits> without memory or tasks has no effect");
	free_attrs(a, 2);
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
	struct aspec a[] = {
	    {"name", true, NULL},     {"type", true, NULL},     {"port", true, NULL},
	    {"address", false, NULL}, {"backlog", false, NULL},
	};
	const size_t na = sizeof(a) / sizeof(a[0]);
	const char *elem = "grant";
	int line = line_of(n);
	size_t i = pd->ngrants;
	uint64_t v;

	size_t cap = bp->cap_grants;
	if (!grow(c, (void **)&pd->grants, &cap, i, sizeof(*pd->grants)))
		return;
	cap = bp->cap_grants;
	if (!grow(c, (void **)&bp->grant_ok, &cap, i, sizeof(*bp->grant_ok)))
		return;
	bp->cap_grants = cap;
	pd->ngrants++;

	struct sdf_grant *g = &pd->grants[i];
	memset(g, 0, sizeof(*g));
	g->loc.file = sys->path;
	g->loc.line = line;
	g->type = SDF_GRANT_TCP_LISTEN;
	g->backlog = SDF_BACKLOG_DEFAULT;
	inet_pton(AF_INET, "127.0.0.1", g->addr);
	snprintf(g->address, sizeof(g->address), "127.0.0.1");

	bool ok = get_attrs(c, n, a, na);
	ok = check_leaf(c, n) && ok;
	if (a[0].val && valid_name(c, line, elem, a[0].val)) {
		for (size_t j = 0; j < i; j++) {
			if (pd->grants[j].name && !strcmp(pd->grants[j].name, a[0].val)) {
				ERR(c, line, elem,
				    "give every grant of a protection domain its own name",
				    "grant name '%s' is already used by the grant at line %d",
				    a[0].val, pd->grants[j].loc.line);
				ok = false;
				break;
			}
		}
		g->name = a[0].val;
		a[0].val = NULL;
	} else
		ok = false;
	if (a[1].val && strcmp(a[1].val, "tcp_listen")) {
		ERR(c, line, elem, "write type=\"tcp_listen\" (the only grant type so far)",
		    "type \"%s\" is not a grant type", a[1].val);
		ok = false;
	}
	if (a[2].val) {
		if (num(c, line, elem, "port", a[2].val, 1, 65535,
		        "give the TCP port to listen on, 1 to 65535", &v))
			g->port = (uint16_t)v;
		else
			ok = false;
	}
	if (a[3].val) {
		static const char hint[] = "write an address literal such as 127.0.0.1, 0.0.0.0, "
		                           "::1 or :: (no brackets; host names are not looked up)";
		uint8_t addr[16];
		if (inet_pton(AF_INET, a[3].val, addr) == 1) {
			memset(g->addr, 0, sizeof(g->addr));
			memcpy(g->addr, addr, 4);
			inet_ntop(AF_INET, addr, g->address, sizeof(g->address));
		} else if (inet_pton(AF_INET6, a[3].val, addr) != 1) {
			ERR(c, line, elem, hint, "address \"%.64s\" is not an IPv4 or IPv6 address",
			    a[3].val);
			ok = false;
		} else if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
			ERR(c, line, elem, "write the IPv4 address itself, e.g. 127.0.0.1",
			    "address \"%s\" is an IPv4-mapped IPv6 address", a[3].val);
			ok = false;
		} else {
			g->ipv6 = true;
			memcpy(g->addr, addr, sizeof(addr));
			inet_ntop(AF_INET6, addr, g->address, sizeof(g->address));
		}
	}
	if (a[4].val) {
		if (num(c, line, elem, "backlog", a[4].val, 1, SDF_BACKLOG_MAX,
		        "give how many connections may wait to be accepted, 1 to 65535", &v))
			g->backlog = (unsigned)v;
		else
			ok = false;
	}
	free_attrs(a, na);
	bp->grant_ok[i] = ok;
	if (!ok)
		bp->ok = false;
}

static long new_pd(struct ctx *c)
{
	struct build *b = c->b;
	struct sdf_system *sys = b->sys;
	size_t i = sys->npds;
	size_t cap = b->cap_pds;

	if (!grow(c, (void **)&sys->pds, &cap, i, sizeof(*sys->pds)))
		return -1;
	cap = b->cap_pds;
	if (!grow(c, (void **)&b->bpd, &cap, i, sizeof(*b->bpd)))
		return -1;
	b->cap_pds = cap;
	sys->npds++;
	return (long)i;
}

/* A <protection_domain>: top level or in a <supervisor> (parent -1, sup its
 * supervisor), or a child PD (parent its parent PD, sup -1). */
static void parse_pd(struct ctx *c, const xmlNode *n, long parent, long sup)
{
	struct sdf_system *sys = c->b->sys;
	struct aspec a[] = {
	    {"name", true, NULL},     {"priority", false, NULL}, {"budget", false, NULL},
	    {"period", false, NULL},  {"passive", false, NULL},  {"stack_size", false, NULL},
	    {"restart", false, NULL}, {"id", true, NULL},
	};
	const size_t na = parent >= 0 ? 8 : 7;
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

	bool ok = get_attrs(c, n, a, na);
	uint64_t v;
	if (a[0].val && valid_name(c, line, elem, a[0].val)) {
		pd->name = a[0].val;
		a[0].val = NULL;
		bp->name_ok = true;
	} else
		ok = false;
	if (a[1].val) {
		if (num(c, line, elem, "priority", a[1].val, 0, SDF_MAX_PRIORITY,
		        "use a priority from 0 (lowest) to 254 (highest)", &v))
			pd->priority = (unsigned)v;
		else
			ok = false;
	}
	bool budget_ok = true, period_ok = true;
	if (a[2].val) {
		budget_ok = num(c, line, elem, "budget", a[2].val, 1, UINT64_MAX,
		                "give the budget in microseconds, at least 1", &v);
		if (budget_ok)
			pd->budget_us = pd->period_us = v;
	}
	if (a[3].val) {
		period_ok = num(c, line, elem, "period", a[3].val, 1, UINT64_MAX,
		                "give the period in microseconds, at least 1", &v);
		if (period_ok)
			pd->period_us = v;
	}
	if (budget_ok && period_ok && pd->budget_us > pd->period_us) {
		ERR(c, line, elem, "make the budget at most the period (the PD's share of a CPU)",
		    "budget (%llu us) is larger than period (%llu us)",
		    (unsigned long long)pd->budget_us, (unsigned long long)pd->period_us);
		ok = false;
	}
	ok = ok && budget_ok && period_ok;
	if (a[4].val) {
		bool passive;
		if (boolean(c, line, elem, "passive", a[4].val, &passive))
			pd->passive = passive;
		else
			ok = false;
	}
	if (a[5].val) {
		if (!num(c, line, elem, "stack_size", a[5].val, SDF_STACK_MIN, SDF_STACK_MAX,
		         "use 0x1000 (4 KiB) to 0x1000000 (16 MiB), a multiple of 0x1000", &v))
			ok = false;
		else if (v % SDF_PAGE_SIZE) {
			ERR(c, line, elem, "use a multiple of 0x1000 (4 KiB)",
			    "stack_size %s is not a multiple of the page size", a[5].val);
			ok = false;
		} else
			pd->stack_size = v;
	}
	if (a[6].val && parent >= 0) {
		ERR(c, line, elem,
		    "remove restart: a child PD is restarted by its parent PD's fault() handler, "
		    "not by a supervisor",
		    "restart on a child protection domain");
		ok = false;
	} else if (a[6].val) {
		if (!strcmp(a[6].val, "permanent"))
			pd->restart = SDF_RESTART_PERMANENT;
		else if (!strcmp(a[6].val, "transient"))
			pd->restart = SDF_RESTART_TRANSIENT;
		else if (!strcmp(a[6].val, "temporary"))
			pd->restart = SDF_RESTART_TEMPORARY;
		else {
			ERR(c, line, elem, "write \"permanent\", \"transient\" or \"temporary\"",
			    "restart \"%s\" is not a restart kind", a[6].val);
			ok = false;
		}
	}
	if (parent >= 0 && a[7].val) {
		if (num(c, line, elem, "id", a[7].val, 0, SDF_MAX_CHANNEL_ID,
		        "use a child id from 0 to 62", &v))
			pd->child_id = (long)v;
		else
			ok = false;
	}
	free_attrs(a, na);
	bp->ok = ok;

	/* `pd` and `bp` may move as child PDs are appended: use p from here on */
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE) {
			if (!check_text(c, n, k))
				c->b->bpd[p].ok = false;
			continue;
		}
		if (is(k, "program_image"))
			parse_program_image(c, (size_t)p, k, n);
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
	struct aspec a[] = {
	    {"name", true, NULL},
	    {"size", true, NULL},
	    {"page_size", false, NULL},
	    {"clear_on_restart", false, NULL},
	};
	const char *elem = "memory_region";
	int line = line_of(n);
	size_t i = sys->nregions, cap = b->cap_regions;

	if (!grow(c, (void **)&sys->regions, &cap, i, sizeof(*sys->regions)))
		return;
	cap = b->cap_regions;
	if (!grow(c, (void **)&b->region_ok, &cap, i, sizeof(*b->region_ok)))
		return;
	b->cap_regions = cap;
	sys->nregions++;
	struct sdf_region *r = &sys->regions[i];
	r->page_size = SDF_PAGE_SIZE;
	r->loc.file = sys->path;
	r->loc.line = line;

	bool ok = get_attrs(c, n, a, 4);
	ok = check_leaf(c, n) && ok;
	uint64_t v;
	if (a[3].val && !boolean(c, line, elem, "clear_on_restart", a[3].val, &r->clear_on_restart))
		ok = false;
	if (a[0].val && valid_name(c, line, elem, a[0].val)) {
		r->name = a[0].val;
		a[0].val = NULL;
	} else
		ok = false;
	if (a[2].val) {
		if (!num(c, line, elem, "page_size", a[2].val, 0, UINT64_MAX, hint_number, &v))
			ok = false;
		else if (v != SDF_PAGE_SIZE) {
			ERR(c, line, elem, "remove page_size (0x1000 is the default)",
			    "page_size %s is not supported: Cordon maps regions with 4 KiB Linux "
			    "pages",
			    a[2].val);
			ok = false;
		}
	}
	if (a[1].val) {
		if (!num(c, line, elem, "size", a[1].val, 1, SDF_VADDR_LIMIT,
		         "give the size in bytes, a nonzero multiple of 0x1000", &v))
			ok = false;
		else if (v % r->page_size) {
			ERR(c, line, elem, "round the size up to a multiple of 0x1000 (4 KiB)",
			    "size %s is not a multiple of the page size 0x%llx", a[1].val,
			    (unsigned long long)r->page_size);
			ok = false;
		} else
			r->size = v;
	}
	free_attrs(a, 4);
	b->region_ok[i] = ok;
}

static bool parse_end(struct ctx *c, const xmlNode *n, struct sdf_end *e, char **pdname)
{
	struct aspec a[] = {
	    {"pd", true, NULL},      {"id", true, NULL},          {"pp", false, NULL},
	    {"notify", false, NULL}, {"queue_size", false, NULL},
	};
	const size_t na = sizeof(a) / sizeof(a[0]);
	const char *elem = "end";
	int line = line_of(n);
	uint64_t v;

	e->notify = true;
	e->loc.line = line;
	bool ok = get_attrs(c, n, a, na);
	ok = check_leaf(c, n) && ok;
	if (a[0].val) {
		*pdname = a[0].val;
		a[0].val = NULL;
	}
	if (a[1].val) {
		if (num(c, line, elem, "id", a[1].val, 0, SDF_MAX_CHANNEL_ID,
		        "use a channel id from 0 to 62", &v))
			e->id = (unsigned)v;
		else
			ok = false;
	}
	if (a[2].val && !boolean(c, line, elem, "pp", a[2].val, &e->pp))
		ok = false;
	if (a[3].val && !boolean(c, line, elem, "notify", a[3].val, &e->notify))
		ok = false;
	if (a[4].val) {
		if (!num(c, line, elem, "queue_size", a[4].val, IPC_QUEUE_MIN, IPC_QUEUE_MAX,
		         "use a power of two from 4096 to 0x4000000 (64 MiB)", &v))
			ok = false;
		else if (v & (v - 1)) {
			ERR(c, line, elem, "use a power of two from 4096 to 0x4000000 (64 MiB)",
			    "queue_size %s is not a power of two", a[4].val);
			ok = false;
		} else
			e->queue_size = (uint32_t)v;
	}
	free_attrs(a, na);
	return ok;
}

static void parse_channel(struct ctx *c, const xmlNode *n)
{
	struct build *b = c->b;
	struct sdf_system *sys = b->sys;
	int line = line_of(n);
	size_t i = sys->nchannels, cap = b->cap_channels;

	if (!grow(c, (void **)&sys->channels, &cap, i, sizeof(*sys->channels)))
		return;
	cap = b->cap_channels;
	if (!grow(c, (void **)&b->bch, &cap, i, sizeof(*b->bch)))
		return;
	b->cap_channels = cap;
	sys->nchannels++;
	struct sdf_channel *ch = &sys->channels[i];
	struct build_channel *bc = &b->bch[i];
	ch->loc.file = sys->path;
	ch->loc.line = line;

	struct aspec a[] = {{"dist", false, NULL}};
	bool ok = get_attrs(c, n, a, 1);
	if (a[0].val && !boolean(c, line, "channel", "dist", a[0].val, &ch->dist))
		ok = false;
	free_attrs(a, 1);
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
static void parse_supervisor(struct ctx *c, const xmlNode *n, size_t parent)
{
	struct aspec a[] = {
	    {"name", true, NULL},
	    {"strategy", false, NULL},
	    {"intensity", false, NULL},
	    {"period", false, NULL},
	};
	const char *elem = "supervisor";
	int line = line_of(n);
	long s = new_sup(c, (long)parent, line);
	uint64_t v;

	if (s < 0)
		return;
	get_attrs(c, n, a, 4);
	/* sys->sups may move as nested supervisors are added: index with s */
	struct sdf_supervisor *sd = &c->b->sys->sups[s];
	if (a[0].val && valid_name(c, line, elem, a[0].val)) {
		sd->name = a[0].val;
		a[0].val = NULL;
	}
	if (a[1].val) {
		if (!strcmp(a[1].val, "one_for_one"))
			sd->strategy = SDF_STRATEGY_ONE_FOR_ONE;
		else if (!strcmp(a[1].val, "one_for_all"))
			sd->strategy = SDF_STRATEGY_ONE_FOR_ALL;
		else if (!strcmp(a[1].val, "rest_for_one"))
			sd->strategy = SDF_STRATEGY_REST_FOR_ONE;
		else
			ERR(c, line, elem,
			    "write \"one_for_one\", \"one_for_all\" or \"rest_for_one\"",
			    "strategy \"%s\" is not a supervision strategy", a[1].val);
	}
	if (a[2].val && num(c, line, elem, "intensity", a[2].val, 0, SDF_SUP_INTENSITY_MAX,
	                    "give the most restarts allowed within period, 0 to 1000000 (0: "
	                    "never restart)",
	                    &v))
		sd->intensity = (unsigned)v;
	if (a[3].val && seconds_ms(c, line, elem, "period", a[3].val, &v))
		sd->period_ms = v;
	free_attrs(a, 4);

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
	get_attrs(c, root, NULL, 0);
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
