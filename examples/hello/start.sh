#!/bin/sh
# Start the hello app: uWSGI, daemonized, listening for SCGI on
# $CGI2SCGI_SOCKET.  cgi2scgi sets that variable when it runs this as its
# `start` command (see app.cgi.in); run by hand, set it yourself:
#   CGI2SCGI_SOCKET=/tmp/hello.sock HELLO_RUN=/tmp ./start.sh
# Writes uwsgi.pid and uwsgi.log in $HELLO_RUN (default: the socket's
# directory).  Stop the app with: kill "$(cat "$HELLO_RUN/uwsgi.pid")"
#
# Scaling to zero: with IDLE=SECONDS in the environment (an `env = IDLE=600`
# line of app.cgi), uWSGI exits by itself once its workers have served no
# request for that long, and the next request starts it again.  That is
# --idle N --die-on-idle (--idle implies --master and watches the whole
# instance; a request in flight holds it off; uWSGI counts whole seconds
# and takes about 1 s to shut down, so the exit comes 2 to 3 s after N)
# with --vacuum, so that no stale uwsgi.pid or socket file stays behind.
# A request that arrives during that last second gets 502.  Without IDLE
# uWSGI runs until stopped.
set -e
here=$(cd "$(dirname "$0")" && pwd)
sock=${CGI2SCGI_SOCKET:?CGI2SCGI_SOCKET must name the socket to listen on}
run=${HELLO_RUN:-$(dirname "$sock")}
exec uwsgi --plugin python3 --scgi-socket "$sock" --chmod-socket=666 \
    --wsgi-file "$here/app.py" --need-app --master --processes 1 \
    ${IDLE:+--idle "$IDLE" --die-on-idle --vacuum} \
    --die-on-term --daemonize "$run/uwsgi.log" --pidfile "$run/uwsgi.pid"
