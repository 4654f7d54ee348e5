/* Strings, decimal numbers, the config store, log lines. Over sys.c. */
#include "cgi2scgi.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>

/* strlen, in a few bytes: libc's is tuned for long strings */
size_t
len(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return p - s;
}

/* 1 when a and b agree in their first n bytes or up to a common NUL */
int
same(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++)
		if (*a != *b)
			return 0;
		else if (*a == '\0')
			return 1;
	return 1;
}

/* the first ch in s, or its end */
char *
find(const char *s, int ch)
{
	while (*s != '\0' && *s != ch)
		s++;
	return (char *)s;
}

/* the decimal number s..end, at most max; -1 if it is not one. No
 * division: on 32-bit targets a 64-bit one brings libgcc's (R51); n
 * stays at most max, so n * 10 + 9 fits in 64 bits unsigned */
long long
decimal(const char *s, const char *end, long long max)
{
	unsigned long long n = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || n > LLONG_MAX / 10)
			return -1;
		n = n * 10 + (*s - '0');
		if (n > (unsigned long long)max)
			return -1;
	}
	return n;
}

/* v in decimal, in one of four buffers taken in turn: one say() may
 * carry four numbers */
char *
num(unsigned long long v)
{
	static char buf[4][24];
	static unsigned i;
	char *p = buf[i++ % 4] + 23;

	do
		*--p = '0' + v % 10;
	while ((v /= 10) != 0);
	return p;
}

/* the index of the n bytes at s in list, NUL-separated strings that
 * end with an empty one; -1 if not there */
int
which(const char *list, const char *s, size_t n)
{
	int i;

	for (i = 0; *list != '\0'; i++, list += len(list) + 1)
		if (same(list, s, n) && list[n] == '\0')
			return i;
	return -1;
}

/* the i-th string of such a list */
const char *
nth(const char *list, int i)
{
	while (i-- > 0)
		list += len(list) + 1;
	return list;
}

/* the entry "NAME=..." of env, the first one (as the header, R10) */
const char *
lookup(char **env, const char *name)
{
	size_t n = len(name);

	for (; *env != NULL; env++)
		if (same(*env, name, n) && (*env)[n] == '=')
			return *env;
	return NULL;
}

/* getenv, on the environment given */
const char *
getvar(char **env, const char *name)
{
	const char *e = lookup(env, name);

	return e ? find(e, '=') + 1 : NULL;
}

/* the strings up to a NULL, in one write (one line stays one line in a
 * log that others append to); the length written, or -errno */
long
say(int fd, ...)
{
	char buf[1024], *p = buf;
	const char *s;
	va_list ap;

	va_start(ap, fd);
	while ((s = va_arg(ap, const char *)) != NULL)
		while (*s != '\0' && p < buf + sizeof buf)
			*p++ = *s++;
	va_end(ap);
	if (p == buf + sizeof buf)
		p[-1] = '\n';	/* cut short: still one line */
	return writeall(fd, buf, p - buf);
}

/* the store: config file texts and the paths joined from them; fixed,
 * as there is no malloc */
static char store[16384];
static size_t used;

/* a+b+c in the store; NULL when the store is full */
char *
concat(const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	char *p = store + used, *q = p;
	int i;

	for (i = 0; i < 3; i++)	/* its NUL, and a byte free for store_end */
		for (a = part[i]; *a != '\0'; a++)
			if (q < store + sizeof store - 2)
				*q++ = *a;
			else
				return NULL;
	*q++ = '\0';
	used = q - store;
	return p;
}

/* the free end of the store, and its room (at least 1 byte) */
char *
store_end(size_t *room)
{
	*room = sizeof store - used;
	return store + used;
}

/* keep n bytes at the free end */
void
store_take(size_t n)
{
	used += n;
}

/* the config file, else the socket, that log lines name (R21); set by
 * config.c once the sources are read. NULL until then, which names
 * "cgi2scgi": zero, it leaves the binary without a data segment, whose
 * alignment would cost up to 64 bytes (R51) */
const char *tag;

/* one line on stderr: "cgi2scgi: TAG: WHAT[: DETAIL]" (R21) */
void
logline(const char *what, const char *detail)
{
	/* without a detail, the line ends at it: a NULL */
	say(2, "cgi2scgi: ", tag ? tag : "cgi2scgi", ": ", what,
	    detail ? ": " : "\n", detail, "\n", NULL);
}

/* the same with an error (-errno or errno) as the detail */
void
logerr(const char *what, long err)
{
	logline(what, errname(err));
}

/*
 * The errno values a person meets in this launcher's log, by name; any
 * other by number. strerror's texts would cost 2 KB; these 13 names,
 * 130 bytes (ELOOP: a log or lock path that is a symlink, R31). The
 * numbers are Linux's, the same on the four architectures built.
 */
static const unsigned char codes[] = {
	ENOENT, EACCES, ECONNREFUSED, ECONNRESET, EAGAIN, ETIMEDOUT,
	EINPROGRESS, EADDRINUSE, EMFILE, ENOSPC, EPIPE, ENOTSOCK, ELOOP,
};
static const char names[] TEXT = "ENOENT\0EACCES\0ECONNREFUSED\0ECONNRESET\0"
    "EAGAIN\0ETIMEDOUT\0EINPROGRESS\0EADDRINUSE\0EMFILE\0ENOSPC\0EPIPE\0"
    "ENOTSOCK\0ELOOP";

const char *
errname(long err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof codes; i++)
		if (codes[i] == err)
			return nth(names, i);
	return num(err);
}
