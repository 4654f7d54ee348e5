# WSGI app for the lifecycle tests (tests/it/deploy.sh), run by uWSGI
# the way examples/hello/start.sh runs it (a master, one worker), and by
# examples/scgi_wsgi.py (examples/stdlib/start.sh).
#
#   /                  "wsgi PID" (200), PID the worker's
#   /slow?n=N&d=D      streams "line I PID" N times, D seconds apart (the
#                      first at once), then "end PID": a request in flight
#                      (R43); cut short if the "end" line is missing
#
# Every process appends its pid to $STATE/pids (the master on import, a
# worker on its first request): the suite's cleanup kills by pid.
import os
import time
import urllib.parse

STATE = os.environ.get("STATE")
_seen = set()


def note_pid():
    pid = os.getpid()
    if STATE and pid not in _seen:
        _seen.add(pid)
        with open(os.path.join(STATE, "pids"), "a") as f:
            f.write("%d\n" % pid)


note_pid()


def application(environ, start):
    note_pid()
    n = int(environ.get("CONTENT_LENGTH") or 0)
    while n > 0:
        b = environ["wsgi.input"].read(min(n, 65536))
        if not b:
            break
        n -= len(b)
    pid = os.getpid()
    if environ.get("PATH_INFO", "").endswith("/slow"):
        q = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        count = int(q.get("n", ["10"])[0])
        delay = float(q.get("d", ["0.3"])[0])
        start("200 OK", [("Content-Type", "text/plain")])

        def gen():
            for i in range(count):
                if i:
                    time.sleep(delay)
                yield ("line %d %d\n" % (i, pid)).encode()
            yield ("end %d\n" % pid).encode()
        return gen()
    body = ("wsgi %d\n" % pid).encode()
    start("200 OK", [("Content-Type", "text/plain"),
                     ("Content-Length", str(len(body)))])
    return [body]
