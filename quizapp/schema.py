"""Which schema the database has, and whether this code may serve it: the same revision as this
code's newest migration, or a newer one whose migrations kept this code working (docs/migrations.md)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app
from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from quizapp.extensions import db
from quizapp.models import SiteSetting

#: The site setting that names the oldest code revision that still runs on the database's schema.
#: An expand-only migration leaves it; a contract migration sets it to its own revision.
OLDEST_CODE = "schema.oldest_code"


@dataclass(frozen=True)
class SchemaStatus:
    """The database's Alembic revision (None before any migration) beside this code's head."""

    database: str | None
    code: str
    #: The oldest code the database still serves, read only when the database is newer than this code.
    oldest_code: str | None = None
    servable: bool = False
    newer: bool = False

    def message(self) -> str:
        """What an operator reads about this database and this code, and what to do about it."""
        if self.database is None:
            return f"The database has no schema yet: run `quizapp db upgrade` (this code is at {self.code})."
        if not self.newer:
            if self.servable:
                return f"The database is at revision {self.database}, this code's."
            return (
                f"The database is at revision {self.database}, older than this code ({self.code}): "
                "run `quizapp db upgrade`."
            )
        newer = f"The database is at revision {self.database}, newer than this code ({self.code})."
        if self.servable:
            return (
                f"{newer} Its schema still runs code from revision {self.oldest_code} on, so this host "
                "serves it unchanged; install the newer code here when you can."
            )
        needs = f"code from revision {self.oldest_code} on" if self.oldest_code else "newer code"
        return f"{newer} It needs {needs}: install the newer release on this host before starting it."


def schema_status(connection: Connection | None = None) -> SchemaStatus:
    """Compare the database's revision with this code's migrations (in an app context; on
    ``connection`` if given, e.g. the one a migration holds its lock on)."""
    if connection is None:
        with db.engine.connect() as own:
            return schema_status(own)
    script = _migrations(current_app.extensions["migrate"].directory)
    code = script.get_current_head()
    if code is None:
        raise RuntimeError(f"no migrations in {script.dir}")
    database = MigrationContext.configure(connection).get_current_revision()
    if database is None or _knows(script, database):
        return SchemaStatus(database, code, servable=database == code)
    oldest = connection.scalar(select(SiteSetting.value).where(SiteSetting.name == OLDEST_CODE))
    # Every revision this code knows is at or before its head, so knowing the oldest one suffices.
    servable = oldest is not None and _knows(script, oldest)
    return SchemaStatus(database, code, oldest_code=oldest, servable=servable, newer=True)


@cache
def _migrations(directory: str) -> ScriptDirectory:
    """The migrations of ``directory``, read once per process (readiness probes ask every few
    seconds, and the files change only with the code)."""
    return ScriptDirectory(directory)


def _knows(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:  # "Can't locate revision": none of these migrations has it
        return False


def warn_if_newer(app: Flask) -> None:
    """Log, as the app starts, that its database is newer than its code (so this host runs the
    previous release during a rolling upgrade, or should not run at all)."""
    try:
        with app.app_context():
            if db.engine.dialect.name == "sqlite" and not os.path.exists(db.engine.url.database or ""):
                return  # no file yet: nothing to be newer, and no empty file made by looking
            status = schema_status()
    except SQLAlchemyError:  # a database not reachable yet: the first request will say so
        return
    if status.newer:
        app.logger.log(logging.WARNING if status.servable else logging.ERROR, status.message())
