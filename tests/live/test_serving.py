"""Live games as `make serve` runs them: gunicorn with gunicorn.conf.py (gevent workers) serves
Socket.IO over WebSockets and long polling, and refuses several workers without a message queue."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
import socketio

from quizapp.live.events import async_mode
from tests.factories import ROOT

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


def test_make_serves_gevent_worker_serves_live_events_over_websocket_and_polling(
    tmp_path, fresh_database, banks_dir
):
    env = gunicorn_env(
        tmp_path, QUIZAPP_DATABASE_URL=fresh_database(tmp_path), QUIZAPP_BANKS_DIR=str(banks_dir)
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

        async def try_to_join(transport: str) -> dict:
            phone = socketio.AsyncClient()
            await phone.connect(url, namespaces=[NS], transports=[transport])
            try:
                assert phone.transport() == transport
                return await phone.call(
                    "join", {"pin": "999999", "nickname": "Aru"}, namespace=NS, timeout=PATIENCE
                )
            finally:
                await phone.disconnect()

        for transport in ("websocket", "polling"):
            refused = asyncio.run(try_to_join(transport))
            assert refused["ok"] is False, transport
            assert refused["error"].startswith("No game has this PIN"), transport
        assert "Booting worker" in log.read_text()
        assert "gevent" in log.read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=PATIENCE)
