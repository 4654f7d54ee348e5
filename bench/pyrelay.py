#!/usr/bin/python3
"""pyrelay: a Python CGI doing what cgi2scgi does, for comparison.

Reads the CGI environment, sends it as an SCGI netstring to
$CGI2SCGI_SOCKET, streams CONTENT_LENGTH bytes of stdin after it, then
copies the response to stdout.  Plain, unoptimised, as one would write it.
"""
import os
import socket


def main():
    env = os.environb
    length = env.get(b"CONTENT_LENGTH") or b"0"
    left = int(length)
    pairs = [b"CONTENT_LENGTH\0", length, b"\0SCGI\0" b"1\0"]
    for k, v in env.items():
        if k in (b"CONTENT_LENGTH", b"SCGI") or k.startswith(b"CGI2SCGI_"):
            continue
        pairs += [k, b"\0", v, b"\0"]
    head = b"".join(pairs)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.fsdecode(env[b"CGI2SCGI_SOCKET"]))
    s.sendall(b"%d:%s," % (len(head), head))
    while left > 0:
        chunk = os.read(0, min(left, 65536))
        if not chunk:
            break
        s.sendall(chunk)
        left -= len(chunk)
    while True:
        data = s.recv(65536)
        if not data:
            break
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]


main()
