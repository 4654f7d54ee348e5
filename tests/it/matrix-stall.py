# Reproduction for the lead (not run by matrix.sh): the launcher under a
# server that, like fcgiwrap, writes the whole request body to the CGI's
# stdin before it reads any of the CGI's stdout, in front of an app that
# answers 1 MiB without reading a 10 MiB body.  The pipes fill both ways;
# SPEC R1 `timeout` ("seconds during which no byte moves in either
# direction before giving up on a request") should end the launcher after
# about CGI2SCGI_TIMEOUT = 2 s.
#
#   python3 tests/it/matrix-stall.py ./cgi2scgi
#
# Exit 0 when the launcher ended within 15 s, 1 when it was still stuck
# (it is then killed).
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

d = tempfile.mkdtemp(prefix="cgi2scgi-stall.")
path = os.path.join(d, "app.sock")
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(8)


def app():
    while True:
        c, _ = srv.accept()
        f = c.makefile("rb")
        n = b""
        while True:  # the netstring header, not the body
            ch = f.read(1)
            if ch == b":":
                break
            n += ch
        f.read(int(n) + 1)
        try:
            c.sendall(b"Status: 200 OK\r\nContent-Type: application/octet-stream"
                      b"\r\n\r\n" + b"x" * 1048576)
        except OSError:
            pass
        time.sleep(60)


threading.Thread(target=app, daemon=True).start()
n = 10485760
env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST",
       "CONTENT_LENGTH": str(n), "CGI2SCGI_SOCKET": path,
       "CGI2SCGI_TIMEOUT": "2", "PATH": "/usr/bin:/bin"}
t0 = time.time()
p = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def writer():  # fcgiwrap: all of stdin first ...
    try:
        p.stdin.write(b"y" * n)
        p.stdin.close()
    except OSError:
        pass


w = threading.Thread(target=writer, daemon=True)
w.start()
w.join(15)  # ... and only then stdout
if p.poll() is None and w.is_alive():
    print("launcher still running after %.0f s: stuck writing stdout while "
          "its stdin writer waits" % (time.time() - t0))
    p.kill()
    p.wait()
    os.unlink(path)
    os.rmdir(d)
    sys.exit(1)
out = p.stdout.read()
p.wait()
print("launcher ended after %.1f s, exit %d, %d bytes relayed"
      % (time.time() - t0, p.returncode, len(out)))
os.unlink(path)
os.rmdir(d)
sys.exit(0)
