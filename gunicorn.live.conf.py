"""gunicorn settings for live games' connections under `make serve`: the app of gunicorn.conf.py,
with its settings, on LIVE_PORT (the pages' port + 1), in one gevent worker that holds a class's
thousand open WebSockets (docs/deploy.md, "Live games"). It serves /socket.io/; the pages stay on
the sync workers of gunicorn.conf.py."""

import os
import runpy
import sys
from pathlib import Path

from gunicorn.arbiter import Arbiter

# The pages' settings (the app, the host, the ports, timeouts, logs, gc.freeze), then what differs.
# Their names only: the file's own, such as __file__, stay this file's.
_pages = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))
globals().update({name: value for name, value in _pages.items() if not name.startswith("_")})
_freeze = _pages["post_worker_init"]

bind = f"{_pages['HOST']}:{_pages['LIVE_PORT']}"
# gevent's worker: one thread serves many connections, switching between them while they wait on
# the network. gunicorn patches the standard library in the worker before it builds the app (no
# preload), and the app then runs Socket.IO on gevent (quizapp.live.events.async_mode).
worker_class = "gevent"
# Connections the worker holds open at once: a class's phones and the host screen, with room to
# spare (gunicorn's default is 1,000).
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", 4000))
# One worker unless LIVE_WORKERS says more: a game's players and its host may connect to different
# processes, which then need the message queue LIVE_MESSAGE_QUEUE (Redis) to reach each other; more
# than one without it refuses to start (below). Even with it, workers sharing a port break
# Socket.IO's long polling: for more, run one such gunicorn a port behind nginx (docs/deploy.md).
workers = int(os.environ.get("LIVE_WORKERS", 1))
# A connection's next request read at once, without a turn for the others, lets one busy client
# keep the worker to itself: one request a connection, as the sync workers do.
keepalive = 0
control_socket = f"instance/gunicorn-{_pages['LIVE_PORT']}.ctl"
WORKER_BOOT_ERROR = Arbiter.WORKER_BOOT_ERROR


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
            "%d live workers need LIVE_MESSAGE_QUEUE (QUIZAPP_LIVE_MESSAGE_QUEUE=redis://host:6379/0): "
            "without it a live game's players on one worker never hear from its host on another. Set "
            'it, or run one (LIVE_WORKERS=1). See docs/deploy.md, "Live games".',
            worker.cfg.workers,
        )
        sys.exit(WORKER_BOOT_ERROR)
    _freeze(worker)


def worker_exit(server, worker):
    # A worker stopping (Ctrl-C, a restart, max requests) wakes its games' timers, which return
    # without acting: a question they would have closed is closed by the next worker's sweeper.
    app = getattr(worker, "wsgi", None)  # none if the worker failed to build it
    if "socketio" in getattr(app, "extensions", {}):
        from quizapp.live.events import stop_timers

        stop_timers(app)
