/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Why a BEAM PD's VM ended, in one line for its fault line.
 *
 * When the VM's kernel application dies (an application that fails to
 * start, or a permanent one that stops), the VM writes its slogan to
 * standard error and halts with status 1:
 *
 *   Kernel pid terminated (application_controller) ({application_start_failure,
 *   badapp,{bad_return,{{'Elixir.Badapp',start,[normal,[]]},{'EXIT',{#{...
 *   '__struct__' => 'Elixir.RuntimeError',message => <<"boom">>},[{'Elixir.
 *   Badapp',start,2,[{file,"lib/badapp.ex"},{line,4},...
 *
 * The relay hands every relayed line of a BEAM PD here; the last slogan of
 * a run is kept and, when the PD ends with a non-zero status, read into
 *
 *   application badapp failed to start: RuntimeError "boom" (lib/badapp.ex:4)
 *
 * The text is the PD's own output, already defanged by the relay: a PD can
 * print anything, so this is the VM's word about itself, shown after the
 * monitor's own decoding (exit=1), never instead of it.  The term is not
 * parsed; the few shapes OTP writes are found by their words, and anything
 * else is shown raw, cut short.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "monitor/internal.h"

static const char slogan[] = "Kernel pid terminated (";

void mon_vm_heard(struct mon *m, size_t p, const char *s, size_t n)
{
	struct mon_pd *mp = &m->pds[p];
	if (mp->sdf->kind != SDF_PD_BEAM || n < sizeof(slogan) - 1 ||
	    memcmp(s, slogan, sizeof(slogan) - 1) != 0)
		return;
	if (n >= sizeof(mp->vm_slogan))
		n = sizeof(mp->vm_slogan) - 1;
	memcpy(mp->vm_slogan, s, n);
	mp->vm_slogan[n] = '\0';
}

/* The text between `open` and the next `close` after `from`, into out;
 * false if either is missing. */
static bool between(const char *from, const char *open, char close, char *out, size_t len)
{
	const char *a = strstr(from, open);
	if (!a)
		return false;
	a += strlen(open);
	const char *b = strchr(a, close);
	if (!b)
		return false;
	snprintf(out, len, "%.*s", (int)(b - a), a);
	return true;
}

/* An Elixir exception in a reason: `RuntimeError "boom" (file:line)`,
 * the location being the first frame's.  false if there is none. */
static bool elixir_exception(const char *reason, char *out, size_t len)
{
	char mod[64], msg[160], file[128], line[16];
	if (!between(reason, "'__struct__' => 'Elixir.", '\'', mod, sizeof(mod)))
		return false;
	int n = snprintf(out, len, "%s", mod);
	if (n >= 0 && (size_t)n < len && between(reason, "message => <<\"", '"', msg, sizeof(msg)))
		n += snprintf(out + n, len - (size_t)n, " \"%s\"", msg);
	if (n >= 0 && (size_t)n < len && between(reason, "{file,\"", '"', file, sizeof(file)) &&
	    between(reason, "{line,", '}', line, sizeof(line)))
		snprintf(out + n, len - (size_t)n, " (%s:%s)", file, line);
	return true;
}

/* reason, or the start of it when it is long. */
static void raw(const char *reason, char *out, size_t len)
{
	const size_t most = 120;
	size_t n = strlen(reason);
	if (n > most)
		snprintf(out, len, "%.*s...", (int)most, reason);
	else
		snprintf(out, len, "%s", reason);
}

static void describe(const char *reason, char *out, size_t len)
{
	if (!elixir_exception(reason, out, len))
		raw(reason, out, len);
}

void mon_vm_reason(const struct mon_pd *mp, int status, char *out, size_t len)
{
	out[0] = '\0';
	if (!mp->vm_slogan[0] || !WIFEXITED(status) || WEXITSTATUS(status) == 0)
		return;
	/* "Kernel pid terminated (WHO) (REASON)", REASON without its ')'. */
	const char *who = mp->vm_slogan + sizeof(slogan) - 1;
	const char *end = strstr(who, ") (");
	if (!end) {
		snprintf(out, len, ": the VM says: %s", mp->vm_slogan);
		return;
	}
	char reason[sizeof(mp->vm_slogan)];
	snprintf(reason, sizeof(reason), "%s", end + 3);
	size_t rn = strlen(reason);
	if (rn && reason[rn - 1] == ')')
		reason[--rn] = '\0';

	char app[64], what[256];
	static const struct {
		const char *tag, *says;
	} shapes[] = {
	    {"{application_start_failure,", "failed to start"},
	    {"{application_terminated,", "stopped"},
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t t = strlen(shapes[i].tag);
		char *comma = strchr(reason + t, ',');
		if (strncmp(reason, shapes[i].tag, t) != 0 || !comma)
			continue;
		snprintf(app, sizeof(app), "%.*s", (int)(comma - (reason + t)), reason + t);
		if (rn && reason[rn - 1] == '}') /* the tuple's own end */
			reason[--rn] = '\0';
		describe(comma + 1, what, sizeof(what));
		snprintf(out, len, ": application %s %s: %s", app, shapes[i].says, what);
		return;
	}
	describe(reason, what, sizeof(what));
	snprintf(out, len, ": the VM's kernel ended (%.*s): %s", (int)(end - who), who, what);
}
