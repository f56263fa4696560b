"""Live games as `make serve` runs them: gunicorn with gunicorn.conf.py (gevent workers) serves
Socket.IO over WebSockets and long polling, and refuses several workers without a message queue."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import aiohttp
import pytest
import socketio

from quizapp.extensions import db
from quizapp.live.events import async_mode
from quizapp.models import LiveGame
from tests.factories import ROOT, login

BIN = Path(sys.executable).parent
NS = "/live"
#: How long gunicorn may take to start or to stop.
PATIENCE = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZAPP_")}
    return {**env, "HOST": "127.0.0.1", "PORT": str(free_port()), "QUIZAPP_SECRET_KEY": "k" * 32, **extra}


def test_several_workers_without_a_message_queue_refuse_to_start_and_say_why(tmp_path):
    env = gunicorn_env(
        tmp_path, WEB_CONCURRENCY="2", QUIZAPP_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    done = subprocess.run(  # noqa: S603 - our own gunicorn, our own arguments
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert done.returncode != 0
    assert "2 workers need LIVE_MESSAGE_QUEUE" in done.stderr
    assert "WEB_CONCURRENCY=1" in done.stderr


def test_the_tests_and_the_development_server_run_socketio_on_threads():
    assert async_mode() == "threading"


# python-socketio's client leaves one aiohttp connection unreleased when it disconnects from a long
# poll (the server answers the poll still pending with 400, "Session is disconnected"): collected
# within this test, and not a failure of the server's.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function Connection.__del__:pytest.PytestUnraisableExceptionWarning"
)
def test_make_serves_gevent_worker_plays_a_game_over_websocket_and_polling_and_keeps_its_clock(
    live_app, make_game, banks_dir, tmp_path
):
    """gunicorn as `make serve` runs it, on the test's database: a phone joins over long polling,
    another over a WebSocket, the host's screen opens a 5-second question, and the server's own
    timer (a greenlet) closes it, with no host action, and tells the phones their result."""
    game_id = make_game(seconds=5)
    with live_app.app_context():
        pin = db.session.get_one(LiveGame, game_id).pin
    browser = live_app.test_client()
    assert login(browser, "prof").status_code == 302
    cookie = f"session={browser.get_cookie('session').value}"
    env = gunicorn_env(
        tmp_path,
        QUIZAPP_DATABASE_URL=live_app.config["SQLALCHEMY_DATABASE_URI"],
        QUIZAPP_SECRET_KEY=live_app.config["SECRET_KEY"],
        QUIZAPP_BANKS_DIR=str(banks_dir),
        QUIZAPP_LOG_LEVEL="DEBUG",  # to read the async mode the app chose
        QUIZAPP_LIVE_SWEEP_SECONDS="0",  # the question's own timer closes it, not the sweeper
    )
    url = f"http://127.0.0.1:{env['PORT']}"
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, our own arguments
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + PATIENCE
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                with urlopen(url + "/healthz") as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn never answered:\n" + log.read_text()[-3000:])
                time.sleep(0.1)

        async def play() -> dict[str, dict]:
            results: dict[str, dict] = {}
            closed = {name: asyncio.Event() for name in ("websocket", "polling")}
            async with aiohttp.ClientSession() as http:
                phones = {}
                for transport in closed:
                    phone = socketio.AsyncClient(http_session=http)

                    def on_result(data, transport=transport):
                        results[transport] = data
                        closed[transport].set()

                    phone.on("result", on_result, namespace=NS)
                    await phone.connect(url, namespaces=[NS], transports=[transport])
                    assert phone.transport() == transport
                    joined = await phone.call(
                        "join", {"pin": pin, "nickname": transport}, namespace=NS, timeout=PATIENCE
                    )
                    assert joined["ok"], joined
                    phones[transport] = phone
                host = socketio.AsyncClient(http_session=http)
                await host.connect(url, namespaces=[NS], transports=["websocket"], headers={"Cookie": cookie})
                try:
                    view = (await host.call("host_join", {"game": game_id}, namespace=NS, timeout=PATIENCE))[
                        "view"
                    ]
                    moved = await host.call(
                        "host_next",
                        {"game": game_id, "version": view["version"]},
                        namespace=NS,
                        timeout=PATIENCE,
                    )
                    assert moved["state"] == "question"
                    for event in closed.values():
                        await asyncio.wait_for(event.wait(), PATIENCE)
                finally:
                    for client in (host, *phones.values()):
                        await client.disconnect()
            return results

        results = asyncio.run(play())
        gc.collect()
        assert {transport: result["outcome"] for transport, result in results.items()} == {
            "websocket": "none",
            "polling": "none",
        }
        with live_app.app_context():
            assert db.session.get_one(LiveGame, game_id).state == "reveal"
        written = log.read_text()
        assert "Using worker: gevent" in written
        assert "live games: Socket.IO on gevent" in written
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=PATIENCE)


def test_a_page_of_another_site_cannot_open_a_live_connection_with_the_hosts_cookie(
    another_app, make_game, serve
):
    # An app of its own: Flask-SocketIO's test client, which other tests used on the run's app,
    # takes over the sending of its server for good.
    served = another_app(LIVE_SWEEP_SECONDS=0)
    browser = served.test_client()
    assert login(browser, "prof").status_code == 302
    cookie = f"session={browser.get_cookie('session').value}"
    url = serve(served)

    async def connect_from(origin: str) -> dict | None:
        async with aiohttp.ClientSession() as http:
            screen = socketio.AsyncClient(http_session=http)
            try:
                await screen.connect(
                    url,
                    namespaces=[NS],
                    transports=["websocket"],
                    headers={"Cookie": cookie, "Origin": origin},
                )
            except socketio.exceptions.ConnectionError:
                return None
            try:
                return await screen.call("host_join", {"game": game_id}, namespace=NS, timeout=PATIENCE)
            finally:
                await screen.disconnect()

    game_id = make_game()
    assert asyncio.run(connect_from("http://evil.example")) is None
    assert asyncio.run(connect_from(url))["ok"]
