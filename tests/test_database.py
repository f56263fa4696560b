"""The schema comes from the migrations, and SQLite is set up for several worker processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from quizapp import create_app
from quizapp.database import write_transaction
from quizapp.extensions import db
from quizapp.models import User
from tests.factories import sqlite_only


def test_migrations_build_a_fresh_database_that_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        assert {"users", "attempts", "responses", "alembic_version"} <= set(
            inspect(connection).get_table_names()
        )
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_upgrading_an_existing_database_keeps_its_rows(app, banks_dir):
    with app.app_context():
        user = User(username="ada", display_name="Ada")
        user.set_password("a long password")
        db.session.add(user)
        db.session.commit()

    config = {"TESTING": True, "SECRET_KEY": "x", "BANKS_DIR": str(banks_dir)}
    again = create_app({**config, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with again.app_context():
        flask_migrate.upgrade()
        assert db.session.scalar(select(User.username)) == "ada"
        db.session.remove()
        db.engine.dispose()


def test_the_migrations_downgrade_to_nothing_and_back(app):
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert "attempts" in inspect(connection).get_table_names()


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@sqlite_only
def test_a_write_transaction_waits_for_another_writer_instead_of_failing(app):
    """A deferred transaction that reads, then writes while another process holds the write lock,
    fails at once with "database is locked"; ours takes the lock at BEGIN and waits its turn."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('bob', 'Bob', 'x', '2026-01-01 00:00:00')"
    )
    released = threading.Timer(0.5, other.execute, args=("COMMIT",))
    released.start()
    began = time.monotonic()
    try:
        with app.app_context(), write_transaction():
            count = db.session.execute(text("SELECT count(*) FROM users")).scalar()
            user = User(username="ada", display_name="Ada")
            user.set_password("a long password")
            db.session.add(user)
    finally:
        released.join()
        other.close()
    assert time.monotonic() - began >= 0.4
    assert count == 1
    with app.app_context():
        assert sorted(db.session.scalars(select(User.username))) == ["ada", "bob"]


@sqlite_only
def test_writers_in_other_processes_wait_for_the_writers_lock_until_the_transaction_ends(app):
    """Writers take turns through a lock file next to the database, which a blocked writer gets
    the moment it is released (SQLite's own busy wait sleeps in steps of milliseconds)."""
    lock_file = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + "-writers"
    take_it = (
        "import fcntl, os, sys; fcntl.flock(os.open(sys.argv[1], os.O_RDWR), fcntl.LOCK_EX | fcntl.LOCK_NB)"
    )

    def another_process_may_write() -> bool:
        command = [sys.executable, "-c", take_it, lock_file]
        return subprocess.run(command, capture_output=True, check=False).returncode == 0  # noqa: S603

    with app.app_context():
        with write_transaction():
            user = User(username="ada", display_name="Ada")
            user.set_password("a long password")
            db.session.add(user)
            during = another_process_may_write()
        after = another_process_may_write()
        stored = db.session.scalars(select(User.username)).all()
    assert (during, after, stored) == (False, True, ["ada"])


#: Two writers of one process under gevent (gunicorn's gevent worker): the first pauses inside its
#: transaction, as one waiting for a pooled connection does, and the second then wants its turn.
GEVENT_WRITERS = """
from gevent import monkey

monkey.patch_all()
import sys

import gevent

from quizapp import create_app
from quizapp.database import write_transaction

app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
done = []


def writer(name, pause):
    gevent.sleep(0 if pause else 0.05)
    with app.app_context(), write_transaction():
        gevent.sleep(pause)
        done.append(name)


gevent.joinall([gevent.spawn(writer, "first", 0.2), gevent.spawn(writer, "second", 0)])
print(" ".join(done))
"""


@sqlite_only
def test_writers_of_one_gevent_process_take_turns_without_blocking_the_process(app):
    """A blocked ``flock`` blocks every greenlet of the process: the second writer must wait for
    its turn cooperatively, or the first, paused inside its transaction, never goes on."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", GEVENT_WRITERS, url], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["first", "second"]


def test_another_database_is_chosen_by_an_environment_variable(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", url)
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert app.config["SECRET_KEY"] == "from-env"


def test_a_postgres_url_uses_psycopg(monkeypatch):
    from quizapp.config import database_uri

    assert database_uri("postgres://u:p@localhost/q") == "postgresql+psycopg://u:p@localhost/q"
    assert database_uri("postgresql://u@localhost/q") == "postgresql+psycopg://u@localhost/q"
    assert database_uri("sqlite:///x.db") == "sqlite:///x.db"


def test_a_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    from quizapp.config import instance_secret

    path = tmp_path / "secret_key"
    first = instance_secret(path)
    assert len(first) == 64
    assert instance_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_upgrading_from_the_first_schema_keeps_accounts_and_makes_them_students(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0001")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (username, display_name, password_hash, created_at)"
                    " VALUES ('ada', 'Ada', 'x', '2026-01-01 00:00:00')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT username, role FROM users")).all()
        assert [tuple(row) for row in rows] == [("ada", "student")]


def test_workers_starting_at_once_agree_on_one_secret_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from quizapp.config import instance_secret

    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: instance_secret(path), range(16)))
    assert keys == {path.read_text().strip()}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".secret_key.")]
