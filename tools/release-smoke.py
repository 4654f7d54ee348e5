#!/usr/bin/env python3
"""Smoke test of the release binaries, foreign ones under qemu-user-static.

usage: release-smoke.py ARCH=BINARY...    (ARCH: x86_64 i386 aarch64 armhf)

For each binary: socket round trips to tools/release-scgi.py (unix and TCP,
a body and a response of several chunks, a chunked body spooled to a file),
the error answers (502 down, 504 timeout), and the on-demand start (vfork,
execve, flock, statx, ppoll, clock_gettime, getcwd, rt_sigprocmask under
emulation).  Ends with "N passed, N failed"; exits 1 if any failed.
"""
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "release-scgi.py")
QEMU = {"x86_64": None, "i386": "qemu-i386-static",
        "aarch64": "qemu-aarch64-static", "armhf": "qemu-arm-static"}
OK_HEAD = b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def wait_file(path, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.01)
    return False


def kill_pidfile(path):
    try:
        with open(path) as f:
            os.kill(int(f.read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


class Case:
    """One test's directory, server and launcher runs."""

    def __init__(self, arch, binary):
        self.arch, self.binary = arch, binary
        self.dir = tempfile.mkdtemp(prefix="rel-%s-" % arch)
        self.sock = os.path.join(self.dir, "app.sock")
        self.state = os.path.join(self.dir, "state")
        self.servers = []

    def serve(self, where=None, state=None):
        state = state or self.state
        p = subprocess.Popen([sys.executable, SERVER, where or self.sock,
                              state, "15"], stdin=subprocess.DEVNULL)
        self.servers.append(p)
        check(wait_file(os.path.join(state, "pid")), "server did not start")
        return p

    def run(self, body=b"", env=None, args=(), timeout=20):
        e = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TMPDIR": self.dir,
             "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST",
             "SCRIPT_NAME": "/app", "PATH_INFO": "/echo",
             "QUERY_STRING": "a=1&b=2", "SERVER_PROTOCOL": "HTTP/1.1",
             "HTTP_X_SMOKE": "yes", "CONTENT_LENGTH": str(len(body)),
             "CGI2SCGI_SOCKET": self.sock,
             # a broken binary fails in seconds, not the 30 s default
             "CGI2SCGI_START_TIMEOUT": "5"}
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        cmd = [self.binary] + list(args)
        if QEMU[self.arch]:
            cmd = [QEMU[self.arch]] + cmd
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        r = subprocess.run(cmd, input=body, env=e, cwd=self.dir,
                           capture_output=True, timeout=timeout)
        self.wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime - before.ru_utime +
                    after.ru_stime - before.ru_stime)
        return r

    def request(self, n=1, state=None):
        with open(os.path.join(state or self.state, "req.%d.json" % n)) as f:
            return json.load(f)

    def close(self):
        for p in self.servers:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for d in ("start1", "start2", "start3"):
            kill_pidfile(os.path.join(self.dir, d, "pid"))
        shutil.rmtree(self.dir, ignore_errors=True)


def t_version(c):
    r = c.run(args=["--version"], env={"GATEWAY_INTERFACE": None})
    check(r.returncode == 0, "exit %d" % r.returncode)
    check(r.stdout.startswith(b"cgi2scgi "), "stdout %r" % r.stdout[:80])


def t_post(c):
    c.serve()
    body = os.urandom(100000) + b"end"
    r = c.run(body)
    want = OK_HEAD + ("got %d bytes %s\n" % (
        len(body), hashlib.sha256(body).hexdigest())).encode()
    check(r.returncode == 0, "exit %d, stderr %r" % (r.returncode, r.stderr))
    check(r.stdout == want, "response %r" % r.stdout[:200])
    q = c.request()
    with open(os.path.join(c.state, "body.1"), "rb") as f:
        check(f.read() == body, "the server got another body")
    h = q["headers"]
    check(list(h)[:2] == ["CONTENT_LENGTH", "SCGI"], "order %r" % list(h)[:3])
    check(h["CONTENT_LENGTH"] == str(len(body)) and h["SCGI"] == "1",
          "CONTENT_LENGTH/SCGI %r" % h)
    check(h.get("HTTP_X_SMOKE") == "yes" and h.get("QUERY_STRING") ==
          "a=1&b=2", "variables not passed: %r" % h)
    check(not any(k.startswith("CGI2SCGI_") for k in h), "CGI2SCGI_ passed")


def t_big(c):
    c.serve()
    r = c.run(env={"PATH_INFO": "/big", "REQUEST_METHOD": "GET"})
    check(r.returncode == 0, "exit %d, stderr %r" % (r.returncode, r.stderr))
    want = hashlib.sha256(OK_HEAD + _pattern(300000)).hexdigest()
    check(hashlib.sha256(r.stdout).hexdigest() == want,
          "response of %d bytes differs" % len(r.stdout))


def _pattern(n):
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\n"
    return (line * (n // len(line) + 1))[:n]


def t_chunked(c):
    c.serve()
    body = os.urandom(70000)
    r = c.run(body, env={"CONTENT_LENGTH": None,
                         "HTTP_TRANSFER_ENCODING": "chunked"})
    check(r.returncode == 0, "exit %d, stderr %r" % (r.returncode, r.stderr))
    q = c.request()
    check(q["headers"]["CONTENT_LENGTH"] == "70000",
          "CONTENT_LENGTH %r" % q["headers"]["CONTENT_LENGTH"])
    check(q["sha256"] == hashlib.sha256(body).hexdigest(), "body differs")
    check(r.stdout.startswith(OK_HEAD), "response %r" % r.stdout[:100])


def t_tcp(c):
    c.serve("tcp:0")
    with open(os.path.join(c.state, "port")) as f:
        port = int(f.read())
    body = b"tcp body\n" * 10
    r = c.run(body, env={"CGI2SCGI_SOCKET": "127.0.0.1:%d" % port})
    check(r.returncode == 0, "exit %d, stderr %r" % (r.returncode, r.stderr))
    check(r.stdout == OK_HEAD + ("got %d bytes %s\n" % (
        len(body), hashlib.sha256(body).hexdigest())).encode(),
        "response %r" % r.stdout[:200])


def t_down(c):
    r = c.run(b"x")
    check(r.returncode == 1, "exit %d" % r.returncode)
    check(r.stdout.startswith(b"Status: 502 Bad Gateway\r\n"),
          "response %r" % r.stdout[:100])
    check(r.stderr.startswith(b"cgi2scgi: "), "stderr %r" % r.stderr)


def t_timeout(c):
    c.serve()
    r = c.run(env={"PATH_INFO": "/silent", "CGI2SCGI_TIMEOUT": "1"})
    check(r.stdout.startswith(b"Status: 504 Gateway Timeout\r\n"),
          "response %r, stderr %r" % (r.stdout[:100], r.stderr))
    check(0.8 <= c.wall <= 4, "took %.2f s for a 1 s timeout" % c.wall)


def t_ondemand(c):
    # a stale socket file: bound, never listened on, left behind
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(c.sock)
    stale.close()
    st = os.path.join(c.dir, "start1")
    start = "exec %s %s - %s 15" % (sys.executable, SERVER, st)
    body = b"on demand\n"
    env = {"CGI2SCGI_SOCKET": "app.sock", "CGI2SCGI_START": start}
    t0 = time.time()
    r = c.run(body, env=env)
    check(r.returncode == 0, "exit %d, stderr %r" % (r.returncode, r.stderr))
    check(r.stdout == OK_HEAD + ("got %d bytes %s\n" % (
        len(body), hashlib.sha256(body).hexdigest())).encode(),
        "response %r" % r.stdout[:200])
    with open(os.path.join(st, "env.json")) as f:
        senv = json.load(f)
    check(senv.get("CGI2SCGI_SOCKET") == c.sock,
          "start got CGI2SCGI_SOCKET=%r" % senv.get("CGI2SCGI_SOCKET"))
    with open(os.path.join(st, "sigblk")) as f:
        blk = f.read()
    check(int(blk, 16) == 0, "start began with signals blocked: %s" % blk)
    with open(os.path.join(c.dir, "app.sock.lock")) as f:
        rec = f.read().split()
    # "EPOCH STATE PID FAILURES MTIME" (R32)
    check(rec[1:] == ["started", "0", "0", "0"], "lock record %r" % rec)
    check(abs(int(rec[0]) - t0) <= 5, "lock record time %s, now %d"
          % (rec[0], t0))
    # the app is up now: the next request goes straight to it
    r = c.run(b"again", env=env)
    check(r.returncode == 0 and r.stdout.startswith(OK_HEAD),
          "second request: %r" % r.stdout[:100])
    check(os.path.exists(os.path.join(st, "req.2.json")), "no second request")


def t_startfail(c):
    count = os.path.join(c.dir, "count")
    env = {"CGI2SCGI_START": "echo run >>%s; exit 3" % count,
           "CGI2SCGI_RETRY_AFTER": "30"}
    for i in (1, 2):
        r = c.run(b"x", env=env)
        check(r.stdout.startswith(b"Status: 503 Service Unavailable\r\n"
                                  b"Retry-After: "),
              "run %d: response %r, stderr %r" % (i, r.stdout[:100], r.stderr))
    with open(count) as f:
        check(f.read() == "run\n", "start ran more than once")
    with open(c.sock + ".lock") as f:
        rec = f.read().split()
    check(rec[1:] == ["failed", "0", "1", "0"], "lock record %r" % rec)
    check(abs(int(rec[0]) - time.time()) <= 5, "lock record time %s" % rec[0])


def t_starttimeout(c):
    count = os.path.join(c.dir, "count")
    env = {"CGI2SCGI_START": "echo run >>%s; exec sleep 3" % count,
           "CGI2SCGI_START_TIMEOUT": "1"}
    r = c.run(b"x", env=env)
    check(os.path.exists(count), "start did not run: %r" % r.stderr)
    check(r.stdout.startswith(b"Status: 503 Service Unavailable\r\n"),
          "response %r, stderr %r" % (r.stdout[:100], r.stderr))
    check(0.8 <= c.wall <= 2.9, "took %.2f s for a 1 s start timeout" % c.wall)
    # the back-off sleeps (ppoll): a busy loop would burn the whole second
    check(c.cpu < 0.6 * c.wall, "%.2f s of CPU in %.2f s: no back-off sleep"
          % (c.cpu, c.wall))


TESTS = [t_version, t_post, t_big, t_chunked, t_tcp, t_down, t_timeout,
         t_ondemand, t_startfail, t_starttimeout]


def main():
    passed = failed = 0
    for arg in sys.argv[1:]:
        arch, _, binary = arg.partition("=")
        binary = os.path.abspath(binary)
        if QEMU.get(arch, 0) == 0:
            sys.exit("unknown arch %s" % arch)
        for t in TESTS:
            c = Case(arch, binary)
            name = "%s %s" % (arch, t.__name__[2:])
            try:
                t(c)
                passed += 1
                print("ok   %s" % name, flush=True)
            except (Fail, OSError, ValueError, KeyError,
                    subprocess.TimeoutExpired) as e:
                failed += 1
                print("FAIL %s: %s" % (name, e), flush=True)
            finally:
                c.close()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
