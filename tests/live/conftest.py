"""Fixtures of live games in real time: a game made by the operations, Socket.IO test clients for
its host screen and its phones, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from quizapp.extensions import bank_registry, db, live_socketio
from quizapp.live import events
from quizapp.live import operations as live
from quizapp.models import User
from tests.factories import login, make_instructor


@dataclass
class Clock:
    """The site's clock, standing still until the test moves it."""

    at: datetime = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr("quizapp.clock.host_now", moving)
    return moving


@dataclass
class Timers:
    """The timers the events started, held instead of run: ``fire()`` runs the ones due, as their
    sleep would have ended (the sleep itself is the library's)."""

    app: Flask
    started: list[tuple[Callable[..., None], Any]] = field(default_factory=list)

    def fire(self) -> None:
        """Run what a question's timer does once its time is up: close what is due."""
        due, self.started = self.started, []
        for task, _when in due:
            if task is events.close_when_due:
                events.close_overdue(self.app)


@pytest.fixture
def timers(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Timers:
    held = Timers(app)
    monkeypatch.setattr(events, "start_timer", lambda _app, task, when: held.started.append((task, when)))
    return held


@pytest.fixture
def live_app(app: Flask, clock: Clock, timers: Timers) -> Flask:
    """The test's app with no sweeper running behind the test's back."""
    app.config["LIVE_SWEEP_SECONDS"] = 0
    return app


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
