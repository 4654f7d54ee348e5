#!/bin/sh
# busybox httpd running @ROOT@/cgi-bin/* (always /cgi-bin/: busybox has no
# setting for it) as @USER@, in the foreground.
# busybox passes its own environment on to every CGI: start it with a
# clean one.
# Caution: busybox httpd 1.35 does not decode chunked uploads: the CGI gets
# the raw chunk framing, cut short (docs/servers.md).
exec env -i PATH=/usr/local/bin:/usr/bin:/bin \
    busybox httpd -f -p 127.0.0.1:@PORT@ -h @ROOT@ -u @USER@:@USER@
