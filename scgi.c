/* The protocol, pure: no I/O. The body's length (R13), the SCGI header
 * (R10), the HTTP status line (R16). Over str.c. */
#include "cgi2scgi.h"
#include <limits.h>

/* CONTENT_LENGTH: unset or empty is 0, else plain decimal (R13); -1 bad */
int
parse_length(const char *s, unsigned long long *n)
{
	long long v = s && *s ? decimal(s, find(s, '\0'), LLONG_MAX) : 0;

	*n = v < 0 ? 0 : v;
	return v < 0 ? -1 : 0;
}

/* the names never passed on as they came (R10): the first two go first,
 * made here; HTTP_TRANSFER_ENCODING never, as the body sent always has
 * a length (R17; nginx passes it with CONTENT_LENGTH when a small
 * chunked body came whole, and Werkzeug then reads no body at all) */
static const char never[] TEXT =
    "CONTENT_LENGTH\0SCGI\0HTTP_TRANSFER_ENCODING\0";

/* HTTP_TRANSFER_ENCODING's value, or NULL (one copy of the name) */
const char *
coding(char **env)
{
	return getvar(env, nth(never, 2));
}

/* 1 when the body has a transfer coding and no length, cl (its
 * CONTENT_LENGTH) being unset or empty: a body whose end only its EOF
 * tells (Apache de-chunks, R17), whatever the coding's spelling */
int
unframed(char **env, const char *cl)
{
	const char *te;

	return (cl == NULL || *cl == '\0') &&
	    (te = coding(env)) != NULL && *te != '\0';
}

/* name length of env entry *e if it is to be sent, else 0 (R10) */
static size_t
sendable(char **env, char **e)
{
	const char *s = *e;
	size_t n = find(s, '=') - s;
	char **p;

	if (s[n] == '\0' || n == 0 || same(s, "CGI2SCGI_", 9) ||
	    which(never, s, n) >= 0)
		return 0;
	for (p = env; p < e; p++)	/* first wins */
		if (**p == *s && same(*p, s, n + 1))
			return 0;
	return n;
}

/*
 * The SCGI netstring into buf, which holds size bytes (at least 96): its
 * length, or 0 when it does not fit with 24 bytes to spare, or when env
 * has more than MAX_VARS entries: "first wins" compares each name with
 * those before it, and no server passes that many (Apache allows 100
 * header fields), so a bound keeps that quadratic loop within a few ms
 * without a hash table's bytes. One pass: the pairs go after room for
 * the length, then move up behind it.
 */
#define MAX_VARS 4096
size_t
scgi_header(char *buf, size_t size, char **env, const char *length)
{
	char *b = buf + 24, *p;
	size_t n, k, m;
	char **e;

	__builtin_memcpy(b, "CONTENT_LENGTH", 15);
	n = len(length) + 1;
	__builtin_memcpy(b + 15, length, n);
	n += 15;
	__builtin_memcpy(b + n, "SCGI\0" "1", 7);
	n += 7;
	for (e = env; *e != NULL; e++) {
		if (e - env == MAX_VARS)
			return 0;
		k = sendable(env, e);
		if (k == 0)
			continue;
		m = len(*e) + 1;
		if (24 + n + m > size)
			return 0;
		__builtin_memcpy(b + n, *e, m);
		b[n + k] = '\0';	/* NAME=VALUE -> NAME\0VALUE */
		n += m;
	}
	p = num(n);
	k = len(p);
	__builtin_memmove(buf + k + 1, b, n);
	__builtin_memcpy(buf, p, k);
	buf[k] = ':';
	buf[k + 1 + n] = ',';
	return k + n + 2;
}

/* 1 if b starts with "HTTP/1.x NNN", 0 if not, -1 if too short to say */
int
status_line(const char *b, size_t n)
{
	static const char pat[] = "HTTP/1.# ###";
	size_t i;

	for (i = 0; i < 12; i++) {
		if (i == n)
			return -1;
		if (pat[i] == '#' ? b[i] < '0' || b[i] > '9' : b[i] != pat[i])
			return 0;
	}
	if (n == 12)
		return -1;
	return b[12] == ' ' || b[12] == '\r' || b[12] == '\n';
}

/* the last segment of SCRIPT_NAME begins with nph- (R16) */
int
is_nph(const char *s)
{
	const char *name = s;

	for (; s && *s; s++)
		if (*s == '/')
			name = s + 1;
	return name && same(name, "nph-", 4);
}
