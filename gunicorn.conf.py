"""gunicorn settings for `make serve`: the same app and database as `make run`, several workers."""

import gc
import multiprocessing
import os

wsgi_app = "quizapp:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# One worker a core: on SQLite a request never waits on the network, so more workers only take
# turns on the same cores (measured in docs/performance.md). With PostgreSQL on another machine,
# raise it with WEB_CONCURRENCY (gunicorn's rule of thumb is 2 x cores + 1).
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


def post_worker_init(worker):
    # What the worker loaded to build the app (modules, SQLAlchemy's metadata, the banks) lives as
    # long as the worker: moved out of the garbage collector's sight, a full collection walks only
    # what requests made, instead of stalling a request for ~50 ms (docs/performance.md).
    gc.collect()
    gc.freeze()
