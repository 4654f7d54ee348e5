# The SCGI server side shared by the test apps of the cgi2scgi integration
# tests (rawscgi.py, deliver-app.py, hostile-app.py): listening, one thread
# per connection, the netstring header, the body, an event log.  An app that
# is copied elsewhere (hostile.sh: to $T/it, for www-data) needs this file
# beside it; it imports it with bytecode writing off, so that no __pycache__
# is left in the source tree:
#   sys.dont_write_bytecode = True
#   import scgi_server
import hashlib
import os
import socket
import threading


def event_log(path):
    """log(line): append line to the file path, one writer at a time"""
    lock = threading.Lock()

    def log(line):
        with lock:
            with open(path, "a") as f:
                f.write(line + "\n")
    return log


def recv_exact(c, n):
    """up to n bytes, fewer only at EOF"""
    buf = b""
    while len(buf) < n:
        b = c.recv(min(65536, n - len(buf)))
        if not b:
            break
        buf += b
    return buf


def read_header(c):
    """the SCGI header's (name, value) pairs in received order (bytes), or
    None when it is no netstring"""
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


def env_of(pairs):
    """the header pairs as a dict of str (latin-1), the first of a name wins"""
    env = {}
    for k, v in pairs:
        env.setdefault(k.decode("latin-1"), v.decode("latin-1"))
    return env


def read_request(c, log, bad):
    """(the header's pairs, env_of them), or (None, None) after log(bad)
    when the header is no netstring"""
    pairs = read_header(c)
    if pairs is None:
        log(bad)
        return None, None
    return pairs, env_of(pairs)


def read_body(c, n, errors_end=True):
    """read n bytes of body: (bytes read, their sha256 in hex, True when it
    ended before n); a receive error ends it as an EOF does, or with
    errors_end=False is raised"""
    h = hashlib.sha256()
    got = 0
    while got < n:
        try:
            b = c.recv(min(65536, n - got))
        except OSError:
            if not errors_end:
                raise
            b = b""
        if not b:
            return got, h.hexdigest(), True
        h.update(b)
        got += len(b)
    return got, h.hexdigest(), False


def listener(addr):
    """a listening socket on addr: a unix socket path (made mode 0666),
    HOST:PORT (IPv4) or [HOST]:PORT (IPv6)"""
    if addr.startswith("["):
        host, port = addr[1:].split("]:")
        s = socket.socket(socket.AF_INET6)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
    elif ":" in addr and not addr.startswith("/"):
        host, port = addr.rsplit(":", 1)
        s = socket.socket(socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
    else:
        if os.path.exists(addr):
            os.unlink(addr)
        s = socket.socket(socket.AF_UNIX)
        s.bind(addr)
        os.chmod(addr, 0o666)
    s.listen(64)
    return s


def accept_loop(s, serve, *extra):
    """forever: serve(connection, *extra) in a thread of its own"""
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,) + extra, daemon=True).start()


def accept_in_thread(s, serve, *extra):
    """accept_loop in a thread of its own (started, returned)"""
    t = threading.Thread(target=accept_loop, args=(s, serve) + extra,
                         daemon=True)
    t.start()
    return t
