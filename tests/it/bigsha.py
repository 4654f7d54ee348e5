# bigsha.py N: sha256 hex of the first N bytes of echo.py's /big stream
import hashlib
import sys

BLOCK = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(2048))
n = int(sys.argv[1])
h = hashlib.sha256()
while n > 0:
    b = BLOCK if n >= len(BLOCK) else BLOCK[:n]
    n -= len(b)
    h.update(b)
print(h.hexdigest())
