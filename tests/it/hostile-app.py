# The SCGI app of tests/it/hostile.sh: it answers, and records what it got,
# including anything that reaches it after its answer (a launcher whose
# stdout is its own socket echoes the answer back into the app, R35a).
#
#   hostile-app.py --name NAME --log FILE --listen ADDR [--trap]
#
# ADDR is a unix socket path (made mode 0666) or 127.0.0.1:PORT.  Each
# connection appends to FILE:
#   conn name=NAME pid=PID path=PATH_INFO cl=CONTENT_LENGTH vars=N
# then, with --trap, nothing more (the connection is closed unanswered: the
# listener must never be contacted).  Otherwise, by PATH_INFO:
#   /big   a 200 answer of 4 MiB (qs n=BYTES), then
#          "big name=NAME sent=N end=ok|ERROR"
#   else   the body (CONTENT_LENGTH bytes) is read, "hello from NAME pid PID"
#          answered, the write side shut down, and what still arrives until
#          EOF counted:
#          "done name=NAME path=PATH_INFO body=N after=M first=HEX" (HEX:
#          the first 24 bytes of what came after the answer, or -)
# The SCGI side (listening, header, body) is scgi_server.py's: keep it
# beside this file.
import argparse
import os
import socket
import sys
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ beside the tests
from scgi_server import (accept_loop, event_log, listener, read_body,
                         read_request)

args = None
log = None


def serve(c):
    try:
        c.settimeout(10)
        pairs, env = read_request(c, log,
                                  "conn name=%s bad-header" % args.name)
        if pairs is None:
            return
        path = env.get("PATH_INFO", "")
        cl = env.get("CONTENT_LENGTH", "")
        log("conn name=%s pid=%d path=%s cl=%s vars=%d"
            % (args.name, os.getpid(), path, cl, len(pairs)))
        if args.trap:
            return
        if path == "/big":
            q = urllib.parse.parse_qs(env.get("QUERY_STRING", ""))
            n = int(q.get("n", [str(4 << 20)])[0])
            sent, end = 0, "ok"
            try:
                c.sendall(b"Status: 200 OK\r\nContent-Type: "
                          b"application/octet-stream\r\n\r\n")
                block = b"y" * 65536
                while sent < n:
                    k = c.send(block[:min(65536, n - sent)])
                    sent += k
            except OSError as e:
                end = e.__class__.__name__
            log("big name=%s sent=%d end=%s" % (args.name, sent, end))
            return
        got, _, _ = read_body(c, int(cl or 0), errors_end=False)
        c.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                  b"hello from %s pid %d\n" % (args.name.encode(), os.getpid()))
        c.shutdown(socket.SHUT_WR)
        after, first = 0, b""
        c.settimeout(5)
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                if len(first) < 24:
                    first += b[:24 - len(first)]
                after += len(b)
        except OSError:
            pass
        log("done name=%s path=%s body=%d after=%d first=%s"
            % (args.name, path, got, after, first.hex() or "-"))
    except OSError as e:
        log("conn name=%s error %s" % (args.name, e.__class__.__name__))
    finally:
        c.close()


def main():
    global args, log
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--listen", required=True)
    p.add_argument("--trap", action="store_true")
    args = p.parse_args()
    log = event_log(args.log)
    s = listener(args.listen)
    log("ready name=%s pid=%d" % (args.name, os.getpid()))
    sys.stdout.flush()
    accept_loop(s, serve)


if __name__ == "__main__":
    main()
