# Descriptors of a started app (R35):
#   python3 ondemand-fds.py PID LOG
# Prints "FD -> TARGET" for every open descriptor of PID, then one line per
# violation; exits 1 if there is any.  Allowed: 0 is /dev/null, 1 and 2 are
# LOG, and beyond that only what an app makes for itself: anon inodes
# (epoll, eventfd...) and sockets that are listening or whose peer the app
# holds itself (a socketpair).  A pipe, a file, a connected socket (a CGI's
# stdin/stdout under mod_cgid), the lock file: violations.
import os
import subprocess
import sys

pid, log = sys.argv[1], sys.argv[2]
fdd = "/proc/%s/fd" % pid
fds = {}
for fd in sorted(os.listdir(fdd), key=int):
    try:
        fds[int(fd)] = os.readlink(os.path.join(fdd, fd))
    except OSError:
        pass

listening = set()
with open("/proc/net/unix") as f:
    next(f)
    for line in f:
        p = line.split()
        # Num RefCount Protocol Flags Type St Inode [Path]; Flags 00010000
        # is __SO_ACCEPTCON: a listening socket
        if int(p[3], 16) & 0x10000:
            listening.add(p[6])
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        with open(name) as f:
            next(f)
            for line in f:
                p = line.split()
                if p[3] == "0A":	# TCP_LISTEN
                    listening.add(p[9])
    except OSError:
        pass
peer = {}
try:
    out = subprocess.run(["ss", "-xan"], capture_output=True, text=True).stdout
    for line in out.splitlines()[1:]:
        p = line.split()
        if len(p) >= 8:
            peer[p[5]] = p[7]
except OSError:
    pass

mine = {t[8:-1] for t in fds.values() if t.startswith("socket:[")}
bad = []
for fd, t in fds.items():
    print("%d -> %s" % (fd, t))
    if fd == 0:
        if t != "/dev/null":
            bad.append("fd 0 is %s, not /dev/null" % t)
    elif fd in (1, 2):
        if t != log:
            bad.append("fd %d is %s, not the log %s" % (fd, t, log))
    elif t.startswith("anon_inode:"):
        pass
    elif t.startswith("socket:["):
        ino = t[8:-1]
        if ino not in listening and peer.get(ino) not in mine:
            bad.append("fd %d: socket %s neither listening nor a socketpair "
                       "of the app (peer %s)" % (fd, ino, peer.get(ino)))
    else:
        bad.append("fd %d: %s" % (fd, t))
for f in (0, 1, 2):
    if f not in fds:
        bad.append("fd %d not open" % f)
for b in bad:
    print("VIOLATION " + b)
sys.exit(1 if bad else 0)
