# hello: a small WSGI app to put behind cgi2scgi.
#
# Any SCGI server can run it; the demo uses uWSGI:
#   uwsgi --plugin python3 --scgi-socket /path/hello.sock --wsgi-file app.py
import os
import time

STARTED = time.time()
hits = 0


def application(environ, start_response):
    global hits
    hits += 1
    n = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(n) if n else b""
    text = (
        "Hello from a WSGI app behind cgi2scgi!\n"
        "\n"
        "method:  %s\n"
        "path:    %s%s\n"
        "query:   %s\n"
        "body:    %d bytes\n"
        "app pid: %d (up %.0f s, request %d: the app stays up between requests)\n"
        % (environ.get("REQUEST_METHOD", ""), environ.get("SCRIPT_NAME", ""),
           environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
           len(body), os.getpid(), time.time() - STARTED, hits)
    ).encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(text)))])
    return [text]
