"""Live games as `make serve` runs them: pages on gunicorn.conf.py's sync workers, and Socket.IO,
over WebSockets and long polling, on gunicorn.live.conf.py's gevent worker on a port of its own,
which refuses several workers without a message queue; and who may connect."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import aiohttp
import pytest
import socketio

from quizapp.extensions import db
from quizapp.live.events import async_mode, same_site
from quizapp.models import LiveGame
from tests.factories import ROOT, free_port, login, run_async

BIN = Path(sys.executable).parent
NS = "/live"
#: How long gunicorn may take to start or to stop.
PATIENCE = 60


def serve_env(**extra: str) -> dict[str, str]:
    """``make serve``'s environment: this one without the run's QUIZAPP_ settings, on two free
    ports (pages, live connections), and with the driver the tests' venv already has."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZAPP_")}
    return {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "LIVE_PORT": str(free_port()),
        "QUIZAPP_SECRET_KEY": "k" * 32,
        **extra,
    }


MAKE_SERVE = ["make", "--no-print-directory", "serve", "DRIVER="]


def answers(url: str) -> bool:
    try:
        with urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


def test_make_serve_refuses_several_live_workers_without_a_message_queue_and_stops_the_pages_too(tmp_path):
    env = serve_env(LIVE_WORKERS="2", QUIZAPP_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    done = subprocess.run(  # noqa: S603 - our own make, our own arguments
        MAKE_SERVE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=PATIENCE
    )
    assert done.returncode != 0
    assert "2 live workers need LIVE_MESSAGE_QUEUE" in done.stderr
    assert "LIVE_WORKERS=1" in done.stderr
    # The pages' gunicorn, which had started, went with it: nothing answers on either port.
    assert "Listening at: http://127.0.0.1:" + env["PORT"] in done.stderr
    assert not answers(f"http://127.0.0.1:{env['PORT']}")


def test_the_tests_and_the_development_server_run_socketio_on_threads():
    assert async_mode() == "threading"


# python-socketio's client leaves one aiohttp connection unreleased when it disconnects from a long
# poll (the server answers the poll still pending with 400, "Session is disconnected"): collected
# within this test, and not a failure of the server's.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function Connection.__del__:pytest.PytestUnraisableExceptionWarning"
)
def test_make_serve_plays_a_game_on_its_live_port_over_websocket_and_polling_and_keeps_its_clock(
    live_app, make_game, banks_dir, tmp_path
):
    """`make serve` itself, on the test's database: its pages (sync workers) send a phone to the
    live port, where a gevent worker holds the connections; a phone joins over long polling,
    another over a WebSocket, both from the page's origin, the host's screen opens a 5-second
    question, and the server's own timer (a greenlet) closes it, with no host action, and tells the
    phones their result. Ctrl-C then stops both servers."""
    game_id = make_game(seconds=5)
    with live_app.app_context():
        pin = db.session.get_one(LiveGame, game_id).pin
    browser = live_app.test_client()
    assert login(browser, "prof").status_code == 302
    cookie = f"session={browser.get_cookie('session').value}"
    env = serve_env(
        QUIZAPP_DATABASE_URL=live_app.config["SQLALCHEMY_DATABASE_URI"],
        QUIZAPP_SECRET_KEY=live_app.config["SECRET_KEY"],
        QUIZAPP_BANKS_DIR=str(banks_dir),
        QUIZAPP_LOG_LEVEL="DEBUG",  # to read the async mode the app chose
        QUIZAPP_LIVE_SWEEP_SECONDS="0",  # the question's own timer closes it, not the sweeper
    )
    pages = f"http://127.0.0.1:{env['PORT']}"
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own make, our own arguments
            MAKE_SERVE, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        deadline = time.monotonic() + PATIENCE
        while not (answers(pages) and answers(f"http://127.0.0.1:{env['LIVE_PORT']}")):
            assert server.poll() is None, log.read_text()[-3000:]
            if time.monotonic() > deadline:
                pytest.fail("make serve never answered:\n" + log.read_text()[-3000:])
            time.sleep(0.1)
        # The phone's page, from the pages' server, names the port its script connects to.
        with urlopen(f"{pages}/live/play/{pin}") as response:  # noqa: S310 - loopback
            port = re.search(r'data-socket-port="(\d*)"', response.read().decode()).group(1)
        assert port == env["LIVE_PORT"]
        url = f"http://127.0.0.1:{port}"
        origin = {"Origin": pages}

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
                    await phone.connect(url, namespaces=[NS], transports=[transport], headers=origin)
                    assert phone.transport() == transport
                    joined = await phone.call(
                        "join", {"pin": pin, "nickname": transport}, namespace=NS, timeout=PATIENCE
                    )
                    assert joined["ok"], joined
                    phones[transport] = phone
                host = socketio.AsyncClient(http_session=http)
                await host.connect(
                    url, namespaces=[NS], transports=["websocket"], headers={"Cookie": cookie, **origin}
                )
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

        results = run_async(play())
        gc.collect()
        assert {transport: result["outcome"] for transport, result in results.items()} == {
            "websocket": "none",
            "polling": "none",
        }
        with live_app.app_context():
            assert db.session.get_one(LiveGame, game_id).state == "reveal"
        written = log.read_text()
        assert f"Listening at: {pages}" in written
        assert "Using worker: sync" in written
        assert f"Listening at: {url}" in written
        assert "Using worker: gevent" in written
        assert "live games: Socket.IO on gevent" in written
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C, to make and both servers
        server.wait(timeout=PATIENCE)
    assert not answers(pages)
    assert not answers(url)


@pytest.mark.parametrize("live_port", [False, True], ids=["one-origin", "make-serve"])
def test_a_page_of_another_site_cannot_open_a_live_connection_with_the_hosts_cookie(
    another_app, make_game, serve, live_port
):
    """The host's screen connects from a page of this host (on another port of it under `make
    serve`); a page of another site, sending the host's cookie too, is refused."""
    # An app of its own: Flask-SocketIO's test client, which other tests used on the run's app,
    # takes over the sending of its server for good.
    served = another_app(LIVE_SWEEP_SECONDS=0, LIVE_SOCKET_PORT=free_port() if live_port else None)
    browser = served.test_client()
    assert login(browser, "prof").status_code == 302
    cookie = f"session={browser.get_cookie('session').value}"
    url = serve(served)
    page = "http://127.0.0.1:9" if live_port else url

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
    assert run_async(connect_from("http://evil.example")) is None
    assert run_async(connect_from(page))["ok"]


@pytest.mark.parametrize(
    ("origin", "host", "forwarded", "allowed"),
    [
        ("http://127.0.0.1:5000", "127.0.0.1:5001", {}, True),  # make serve: the pages' port
        ("http://127.0.0.1:5001", "127.0.0.1:5001", {}, True),  # the same origin
        ("http://quiz.example:5000", "QUIZ.example:5001", {}, True),
        ("http://evil.example:5000", "127.0.0.1:5001", {}, False),
        ("http://127.0.0.1.evil.example", "127.0.0.1:5001", {}, False),
        ("https://127.0.0.1:5000", "127.0.0.1:5001", {}, False),  # another scheme
        ("http://127.0.0.1:port", "127.0.0.1:5001", {}, False),
        ("null", "127.0.0.1:5001", {}, False),  # a sandboxed page, a file
        (None, "127.0.0.1:5001", {}, False),
        (
            "https://quiz.school.example",
            "127.0.0.1:5001",
            {"HTTP_X_FORWARDED_HOST": "quiz.school.example", "HTTP_X_FORWARDED_PROTO": "https"},
            True,
        ),
    ],
)
def test_live_connections_are_taken_from_pages_of_this_host_only(origin, host, forwarded, allowed):
    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": host, **forwarded}
    assert same_site(origin, environ) is allowed
