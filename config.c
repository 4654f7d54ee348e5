/* Configuration: built-in defaults, CGI2SCGI_* variables, config files. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgi2scgi.h"

#ifndef SOCKET
#define SOCKET 0
#endif
#ifndef START
#define START 0
#endif

static char store[16384];	/* config file texts and joined paths */
static size_t used;

/* a+b+c in the store; NULL when the store is full */
char *
concat(const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	char *p = store + used, *q = p;
	int i;

	for (i = 0; i < 3; i++)
		for (a = part[i]; *a != '\0'; a++)
			if (q < store + sizeof store - 1)
				*q++ = *a;
			else
				return NULL;
	*q++ = '\0';
	used = q - store;
	return p;
}

/* the first ch in s, or its end */
char *
find(const char *s, int ch)
{
	while (*s != '\0' && *s != ch)
		s++;
	return (char *)s;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->socket = SOCKET;
	c->start = START;
	c->start_timeout = 30;
	c->retry_after = 10;
	c->timeout = 300;
}

/* a decimal number of at most max, ending at end; -1 if not */
long long
decimal(const char *s, const char *end, long long max)
{
	long long n = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || n > (max - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* whole seconds, at most 999999 */
int
parse_seconds(const char *s, long *v)
{
	long n = decimal(s, find(s, '\0'), 999999);	/* ms fit an int */

	if (n < 0)
		return -1;
	*v = n;
	return 0;
}

static int
ipv4(const char *s, const char *end, unsigned char *out)
{
	const char *dot;
	long long n;
	int i;

	for (i = 0; i < 4; i++, s = dot + 1) {
		dot = find(s, '.');
		if (dot > end)
			dot = end;
		n = decimal(s, dot, 255);
		if (n < 0 || (i < 3) != (dot < end))
			return 0;
		out[i] = n;
	}
	return 1;
}

static int
hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* s..end is an IPv6 address without brackets; one "::" stands for
 * one or more zero groups: the groups after it move to the end */
static int
ipv6(const char *s, const char *end, unsigned char *out)
{
	int n = 0, gap = -1, d;
	unsigned w;

	if (end - s > 1 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (s < end) {
		for (w = 0, d = 0; s < end && hex(*s) >= 0 && d < 4; s++, d++)
			w = w * 16 + hex(*s);
		if (d == 0 || n == 16)
			return 0;
		out[n++] = w >> 8;
		out[n++] = w;
		if (s < end && *s++ != ':')
			return 0;
		if (s < end && *s == ':' && gap < 0) {
			gap = n;
			s++;
		} else if (s == end && s[-1] == ':')
			return 0;
	}
	if (gap < 0 || n == 16)
		return n == 16 && gap < 0;
	memmove(out + 16 - (n - gap), out + gap, n - gap);
	memset(out + gap, 0, 16 - n);
	return 1;
}

/* HOST:PORT with a numeric IPv4 host, [IPv6] or localhost and an
 * all-digit port (R1): 1 a good one, -1 a bad one, 0 not TCP at all */
static int
tcp_addr(const char *s, struct addr *a)
{
	const char *colon = s + len(s), *p;
	long long port;
	int v6 = s[0] == '[';

	while (colon > s && *colon != ':')
		colon--;
	if (colon == s)		/* no colon, or nothing before it */
		return 0;
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++)
		;
	if (*p != '\0' || p == colon + 1)
		return 0;
	for (p = s; p < colon && ((*p >= '0' && *p <= '9') || *p == '.'); p++)
		;
	if (v6 ? colon[-1] != ']' : p != colon &&
	    !(colon - s == 9 && same(s, "localhost", 9)))
		return 0;
	port = decimal(colon + 1, find(colon, '\0'), 65535);
	memset(a, 0, sizeof *a);
	/* family and port lie at the same offsets in both structures */
	a->u.in6.sin6_family = v6 ? AF_INET6 : AF_INET;
	a->u.in6.sin6_port = htons(port);
	a->len = v6 ? sizeof a->u.in6 : sizeof a->u.in;
	if (!v6 && p != colon)	/* localhost */
		s = "127.0.0.1:";
	if (port < 1 || !(v6 ? ipv6(s + 1, colon - 1, a->u.in6.sin6_addr.s6_addr)
	    : ipv4(s, find(s, ':'), (unsigned char *)&a->u.in.sin_addr)))
		return -1;
	return 1;
}

/* tcp:HOST:PORT, HOST:PORT (TCP), unix:PATH or PATH (R1); 0, or -1 */
int
parse_addr(const char *s, struct addr *a)
{
	size_t n;

	int tcp = same(s, "tcp:", 4) ? tcp_addr(s + 4, a) : 0;

	if (tcp != 0 || same(s, "tcp:", 4))
		return tcp > 0 ? 0 : -1;
	if (same(s, "unix:", 5))
		s += 5;
	else if ((tcp = tcp_addr(s, a)) != 0)
		return tcp > 0 ? 0 : -1;
	n = len(s);
	if (n == 0 || n >= sizeof a->u.un.sun_path)
		return -1;
	memset(a, 0, sizeof *a);
	a->u.un.sun_family = AF_UNIX;
	memcpy(a->u.un.sun_path, s, n);
	a->len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

/* the path of a unix socket address, NULL for a TCP (or bad) one */
const char *
unix_path(const char *s)
{
	struct addr a;

	if (parse_addr(s, &a) < 0 || a.u.sa.sa_family != AF_UNIX)
		return NULL;
	return s + (same(s, "unix:", 5) ? 5 : 0);
}

/* the keys of R1, in this order: socket, start, 3 paths, 3 numbers, env */
static const char names[] = "socket\0start\0directory\0log\0lock\0"
    "start_timeout\0retry_after\0timeout\0env";
static const unsigned char offs[] = {
	offsetof(struct config, socket), offsetof(struct config, start),
	offsetof(struct config, directory), offsetof(struct config, log),
	offsetof(struct config, lock), offsetof(struct config, start_timeout),
	offsetof(struct config, retry_after), offsetof(struct config, timeout),
};

/* key = v; dir is the config file's ("dir/" or ""), NULL for the
 * environment (no env key there); NULL when fine */
static const char *
set(struct config *c, const char *key, const char *v, const char *dir)
{
	const char *k = names, *p;
	char *field;
	int i;

	for (i = 0; i < 9 && !same(k, key, len(k) + 1); i++)
		k += len(k) + 1;
	if (i == 9 || (i == 8 && dir == NULL))
		return "unknown key";
	if (i == 8) {
		if (*v == '=' || *find(v, '=') == '\0')
			return "bad env";
		if (c->nenv == MAX_ENV)
			return "bad env";
		c->env[c->nenv++] = v;
		return NULL;
	}
	field = (char *)c + offs[i];
	if (i >= 5)
		return parse_seconds(v, (long *)field) < 0 ? "bad number" : NULL;
	p = i == 0 ? unix_path(v) : v;
	if (i != 1 && p != NULL && *p != '/' && *p && dir && *dir)
		v = concat(p == v ? "" : "unix:", dir, p);	/* R4 */
	*(const char **)field = v && *v ? v : NULL;	/* empty: unset */
	return v ? NULL : "config too big";
}

static int
blank(char ch)
{
	return ch > 0 && ch <= ' ';	/* space, tab, CR and the like */
}

/* s..end without the blanks around it, NUL-terminated */
static char *
trim(char *s, char *end)
{
	while (s < end && blank(*s))
		s++;
	while (end > s && blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* "dir/" of a file in the store, "" for a bare name, NULL if full */
char *
dir_of(const char *file)
{
	const char *p, *slash = file - 1;
	char *d = concat(file, "", "");

	for (p = file; *p; p++)
		if (*p == '/')
			slash = p;
	if (d != NULL)
		d[slash - file + 1] = '\0';
	return d;
}

/* parse a config text in place; NULL when fine, else what and *line */
const char *
config_text(struct config *c, char *text, const char *file, int *line)
{
	char *dir = dir_of(file), *end, *eq, *key, *next;
	const char *err = dir ? NULL : "config too big";

	for (*line = 1; err == NULL && *text != '\0'; ++*line, text = next) {
		end = find(text, '\n');
		next = end + (*end != '\0');
		eq = find(text, '=');
		if (eq > end)
			eq = end;
		key = trim(text, eq);
		if (*key == '#' || (*key == '\0' && eq == end))
			continue;	/* a comment, a blank line */
		if (*key == '\0' || eq == end)
			return "bad line";
		err = set(c, key, trim(eq + 1, end), dir);
	}
	--*line;
	return err;
}

/* read a config file: 0 read, 1 not a config (no #!), -1 error (logged) */
int
config_file(struct config *c, const char *file, int need_shebang)
{
	char *text = store + used;
	size_t room = sizeof store - used - 1, n = 0;
	const char *err = NULL;
	ssize_t r = 0;
	int fd = sys_open(file, O_RDONLY | O_CLOEXEC, 0), line = 0;

	while (fd >= 0 && (r = readfd(fd, text + n, room - n)) > 0)
		n += r;
	if (fd < 0 || r < 0)
		err = errtext(errno);
	if (fd >= 0)
		sys_close(fd);
	text[n] = '\0';
	if (!err && need_shebang && !same(text, "#!", 2))
		return 1;
	used += n + 1;
	if (!err)	/* a NUL byte ends the text */
		err = n == room ? "config too big" :
		    config_text(c, text, file, &line);
	if (err == NULL) {
		c->file = file;
		return 0;
	}
	tag = line ? concat(file, ":", num(line)) : 0;
	if (tag == NULL)
		tag = file;
	logline(line ? err : "cannot read", line ? NULL : err);
	return -1;
}

/* CGI2SCGI_* variables; NULL when fine, else the bad entry */
const char *
config_environ(struct config *c, char **env)
{
	const char *e, *eq;
	char key[16];
	size_t i;

	for (; (e = *env) != NULL; env++) {
		eq = find(e, '=');
		if (!same(e, "CGI2SCGI_", 9) || *eq == '\0' ||
		    same(e + 9, "CONFIG=", 7))
			continue;
		for (i = 0; e + 9 + i < eq && i < sizeof key - 1; i++)
			key[i] = e[9 + i] + (e[9 + i] >= 'A' && e[9 + i] <= 'Z') * 32;
		key[i] = '\0';
		if (set(c, key, eq + 1, NULL) != NULL)
			return e;
	}
	return NULL;
}

/* after all sources: NULL when usable, else what is wrong */
const char *
config_check(const struct config *c)
{
	struct addr a;

	if (c->socket == NULL)
		return "no socket";
	if (parse_addr(c->socket, &a) < 0)
		return "bad socket";
	if (c->start != NULL && c->lock == NULL && unix_path(c->socket) == NULL)
		return "TCP needs lock";
	return NULL;
}

/* --check: the effective configuration, the keys that are set */
void
config_print(const struct config *c)
{
	const char *k = names, *v;
	int i;

	for (i = 0; i < 8; i++, k += len(k) + 1) {
		v = *(const char **)((char *)c + offs[i]);
		if (i >= 5)
			v = num(*(long *)((char *)c + offs[i]));
		if (v != NULL)
			say(1, k, " = ", v, "\n", NULL);
	}
	for (i = 0; i < c->nenv; i++)
		say(1, "env = ", c->env[i], "\n", NULL);
}
