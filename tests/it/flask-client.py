# HTTP client for tests/it/flask.sh, for what curl does not show.
#
#   flask-client.py stream PORT PATH N
#       GET PATH (the Flask app's /stream: N lines "chunk I made EPOCH", made
#       some time apart) with http.client, noting when each line arrives.
#       Prints one line per chunk and the framing; exits 0 when all N came,
#       in order, and the first arrived before the last was made (the
#       answer was relayed while the generator was still running).
#   flask-client.py raw PORT METHOD PATH OUT [HEADER: value]...
#       send one request with Connection: close, read until the server
#       closes, save the raw response bytes to OUT (a HEAD answer that
#       carried a body would show it here, where curl -I would not).
#   flask-client.py split OUT
#       print a raw response's status line, its headers, then
#       "body-bytes N" (N: bytes after the blank line).
import http.client
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the tests
from httpc import connect, read_all


def stream(port, path, n):
    n = int(n)
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    t0 = time.time()
    c.request("GET", path, headers={"Connection": "close"})
    r = c.getresponse()
    print("status %d" % r.status)
    print("framing Transfer-Encoding=%s Content-Length=%s" % (
        r.getheader("Transfer-Encoding", "-"), r.getheader("Content-Length", "-")))
    buf = b""
    got = []  # (index, made, arrived)
    reads = 0
    while True:
        b = r.read1(65536)
        if not b:
            break
        reads += 1
        now = time.time()
        buf += b
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            w = line.decode("ascii", "replace").split()
            if len(w) == 4 and w[0] == "chunk" and w[2] == "made":
                got.append((int(w[1]), float(w[3]), now))
            else:
                print("unexpected line %r" % line[:100])
                return 1
    c.close()
    for i, made, arrived in got:
        print("chunk %d made +%.3f s, arrived +%.3f s (lag %.3f s)"
              % (i, made - t0, arrived - t0, arrived - made))
    print("reads %d" % reads)
    if r.status != 200:
        print("FAIL: status %d" % r.status)
        return 1
    if [g[0] for g in got] != list(range(1, n + 1)):
        print("FAIL: chunks %s, want 1..%d" % ([g[0] for g in got], n))
        return 1
    first_arrived, last_made = got[0][2], got[-1][1]
    if not first_arrived < last_made:
        print("FAIL: the first chunk arrived %.3f s after the last was made"
              % (first_arrived - last_made))
        return 1
    print("first chunk arrived %.3f s before the last was made"
          % (last_made - first_arrived))
    return 0


def raw(port, method, path, out, *headers):
    s = connect(port)
    req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n" % (
        method, path, port)
    for h in headers:
        req += h + "\r\n"
    s.sendall((req + "\r\n").encode())
    buf, e = read_all(s)
    if e is not None:
        print("read error: %s" % e)
    s.close()
    with open(out, "wb") as f:
        f.write(buf)
    return 0


def split(out):
    with open(out, "rb") as f:
        data = f.read()
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        print("no end of headers")
        return 1
    for line in head.split(b"\r\n"):
        print(line.decode("latin-1"))
    print("body-bytes %d" % len(body))
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"stream": stream, "raw": raw, "split": split}[cmd](*args))
