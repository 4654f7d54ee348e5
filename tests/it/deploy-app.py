# A small SCGI app for the lifecycle tests (tests/it/deploy.sh): Python's
# standard library only, one thread per connection.
#
#   python3 deploy-app.py [--stubborn]
#
# Listens on $CGI2SCGI_SOCKET (a unix path), as the launcher hands it over;
# a path already there makes the bind fail (no unlink first: the launcher
# removes a stale socket, R33).  Writes its pid to $STATE/app.pid (renamed
# into place once it listens) and appends to $STATE/events:
#   "start PID"          listening
#   "term PID"           SIGTERM: socket and pid file removed, exit 0
#   "term-ignored PID"   SIGTERM with --stubborn: logged, ignored; the
#                        socket file is left where it is (R42)
# $STATE/pids gets the pid too (the suite's cleanup kills by pid).
# Every request is answered "py PID" (200), the body read and dropped.
import os
import signal
import socket
import sys
import threading

sys.dont_write_bytecode = True  # no __pycache__ beside the tests
from scgi_server import read_header  # noqa: E402 (the one SCGI reader)

STATE = os.environ["STATE"]
SOCK = os.environ["CGI2SCGI_SOCKET"]
STUBBORN = "--stubborn" in sys.argv[1:]


def event(what):
    with open(os.path.join(STATE, "events"), "a") as f:
        f.write("%s %d\n" % (what, os.getpid()))


def on_term(signum, frame):
    if STUBBORN:
        event("term-ignored")
        return
    event("term")
    for p in (SOCK, os.path.join(STATE, "app.pid")):
        try:
            os.unlink(p)
        except OSError:
            pass
    os._exit(0)


def serve(c):
    try:
        pairs = read_header(c)
        if pairs is None:
            raise EOFError
        left = int(dict(pairs).get(b"CONTENT_LENGTH", b"0") or 0)
        while left > 0:
            b = c.recv(min(left, 65536))
            if not b:
                break
            left -= len(b)
        c.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                  b"py %d\n" % os.getpid())
    except (OSError, EOFError, ValueError):
        pass
    finally:
        c.close()


def main():
    signal.signal(signal.SIGTERM, on_term)
    s = socket.socket(socket.AF_UNIX)
    s.bind(SOCK)
    os.chmod(SOCK, 0o666)
    s.listen(128)
    with open(os.path.join(STATE, "pids"), "a") as f:
        f.write("%d\n" % os.getpid())
    tmp = os.path.join(STATE, "app.pid.%d" % os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, os.path.join(STATE, "app.pid"))
    event("start")
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
