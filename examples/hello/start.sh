#!/bin/sh
# Start the hello app: uWSGI, daemonized, listening for SCGI on
# $CGI2SCGI_SOCKET.  cgi2scgi sets that variable when it runs this as its
# `start` command (see app.cgi.in); run by hand, set it yourself:
#   CGI2SCGI_SOCKET=/tmp/hello.sock HELLO_RUN=/tmp ./start.sh
# Writes uwsgi.pid and uwsgi.log in $HELLO_RUN (default: the socket's
# directory).  Stop the app with: kill "$(cat "$HELLO_RUN/uwsgi.pid")"
set -e
here=$(cd "$(dirname "$0")" && pwd)
sock=${CGI2SCGI_SOCKET:?CGI2SCGI_SOCKET must name the socket to listen on}
run=${HELLO_RUN:-$(dirname "$sock")}
exec uwsgi --plugin python3 --scgi-socket "$sock" --chmod-socket=666 \
    --wsgi-file "$here/app.py" --need-app --master --processes 1 \
    --die-on-term --daemonize "$run/uwsgi.log" --pidfile "$run/uwsgi.pid"
