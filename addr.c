/* Socket addresses: parsed once, then dialled (R1). Over str.c, sys.c. */
#include "cgi2scgi.h"

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
	int n = 0, gap = -1, d, k;
	unsigned w;

	if (end - s > 1 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (s < end) {
		for (w = 0, d = 0; s < end && (k = hex(*s)) >= 0 && d < 4;
		    s++, d++)
			w = w * 16 + k;
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
	__builtin_memmove(out + 16 - (n - gap), out + gap, n - gap);
	__builtin_memset(out + gap, 0, 16 - n);
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
	/* family and port lie at the same offsets in both structures */
	a->u.in6.sin6_family = v6 ? AF_INET6 : AF_INET;
	((unsigned char *)&a->u.in6.sin6_port)[0] = port >> 8;	/* network */
	((unsigned char *)&a->u.in6.sin6_port)[1] = port;	/* order */
	a->len = v6 ? sizeof a->u.in6 : sizeof a->u.in;
	if (!v6 && p != colon)	/* localhost */
		__builtin_memcpy(&a->u.in.sin_addr, "\177\0\0\1", 4);
	else if (!(v6 ? ipv6(s + 1, colon - 1, a->u.in6.sin6_addr.s6_addr) :
	    ipv4(s, colon, (unsigned char *)&a->u.in.sin_addr)))
		return -1;
	return port > 0 ? 1 : -1;
}

/* tcp:HOST:PORT, HOST:PORT (TCP), unix:PATH or PATH (R1) into *a;
 * 0, or -1 with a->len 0 */
int
parse_addr(const char *s, struct addr *a)
{
	size_t n;
	int tcp = 0;

	__builtin_memset(a, 0, sizeof *a);
	if (same(s, "tcp:", 4))
		tcp = tcp_addr(s + 4, a) > 0 ? 1 : -1;
	else if (same(s, "unix:", 5))
		s += 5;
	else
		tcp = tcp_addr(s, a);
	n = len(s);
	if (tcp == 0 && n > 0 && n < sizeof a->u.un.sun_path) {
		a->u.un.sun_family = AF_UNIX;
		__builtin_memcpy(a->u.un.sun_path, s, n);
		a->len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	} else if (tcp <= 0)
		a->len = 0;
	return a->len ? 0 : -1;
}

/* a connected socket, or -errno; connect blocks at most seconds (a full
 * backlog of a unix socket blocks, R30) */
int
dial(const struct addr *a, long seconds)
{
	long tv[2] = { seconds, 0 };	/* the kernel's old timeval */
	long s, r;

	s = sys3(SYS_socket, a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return s;
	r = sys(SYS_setsockopt, s, SOL_SOCKET, SNDTIMEO, (long)tv, sizeof tv);
	if (r == 0)
		r = sys3(SYS_connect, s, (long)&a->u.sa, a->len);
	if (r == 0)
		return s;
	sys_close(s);
	return r;
}
