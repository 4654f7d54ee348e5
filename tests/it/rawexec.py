# rawexec.py PROG [ENTRY...]: execve PROG with exactly these environment
# entries, duplicates, "=x" and entries without "=" included (os.execve
# cannot make those).  stdin/stdout/stderr are inherited.
import ctypes
import sys

libc = ctypes.CDLL(None, use_errno=True)
prog = sys.argv[1].encode()
entries = [a.encode() for a in sys.argv[2:]]
argv = (ctypes.c_char_p * 2)(prog, None)
envp = (ctypes.c_char_p * (len(entries) + 1))(*entries, None)
sys.stdout.flush()
libc.execve(prog, argv, envp)
sys.stderr.write("execve failed: errno %d\n" % ctypes.get_errno())
sys.exit(127)
