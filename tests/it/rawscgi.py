# A raw SCGI server for the cgi2scgi integration tests: it answers with
# bytes of its own choosing and records what it received.
#
#   rawscgi.py --name NAME --log FILE --listen ADDR [--listen ADDR...]
#
# ADDR is a unix socket path, 127.0.0.1:PORT or [::1]:PORT.  Every connection
# appends "conn name=NAME path=PATH_INFO qs=QUERY_STRING" to FILE, then is
# served by PATH_INFO:
#   /hello         a fixed CGI answer
#   /env           the SCGI header pairs in received order, "K=V" lines, and
#                  "BODY=LEN SHA256" of the body
#   /status        raw "HTTP/1.1 201 Created" status line (R16)
#   /status-split  raw "HTTP/1.1 202 Accepted", the line sent in pieces
#   /close         close at once, nothing sent (502)
#   /hang          send nothing until the peer closes (504)
#   /count         read the body, log "count id=.. cl=N got=M eof=0|1", then
#                  answer (R14: client gone mid-upload)
#   /endless       send data until the peer goes; log "endless id=.. stopped
#                  after N: REASON" (R14: client gone mid-download)
#   /early         answer 413 at once, never read the body, close
#   /early-linger  answer 413 at once, read the body until 1 s idle, close
# The SCGI side (listening, header, body) is scgi_server.py's.
import argparse
import socket
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ beside the tests
from scgi_server import (accept_in_thread, accept_loop, event_log, listener,
                         read_body, read_request)

args = None
log = None


CGI_TEXT = b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"


def serve(c):
    try:
        pairs, env = read_request(c, log,
                                  "conn name=%s bad-header" % args.name)
        if pairs is None:
            return
        path = env.get("PATH_INFO", "")
        qs = env.get("QUERY_STRING", "")
        q = urllib.parse.parse_qs(qs)
        ident = q.get("id", ["-"])[0]
        cl = int(env.get("CONTENT_LENGTH", "0") or 0)
        log("conn name=%s path=%s qs=%s" % (args.name, path, qs))
        if args.name == "trap" or path == "/close":
            return
        if path == "/hello":
            c.sendall(CGI_TEXT + b"hello from raw\n")
        elif path == "/env":
            got, sha, _ = read_body(c, cl)
            out = b"".join(k + b"=" + v + b"\n" for k, v in pairs)
            c.sendall(CGI_TEXT + out + b"BODY=%d %s\n" % (got, sha.encode()))
        elif path == "/status":
            read_body(c, cl)
            c.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
                      b"X-Raw: yes\r\n\r\ncreated\n")
        elif path == "/status-split":
            read_body(c, cl)
            for piece in (b"HTT", b"P/1.1 20", b"2 Acc",
                          b"epted\r\nContent-Type: text/plain\r\n\r\n",
                          b"accepted\n"):
                c.sendall(piece)
                time.sleep(0.2)
        elif path == "/hang":
            c.settimeout(60)
            try:
                while c.recv(65536):
                    pass
            except OSError:
                pass
            log("hang ended name=%s id=%s" % (args.name, ident))
        elif path == "/count":
            c.settimeout(60)
            got, sha, eof = read_body(c, cl)
            log("count id=%s cl=%d got=%d eof=%d" % (ident, cl, got, int(eof)))
            if not eof:
                c.sendall(CGI_TEXT + b"got %d %s\n" % (got, sha.encode()))
        elif path == "/endless":
            block = b"x" * 65535 + b"\n"
            sent = 0
            reason = "?"
            c.sendall(b"Status: 200 OK\r\nContent-Type: "
                      b"application/octet-stream\r\n\r\n")
            c.settimeout(60)
            try:
                while sent < 1 << 34:
                    c.sendall(block)
                    sent += len(block)
                    time.sleep(0.002)
            except OSError as e:
                reason = e.__class__.__name__
            log("endless id=%s stopped after %d: %s" % (ident, sent, reason))
        elif path == "/early-linger":
            # answer at once, then read and drop the body until it stops
            # coming (1 s idle) or ends, then close: the launcher sees a clean
            # EOF while the client may still owe part of the body
            c.sendall(b"Status: 413 Request Entity Too Large\r\n"
                      b"Content-Type: text/plain\r\n\r\ntoo large\n")
            c.settimeout(1)
            got = 0
            try:
                while got < cl:
                    b = c.recv(65536)
                    if not b:
                        break
                    got += len(b)
            except OSError:
                pass
            log("early-linger id=%s cl=%d read=%d" % (ident, cl, got))
        elif path == "/early":
            # make sure body bytes are queued unread when we close: the
            # launcher then sees ECONNRESET after the answer, as with most
            # real apps that answer early
            c.settimeout(5)
            try:
                if cl > 0:
                    c.recv(1, socket.MSG_PEEK)
                    time.sleep(0.05)
            except OSError:
                pass
            c.sendall(b"Status: 413 Request Entity Too Large\r\n"
                      b"Content-Type: text/plain\r\n\r\ntoo large\n")
        else:
            c.sendall(b"Status: 404 Not Found\r\nContent-Type: text/plain"
                      b"\r\n\r\nno route\n")
    except OSError as e:
        log("conn name=%s error %s" % (args.name, e))
    finally:
        c.close()


def main():
    global args, log
    p = argparse.ArgumentParser()
    p.add_argument("--name", default="raw")
    p.add_argument("--log", required=True)
    p.add_argument("--listen", action="append", required=True)
    args = p.parse_args()
    log = event_log(args.log)
    socks = [listener(a) for a in args.listen]
    for s in socks[1:]:
        accept_in_thread(s, serve)
    log("ready name=%s" % args.name)
    sys.stdout.flush()
    accept_loop(socks[0], serve)


if __name__ == "__main__":
    main()
