#!/bin/sh
# Start fcgiwrap for nginx-fcgiwrap.conf: in the foreground, as @USER@ (the
# user the CGIs run as), listening on @RUN@/fcgiwrap.sock, 4 processes.
# Debian's own service does the same with: systemctl enable --now fcgiwrap
# (socket /run/fcgiwrap.socket, user www-data).
exec setpriv --reuid=@USER@ --regid=@USER@ --init-groups \
    fcgiwrap -c 4 -s unix:@RUN@/fcgiwrap.sock
