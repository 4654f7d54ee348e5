/*
 * scgisrv: the minimal SCGI (or FastCGI) server every benchmark subject
 * talks to.  One process, no fork, no threads: accept, read the request
 * (netstring header, then CONTENT_LENGTH body bytes, discarded), answer,
 * close, next.
 *
 *   scgisrv [-1] [-F] [-b BYTES] [-d MS] [-t FILE] SOCKET
 *
 *   -1        serve one connection, then exit; exit anyway 30 s after
 *             listen() (the cold-start app: nothing outlives the driver)
 *   -F        speak FastCGI (a responder for cgi-fcgi) instead of SCGI
 *   -b BYTES  answer a body of BYTES bytes of 'x' (default: "hello\n")
 *   -d MS     wait MS milliseconds (a decimal fraction is fine) before
 *             bind+listen (cold start, R53)
 *   -t FILE   once listening, write "PID NSEC\n" to FILE: NSEC is
 *             CLOCK_MONOTONIC in ns just after listen() returned
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SMALL_BODY "hello\n"

static char in[65536];		/* buffered reader over the connection */
static size_t ipos, iend;
static char big[1 << 20];	/* the 'x' body of -b */
static unsigned long long body_bytes = sizeof SMALL_BODY - 1;
static int big_body;

static int
fill(int fd)
{
	ssize_t r;

	do
		r = read(fd, in, sizeof in);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	ipos = 0;
	iend = r;
	return 0;
}

static int
getbyte(int fd)
{
	if (ipos == iend && fill(fd) < 0)
		return -1;
	return (unsigned char)in[ipos++];
}

/* n bytes into buf (buf NULL: discarded) */
static int
getn(int fd, char *buf, unsigned long long n)
{
	size_t k;

	while (n > 0) {
		if (ipos == iend && fill(fd) < 0)
			return -1;
		k = iend - ipos;
		if (k > n)
			k = n;
		if (buf != NULL) {
			memcpy(buf, in + ipos, k);
			buf += k;
		}
		ipos += k;
		n -= k;
	}
	return 0;
}

static int
putall(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

/* the CGI response: headers, then the body (SCGI: straight to fd) */
static size_t
head(char *buf)
{
	return sprintf(buf, "Status: 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %llu\r\n\r\n%s", body_bytes,
	    big_body ? "" : SMALL_BODY);
}

static void
scgi(int fd)
{
	static char hdr[1 << 20];
	unsigned long long cl = 0, n = 0;
	char resp[256], *p, *end;
	size_t k;
	int c;

	while ((c = getbyte(fd)) >= '0' && c <= '9' && n < sizeof hdr)
		n = n * 10 + (c - '0');
	if (c != ':' || n >= sizeof hdr || getn(fd, hdr, n + 1) < 0 ||
	    hdr[n] != ',')
		return;
	for (p = hdr, end = hdr + n; p < end; p += strlen(p) + 1) {
		c = strcmp(p, "CONTENT_LENGTH") == 0;
		p += strlen(p) + 1;
		if (c)
			cl = strtoull(p, NULL, 10);
	}
	if (getn(fd, NULL, cl) < 0)
		return;
	if (putall(fd, resp, head(resp)) < 0 || !big_body)
		return;
	for (n = body_bytes; n > 0; n -= k) {
		k = n < sizeof big ? n : sizeof big;
		if (putall(fd, big, k) < 0)
			return;
	}
}

/* FastCGI records: 8-byte header, content, padding */
static int
record(int fd, int type, int id, const char *buf, size_t n)
{
	unsigned char h[8] = { 1, type, id >> 8, id & 255, n >> 8, n & 255,
	    0, 0 };

	return putall(fd, h, 8) < 0 || putall(fd, buf, n) < 0 ? -1 : 0;
}

static void
fcgi(int fd)
{
	static char content[65536 + 256];
	char resp[256];
	static const char end[8] = { 0 };
	unsigned char h[8];
	int id = 1, keep = 0, type;
	unsigned long long n;
	size_t k, len;

	for (;;) {
		if (getn(fd, (char *)h, 8) < 0)
			return;
		type = h[1];
		len = h[4] << 8 | h[5];
		if (getn(fd, content, len + h[6]) < 0)
			return;
		if (type == 1) {		/* BEGIN_REQUEST */
			id = h[2] << 8 | h[3];
			keep = content[2] & 1;
		} else if (type == 9) {		/* GET_VALUES */
			if (record(fd, 10, 0, NULL, 0) < 0)
				return;
		} else if (type == 5 && len == 0) {	/* STDIN ends */
			len = head(resp);
			if (record(fd, 6, id, resp, len) < 0)
				return;
			for (n = big_body ? body_bytes : 0; n > 0; n -= k) {
				k = n < 65535 ? n : 65535;
				if (record(fd, 6, id, big, k) < 0)
					return;
			}
			if (record(fd, 6, id, NULL, 0) < 0 ||
			    record(fd, 3, id, end, 8) < 0 || !keep)
				return;
		}
	}
}

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *ts = NULL;
	int opt, fast = 0, once = 0, s, c;
	double delay = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "1Fb:d:t:")) != -1)
		switch (opt) {
		case '1': once = 1; break;
		case 'F': fast = 1; break;
		case 'b': body_bytes = strtoull(optarg, NULL, 10); big_body = 1; break;
		case 'd': delay = atof(optarg); break;
		case 't': ts = optarg; break;
		default: goto usage;
		}
	if (optind != argc - 1 || strlen(argv[optind]) >= sizeof a.sun_path) {
usage:
		fprintf(stderr, "usage: scgisrv [-1] [-F] [-b BYTES] [-d MS] "
		    "[-t FILE] SOCKET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(big, 'x', sizeof big);
	strcpy(a.sun_path, argv[optind]);
	if (delay > 0) {
		long long ns = delay * 1e6;
		struct timespec d = { ns / 1000000000, ns % 1000000000 };
		while (nanosleep(&d, &d) < 0 && errno == EINTR)
			;
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(a.sun_path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
	    chmod(a.sun_path, 0666) < 0 || listen(s, 128) < 0) {
		perror("scgisrv: listen");
		return 1;
	}
	if (ts != NULL) {
		long long t = now_ns();
		char tmp[4200];

		snprintf(tmp, sizeof tmp, "%s.tmp", ts);
		if ((f = fopen(tmp, "w")) == NULL ||
		    fprintf(f, "%ld %lld\n", (long)getpid(), t) < 0 ||
		    fclose(f) != 0 || rename(tmp, ts) < 0) {
			perror("scgisrv: timestamp");
			return 1;
		}
	}
	if (once)
		alarm(30);
	for (;;) {
		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("scgisrv: accept");
			return 1;
		}
		ipos = iend = 0;
		if (fast)
			fcgi(c);
		else
			scgi(c);
		close(c);
		if (once)
			return 0;
	}
}
