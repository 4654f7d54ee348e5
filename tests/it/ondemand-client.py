# HTTP load for the on-demand start tests (tests/it/ondemand.sh).
#
#   ondemand-client.py storm URL N OUT
#       N threads, released together by a barrier, each GET URL once.
#       OUT gets one line per request: "CODE SECONDS BODY-FIRST-LINE".
#       Prints "requests N ok K failed F max_seconds S".
#
#   ondemand-client.py get URL
#       GET URL once; prints "CODE EPOCH" with EPOCH the moment (float) the
#       whole response had arrived.
#
#   ondemand-client.py chaos URL RATE SECONDS KILLS PIDFILE OUT
#       GET URL RATE times a second for SECONDS (RATE*SECONDS requests, each
#       in its own thread, at most 200 in flight), while a killer thread
#       SIGKILLs the pid in PIDFILE KILLS times at random moments.  A kill
#       only hits an app that is up: a request that began after the
#       previous kill has been answered 200, and PIDFILE names a live
#       process other than the one killed before.  Kill i happens at a
#       random moment of slot i (the run split in KILLS+1 equal slots, the
#       first kill no earlier than 2 s in).
#       A failed request (not 200) is "excused" when a kill happened while
#       it was in flight (start <= kill time <= end): the app died under it.
#       OUT gets the requests ("req START END CODE") and kills ("kill T PID").
#       Prints "requests N ok K failed F excused E unexcused U kills K".
import http.client
import os
import random
import signal
import sys
import threading
import time
import urllib.parse


def get(url, timeout=90):
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body
    except Exception as e:  # a reset, a timeout: not a 200
        return 0, repr(e).encode()


def storm(url, n, out):
    n = int(n)
    bar = threading.Barrier(n)
    res = [None] * n

    def one(i):
        bar.wait()
        t0 = time.time()
        code, body = get(url)
        res[i] = (code, time.time() - t0, body.split(b"\n")[0][:80])

    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    with open(out, "w") as f:
        for r in res:
            if r is None:
                f.write("hung - -\n")
            else:
                f.write("%d %.3f %s\n" % (r[0], r[1], r[2].decode("latin-1")))
    ok = sum(1 for r in res if r and r[0] == 200)
    mx = max((r[1] for r in res if r), default=0)
    print("requests %d ok %d failed %d max_seconds %.2f" % (n, ok, n - ok, mx))
    return 0


def chaos(url, rate, seconds, kills, pidfile, out):
    rate, seconds, kills = float(rate), float(seconds), int(kills)
    total = int(rate * seconds)
    lock = threading.Lock()
    reqs = []	# [start, end, code]
    killed = []	# (time, pid)
    sem = threading.BoundedSemaphore(200)
    t_begin = time.time()

    def one():
        try:
            t0 = time.time()
            code, _ = get(url)
            with lock:
                reqs.append((t0, time.time(), code))
        finally:
            sem.release()

    def app_up_since(t):
        with lock:
            return any(r[2] == 200 and r[0] > t for r in reqs)

    def killer():
        slot = seconds / (kills + 1)
        last_t, last_pid = t_begin, None
        for i in range(kills):
            lo = max(2.0, slot * (i + 0.5))
            at = t_begin + random.uniform(lo, slot * (i + 1.5) - 0.5)
            while time.time() < at:
                time.sleep(0.01)
            # wait (bounded) until the app is up again
            end = time.time() + 20
            pid = None
            while time.time() < end:
                try:
                    with open(pidfile) as f:
                        pid = int(f.read().split()[0])
                except (OSError, ValueError, IndexError):
                    pid = None
                if (pid and pid != last_pid and os.path.exists("/proc/%d" % pid)
                        and app_up_since(last_t)):
                    break
                time.sleep(0.01)
            else:
                print("killer: app not up again after kill %d" % i)
                return
            t = time.time()
            os.kill(pid, signal.SIGKILL)
            with lock:
                killed.append((t, pid))
            last_t, last_pid = t, pid

    k = threading.Thread(target=killer)
    k.start()
    threads = []
    for i in range(total):
        at = t_begin + i / rate
        d = at - time.time()
        if d > 0:
            time.sleep(d)
        sem.acquire()
        t = threading.Thread(target=one)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(120)
    k.join(60)
    failed = [r for r in reqs if r[2] != 200]
    excused = [r for r in failed
               if any(r[0] <= kt <= r[1] for kt, _ in killed)]
    with open(out, "w") as f:
        for r in sorted(reqs):
            f.write("req %.6f %.6f %d\n" % (r[0], r[1], r[2]))
        for kt, pid in killed:
            f.write("kill %.6f %d\n" % (kt, pid))
    print("requests %d ok %d failed %d excused %d unexcused %d kills %d"
          % (total, len(reqs) - len(failed), len(failed) + total - len(reqs),
             len(excused), len(failed) - len(excused) + total - len(reqs),
             len(killed)))
    return 0


def main(argv):
    if argv[1] == "storm":
        return storm(*argv[2:5])
    if argv[1] == "get":
        code, _ = get(argv[2])
        print("%d %.6f" % (code, time.time()))
        return 0
    if argv[1] == "chaos":
        return chaos(*argv[2:8])
    print("unknown command", argv[1])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
