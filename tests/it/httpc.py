# A small HTTP client for the cases curl cannot express.
#
#   httpc.py raw PORT REQFILE OUT      send REQFILE's bytes as they are, save
#                                      the whole raw response to OUT
#   httpc.py stream PORT PATH FLAG     GET PATH; once the first chunk arrived,
#                                      create FLAG; exit 0 when the first chunk
#                                      came before FLAG existed and the second
#                                      says "released" (R15)
#   httpc.py upload-gone PORT PATH TOTAL SEND
#                                      POST with Content-Length TOTAL, send SEND
#                                      bytes, then reset the connection (R14)
#   httpc.py download-gone PORT PATH N GET PATH, read N bytes, then reset (R14)
import os
import socket
import struct
import sys
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", int(port)), 10)
    s.settimeout(30)
    return s


def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def read_all(s, until=None):
    """what s receives until EOF, or until `until` is in it: (the bytes,
    the OSError that ended it or None)"""
    buf = b""
    try:
        while until is None or until not in buf:
            b = s.recv(65536)
            if not b:
                break
            buf += b
    except OSError as e:
        return buf, e
    return buf, None


def get(path):
    return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            % path).encode()


def raw(port, reqfile, out):
    s = connect(port)
    with open(reqfile, "rb") as f:
        s.sendall(f.read())
    buf, _ = read_all(s)
    with open(out, "wb") as f:
        f.write(buf)
    return 0


def stream(port, path, flag):
    s = connect(port)
    s.settimeout(15)
    s.sendall(get(path))
    buf, _ = read_all(s, b"chunk1 sent")
    if b"chunk1 sent" not in buf:
        print("first chunk never arrived alone: %r" % buf[-200:])
        return 1
    if b"chunk2" in buf:
        print("second chunk arrived with the first")
        return 1
    if os.path.exists(flag):
        print("flag existed before the first chunk arrived")
        return 1
    open(flag, "w").close()
    s.settimeout(30)
    buf += read_all(s)[0]
    if b"chunk2 released" not in buf:
        print("second chunk missing or wrong: %r" % buf[-200:])
        return 1
    return 0


def upload_gone(port, path, total, send):
    s = connect(port)
    s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n"
               "Content-Type: application/octet-stream\r\n\r\n"
               % (path, int(total))).encode())
    left = int(send)
    block = os.urandom(65536)
    while left > 0:
        n = min(left, len(block))
        s.sendall(block[:n])
        left -= n
    time.sleep(0.5)
    reset(s)
    return 0


def download_gone(port, path, n):
    s = connect(port)
    s.sendall(get(path))
    got = 0
    while got < int(n):
        b = s.recv(65536)
        if not b:
            print("response ended after %d bytes" % got)
            return 1
        got += len(b)
    reset(s)
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "raw":
        return raw(*argv[2:5])
    if cmd == "stream":
        return stream(*argv[2:5])
    if cmd == "upload-gone":
        return upload_gone(*argv[2:6])
    if cmd == "download-gone":
        return download_gone(*argv[2:5])
    print("unknown command", cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
