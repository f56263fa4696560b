"""Settings of the whole site, kept in the database so that every host has the same ones: for now,
the school's time zone. Each host caches them for SITE_SETTINGS_SECONDS."""

from __future__ import annotations

import time
from functools import cache
from typing import NamedTuple
from zoneinfo import available_timezones

from flask import Flask
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from quizapp import clock
from quizapp.database import WRITE, upsert, write_transaction
from quizapp.extensions import db, this_app
from quizapp.models import SiteSetting

#: The setting holding the school's time zone (an IANA name such as Europe/Paris).
TIME_ZONE = "timezone"

_KEY = "quizapp.site_zone"
_READ = select(SiteSetting.value).where(SiteSetting.name == bindparam("name"))


class SettingError(ValueError):
    """A setting refused; the message says why, in the admin's terms."""


class ZoneMismatch(RuntimeError):
    """This host's TIMEZONE is not the school's time zone stored in the database."""


class _Cached(NamedTuple):
    value: str | None
    #: When (``time.monotonic``) to read it again.
    due: float


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_zone(name: str) -> str:
    """``name`` if it names a time zone; SettingError otherwise."""
    if name not in _zone_names():
        raise SettingError(
            f"“{name}” is not a time zone. Use its IANA name, such as Europe/Paris or Asia/Almaty."
        )
    return name


def school_zone_name() -> str:
    """The school's time zone as stored in the database, read again at most every
    SITE_SETTINGS_SECONDS. Until a host has stored one: this host's TIMEZONE, or UTC."""
    app = this_app()
    cached: _Cached | None = app.extensions.get(_KEY)
    if cached is None or time.monotonic() >= cached.due:
        with db.engine.connect() as connection:
            cached = _remember(app, connection.scalar(_READ, {"name": TIME_ZONE}))
    return cached.value or app.config["TIMEZONE"] or "UTC"


def _remember(app: Flask, value: str | None) -> _Cached:
    cached = _Cached(value, time.monotonic() + app.config["SITE_SETTINGS_SECONDS"])
    app.extensions[_KEY] = cached
    return cached


def set_school_zone(name: str) -> None:
    """Make ``name`` the school's time zone on every host (the others see it within
    SITE_SETTINGS_SECONDS): quiz times are typed and shown in it, flashcard days follow it."""
    valid_zone(name)
    with write_transaction():
        statement = _insert(name)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[SiteSetting.name],
                set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
            )
        )
    _remember(this_app(), name)


def _insert(zone: str) -> postgresql.Insert | sqlite.Insert:
    return upsert(SiteSetting.__table__).values(name=TIME_ZONE, value=zone, updated_at=clock.now())


def settle_time_zone(app: Flask) -> None:
    """At start-up, store the school's time zone if no host has yet (this host's TIMEZONE, else
    UTC), and refuse to start if this host's TIMEZONE is another one."""
    configured = app.config["TIMEZONE"]
    with app.app_context():
        try:
            stored = _adopt_zone(configured or "UTC")
        except SQLAlchemyError as exc:
            # A database not reachable yet: the app starts, as before this check, and every page
            # reads the database's zone once it is there.
            app.logger.warning("The school's time zone was not checked at start-up: %s", exc)
            return
    if stored is None:
        return  # not migrated yet (``quizapp db upgrade`` builds the app too): the next start stores it
    _remember(app, stored)
    if configured is not None and configured != stored:
        with app.app_context():
            db.engine.dispose()  # this app will never serve: its connections go now, not at exit
        raise ZoneMismatch(
            f"This host's TIMEZONE is {configured}, but the school's time zone, stored in the "
            f"database for every host, is {stored}. Remove TIMEZONE from this host's configuration "
            "(instance/config.py, or the QUIZAPP_TIMEZONE environment variable) to use the "
            f"school's; or, if {stored} is wrong, change the school's time zone on the admin's Site "
            f"settings page, or with `quizapp settings timezone {configured}` on a host that does "
            "not set TIMEZONE."
        )


def _adopt_zone(zone: str) -> str | None:
    """The school's time zone in the database, ``zone`` stored first if there is none (two hosts
    starting at once store one); None if the database has no settings table yet."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table(SiteSetting.__tablename__):
            return None
        stored = connection.scalar(_READ, {"name": TIME_ZONE})
        connection.rollback()
        if stored is not None:
            return stored
        # On SQLite the write lock is taken at BEGIN, so another host's write cannot fail this one.
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            connection.execute(_insert(zone).on_conflict_do_nothing())
            return connection.scalar(_READ, {"name": TIME_ZONE})
