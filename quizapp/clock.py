"""One clock for every host. Quiz windows, deadlines and submit times follow the database's clock
on PostgreSQL, which every host shares (their own clocks drift apart), and the host's on SQLite,
where the database and the app are on one machine."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flask import has_app_context
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from quizapp.extensions import db, this_app

_KEY = "quizapp.clock"


class Offset(NamedTuple):
    """How far the database's clock is ahead of this host's, and when (``time.monotonic``) to
    measure it again."""

    ahead: timedelta
    due: float


def host_now() -> datetime:
    """This machine's clock (tests move it to play a host whose clock is off)."""
    return datetime.now(UTC)


def now() -> datetime:
    """The site's time: this host's clock set right by its offset to the database's clock."""
    if not has_app_context():
        return host_now()
    return host_now() + offset()


def offset() -> timedelta:
    """The database's clock minus this host's, measured once per CLOCK_SYNC_SECONDS per app (zero
    on SQLite, whose clock is this host's)."""
    app = this_app()
    known: Offset | None = app.extensions.get(_KEY)
    ticks = time.monotonic()
    if known is None or ticks >= known.due:
        engine = db.engine
        if engine.dialect.name == "sqlite":
            known = Offset(timedelta(0), math.inf)
        else:
            known = Offset(measure(engine), ticks + app.config["CLOCK_SYNC_SECONDS"])
        app.extensions[_KEY] = known
    return known.ahead


def measure(engine: Engine) -> timedelta:
    """Read the database's clock once; half the round trip is the most the result can be off."""
    with engine.connect() as connection:
        before = host_now()
        database: datetime = connection.execute(select(func.statement_timestamp())).scalar_one()
        after = host_now()
    return database - (before + (after - before) / 2)
