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
import argparse
import os
import socket
import sys
import threading
import urllib.parse

lock = threading.Lock()
args = None


def log(line):
    with lock:
        with open(args.log, "a") as f:
            f.write(line + "\n")


def recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        b = c.recv(min(65536, n - len(buf)))
        if not b:
            break
        buf += b
    return buf


def read_header(c):
    num = b""
    while True:
        ch = c.recv(1)
        if not ch:
            return None
        if ch == b":":
            break
        if not ch.isdigit() or len(num) > 10:
            return None
        num += ch
    raw = recv_exact(c, int(num) + 1)
    if len(raw) != int(num) + 1 or raw[-1:] != b",":
        return None
    items = raw[:-1].split(b"\0")
    if items and items[-1] == b"":
        items.pop()
    return [(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]


def serve(c):
    try:
        c.settimeout(10)
        pairs = read_header(c)
        if pairs is None:
            log("conn name=%s bad-header" % args.name)
            return
        env = {}
        for k, v in pairs:
            env.setdefault(k.decode("latin-1"), v.decode("latin-1"))
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
        got = 0
        want = int(cl or 0)
        while got < want:
            b = c.recv(min(65536, want - got))
            if not b:
                break
            got += len(b)
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
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--listen", required=True)
    p.add_argument("--trap", action="store_true")
    args = p.parse_args()
    a = args.listen
    if a.startswith("/"):
        if os.path.exists(a):
            os.unlink(a)
        s = socket.socket(socket.AF_UNIX)
        s.bind(a)
        os.chmod(a, 0o666)
    else:
        host, port = a.rsplit(":", 1)
        s = socket.socket(socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
    s.listen(64)
    log("ready name=%s pid=%d" % (args.name, os.getpid()))
    sys.stdout.flush()
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
