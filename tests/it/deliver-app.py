# The SCGI app of tests/it/deliver.sh: one process, several unix sockets,
# each with its own behaviour.
#
#   deliver-app.py EVENTS MODE=SOCKET [MODE=SOCKET...]
#
# Every connection appends a line to EVENTS ("conn MODE") and, once the
# request is read, "MODE cl=CONTENT_LENGTH got=BYTES"; "ready" once every
# socket listens.  The modes:
#   hang   read the SCGI header and the whole body (CONTENT_LENGTH bytes),
#          then send nothing until the peer closes: the launcher's 504
#   sha    read the header and the body, answer with what arrived:
#            CONTENT_LENGTH=<the header's value, or "-" when absent>
#            received=<bytes read>
#            sha256=<hex of them>
#            HTTP_TRANSFER_ENCODING=<value, or "-" when absent>
#   trap   log the connection and close it (must never be contacted)
# The SCGI side (listening, header, body) is scgi_server.py's.
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the tests
from scgi_server import (accept_in_thread, event_log, listener, read_body,
                         read_request)

log = event_log(sys.argv[1])


def serve(c, mode):
    try:
        log("conn %s" % mode)
        if mode == "trap":
            return
        c.settimeout(60)
        _, env = read_request(c, log, "%s bad-header" % mode)
        if env is None:
            return
        cl_raw = env.get("CONTENT_LENGTH")
        try:
            cl = int(cl_raw or "0")
        except ValueError:
            cl = 0
        got, sha, _ = read_body(c, cl)
        log("%s cl=%s got=%d" % (mode, cl_raw if cl_raw is not None else "-", got))
        if mode == "hang":
            try:
                while c.recv(65536):
                    pass
            except OSError:
                pass
        elif mode == "sha":
            te = env.get("HTTP_TRANSFER_ENCODING")
            body = ("CONTENT_LENGTH=%s\nreceived=%d\nsha256=%s\n"
                    "HTTP_TRANSFER_ENCODING=%s\n" % (
                        cl_raw if cl_raw is not None else "-", got, sha,
                        te if te is not None else "-")).encode()
            c.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
    except OSError as e:
        log("%s error %s" % (mode, e))
    finally:
        c.close()


def main():
    threads = []
    for arg in sys.argv[2:]:
        mode, path = arg.split("=", 1)
        if mode not in ("hang", "sha", "trap"):
            sys.exit("unknown mode " + mode)
        threads.append(accept_in_thread(listener(path), serve, mode))
    log("ready")
    for t in threads:
        t.join()


main()
