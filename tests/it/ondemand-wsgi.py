# WSGI app for the on-demand start tests, run by uWSGI (--scgi-socket).
# Every request: "uwsgi PID" (200), the request body read and dropped.
import os


def application(environ, start):
    n = int(environ.get("CONTENT_LENGTH") or 0)
    while n > 0:
        b = environ["wsgi.input"].read(min(n, 65536))
        if not b:
            break
        n -= len(b)
    body = ("uwsgi %d\n" % os.getpid()).encode()
    start("200 OK", [("Content-Type", "text/plain"),
                     ("Content-Length", str(len(body)))])
    return [body]
