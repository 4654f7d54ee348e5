# HTTP clients for the lifecycle tests (tests/it/deploy.sh).
#
#   deploy-client.py storm URL N OUT
#       N threads released together by a barrier, each GET URL once; OUT
#       gets a line per request, "CODE SECONDS PID", PID the one the app
#       reports ("wsgi PID", "py PID", "app pid: PID"), "-" if none.
#       Prints "requests N ok K failed F pids P max_seconds S", P the
#       distinct PIDs that answered.
#
#   deploy-client.py seq URL N OUT
#       The same, one request after the other.
#
#   deploy-client.py load URL RATE SECONDS TOUCH_AT FILE OUT
#       GET URL RATE times a second for SECONDS, each request in a thread of
#       its own; TOUCH_AT seconds in, FILE's mtime is set to now (a touch).
#       OUT gets "req START END CODE PID" per request and "touch T".
#       Prints "requests N before B (ok K failed F pids P) after A (ok K
#       failed F pids P)": the requests begun before and after the touch,
#       P the PIDs that answered (R41 under a steady load).
#
#   deploy-client.py slowget URL FLAG OUT
#       GET URL (a stream of "line I PID" lines ending "end PID"); FLAG is
#       created once the first line arrived.  OUT gets "complete ..." when
#       the status was 200 and the "end" line arrived, else "cut ..." with
#       what did arrive (R43).
#
#   deploy-client.py slowpost URL SIZE SECONDS FLAG OUT
#       POST SIZE bytes with Content-Length, sent in 20 pieces over SECONDS;
#       FLAG is created once the first piece is sent.  OUT gets "complete
#       ..." when the answer is 200 and reports "body: SIZE bytes" (the
#       Perl example's answer), else "cut ..." (R43).
import http.client
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

PID = re.compile(rb"^(?:wsgi |py |app pid: *)(\d+)\s*$", re.M)


def conn(url, timeout=90):
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout), path


def get(url):
    try:
        c, path = conn(url)
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body
    except Exception as e:  # a reset, a timeout: not a 200
        return 0, repr(e).encode()


def report(res, out):
    with open(out, "w") as f:
        for r in res:
            if r is None:
                f.write("hung - -\n")
            else:
                f.write("%d %.3f %s\n" % r)
    ok = sum(1 for r in res if r and r[0] == 200)
    pids = set(r[2] for r in res if r and r[0] == 200)
    mx = max((r[1] for r in res if r), default=0)
    print("requests %d ok %d failed %d pids %d max_seconds %.2f"
          % (len(res), ok, len(res) - ok, len(pids), mx))


def one(url):
    t0 = time.time()
    code, body = get(url)
    m = PID.search(body)
    return (code, time.time() - t0, m.group(1).decode() if m else "-")


def storm(url, n, out):
    n = int(n)
    bar = threading.Barrier(n)
    res = [None] * n

    def run(i):
        bar.wait()
        res[i] = one(url)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    report(res, out)


def seq(url, n, out):
    report([one(url) for _ in range(int(n))], out)


def load(url, rate, seconds, touch_at, path, out):
    rate, seconds, touch_at = float(rate), float(seconds), float(touch_at)
    total = int(rate * seconds)
    lock = threading.Lock()
    reqs = []
    t_touch = [None]
    t_begin = time.time()

    def run():
        t0 = time.time()
        code, _, pid = one(url)
        with lock:
            reqs.append((t0, time.time(), code, pid))

    threads = []
    for i in range(total):
        at = t_begin + i / rate
        if t_touch[0] is None and at >= t_begin + touch_at:
            os.utime(path)
            t_touch[0] = time.time()
        d = at - time.time()
        if d > 0:
            time.sleep(d)
        t = threading.Thread(target=run)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(120)
    tt = t_touch[0] or float("inf")
    with open(out, "w") as f:
        for r in sorted(reqs):
            f.write("req %.6f %.6f %d %s\n" % r)
        f.write("touch %.6f\n" % tt)

    def part(rs):
        ok = [r for r in rs if r[2] == 200]
        return "%d (ok %d failed %d pids %s)" % (
            len(rs), len(ok), len(rs) - len(ok),
            ",".join(sorted(set(r[3] for r in ok))) or "-")
    print("requests %d before %s after %s" % (
        total, part([r for r in reqs if r[0] < tt]),
        part([r for r in reqs if r[0] >= tt])))


def touch(path):
    open(path, "w").close()


def slowget(url, flag, out):
    t0 = time.time()
    lines, status, err = [], 0, ""
    try:
        c, path = conn(url, 60)
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        status = r.status
        while True:
            line = r.readline()
            if not line:
                break
            lines.append(line.decode("latin-1").rstrip("\n"))
            if len(lines) == 1:
                touch(flag)
    except Exception as e:
        err = repr(e)
    touch(flag)  # never leave the suite waiting
    ended = any(line.startswith("end ") for line in lines)
    with open(out, "w") as f:
        f.write("%s status %d lines %d in %.2f s; last [%s]%s\n" % (
            "complete" if status == 200 and ended else "cut", status,
            len(lines), time.time() - t0, lines[-1] if lines else "",
            "; error " + err if err else ""))


def slowpost(url, size, seconds, flag, out):
    size, seconds = int(size), float(seconds)
    t0 = time.time()
    status, body, err, sent = 0, b"", "", 0
    try:
        c, path = conn(url, 60)
        c.putrequest("POST", path)
        c.putheader("Content-Length", str(size))
        c.putheader("Content-Type", "application/octet-stream")
        c.putheader("Connection", "close")
        c.endheaders()
        piece = size // 20
        for i in range(20):
            n = piece if i < 19 else size - sent
            c.send(b"x" * n)
            sent += n
            if i == 0:
                touch(flag)
            time.sleep(seconds / 20)
        r = c.getresponse()
        status = r.status
        body = r.read()
    except Exception as e:
        err = repr(e)
    touch(flag)
    ok = status == 200 and re.search(rb"^body: +%d bytes" % size, body, re.M)
    first = [l for l in body.decode("latin-1").splitlines() if l.startswith("body:")]
    with open(out, "w") as f:
        f.write("%s status %d sent %d in %.2f s; app read [%s]%s\n" % (
            "complete" if ok else "cut", status, sent, time.time() - t0,
            first[0] if first else "", "; error " + err if err else ""))


def main(a):
    if a[1] == "storm":
        return storm(*a[2:5])
    if a[1] == "seq":
        return seq(*a[2:5])
    if a[1] == "load":
        return load(*a[2:8])
    if a[1] == "slowget":
        return slowget(*a[2:5])
    if a[1] == "slowpost":
        return slowpost(*a[2:7])
    print("unknown command", a[1])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
