# WSGI test app for the cgi2scgi integration tests, run by uWSGI:
#   uwsgi --plugin python3 --scgi-socket PATH --wsgi-file echo.py
# Routes by PATH_INFO (a leading /buffered is ignored):
#   /env          environ as "KEY=VALUE" lines (sorted), body read and counted
#   /sha          read exactly CONTENT_LENGTH bytes, answer "LEN SHA256HEX"
#   /big?n=N      N bytes of the deterministic stream of bigsha.py
#   /early        413 at once, body never read
#   /stream?f=F   first chunk, then wait (<= 20 s) for file F, second chunk
import hashlib
import os
import time
import urllib.parse

BLOCK = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(2048))


def text(start, status, body, extra=()):
    body = body.encode() if isinstance(body, str) else body
    start(status, [("Content-Type", "text/plain"),
                   ("Content-Length", str(len(body)))] + list(extra))
    return [body]


def read_body(environ):
    """Read exactly CONTENT_LENGTH bytes in a streaming loop."""
    n = int(environ.get("CONTENT_LENGTH") or 0)
    inp = environ["wsgi.input"]
    h = hashlib.sha256()
    got = 0
    while got < n:
        b = inp.read(min(65536, n - got))
        if not b:
            break
        h.update(b)
        got += len(b)
    return got, h.hexdigest()


def big(n):
    while n > 0:
        b = BLOCK if n >= len(BLOCK) else BLOCK[:n]
        n -= len(b)
        yield b


def stream(f):
    yield b"chunk1 sent\n" + b" " * 8192 + b"\n"
    end = time.time() + 20
    while time.time() < end and not os.path.exists(f):
        time.sleep(0.02)
    yield b"chunk2 " + (b"released" if os.path.exists(f) else b"timeout") + b"\n"


def application(environ, start):
    path = environ.get("PATH_INFO", "")
    if path.startswith("/buffered/"):  # a server-side config variant
        path = path[9:]
    q = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if path == "/env":
        got, sha = read_body(environ)
        lines = []
        for k in sorted(environ):
            v = environ[k]
            if isinstance(v, str):
                lines.append("%s=%s\n" % (k, v))
        lines.append("BODY=%d %s\n" % (got, sha))
        return text(start, "200 OK", "".join(lines))
    if path == "/sha":
        got, sha = read_body(environ)
        return text(start, "200 OK", "%d %s\n" % (got, sha))
    if path == "/big":
        n = int(q.get("n", ["0"])[0])
        start("200 OK", [("Content-Type", "application/octet-stream"),
                         ("Content-Length", str(n))])
        return big(n)
    if path == "/early":
        return text(start, "413 Request Entity Too Large", "too large\n")
    if path == "/stream":
        start("200 OK", [("Content-Type", "text/plain")])
        return stream(q.get("f", ["/nonexistent"])[0])
    return text(start, "404 Not Found", "no route %s\n" % path)
