/* floor: the exec floor of R52.  A static binary that prints the same
 * fixed CGI response as scgisrv answers, and exits. */
#include <unistd.h>

static const char resp[] = "Status: 200 OK\r\nContent-Type: text/plain\r\n"
    "Content-Length: 6\r\n\r\nhello\n";

int
main(void)
{
	return write(1, resp, sizeof resp - 1) != sizeof resp - 1;
}
