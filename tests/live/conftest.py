"""Fixtures of the live-game tests: an app context to call operations in, the host, the every-type
bank, and the site's clock stopped at a moment each test moves on by hand; for the events, a game
made by the operations, Socket.IO test clients for its host screen and its phones, and the
question timers held for the test to fire."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from quizapp import clock
from quizapp.banks import Bank
from quizapp.extensions import bank_registry, db, live_socketio
from quizapp.live import events
from quizapp.live import operations as live
from quizapp.models import User
from tests.factories import login, make_instructor

#: When every test's clock starts.
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    """The site's clock, stopped: ``clock.now()`` says ``at`` until a test moves it."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at

    def tick(self, seconds: float) -> datetime:
        self.at += timedelta(seconds=seconds)
        return self.at


@pytest.fixture
def stopped(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The site's clock, stopped at START (``stopped.tick(5)`` moves it on five seconds)."""
    now = Clock()
    monkeypatch.setattr(clock, "now", now)
    return now


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """The test runs inside the app's context, as an operation called by a view or an event does."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def host(app: Flask, ctx: Flask) -> User:
    """Instructor 'prof', made with the CLI, as the account operations see it."""
    make_instructor(app, "prof")
    return db.session.scalars(select(User).where(User.username == "prof")).one()


@pytest.fixture
def bank(ctx: Flask) -> Bank:
    """The every-type bank: one question of each type, two of them (ordering, matching) not played live."""
    found = bank_registry().get("every-type")
    assert found is not None
    return found


@dataclass
class Timers:
    """The timers the events started, held instead of run: ``fire()`` runs the ones due, as their
    sleep would have ended (the sleep itself is the library's)."""

    app: Flask
    started: list[tuple[Callable[..., None], Any]] = field(default_factory=list)

    def fire(self) -> None:
        """Run what a question's timer does once its time is up: close what is due. The counts of
        answers waiting to be sent stay held."""
        due = [(task, when) for task, when in self.started if task is not events.count_later]
        self.started = [(task, when) for task, when in self.started if task is events.count_later]
        for task, _when in due:
            if task is events.close_when_due:
                events.close_overdue(self.app)

    def count(self) -> None:
        """Send the counts of answers waiting, as their timers would once their wait is over."""
        due = [game_id for task, game_id in self.started if task is events.count_later]
        self.started = [(task, when) for task, when in self.started if task is not events.count_later]
        for game_id in due:
            events.count_now(self.app, game_id)


@pytest.fixture
def timers(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Timers:
    held = Timers(app)
    monkeypatch.setattr(events, "start_timer", lambda _app, task, when: held.started.append((task, when)))
    return held


@pytest.fixture
def live_app(app: Flask, stopped, timers: Timers) -> Iterator[Flask]:
    """The test's app with no sweeper running behind the test's back. Flask-SocketIO's test client
    puts its own packet senders on the app's Socket.IO server, and makes its handlers synchronous:
    put back after the test, or a browser test later in the run (the same app) never connects."""
    app.config["LIVE_SWEEP_SECONDS"] = 0
    server = live_socketio(app).server
    handlers = server.async_handlers, server.eio.async_handlers
    yield app
    for patched in ("_send_packet", "_send_eio_packet"):
        vars(server).pop(patched, None)
    server.async_handlers, server.eio.async_handlers = handlers


@pytest.fixture
def make_game(live_app: Flask) -> Callable[..., int]:
    """Make a live game of the every-type bank's quiz, hosted by instructor 'prof': its id."""
    make_instructor(live_app, "prof")

    def make(**settings: Any) -> int:
        with live_app.app_context():
            bank = bank_registry().get("every-type")
            assert bank is not None
            host = db.session.scalar(select(User).where(User.username == "prof"))
            chosen = {"seconds": 20, "auto_advance": False, "streak_bonus": True, "counts": False, **settings}
            game = live.create_game(host, bank, bank.quizzes["all"], None, chosen, None)
            return game.id

    return make


@pytest.fixture
def host_screen(live_app: Flask, make_game):
    """A host screen's connection, logged in as the game's host 'prof' (make a game first)."""
    browser = live_app.test_client()
    assert login(browser, "prof").status_code == 302
    return live_socketio(live_app).test_client(
        live_app, namespace=events.NAMESPACE, flask_test_client=browser
    )


@pytest.fixture
def phone(live_app: Flask):
    """A new phone's connection: ``phone()`` (no account) or ``phone(browser)`` (logged in)."""

    def connect(browser=None):
        return live_socketio(live_app).test_client(
            live_app, namespace=events.NAMESPACE, flask_test_client=browser
        )

    return connect


@pytest.fixture
def serve() -> Iterator:
    """Serve an app on a free loopback port, in a thread, as ``make run``'s server does (threads,
    WebSockets through simple-websocket): its URL."""
    servers = []

    def start(app: Flask) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
