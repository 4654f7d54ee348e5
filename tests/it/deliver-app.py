# The SCGI app of tests/it/deliver.sh: one process, several unix sockets,
# each with its own behaviour.
#
#   deliver-app.py EVENTS MODE=SOCKET [MODE=SOCKET...]
#
# Every connection appends a line to EVENTS ("conn MODE") and, once the
# request is read, "MODE cl=CONTENT_LENGTH got=BYTES"; "ready" once every
# socket listens.  The modes:
#   hang   read the SCGI header and the whole body (CONTENT_LENGTH bytes),
#          then send nothing until the peer closes: the launcher's 504
#   sha    read the header and the body, answer with what arrived:
#            CONTENT_LENGTH=<the header's value, or "-" when absent>
#            received=<bytes read>
#            sha256=<hex of them>
#            HTTP_TRANSFER_ENCODING=<value, or "-" when absent>
#   trap   log the connection and close it (must never be contacted)
import hashlib
import os
import socket
import sys
import threading

lock = threading.Lock()
EVENTS = sys.argv[1]


def log(line):
    with lock:
        with open(EVENTS, "a") as f:
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
    env = {}
    for i in range(0, len(items) - 1, 2):
        env.setdefault(items[i].decode("latin-1"), items[i + 1].decode("latin-1"))
    return env


def read_body(c, n):
    h = hashlib.sha256()
    got = 0
    while got < n:
        try:
            b = c.recv(min(65536, n - got))
        except OSError:
            b = b""
        if not b:
            break
        h.update(b)
        got += len(b)
    return got, h.hexdigest()


def serve(c, mode):
    try:
        log("conn %s" % mode)
        if mode == "trap":
            return
        c.settimeout(60)
        env = read_header(c)
        if env is None:
            log("%s bad-header" % mode)
            return
        cl_raw = env.get("CONTENT_LENGTH")
        try:
            cl = int(cl_raw or "0")
        except ValueError:
            cl = 0
        got, sha = read_body(c, cl)
        log("%s cl=%s got=%d" % (mode, cl_raw if cl_raw is not None else "-", got))
        if mode == "hang":
            try:
                while c.recv(65536):
                    pass
            except OSError:
                pass
        elif mode == "sha":
            te = env.get("HTTP_TRANSFER_ENCODING")
            body = ("CONTENT_LENGTH=%s\nreceived=%d\nsha256=%s\n"
                    "HTTP_TRANSFER_ENCODING=%s\n" % (
                        cl_raw if cl_raw is not None else "-", got, sha,
                        te if te is not None else "-")).encode()
            c.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
    except OSError as e:
        log("%s error %s" % (mode, e))
    finally:
        c.close()


def accept_loop(s, mode):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode), daemon=True).start()


def main():
    threads = []
    for arg in sys.argv[2:]:
        mode, path = arg.split("=", 1)
        if mode not in ("hang", "sha", "trap"):
            sys.exit("unknown mode " + mode)
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        os.chmod(path, 0o666)
        s.listen(64)
        t = threading.Thread(target=accept_loop, args=(s, mode), daemon=True)
        t.start()
        threads.append(t)
    log("ready")
    for t in threads:
        t.join()


main()
