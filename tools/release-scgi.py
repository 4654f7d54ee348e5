#!/usr/bin/env python3
"""A tiny SCGI server for the release smoke test (tools/release-smoke.py).

usage: release-scgi.py SOCKET STATE [IDLE]

SOCKET is a unix socket path, "tcp:PORT" for 127.0.0.1:PORT (0: any free
port, written to STATE/port), or "-" for $CGI2SCGI_SOCKET (as an on-demand
start gets it).  STATE is a directory: the server writes "pid" when it
listens, and for request N "req.N.json" (the headers, the body's length and
sha256) and "body.N" (the body).  It also records what it was started with:
"env.json" and "sigblk" (SigBlk of /proc/self/status).  It exits after IDLE
seconds (default 20) without a connection, so a test never leaves it behind.

The answer depends on the request:
  PATH_INFO /big    300,000 bytes of a fixed pattern
  PATH_INFO /silent nothing: it keeps the connection open for 5 s
  otherwise         "Status: 200 OK" and one line naming the body
"""
import hashlib
import json
import os
import socket
import sys
import time


def read_exact(conn, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(min(65536, n - len(buf)))
        if not chunk:
            raise EOFError("short read: %d of %d" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def read_request(conn):
    digits = b""
    while True:
        c = conn.recv(1)
        if not c:
            raise EOFError("no netstring")
        if c == b":":
            break
        digits += c
    head = read_exact(conn, int(digits))
    if read_exact(conn, 1) != b",":
        raise ValueError("netstring without comma")
    parts = head.split(b"\0")
    if parts[-1] != b"":
        raise ValueError("header not NUL-terminated")
    parts = parts[:-1]
    hdr = {}
    for i in range(0, len(parts), 2):
        hdr.setdefault(parts[i].decode("latin-1"), parts[i + 1].decode("latin-1"))
    body = read_exact(conn, int(hdr.get("CONTENT_LENGTH", "0")))
    return hdr, body


def pattern(n):
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\n"
    return (line * (n // len(line) + 1))[:n]


def main():
    path, state = sys.argv[1], sys.argv[2]
    idle = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
    if path == "-":
        path = os.environ["CGI2SCGI_SOCKET"]
    os.makedirs(state, exist_ok=True)
    with open(os.path.join(state, "env.json"), "w") as f:
        json.dump(dict(os.environ), f)
    try:
        with open("/proc/self/status") as f:
            blk = [l.split()[1] for l in f if l.startswith("SigBlk:")]
        with open(os.path.join(state, "sigblk"), "w") as f:
            f.write(blk[0] if blk else "?")
    except OSError:
        pass
    if path.startswith("tcp:"):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", int(path[4:])))
        with open(os.path.join(state, "port"), "w") as f:
            f.write("%d\n" % s.getsockname()[1])
        path = None
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
    s.listen(16)
    s.settimeout(idle)
    tmp = os.path.join(state, "pid.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, os.path.join(state, "pid"))
    n = 0
    while True:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            break
        n += 1
        conn.settimeout(30)
        try:
            hdr, body = read_request(conn)
            rec = {"headers": hdr, "length": len(body),
                   "sha256": hashlib.sha256(body).hexdigest()}
            with open(os.path.join(state, "body.%d" % n), "wb") as f:
                f.write(body)
            with open(os.path.join(state, "req.%d.json" % n), "w") as f:
                json.dump(rec, f)
            what = hdr.get("PATH_INFO", "")
            if what == "/big":
                conn.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                             + pattern(300000))
            elif what == "/silent":
                time.sleep(5)
            else:
                conn.sendall(("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                              "got %d bytes %s\n" % (len(body), rec["sha256"]))
                             .encode())
        except (OSError, EOFError, ValueError) as e:
            sys.stderr.write("release-scgi: %s\n" % e)
        finally:
            conn.close()
    s.close()
    if path is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


if __name__ == "__main__":
    main()
