"""Fixtures of the live-game tests: an app context to call operations in, the host, the every-type
bank, and the site's clock stopped at a moment each test moves on by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from quizapp import clock
from quizapp.banks import Bank
from quizapp.extensions import bank_registry, db
from quizapp.models import User
from tests.factories import make_instructor

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
