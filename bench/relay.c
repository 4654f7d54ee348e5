/*
 * relay: the minimal relay of R52.  A static binary that only connects to
 * $CGI2SCGI_SOCKET, sends a fixed netstring (a GET with CONTENT_LENGTH 0)
 * and copies the response to stdout.
 *
 * Built with -DREADER it is the direct reader of R55 instead: the same
 * connect and request, then it reads the socket to the end and throws the
 * bytes away (nothing is written), in the same 64 KiB reads as cgi2scgi.
 */
#include <errno.h>
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

static char buf[65536];

int
main(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = getenv("CGI2SCGI_SOCKET");
	ssize_t r;
	int s;

	if (path == NULL || strlen(path) >= sizeof a.sun_path)
		return 2;
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0 ||
	    write(s, req, sizeof req - 1) != sizeof req - 1)
		return 1;
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
