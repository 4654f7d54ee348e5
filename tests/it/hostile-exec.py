# hostile-exec.py PROG [ARG...] -- [ENTRY...]: execve PROG with argv
# PROG ARG... and exactly the environment entries ENTRY..., duplicates
# included (rawexec.py takes no arguments; os.execve dedupes a dict).
# stdin/stdout/stderr are inherited.
import ctypes
import sys

libc = ctypes.CDLL(None, use_errno=True)
cut = sys.argv.index("--")
argv_l = [a.encode() for a in sys.argv[1:cut]]
entries = [a.encode() for a in sys.argv[cut + 1:]]
argv = (ctypes.c_char_p * (len(argv_l) + 1))(*argv_l, None)
envp = (ctypes.c_char_p * (len(entries) + 1))(*entries, None)
sys.stdout.flush()
libc.execve(argv_l[0], argv, envp)
sys.stderr.write("execve failed: errno %d\n" % ctypes.get_errno())
sys.exit(127)
