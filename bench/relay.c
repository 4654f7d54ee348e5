/*
 * relay: the minimal relay of R52.  A static binary that only connects to
 * $CGI2SCGI_SOCKET, sends a fixed netstring (a GET with CONTENT_LENGTH 0)
 * and copies the response to stdout.  With CONTENT_LENGTH=65536 in the
 * environment it sends the fixed netstring of such a POST instead and
 * copies those 64 KiB from stdin after it: the POST reference.
 *
 * Built with -DREADER it is the direct reader of R55 instead: the same
 * connect and request, then it reads the socket to the end and throws the
 * bytes away (nothing is written), in the same 64 KiB reads as cgi2scgi.
 *
 * Built with -DSPLICE it is a reference for R55: it grows the stdout pipe
 * to 1 MiB (F_SETPIPE_SZ) and moves the response with splice(2), socket to
 * pipe, with no copy through user space (read/write when stdout is not a
 * pipe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PAIRS "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0" \
	"REQUEST_METHOD\0" "GET\0" "REQUEST_URI\0" "/app\0" \
	"SERVER_PROTOCOL\0" "HTTP/1.1\0"
static const char req[] = "85:" PAIRS ",";
_Static_assert(sizeof PAIRS - 1 == 85, "netstring length");
#define POST "CONTENT_LENGTH\0" "65536\0" "SCGI\0" "1\0" \
	"REQUEST_METHOD\0" "POST\0" "REQUEST_URI\0" "/app\0" \
	"SERVER_PROTOCOL\0" "HTTP/1.1\0"
static const char post[] = "90:" POST ",";
_Static_assert(sizeof POST - 1 == 90, "netstring length");

static char buf[65536];

int
main(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = getenv("CGI2SCGI_SOCKET");
	const char *cl = getenv("CONTENT_LENGTH");
	int body = cl != NULL && strcmp(cl, "65536") == 0;
	ssize_t r, left = body ? 65536 : 0;
	int s;

	if (path == NULL || strlen(path) >= sizeof a.sun_path)
		return 2;
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0)
		return 1;
	if (body ? write(s, post, sizeof post - 1) != sizeof post - 1 :
	    write(s, req, sizeof req - 1) != sizeof req - 1)
		return 1;
	while (left > 0) {	/* the body: stdin to the socket */
		r = read(0, buf, left);
		if (r <= 0 || write(s, buf, r) != r)	/* blocking: all of r */
			return 1;
		left -= r;
	}
#ifdef SPLICE
	fcntl(1, F_SETPIPE_SZ, 1 << 20);
	while ((r = splice(s, NULL, 1, NULL, 1 << 20, SPLICE_F_MOVE)) > 0)
		;
	if (r == 0)
		return 0;
#endif
	while ((r = read(s, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
#ifndef READER
		for (char *p = buf; r > 0;) {
			ssize_t w = write(1, p, r);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return 1;
			p += w;
			r -= w;
		}
#endif
	}
	return 0;
}
