# WSGI app of the HAProxy checks of matrix.sh: echo.py's routes, plus
#   /who    "backend NAME pid PID" (NAME from the MX_BACKEND environment
#           variable, which uWSGI's --env sets)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from echo import application as echo  # noqa: E402


def application(environ, start):
    if environ.get("PATH_INFO") == "/who":
        body = ("backend %s pid %d\n" % (os.environ.get("MX_BACKEND", "?"),
                                         os.getpid())).encode()
        start("200 OK", [("Content-Type", "text/plain"),
                         ("Content-Length", str(len(body)))])
        return [body]
    return echo(environ, start)
