# A real Flask app (Debian python3-flask) for tests/it/flask.sh, run by
# uWSGI over SCGI:
#   uwsgi --plugin python3 --scgi-socket ADDR --wsgi-file flask-app.py \
#       --env FLASK_DATA=DIR --env FLASK_SECRET=KEY
# FLASK_DATA holds the files it serves (small.bin, big.bin).
#
#   /env             what the app sees: SCRIPT_NAME, PATH_INFO, Host, url_for...
#   /environ         every string in the WSGI environ, KEY=VALUE lines
#   /p/NAME          a URL variable: NAME as decoded, and url_for of it
#   /form            urlencoded POST: the fields, every value of each, as JSON
#   /upload          multipart POST: per file field name, filename, size, sha256
#   /login?user=U    sets the session (signed cookie) and two plain cookies
#   /whoami          the session user and the cookies the client sent back
#   /go, /go-ext     302 to url_for("target") relative, and _external=True
#   /target          where the redirects lead
#   /file            send_file(small.bin), conditional (ETag, Last-Modified)
#   /cond            make_conditional on a generated body with an ETag
#   /stream?n=&delay=  a generator: n chunks, `delay` s apart, each saying
#                    when it was made
#   /big             send_file(big.bin) (Content-Length, wsgi.file_wrapper)
#   /big-gen         big.bin again from a generator (no Content-Length)
#   /headers?n=&tok=&size=  n headers X-H-NNN: TOK-NNN (padded to size),
#                    plus a repeated X-Dup and two Set-Cookie
import hashlib
import json
import os
import time

from flask import (Flask, Response, jsonify, make_response, redirect,
                   request, send_file, session, url_for)

DATA = os.environ.get("FLASK_DATA", "/nonexistent")
app = Flask(__name__)
app.secret_key = os.environ.get("FLASK_SECRET", "not a secret")


@app.route("/")
def index():
    e = request.environ
    return "index SCRIPT_NAME=%s PATH_INFO=%s\n" % (
        e.get("SCRIPT_NAME", "-"), e.get("PATH_INFO", "-"))


@app.route("/env", methods=["GET", "POST", "HEAD"])
def env():
    e = request.environ
    keys = ("SCRIPT_NAME", "PATH_INFO", "HTTP_HOST", "SERVER_NAME",
            "SERVER_PORT", "REQUEST_METHOD", "CONTENT_LENGTH", "CONTENT_TYPE",
            "QUERY_STRING", "SERVER_PROTOCOL", "wsgi.url_scheme")
    d = {k: e.get(k) for k in keys}
    d["script_root"] = request.script_root
    d["url"] = request.url
    d["host_url"] = request.host_url
    d["url_for_target"] = url_for("target")
    d["url_for_target_ext"] = url_for("target", _external=True)
    return jsonify(d)


@app.route("/environ")
def environ():
    e = request.environ
    return "".join("%s=%s\n" % (k, e[k]) for k in sorted(e)
                   if isinstance(e[k], str))


@app.route("/p/<name>")
def named(name):
    return jsonify({"name": name, "url_for": url_for("named", name=name)})


@app.route("/form", methods=["POST"])
def form():
    return jsonify({"method": request.method,
                    "content_type": request.mimetype,
                    "form": {k: request.form.getlist(k)
                             for k in sorted(request.form)}})


@app.route("/upload", methods=["POST"])
def upload():
    files = []
    for field in request.files:
        for f in request.files.getlist(field):
            h = hashlib.sha256()
            size = 0
            while True:
                b = f.stream.read(65536)
                if not b:
                    break
                h.update(b)
                size += len(b)
            files.append({"field": field, "filename": f.filename,
                          "size": size, "sha256": h.hexdigest()})
    files.sort(key=lambda x: (x["field"], x["filename"]))
    return jsonify({"files": files,
                    "form": {k: request.form.getlist(k)
                             for k in sorted(request.form)}})


@app.route("/login")
def login():
    session["user"] = request.args.get("user", "nobody")
    resp = make_response("logged in as %s\n" % session["user"])
    # only sent back below the app's own prefix (SCRIPT_NAME)
    resp.set_cookie("flavor", request.args.get("flavor", "plain"),
                    path=request.script_root + "/", httponly=True)
    resp.set_cookie("visits", "1", path=request.script_root + "/")
    return resp


@app.route("/whoami")
def whoami():
    return jsonify({"user": session.get("user"),
                    "flavor": request.cookies.get("flavor"),
                    "visits": request.cookies.get("visits"),
                    "cookies": sorted(request.cookies)})


@app.route("/go")
def go():
    return redirect(url_for("target", q="x"))


@app.route("/go-ext")
def go_ext():
    return redirect(url_for("target", q="x", _external=True))


@app.route("/target")
def target():
    return "target reached, q=%s\n" % request.args.get("q")


@app.route("/file", methods=["GET", "HEAD"])
def small_file():
    return send_file(os.path.join(DATA, "small.bin"), conditional=True,
                     mimetype="application/octet-stream")


@app.route("/cond")
def cond():
    body = ("conditional body %s\n" % request.args.get("v", "1")).encode()
    resp = Response(body, mimetype="text/plain")
    resp.set_etag(hashlib.sha256(body).hexdigest()[:16])
    return resp.make_conditional(request)


@app.route("/stream")
def stream():
    n = min(int(request.args.get("n", "4")), 20)
    delay = min(float(request.args.get("delay", "0.4")), 2.0)

    def gen():
        for i in range(1, n + 1):
            if i > 1:
                time.sleep(delay)
            yield ("chunk %d made %.6f\n" % (i, time.time())).encode()
    return Response(gen(), mimetype="text/plain")


@app.route("/big")
def big():
    return send_file(os.path.join(DATA, "big.bin"),
                     mimetype="application/octet-stream")


@app.route("/big-gen")
def big_gen():
    def gen():
        with open(os.path.join(DATA, "big.bin"), "rb") as f:
            while True:
                b = f.read(65536)
                if not b:
                    break
                yield b
    return Response(gen(), mimetype="application/octet-stream")


@app.route("/headers", methods=["GET", "HEAD"])
def headers():
    n = min(int(request.args.get("n", "100")), 1000)
    tok = request.args.get("tok", "t")
    size = min(int(request.args.get("size", "0")), 8000)
    resp = make_response("%d headers\n" % n)
    for i in range(1, n + 1):
        v = "%s-%03d" % (tok, i)
        resp.headers.add("X-H-%03d" % i, v + "." * max(0, size - len(v)))
    resp.headers.add("X-Dup", "first")
    resp.headers.add("X-Dup", "second")
    resp.set_cookie("c1", tok)
    resp.set_cookie("c2", tok)
    return resp


application = app
