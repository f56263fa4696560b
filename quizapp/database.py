"""The database beyond its Flask extension: write transactions that take the lock up front, the
dialect's upsert, and SQLite set up for several worker processes and kept private."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import cast

from sqlalchemy import Connection, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from quizapp.extensions import db

#: Execution option that makes a SQLite transaction take the write lock at BEGIN.
WRITE = "quizapp_write"


@contextmanager
def write_transaction(*, expire: bool = True) -> Iterator[None]:
    """Run the block as one transaction that holds the database's write lock from its start,
    and commit it (or roll it back on error).

    On SQLite a deferred transaction that reads and then writes fails at once with "database is
    locked" when another process wrote in between, whatever the busy timeout; BEGIN IMMEDIATE
    waits for the lock instead. Elsewhere this is an ordinary transaction.

    ``expire=False`` keeps the objects in the session as they were read or written instead of
    expiring them at the commits, for a hot path that reads them next and would otherwise pay a
    query per object to load them again.
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("changes were made outside write_transaction(); make them inside it")
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = expiring and expire
    try:
        db.session.commit()  # ends the read transaction the request may have begun
        with _writers_turn():
            db.session.connection(execution_options={WRITE: True})
            _turn.writing = True
            try:
                yield
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                _turn.writing = False
    finally:
        session.expire_on_commit = expiring


def writing() -> bool:
    """Whether this thread is inside ``write_transaction``: a second connection that wrote now
    would wait on the first (SQLite), or see none of its rows."""
    return _turn.writing


def upsert(table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` in the database's own dialect, so that it can say what to do with
    a row whose key is taken (``on_conflict_do_nothing`` or ``on_conflict_do_update``): every
    get-or-create is this one statement, never a read that another request can outrun."""
    return _INSERTS[db.engine.dialect.name](table)


_INSERTS: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


@contextmanager
def _writers_turn() -> Iterator[None]:
    """Wait for this writer's turn among the app's processes, on a SQLite file (elsewhere, and
    inside a turn already taken, go on at once).

    A writer that finds SQLite's write lock taken polls for it with growing sleeps (1, 2, 5,
    10 ms ...), so under a burst of submits the lock sits idle between writers while they sleep.
    Writers queue on an ``flock`` of a file beside the database instead, and a blocked ``flock``
    wakes as soon as the file is released: writers follow each other at once. Each turn opens
    the file afresh, so threads queue like processes, and closing it (or the death of the
    process) releases it. SQLite's own locking still guards the database; processes that skip
    this queue (the CLI, a backup) wait the old way.

    Within a process, writers first queue on ``_process_turn``. Threads would queue on the file
    as well, but under gunicorn's gevent worker a blocked ``flock`` blocks every request of the
    process: had the writer holding the file paused inside its transaction (waiting for a pooled
    connection, which gevent lets others run meanwhile), the process would wait forever for
    itself. The lock, which gevent makes cooperative, keeps all but one writer of a process off the
    file; that one waits only for other processes.
    """
    database = db.engine.url.database
    if db.engine.dialect.name != "sqlite" or database in (None, "", ":memory:") or _turn.held:
        yield
        return
    with _process_turn:
        fd = os.open(database + "-writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _turn.held = True
            yield
        finally:
            _turn.held = False
            os.close(fd)


class _Turn(threading.local):
    held = False
    writing = False


_turn = _Turn()
_process_turn = threading.Lock()


#: The files of a SQLite database: the database, its write-ahead log and shared memory, a rollback
#: journal, and the lock file writers queue on (``_writers_turn``).
SQLITE_FILES = ("", "-wal", "-shm", "-journal", "-writers")


def private_sqlite_files(engine: Engine, logger: logging.Logger) -> None:
    """Keep a SQLite database readable by its owner only: it holds password hashes and grades.

    The database file is made with mode 0600 just before SQLite would make it, and SQLite gives
    the -wal and -shm files it makes the database file's permissions. Files found readable by
    others now (a database made before, or copied into place) are changed to 0600, and the log
    says so.
    """
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return
    for path in (database + suffix for suffix in SQLITE_FILES):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o077:
                os.chmod(path, 0o600)
                logger.warning("%s was readable by other users (mode %04o): changed to 0600", path, mode)
        except FileNotFoundError:
            continue
        except PermissionError:
            logger.warning(
                "%s is readable by other users (mode %04o) and cannot be changed: not its owner", path, mode
            )

    @event.listens_for(engine, "do_connect")
    def create_private(_dialect: object, _record: object, _args: object, _kwargs: object) -> None:
        with suppress(FileExistsError, FileNotFoundError):  # no folder: SQLite will say so
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))


def tune_sqlite(engine: Engine) -> None:
    """Set SQLite up for several worker processes: WAL, foreign keys, a busy timeout, and
    transactions begun by us so that write transactions can take the lock up front."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE)
        # Straight to the driver: this runs at the start of every request's transaction, and a
        # statement through SQLAlchemy's execution machinery costs ten times as much.
        driver = cast(sqlite3.Connection, connection.connection.driver_connection)
        driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
