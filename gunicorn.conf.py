"""gunicorn settings for `make serve`: the same app and database as `make run`, several workers."""

import gc
import os
import sys

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
# other; more than one worker without it refuses to start (``on_starting``). Ordinary pages are
# CPU work, so one gevent worker serves them on one core (docs/performance.md): with Redis,
# WEB_CONCURRENCY=2 uses both cores of a 2-core machine.
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
    # What the worker loaded to build the app (modules, SQLAlchemy's metadata, the banks) lives as
    # long as the worker: moved out of the garbage collector's sight, a full collection walks only
    # what requests made, instead of stalling a request for ~50 ms (docs/performance.md).
    gc.collect()
    gc.freeze()


def on_starting(server):
    # Several workers each hold some of a game's connections; without a shared message queue, what
    # one sends (the next question) never reaches the players connected to the others.
    if server.cfg.workers > 1 and not live_message_queue():
        server.log.error(
            "%d workers need LIVE_MESSAGE_QUEUE (QUIZAPP_LIVE_MESSAGE_QUEUE=redis://host:6379/0): without "
            "it a live game's players on one worker never hear from its host on another. Set it, or "
            "run one worker (WEB_CONCURRENCY=1). See docs/deploy.md, \"Live games\".",
            server.cfg.workers,
        )
        sys.exit(1)


def live_message_queue():
    """LIVE_MESSAGE_QUEUE as the app will read it: its environment variable, else instance/config.py."""
    from flask import Flask

    from quizapp.config import DEFAULTS

    app = Flask("quizapp", instance_relative_config=True, root_path=os.path.join(os.path.dirname(__file__), "quizapp"))
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("QUIZAPP")
    return app.config["LIVE_MESSAGE_QUEUE"]
