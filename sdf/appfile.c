/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The applications an OTP application resource file (.app) needs:
 *
 *     {application, Name, [..., {applications, [kernel, stdlib, ...]},
 *                          {included_applications, [...]}, ...]}.
 *
 * A .app is an Erlang term, and this reads only as much of Erlang's syntax
 * as it takes to find those two lists without being fooled: comments,
 * strings, quoted atoms and binaries are skipped as units, and only the
 * property list of the top-level tuple is searched (an {applications, ...}
 * inside env is not a dependency).  optional_applications (OTP 24) are not
 * needed and are not returned.  The file is the user's, not hostile, but it
 * is still bounded: names longer than an atom's limit are refused.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sdf/internal.h"

#define ATOM_MAX 255 /* Erlang's limit, in characters */

enum tok { T_END, T_OPEN, T_CLOSE, T_COMMA, T_ATOM, T_OTHER, T_BAD };

struct lexer {
	const char *p;
	char atom[ATOM_MAX + 1];
};

/* Skip a quoted run ending at an unescaped `q`; false if it never ends. */
static bool skip_quoted(struct lexer *l, char q, char *out, size_t cap)
{
	size_t n = 0;
	for (l->p++; *l->p && *l->p != q; l->p++) {
		if (*l->p == '\\' && l->p[1])
			l->p++;
		if (out && n < cap)
			out[n] = *l->p;
		n++;
	}
	if (!*l->p)
		return false;
	l->p++;
	if (out) {
		if (n > cap)
			return false;
		out[n] = '\0';
	}
	return true;
}

static enum tok next(struct lexer *l)
{
	for (;;) {
		while (isspace((unsigned char)*l->p))
			l->p++;
		if (*l->p != '%')
			break;
		while (*l->p && *l->p != '\n')
			l->p++;
	}
	char c = *l->p;
	if (!c)
		return T_END;
	if (c == '{' || c == '[') {
		l->p++;
		return T_OPEN;
	}
	if (c == '}' || c == ']') {
		l->p++;
		return T_CLOSE;
	}
	if (c == ',') {
		l->p++;
		return T_COMMA;
	}
	if (c == '\'')
		return skip_quoted(l, '\'', l->atom, ATOM_MAX) ? T_ATOM : T_BAD;
	if (c == '"')
		return skip_quoted(l, '"', NULL, 0) ? T_OTHER : T_BAD;
	if (islower((unsigned char)c)) {
		size_t n = 0;
		while (isalnum((unsigned char)*l->p) || *l->p == '_' || *l->p == '@') {
			if (n == ATOM_MAX)
				return T_BAD;
			l->atom[n++] = *l->p++;
		}
		l->atom[n] = '\0';
		return T_ATOM;
	}
	/* numbers, binaries' << >>, the final '.', anything else: one char */
	l->p++;
	return T_OTHER;
}

static int add_name(char ***names, size_t *n, const char *atom)
{
	char **v = reallocarray(*names, *n + 1, sizeof(*v));
	if (!v)
		return -1;
	*names = v;
	if (!(v[*n] = strdup(atom)))
		return -1;
	(*n)++;
	return 0;
}

int sdf_app_deps(const char *text, char ***names, size_t *n)
{
	struct lexer l = {.p = text};
	int depth, rc = 0;
	enum tok t;

	*names = NULL;
	*n = 0;
	if (next(&l) != T_OPEN || next(&l) != T_ATOM || strcmp(l.atom, "application"))
		return -2;
	depth = 1;
	while (rc == 0 && (t = next(&l)) != T_END && depth > 0) {
		if (t == T_BAD) {
			rc = -2;
			break;
		}
		if (t == T_CLOSE) {
			depth--;
			continue;
		}
		if (t != T_OPEN)
			continue;
		depth++;
		/* a property: {Key, Value} directly inside the top tuple's list */
		if (depth != 3)
			continue;
		if (next(&l) != T_ATOM)
			continue; /* nothing we look for; the loop keeps counting */
		bool wanted =
		    !strcmp(l.atom, "applications") || !strcmp(l.atom, "included_applications");
		if (!wanted)
			continue;
		if (next(&l) != T_COMMA || next(&l) != T_OPEN) {
			rc = -2;
			break;
		}
		while ((t = next(&l)) == T_ATOM || t == T_COMMA)
			if (t == T_ATOM && add_name(names, n, l.atom) < 0)
				rc = -1;
		if (t != T_CLOSE)
			rc = -2; /* the list held something other than atoms */
	}
	if (rc < 0) {
		sdf_app_deps_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

void sdf_app_deps_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
