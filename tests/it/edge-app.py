# edge-app.py SOCKET MODE [COUNTFILE]: a small SCGI server for tests/it/edge.sh
#   headers-first  sends its headers at once, then reads the whole body,
#                  then answers "got N"
#   split-stall    sends "HTTP/1." and then nothing
#   ok             answers "ok"; appends a line to COUNTFILE when it starts
import os
import socket
import sys
import time

path, mode = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3:
    with open(sys.argv[3], "a") as f:
        f.write("up %d\n" % os.getpid())
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
while True:
    c, _ = s.accept()
    buf = b""
    while b":" not in buf:
        d = c.recv(1)
        if not d:	# a probe that only connected
            break
        buf += d
    if b":" not in buf:
        c.close()
        continue
    n = int(buf[:-1])
    head = b""
    while len(head) < n + 1:
        head += c.recv(n + 1 - len(head))
    items = head[:-1].split(b"\0")
    env = dict(zip(items[0::2], items[1::2]))
    want = int(env[b"CONTENT_LENGTH"])
    if mode == "split-stall":
        c.sendall(b"HTTP/1.")
        time.sleep(30)
    elif mode == "headers-first":
        c.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        got = 0
        while got < want:
            d = c.recv(65536)
            if not d:
                break
            got += len(d)
        c.sendall(b"got %d\n" % got)
    else:
        c.recv(want) if want else None
        c.sendall(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n")
    c.close()
