"""Starting and upgrading hosts: migrations take turns under a lock, a host whose code is older than
the database serves it if the schema still allows, and `make serve` installs PostgreSQL's driver."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from quizapp import create_app
from quizapp.config import database_uri
from quizapp.extensions import db
from quizapp.schema import OLDEST_CODE, schema_status
from tests.factories import ROOT, TEST_DATABASE_URL, empty_database, register

QUIZAPP = str(Path(sys.executable).parent / "quizapp")


def quizapp(url: str, *args: str) -> subprocess.Popen:
    """Start the ``quizapp`` command on the database at ``url``, as a host's `make serve` would."""
    env = {**os.environ, "QUIZAPP_DATABASE_URL": url, "QUIZAPP_SECRET_KEY": "upgrade-tests"}
    return subprocess.Popen(  # noqa: S603 - the app's own command, fixed arguments
        [QUIZAPP, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    output, _ = process.communicate(timeout=120)
    return process.returncode, output


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it: a new SQLite file, or the test PostgreSQL emptied."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'hosts.sqlite3'}"
        return
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_uri(TEST_DATABASE_URL)})
    with app.app_context():
        empty_database()
        db.engine.dispose()
    yield TEST_DATABASE_URL
    with app.app_context():
        empty_database()
        db.engine.dispose()


def test_two_hosts_upgrading_an_empty_database_at_once_take_turns_and_both_start(empty_url):
    hosts = [quizapp(empty_url, "db", "upgrade") for _ in range(2)]
    results = [finish(host) for host in hosts]

    assert [code for code, _ in results] == [0, 0], results
    output = "".join(out for _, out in results)
    assert output.count("Running upgrade  -> 0001") == 1
    assert output.count("Running upgrade 0006 -> 0007") == 1
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_uri(empty_url)})
    with app.app_context():
        status = schema_status()
        with db.engine.connect() as connection:
            versions = connection.scalars(text("SELECT version_num FROM alembic_version")).all()
            settings = connection.scalars(
                text("SELECT value FROM site_settings WHERE name = :name"), {"name": OLDEST_CODE}
            ).all()
        db.engine.dispose()
    assert status.servable
    assert versions == [status.code]
    assert settings == ["0006"]


def test_upgrading_a_database_already_at_this_codes_revision_changes_nothing(app):
    code, output = finish(quizapp(app.config["SQLALCHEMY_DATABASE_URI"], "db", "upgrade"))

    assert code == 0, output
    assert "Running upgrade" not in output


def newer_database(app, oldest_code: str) -> None:
    """Make the test's database look migrated by a release after this code (revision 0099)."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        connection.execute(
            text("UPDATE site_settings SET value = :value WHERE name = :name"),
            {"value": oldest_code, "name": OLDEST_CODE},
        )


def test_a_host_older_than_a_compatible_database_says_so_and_starts(app, another_app, caplog):
    newer_database(app, oldest_code="0006")

    code, output = finish(quizapp(app.config["SQLALCHEMY_DATABASE_URI"], "db", "upgrade"))

    assert code == 0, output
    assert "The database is at revision 0099, newer than this code (0010_live_games)." in output
    assert "Can't locate revision" not in output
    with caplog.at_level(logging.WARNING):
        host = another_app()
    assert any("newer than this code (0010_live_games)" in r.getMessage() for r in caplog.records)
    assert register(host.test_client(), "ada").status_code == 302
    with app.app_context():
        assert schema_status().database == "0099"


def test_a_host_too_old_for_the_database_refuses_plainly_and_changes_nothing(app):
    newer_database(app, oldest_code="0099")

    code, output = finish(quizapp(app.config["SQLALCHEMY_DATABASE_URI"], "db", "upgrade"))

    assert code == 1
    assert "The database is at revision 0099, newer than this code (0010_live_games)." in output
    assert "install the newer release on this host" in output
    assert "Traceback" not in output
    with app.app_context():
        status = schema_status()
    assert (status.database, status.newer, status.servable) == ("0099", True, False)


def test_the_schema_status_tells_an_unmigrated_an_older_and_a_current_database_apart(app):
    with app.app_context():
        current = schema_status()
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
        older = schema_status()
        empty_database()
        unmigrated = schema_status()

    assert (current.database, current.servable, current.newer) == (current.code, True, False)
    assert (older.servable, older.newer) == (False, False)
    assert "older than this code" in older.message()
    assert (unmigrated.database, unmigrated.servable) == (None, False)


def make_dry_run(*args: str, **env: str) -> str:
    """What `make` would run for ``args`` in a new virtualenv, without running it."""
    completed = subprocess.run(  # noqa: S603 - make with fixed arguments
        ["make", "-n", *args, "VENV=/nonexistent/venv"],  # noqa: S607 - make from the PATH
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def test_make_serve_installs_the_postgresql_driver_for_a_postgresql_database():
    assert "'.[postgres]'" in make_dry_run("serve", QUIZAPP_DATABASE_URL="postgresql://quiz@db/quiz")
    assert "'.[postgres]'" in make_dry_run("serve", QUIZAPP_DATABASE_URL="postgres://quiz@db/quiz")


def test_make_run_and_serve_install_no_driver_for_sqlite():
    env = {"QUIZAPP_DATABASE_URL": "sqlite:////tmp/quiz.sqlite3"}
    assert "postgres" not in make_dry_run("serve", **env)
    assert "postgres" not in make_dry_run("run", **env)
