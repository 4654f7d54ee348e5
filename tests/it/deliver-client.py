# The raw-socket HTTP client of tests/it/deliver.sh: what a visitor sees,
# with exact control of the request's framing.
#
#   deliver-client.py errors PORT PATH SIZE TRIES PAR CODE DETAILS
#       TRIES POSTs of SIZE random bytes (Content-Length, no Expect), PAR at
#       a time (the first one alone), to 127.0.0.1:PORT PATH.  A try is
#       "whole" when its answer arrived complete (framing ended: chunked
#       terminator, Content-Length, or EOF) with status CODE, the body
#       exactly "CODE Reason\n", and, for 503, a Retry-After of at least 1.
#       The body is sent while the answer is read, as a browser or curl
#       does.  Prints "W/TRIES whole; max T s[; what the others got]";
#       appends what each failed try got to DETAILS.
#
#   deliver-client.py chunked PORT PATH TE SIZE SEED OUT
#       A POST of SIZE random bytes (from SEED) with "Transfer-Encoding: TE"
#       in chunks of random sizes (0 bytes: the terminating chunk alone).
#       Prints "CODE LEN SHA256" (the status, and what was sent); the answer's
#       body goes to OUT.
#
#   deliver-client.py feed SIZE PAUSE REPORT
#       Writes SIZE bytes to stdout, half, PAUSE seconds of silence, the
#       rest, then closes; writes "wrote N" or "EPIPE after N" to REPORT.
import collections
import concurrent.futures
import hashlib
import os
import random
import socket
import sys
import threading
import time

REASONS = {502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
TIMEOUT = 30


class Answer:
    def __init__(self):
        self.code = None
        self.headers = []
        self.body = b""
        self.error = None	# None: the framing ended, the answer is complete
        self.raw = b""

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None


def read_answer(s):
    """Read one HTTP answer from s; never raises."""
    a = Answer()
    buf = b""

    def more():
        nonlocal buf
        d = s.recv(65536)
        a.raw += d
        if not d:
            raise EOFError
        buf += d

    try:
        while True:
            while b"\r\n\r\n" not in buf:
                more()
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            a.code = int(parts[1])
            a.headers = []
            for ln in lines[1:]:
                k, _, v = ln.partition(b":")
                a.headers.append((k.strip().lower().decode("latin-1"),
                                  v.strip().decode("latin-1")))
            if a.code != 100:
                break
        te = (a.header("transfer-encoding") or "").lower()
        cl = a.header("content-length")
        if "chunked" in te:
            body = b""
            while True:
                while b"\r\n" not in buf:
                    more()
                line, buf = buf.split(b"\r\n", 1)
                n = int(line.split(b";")[0], 16)
                while len(buf) < n + 2:
                    more()
                body += buf[:n]
                if buf[n:n + 2] != b"\r\n":
                    raise ValueError("bad chunk framing")
                buf = buf[n + 2:]
                if n == 0:
                    break
            a.body = body
        elif cl is not None:
            n = int(cl)
            while len(buf) < n:
                more()
            a.body = buf[:n]
        else:
            while True:
                try:
                    more()
                except EOFError:
                    break
            a.body = buf
            buf = b""
    except EOFError:
        a.error = "EOF" if a.raw else "empty reply"
    except socket.timeout:
        a.error = "no answer within %d s" % TIMEOUT
    except OSError as e:
        a.error = "%s%s" % (type(e).__name__, " after %d bytes" % len(a.raw)
                            if a.raw else " before any byte")
    except (ValueError, IndexError) as e:
        a.error = "unparsable answer (%s)" % e
    if a.error is not None and a.code is not None and not a.body:
        a.body = buf
    return a


def exchange(port, request, body_pieces):
    """Send request then body_pieces (in a thread) while reading the answer."""
    s = socket.create_connection(("127.0.0.1", port), TIMEOUT)
    s.settimeout(TIMEOUT)
    sent = {"err": None}

    def sender():
        try:
            s.sendall(request)
            for p in body_pieces:
                s.sendall(p)
        except OSError as e:
            sent["err"] = type(e).__name__

    t = threading.Thread(target=sender, daemon=True)
    t0 = time.monotonic()
    t.start()
    a = read_answer(s)
    secs = time.monotonic() - t0
    t.join(TIMEOUT)
    s.close()
    return a, secs, sent["err"]


def errors(port, path, size, tries, par, code, details):
    body = os.urandom(size)
    want = ("%d %s\n" % (code, REASONS[code])).encode()
    req = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n"
           "Connection: close\r\n\r\n" % (path, port, size)).encode()

    def one(i):
        a, secs, serr = exchange(port, req, [body[j:j + 65536]
                                             for j in range(0, size, 65536)])
        why = None
        if a.error is not None:
            why = a.error + (" (status %s)" % a.code if a.code else "")
        elif a.code != code:
            why = "status %s" % a.code
        elif a.body != want:
            why = "other body"
        elif code == 503:
            ra = a.header("retry-after")
            if ra is None:
                why = "no Retry-After"
            elif not ra.isdigit() or int(ra) < 1:
                why = "Retry-After %r" % ra
        return i, why, secs, a, serr

    results = [one(1)]
    with concurrent.futures.ThreadPoolExecutor(par) as ex:
        results += list(ex.map(one, range(2, tries + 1)))
    whole = sum(1 for r in results if r[1] is None)
    maxs = max(r[2] for r in results)
    kinds = collections.Counter(r[1] for r in results if r[1] is not None)
    with open(details, "a") as f:
        for i, why, secs, a, serr in results:
            if why is None:
                continue
            f.write("try %d: %s, %.2f s, body sent: %s; got %r\n" % (
                i, why, secs, serr or "whole", a.raw[:300]))
    line = "%d/%d whole; max %.2f s" % (whole, tries, maxs)
    if kinds:
        line += "; " + ", ".join("%d %s" % (n, k) for k, n in
                                 sorted(kinds.items(), key=lambda x: -x[1]))
    print(line)


def chunked(port, path, te, size, seed, out):
    rnd = random.Random(seed)
    body = rnd.randbytes(size)
    pieces = []
    j = 0
    while j < size:
        n = min(rnd.randint(1, 40000), size - j)
        pieces.append(b"%x\r\n" % n + body[j:j + n] + b"\r\n")
        j += n
    pieces.append(b"0\r\n\r\n")
    req = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           "Content-Type: application/octet-stream\r\nTransfer-Encoding: %s\r\n"
           "Connection: close\r\n\r\n" % (path, port, te)).encode()
    a, secs, serr = exchange(port, req, pieces)
    with open(out, "wb") as f:
        f.write(a.body)
    print("%s %d %s%s" % (a.code, size, hashlib.sha256(body).hexdigest(),
                          "" if a.error is None else " (" + a.error + ")"))


def feed(size, pause, report):
    block = os.urandom(size)
    done = 0
    try:
        for part, wait in ((block[:size // 2], pause), (block[size // 2:], 0)):
            j = 0
            while j < len(part):
                n = os.write(1, part[j:j + 4096])
                j += n
                done += n
            time.sleep(wait)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)	# EOF for the reader
        msg = "wrote %d" % done
    except BrokenPipeError:
        msg = "EPIPE after %d" % done
    with open(report, "w") as f:
        f.write(msg + "\n")


def main():
    a = sys.argv[1:]
    if a[0] == "errors":
        errors(int(a[1]), a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]), a[7])
    elif a[0] == "chunked":
        chunked(int(a[1]), a[2], a[3], int(a[4]), int(a[5]), a[6])
    elif a[0] == "feed":
        feed(int(a[1]), float(a[2]), a[3])
    else:
        sys.exit("usage: deliver-client.py errors|chunked|feed ...")


main()
