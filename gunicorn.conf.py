"""gunicorn settings for `make serve`: the same app and database as `make run`, on gevent workers
(one unless WEB_CONCURRENCY says more), which hold live games' connections too."""

import gc
import os
import sys

from gunicorn.arbiter import Arbiter

WORKER_BOOT_ERROR = Arbiter.WORKER_BOOT_ERROR

wsgi_app = "quizapp:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# gevent's worker: each worker serves many connections at once on one thread, switching between
# them while they wait, so one process holds a live game's thousand open WebSockets
# (docs/deploy.md, "Live games"). gunicorn patches the standard library in each worker before it
# builds the app (no preload, below); the app then runs Socket.IO on gevent (quizapp.live.events).
worker_class = "gevent"
# Connections one worker holds open at once: a class's phones and the host screen, with room to
# spare (gunicorn's default is 1,000).
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", 4000))
# One worker unless WEB_CONCURRENCY says more: a live game's players and its host may connect to
# different processes, which then need the message queue LIVE_MESSAGE_QUEUE (Redis) to reach each
# other; more than one worker without it refuses to start (``post_worker_init``). Even with it,
# workers sharing a port break Socket.IO's long polling, with which the browser's client begins:
# to use more cores, run one such gunicorn per core on ports of their own behind nginx
# (docs/deploy.md, "Live games"). Ordinary pages are CPU work: one worker serves them on one core.
workers = int(os.environ.get("WEB_CONCURRENCY", 1))
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
    # Several workers each hold some of a game's connections; without a shared message queue, what
    # one sends (the next question) never reaches the players connected to the others. Checked on
    # the app the worker built, which read every layer of the configuration; a worker that exits
    # with WORKER_BOOT_ERROR stops gunicorn. (The master never imports the app: what it imported
    # before the worker patched the standard library for gevent would stay unpatched.) The
    # benchmarks' bare apps have no live games.
    app = worker.wsgi
    live = "socketio" in getattr(app, "extensions", {})
    if live and worker.cfg.workers > 1 and not app.config["LIVE_MESSAGE_QUEUE"]:
        worker.log.error(
            "%d workers need LIVE_MESSAGE_QUEUE (QUIZAPP_LIVE_MESSAGE_QUEUE=redis://host:6379/0): without "
            "it a live game's players on one worker never hear from its host on another. Set it, or "
            "run one worker (WEB_CONCURRENCY=1). See docs/deploy.md, \"Live games\".",
            worker.cfg.workers,
        )
        sys.exit(WORKER_BOOT_ERROR)
    # What the worker loaded to build the app (modules, SQLAlchemy's metadata, the banks) lives as
    # long as the worker: moved out of the garbage collector's sight, a full collection walks only
    # what requests made, instead of stalling a request for ~50 ms (docs/performance.md).
    gc.collect()
    gc.freeze()

