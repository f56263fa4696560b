"""gunicorn settings for `make serve`'s pages: the same app and database as `make run`, on sync
workers, one a core. Live games' connections are served by a gevent gunicorn of their own on the
next port (gunicorn.live.conf.py, which starts from these settings); `make serve` starts both."""

import gc
import multiprocessing
import os

wsgi_app = "quizapp:create_app()"
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "5000"))
#: Where live games' connections are served: the next port unless LIVE_PORT says otherwise.
LIVE_PORT = int(os.environ.get("LIVE_PORT", PORT + 1))
bind = f"{HOST}:{PORT}"
# Pages reached directly (no trusted proxy in front) tell the browser to open a game's connection
# on that port of this host; behind nginx, which routes /socket.io/ there, on their own origin
# (quizapp.live.views.socket_port). Set here for both servers' workers, whose apps read it.
os.environ.setdefault("QUIZAPP_LIVE_SOCKET_PORT", str(LIVE_PORT))
# One sync worker a core: a page is CPU work (templates, SQLite, grading) that never waits on the
# network, so each worker serves one request at a time, taken in turn from the kernel's one queue,
# and more workers only take turns on the same cores (measured in docs/performance.md). With
# PostgreSQL on another machine, raise it with WEB_CONCURRENCY (gunicorn's rule of thumb is
# 2 x cores + 1).
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# Each worker builds its own app (no preload), so no database connection crosses a fork.
preload_app = False
timeout = 30
graceful_timeout = 30
keepalive = 5
# The app writes the access log itself (quizapp/logs.py), after ProxyFix: with the client's address
# rather than the proxy's, and the request's id. gunicorn's own would repeat each line without them.
accesslog = None
errorlog = "-"
# gunicorn's control socket (for gunicornc), one a server: its default, one path a user, would be
# taken over by whichever of `make serve`'s two gunicorns started last.
control_socket = f"instance/gunicorn-{PORT}.ctl"


def post_worker_init(worker):
    # What the worker loaded to build the app (modules, SQLAlchemy's metadata, the banks) lives as
    # long as the worker: moved out of the garbage collector's sight, a full collection walks only
    # what requests made, instead of stalling a request for ~50 ms (docs/performance.md).
    gc.collect()
    gc.freeze()
