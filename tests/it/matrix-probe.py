#!/usr/bin/python3
# A plain CGI (not the launcher) that reports how the web server ran it,
# for the observations of matrix.sh (docs/servers.md):
#   argc, argv           words of the query string passed as arguments
#   cwd, user            working directory, user
#   cl                   CONTENT_LENGTH: unset, empty or its value
#   te                   HTTP_TRANSFER_ENCODING, or unset
#   script_filename      SCRIPT_FILENAME, or unset
#   fd0 fd1 fd2          what stdin, stdout and stderr are (pipe, socket, ...)
#   alarm                seconds left of an alarm(2) the server left pending
#                        across exec (it kills a CGI that runs longer)
#   nice                 the CGI's nice value
#   stdin                on POST: bytes read until EOF (or 3 s idle), sha256,
#                        the first bytes (to see raw chunk framing)
import hashlib
import os
import select
import signal
import sys


def kind(fd):
    try:
        t = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        return "closed"
    return t.split(":")[0] if ":[" in t else t


out = []
out.append("argc=%d" % (len(sys.argv) - 1))
out.append("argv=%s" % " ".join(sys.argv[1:]))
out.append("cwd=%s" % os.getcwd())
try:
    import pwd
    out.append("user=%s" % pwd.getpwuid(os.getuid()).pw_name)
except KeyError:
    out.append("user=%d" % os.getuid())
cl = os.environ.get("CONTENT_LENGTH")
out.append("cl=%s" % ("unset" if cl is None else (cl or "empty")))
out.append("te=%s" % os.environ.get("HTTP_TRANSFER_ENCODING", "unset"))
out.append("script_filename=%s" % os.environ.get("SCRIPT_FILENAME", "unset"))
left = signal.alarm(0)
if left:
    signal.alarm(left)
out.append("alarm=%d" % left)
out.append("nice=%d" % os.nice(0))
out.append("fd0=%s" % kind(0))
out.append("fd1=%s" % kind(1))
out.append("fd2=%s" % kind(2))
if os.environ.get("REQUEST_METHOD") == "POST":
    h = hashlib.sha256()
    n = 0
    first = b""
    while True:
        r, _, _ = select.select([0], [], [], 3)
        if not r:
            break
        b = os.read(0, 65536)
        if not b:
            break
        if len(first) < 16:
            first += b[:16 - len(first)]
        h.update(b)
        n += len(b)
    out.append("stdin=%d %s" % (n, h.hexdigest()))
    out.append("stdin_head=%r" % first)
sys.stdout.write("Content-Type: text/plain\r\n\r\n" + "\n".join(out) + "\n")
