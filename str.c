/* Strings, decimal numbers, the config store, log lines. Over sys.c. */
#include "cgi2scgi.h"
#include <errno.h>
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

/* the decimal number s..end, at most max; -1 if it is not one */
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

/* decimal digits of v ending just before end; returns the first */
char *
utoa(char *end, unsigned long long v)
{
	do
		*--end = '0' + v % 10;
	while ((v /= 10) != 0);
	return end;
}

/* v in decimal, in a buffer that the next call reuses */
char *
num(unsigned long long v)
{
	static char buf[24];

	return utoa(buf + sizeof buf - 1, v);
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

	return e ? e + len(name) + 1 : NULL;
}

/* the strings up to a NULL, in one write (one line stays one line in a
 * log that others append to) */
void
say(int fd, ...)
{
	char buf[1024];
	const char *s;
	size_t n = 0, k;
	va_list ap;

	va_start(ap, fd);
	while ((s = va_arg(ap, const char *)) != NULL) {
		k = len(s);
		if (k > sizeof buf - n)
			k = sizeof buf - n;
		__builtin_memcpy(buf + n, s, k);
		n += k;
	}
	va_end(ap);
	if (n == sizeof buf)
		buf[n - 1] = '\n';	/* cut short: still one line */
	writeall(fd, buf, n);
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
 * config.c once the sources are read */
const char *tag = "cgi2scgi";

/* one line on stderr: "cgi2scgi: TAG: WHAT[: DETAIL]" (R21) */
void
logline(const char *what, const char *detail)
{
	say(2, "cgi2scgi: ", tag, ": ", what, detail ? ": " : "",
	    detail ? detail : "", "\n", NULL);
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
static const char names[] = "ENOENT\0EACCES\0ECONNREFUSED\0ECONNRESET\0"
    "EAGAIN\0ETIMEDOUT\0EINPROGRESS\0EADDRINUSE\0EMFILE\0ENOSPC\0EPIPE\0"
    "ENOTSOCK\0ELOOP";

const char *
errname(long err)
{
	const char *s = names;
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof codes; i++, s += len(s) + 1)
		if (codes[i] == err)
			return s;
	return num(err);
}
