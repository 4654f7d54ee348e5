#!/bin/sh
# Start the hello WSGI app (examples/hello/app.py) with nothing but Python 3:
# examples/scgi_wsgi.py, daemonized, listening on $CGI2SCGI_SOCKET.
# cgi2scgi sets that variable when it runs this as its `start` command (see
# app.cgi.in); run by hand, set it yourself:
#   CGI2SCGI_SOCKET=/tmp/hello.sock APP_RUN=/tmp ./start.sh
# Writes app.pid and app.log in $APP_RUN (default: the socket's directory);
# exits 0 once the app listens.  Stop it with: kill "$(cat "$APP_RUN/app.pid")"
#
# For your own app, change the last argument: a Django project is
# "mysite.wsgi:application" (with --chdir to the project), a Flask app
# "app:app"; WSGI_APP overrides it here.
#
# Scaling to zero: with SCGI_IDLE=SECONDS in the environment (an
# `env = SCGI_IDLE=600` line of app.cgi), scgi_wsgi.py exits 0 once no
# request has been in flight for that long, removing its socket and pid
# files; the next request starts it again.  Unset: it runs until stopped.
set -e
here=$(cd "$(dirname "$0")" && pwd)
sock=${CGI2SCGI_SOCKET:?CGI2SCGI_SOCKET must name the socket to listen on}
run=${APP_RUN:-$(dirname "$sock")}
exec python3 "$here/../scgi_wsgi.py" --socket "$sock" --daemon \
    --pidfile "$run/app.pid" --log "$run/app.log" \
    "${WSGI_APP:-$here/../hello/app.py}"
