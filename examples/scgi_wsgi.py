#!/usr/bin/env python3
"""scgi_wsgi: serve any WSGI application over SCGI with the Python 3
standard library alone (no uWSGI, no flup, nothing to pip install).

    scgi_wsgi.py [options] APP

APP names the WSGI callable:
    package.module:callable     e.g. mysite.wsgi:application (Django),
                                app:app (Flask)
    path/to/file.py[:callable]  a file, like uWSGI's --wsgi-file
                                (callable defaults to "application")

Options:
    --socket ADDR    where to listen: /abs/path.sock, unix:PATH, HOST:PORT,
                     [IPv6]:PORT (default: $CGI2SCGI_SOCKET, which cgi2scgi
                     sets for its `start` command)
    --chdir DIR      change to DIR first (and put it on sys.path)
    --path DIR       add DIR to sys.path (repeatable)
    --daemon         detach (fork, setsid, fork) once the socket listens;
                     the command exits 0 only when the app is serving
    --pidfile FILE   write the serving process's pid to FILE
    --log FILE       with --daemon: append stdout and stderr to FILE
                     (default /dev/null)
    --chmod MODE     chmod a unix socket (octal, e.g. 660)
    --threads N      serve at most N requests at once (default 32)
    --idle SECONDS   exit 0 once no request has been in flight for SECONDS
                     (default: $SCGI_IDLE, or never)

With cgi2scgi, the `start` line of app.cgi can be just:

    start = python3 /home/me/bin/scgi_wsgi.py --daemon --pidfile app.pid --log app.log myapp.wsgi:application

Errors that keep the app from serving (bad APP, import error, socket in
use) make the command exit non-zero before it detaches: cgi2scgi then
answers 503 at once and logs the start as failed.

What it does, per request: reads the SCGI netstring into the WSGI environ
(PEP 3333: str values decoded as latin-1), gives the app a wsgi.input that
yields exactly CONTENT_LENGTH bytes, sends "Status: ..." and the headers when
the first body byte is ready, then every chunk the app yields as it comes
(streaming, never buffered whole), and closes the iterable.  SIGTERM stops it
and removes the socket and pid file.

With --idle (or SCGI_IDLE, e.g. an `env = SCGI_IDLE=600` line of app.cgi),
an app left unused gives its memory back: when no request has been in
flight for that many seconds, it removes its pid file and its unix socket
file, serves the connections already queued, closes the listening socket,
lets every request in flight finish, and exits 0.  The next request finds
the socket refused (or gone) and cgi2scgi starts the app again.
"""
import errno
import importlib
import importlib.util
import os
import select
import signal
import socket
import socketserver
import stat
import sys
import threading
import time

BLOCK = 65536
MAX_HEADER = 1 << 20  # netstring of the SCGI header: 1 MiB, as cgi2scgi


class BadRequest(Exception):
    pass


# ---- the request ----------------------------------------------------------

def read_netstring(rfile):
    """The SCGI header: b"LEN:" + LEN bytes + b","."""
    digits = b""
    while True:
        c = rfile.read(1)
        if not c:
            raise BadRequest("connection closed in the header length")
        if c == b":":
            break
        if not c.isdigit() or len(digits) > 8:
            raise BadRequest("bad header length")
        digits += c
    if not digits:
        raise BadRequest("empty header length")
    n = int(digits)
    if n > MAX_HEADER:
        raise BadRequest("header too large")
    data = rfile.read(n + 1)
    if len(data) != n + 1 or data[-1:] != b",":
        raise BadRequest("truncated header")
    return data[:-1]


def parse_header(data):
    items = data.split(b"\0")
    if items and items[-1] == b"":
        items.pop()
    if len(items) % 2:
        raise BadRequest("odd number of header strings")
    env = {}
    for i in range(0, len(items), 2):
        name = items[i].decode("latin-1")
        if name not in env:  # first wins, as SCGI has no duplicates
            env[name] = items[i + 1].decode("latin-1")
    return env


class Input(object):
    """wsgi.input: at most `left` bytes of the connection, then EOF."""

    def __init__(self, rfile, length):
        self.rfile = rfile
        self.left = length

    def read(self, size=-1):
        if self.left <= 0:
            return b""
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self.rfile.read(size)
        self.left -= len(data)
        if not data:
            self.left = 0
        return data

    def readline(self, size=-1):
        if self.left <= 0:
            return b""
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self.rfile.readline(size)
        self.left -= len(data)
        if not data:
            self.left = 0
        return data

    def readlines(self, hint=-1):
        lines, total = [], 0
        while True:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class Handler(socketserver.StreamRequestHandler):
    rbufsize = BLOCK
    wbufsize = 0  # every write goes out at once (streaming)

    def handle(self):
        try:
            env = parse_header(read_netstring(self.rfile))
            length = env.get("CONTENT_LENGTH", "") or "0"
            if not length.isdigit():
                raise BadRequest("bad CONTENT_LENGTH")
            length = int(length)
        except BadRequest as e:
            sys.stderr.write("scgi_wsgi: %s\n" % e)
            self.send(b"Status: 400 Bad Request\r\nContent-Type: text/plain"
                      b"\r\n\r\n400 Bad Request\n")
            return
        self.body = Input(self.rfile, length)
        env.update({
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if env.get("HTTPS", "off").lower()
            in ("on", "1", "yes") else "http",
            "wsgi.input": self.body,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        })
        env.setdefault("SCRIPT_NAME", "")
        env.setdefault("PATH_INFO", "")
        env.setdefault("QUERY_STRING", "")
        self.run(env)

    def send(self, data):
        self.connection.sendall(data)

    def run(self, env):
        state = {"status": None, "headers": None, "sent": False}

        def start_response(status, headers, exc_info=None):
            if exc_info:
                try:
                    if state["sent"]:
                        raise exc_info[1].with_traceback(exc_info[2])
                finally:
                    exc_info = None
            elif state["status"] is not None:
                raise AssertionError("start_response called twice")
            state["status"], state["headers"] = status, headers
            return write

        def write(data):
            if state["status"] is None:
                raise AssertionError("write() before start_response()")
            if not state["sent"]:
                head = ["Status: %s\r\n" % state["status"]]
                head += ["%s: %s\r\n" % (k, v) for k, v in state["headers"]]
                head.append("\r\n")
                self.send("".join(head).encode("latin-1"))
                state["sent"] = True
            if data:
                self.send(data)

        result = None
        try:
            result = app(env, start_response)
            for data in result:
                if data:
                    write(data)
            if not state["sent"]:
                write(b"")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client (or cgi2scgi) went away: nothing to answer
        except Exception:
            import traceback
            traceback.print_exc(file=sys.stderr)
            if not state["sent"]:
                try:
                    self.send(b"Status: 500 Internal Server Error\r\n"
                              b"Content-Type: text/plain\r\n\r\n"
                              b"500 Internal Server Error\n")
                except OSError:
                    pass
        finally:
            if hasattr(result, "close"):
                try:
                    result.close()
                except Exception:
                    import traceback
                    traceback.print_exc(file=sys.stderr)

    def finish(self):
        # Half-close, then read what is left of the body (bounded in time)
        # before closing: closing a TCP socket with unread input sends a
        # reset, which can destroy the answer before the peer has read it.
        try:
            self.connection.shutdown(socket.SHUT_WR)
            body = getattr(self, "body", None)
            if body is not None and body.left > 0:
                self.connection.settimeout(5)
                while body.read(BLOCK):
                    pass
        except OSError:
            pass
        socketserver.StreamRequestHandler.finish(self)


# ---- servers -----------------------------------------------------------------

class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 128


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class TCP6Server(TCPServer):
    address_family = socket.AF_INET6


class Idle(Exception):
    """serve_forever's way out when the server has been idle long enough."""


def limit_threads(server_class, n, idle=None):
    """A ThreadingMixIn server that serves at most n requests at once; with
    idle (seconds), its serve_forever raises Idle once no request has been
    in flight for that long."""
    sem = threading.BoundedSemaphore(n)

    class Limited(server_class):
        def server_activate(self):
            self.active = 0  # requests in flight
            self.last = time.monotonic()  # when the last one ended
            self.done = threading.Condition()
            self.stopping = False  # SIGTERM: requests in flight are cut
            server_class.server_activate(self)

        def process_request(self, request, client_address):
            sem.acquire()
            with self.done:
                self.active += 1
            try:
                server_class.process_request(self, request, client_address)
            except Exception:
                self.finished()
                raise

        def process_request_thread(self, request, client_address):
            try:
                server_class.process_request_thread(self, request,
                                                    client_address)
            finally:
                self.finished()

        def finished(self):
            sem.release()
            with self.done:
                self.active -= 1
                self.last = time.monotonic()
                self.done.notify_all()

        def service_actions(self):
            # called by serve_forever, the only thread that adds requests,
            # at least every poll_interval
            if idle and not self.active and \
                    time.monotonic() - self.last >= idle:
                raise Idle()

        def wind_down(self):
            """No new connection, the queued ones served, every request
            finished."""
            self.socket.setblocking(False)
            while select.select([self.socket], [], [], 0)[0]:
                self._handle_request_noblock()
            self.server_close()
            with self.done:
                while self.active and not self.stopping:
                    self.done.wait(0.5)
    return Limited


def parse_addr(addr):
    """(kind, address) for a cgi2scgi socket string."""
    if addr.startswith("unix:"):
        return "unix", addr[5:]
    if addr.startswith("tcp:"):
        addr = addr[4:]
    elif addr.startswith("/"):
        return "unix", addr
    if addr.startswith("["):
        host, _, port = addr[1:].partition("]:")
        if port.isdigit():
            return "tcp6", (host, int(port))
    host, sep, port = addr.rpartition(":")
    if sep and port.isdigit():
        return "tcp", ("127.0.0.1" if host == "localhost" else host, int(port))
    return "unix", addr


def unlink_stale(path):
    """Remove a unix socket file nobody listens on (a crash left it)."""
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            return
    except OSError:
        return
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
    except ConnectionRefusedError:
        os.unlink(path)
    except OSError:
        pass
    finally:
        s.close()


def make_server(addr, threads, mode, idle=None):
    kind, where = parse_addr(addr)
    if kind == "unix":
        where = os.path.abspath(where)
        unlink_stale(where)
        server = limit_threads(UnixServer, threads, idle)(where, Handler)
        if mode is not None:
            os.chmod(where, mode)
        st = os.stat(where)
        server.inode = (st.st_dev, st.st_ino)
        return server, where
    cls = TCP6Server if kind == "tcp6" else TCPServer
    return limit_threads(cls, threads, idle)(where, Handler), None


def unlink_ours(server, path):
    """Remove the unix socket file at path if it is still the one server
    created (not a newer app's, bound there since)."""
    try:
        st = os.stat(path)
        if (st.st_dev, st.st_ino) == server.inode:
            os.unlink(path)
    except OSError as e:
        if e.errno != errno.ENOENT:
            raise


def unlink_pidfile(pidfile):
    """Remove pidfile if it names this process."""
    try:
        with open(pidfile) as f:
            mine = f.read().strip() == str(os.getpid())
        if mine:
            os.unlink(pidfile)
    except OSError:
        pass


def load_app(spec):
    name, _, attr = spec.partition(":")
    if name.endswith(".py") or os.sep in name:
        path = os.path.abspath(name)
        sys.path.insert(0, os.path.dirname(path))
        mspec = importlib.util.spec_from_file_location("wsgi_app", path)
        if mspec is None:
            raise ImportError("cannot load %s" % path)
        module = importlib.util.module_from_spec(mspec)
        mspec.loader.exec_module(module)
    else:
        module = importlib.import_module(name)
    return getattr(module, attr or "application")


def daemonize(log):
    """fork, setsid, fork; the first process exits 0 once the pid file is
    written (write end of a pipe closed by the daemon)."""
    r, w = os.pipe()
    if os.fork() > 0:
        os.close(w)
        ok = os.read(r, 1)
        os._exit(0 if ok == b"1" else 1)
    os.close(r)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    fd = os.open("/dev/null", os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)
    fd = os.open(log or "/dev/null", os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return w


def usage(msg=None):
    if msg:
        sys.stderr.write("scgi_wsgi: %s\n" % msg)
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def main(argv):
    global app
    opts = {"socket": os.environ.get("CGI2SCGI_SOCKET"), "chdir": None,
            "daemon": False, "pidfile": None, "log": None, "chmod": None,
            "threads": 32, "idle": os.environ.get("SCGI_IDLE") or "0"}
    paths = []
    args = list(argv[1:])
    spec = None
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        if a == "--daemon":
            opts["daemon"] = True
        elif a in ("--socket", "--chdir", "--pidfile", "--log", "--chmod",
                   "--threads", "--path", "--idle"):
            if not args:
                usage("%s needs a value" % a)
            v = args.pop(0)
            if a == "--path":
                paths.append(v)
            else:
                opts[a[2:]] = v
        elif a.startswith("-"):
            usage("unknown option %s" % a)
        elif spec is None:
            spec = a
        else:
            usage("one APP only")
    if spec is None:
        usage("no APP given")
    if not opts["socket"]:
        usage("no --socket and no CGI2SCGI_SOCKET")
    mode = int(opts["chmod"], 8) if opts["chmod"] else None
    try:
        threads = int(opts["threads"])
    except ValueError:
        usage("bad --threads")
    try:
        idle = float(opts["idle"])
    except ValueError:
        idle = -1
    if not 0 <= idle < 1e9:
        usage("bad --idle (or SCGI_IDLE): %s" % opts["idle"])
    if opts["chdir"]:
        os.chdir(opts["chdir"])
        sys.path.insert(0, os.getcwd())
    for p in reversed(paths):
        sys.path.insert(0, os.path.abspath(p))
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    pidfile = os.path.abspath(opts["pidfile"]) if opts["pidfile"] else None
    log = os.path.abspath(opts["log"]) if opts["log"] else None

    app = load_app(spec)  # before listening: a broken app is a failed start
    try:
        server, unix_path = make_server(opts["socket"], threads, mode, idle)
    except OSError as e:
        sys.stderr.write("scgi_wsgi: cannot listen on %s: %s\n"
                         % (opts["socket"], e.strerror or e))
        return 1

    ready = None
    if opts["daemon"]:
        ready = daemonize(log)
    if pidfile:
        tmp = "%s.%d" % (pidfile, os.getpid())
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(tmp, pidfile)
    if ready is not None:
        os.write(ready, b"1")
        os.close(ready)

    def stop(signum, frame):
        server.stopping = True
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        server.serve_forever(poll_interval=min(0.5, idle / 4 or 0.5))
    except Idle:
        # first what would let a new app start beside us: the pid file
        # (a new one could be removed with it later), then the socket file
        # (a connect then fails with ENOENT, and cgi2scgi starts a new app)
        sys.stderr.write("scgi_wsgi: idle for %g s: exiting\n" % idle)
        if pidfile:
            unlink_pidfile(pidfile)
        if unix_path:
            unlink_ours(server, unix_path)
        server.wind_down()
    finally:
        server.server_close()
        if unix_path:
            unlink_ours(server, unix_path)
        if pidfile:
            unlink_pidfile(pidfile)
    return 0


app = None

if __name__ == "__main__":
    sys.exit(main(sys.argv))
