# A listener that never accepts and whose backlog is full (R30 test):
#   python3 ondemand-busy.py LISTEN READYFILE
# LISTEN is a unix path or HOST:PORT.  It listens with backlog 0, connects
# to itself until a connect would block, writes READYFILE, then sleeps.
# A new connect then gets EAGAIN (unix) or no SYN-ACK (TCP): busy, not down.
import os
import socket
import sys
import time

where, ready = sys.argv[1], sys.argv[2]
if "/" in where:
    fam, addr = socket.AF_UNIX, where
else:
    h, p = where.rsplit(":", 1)
    fam, addr = socket.AF_INET, (h, int(p))
ls = socket.socket(fam, socket.SOCK_STREAM)
if fam == socket.AF_INET:
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(addr)
if fam == socket.AF_UNIX:
    os.chmod(addr, 0o666)
ls.listen(0)
held = []
for _ in range(64):
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.setblocking(False)
    try:
        c.connect(addr)
    except BlockingIOError:
        # unix: EAGAIN, the queue is full; TCP: EINPROGRESS, check below
        if fam == socket.AF_UNIX:
            c.close()
            break
    held.append(c)
    if fam == socket.AF_INET:
        time.sleep(0.05)
        # a TCP connect that never completes means the queue is full
        try:
            c.getpeername()
        except OSError:
            break
with open(ready, "w") as f:
    f.write("%d held\n" % len(held))
time.sleep(3600)
