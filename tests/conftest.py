"""The cast: app, client, runner, a banks folder, bank and learner factories, and form helpers."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text

from quizapp import create_app
from quizapp.config import database_uri
from quizapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BANKS = ROOT / "questions"
DATA = Path(__file__).resolve().parent / "data"

#: A bank with one question of every type, unusual strings standing in for each part of the key,
#: so that a test can search a page for any of them.
EVERY_TYPE_BANK = (DATA / "every-type.yaml").read_text()


@pytest.fixture
def banks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "every-type.yaml").write_text(EVERY_TYPE_BANK)
    return folder


#: Run the suite on another database (e.g. PostgreSQL) instead of a fresh SQLite file per test.
#: The database is emptied before and after every test.
TEST_DATABASE_URL = os.environ.get("QUIZAPP_TEST_DATABASE_URL")

sqlite_only = pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="checks SQLite's own set-up")


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    """Give each test an empty, migrated database: the URL of a copy, in the test's folder, of a
    SQLite file migrated once for the whole run (a millisecond, where migrating takes ~150 ms); or
    on another database (PostgreSQL), the test database emptied and migrated again by one app
    kept for the run."""
    if TEST_DATABASE_URL:
        url = database_uri(TEST_DATABASE_URL)
        keeper = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})

        def emptied(_folder: Path) -> str:
            with keeper.app_context():
                empty_database()
                flask_migrate.upgrade()
                db.session.remove()
            return url

        yield emptied
        with keeper.app_context():
            db.engine.dispose()
        return
    migrated = tmp_path_factory.mktemp("migrated") / "test.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{migrated}"})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()  # the last connection closed: the write-ahead log is folded into the file
    yield lambda folder: f"sqlite:///{shutil.copy(migrated, folder / 'test.sqlite3')}"  # its mode too


@pytest.fixture
def app(tmp_path: Path, banks_dir: Path, fresh_database: Callable[[Path], str]) -> Flask:
    url = fresh_database(tmp_path)
    app = make_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "BANKS_DIR": str(banks_dir),
            "PASSWORD_MIN_LENGTH": 8,
            # One round instead of scrypt: a test logs in many times, and what it checks is the flow.
            "PASSWORD_HASH": "pbkdf2:sha256:1",
            # A bank saved on one host is served by the next request on every other.
            "BANK_CHECK_SECONDS": 0,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            empty_database()
        db.engine.dispose()


@pytest.fixture
def another_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Make more apps on the test's database and banks (another host, another configuration), each
    with ``overrides``; their connections are closed when the test ends."""
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        shared = (
            "TESTING",
            "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI",
            "BANKS_DIR",
            "PASSWORD_HASH",
            "BANK_CHECK_SECONDS",
        )
        made.append(make_app({**{key: app.config[key] for key in shared}, **overrides}))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept for the whole run. Each test makes an app, and each app a Jinja
    environment of its own, which would compile every template the test renders again: a third
    of a typical test's time."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def make_app(config: dict) -> Flask:
    """``create_app(config)`` whose templates are compiled once for the whole run."""
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def empty_database() -> None:
    with db.engine.begin() as connection:
        db.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _push_request_context():
    """Overrides pytest-flask's fixture of this name, which holds a request context open for the
    whole test: every client would then share one ``flask.g`` (and Flask-Login's cached user)."""


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that keeps no context open after a response (overrides pytest-flask's)."""
    return app.test_client()


@pytest.fixture
def make_bank(banks_dir: Path) -> Callable[..., Path]:
    """Write a bank file into the app's banks folder: ``make_bank("slug", yaml_text)``."""

    def make(slug: str, text: str) -> Path:
        path = banks_dir / f"{slug}.yaml"
        path.write_text(textwrap.dedent(text))
        return path

    return make


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page (tests keep CSRF protection on)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def register(client: FlaskClient, username: str, password: str = "a long password", name: str | None = None):
    """Register (and so log in) through the real form."""
    token = csrf_token(client.get("/register").get_data(as_text=True))
    return client.post(
        "/register",
        data={
            "csrf_token": token,
            "username": username,
            "display_name": name or username.title(),
            "password": password,
            "confirm": password,
        },
    )


def login(client: FlaskClient, username: str, password: str = "a long password"):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password})


def logout(client: FlaskClient):
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def reset_password(client: FlaskClient, username: str, code: str, password: str):
    """Set a new password with a reset code, through the real form."""
    token = csrf_token(client.get("/password/reset").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "username": username,
        "code": code,
        "password": password,
        "confirm": password,
    }
    return client.post("/password/reset", data=form)


@pytest.fixture
def student(client: FlaskClient) -> FlaskClient:
    """A client logged in as a newly registered learner, 'ada'."""
    response = register(client, "ada")
    assert response.status_code == 302
    return client


def start(client: FlaskClient, slug: str, quiz_id: str) -> str:
    """Start (or resume) an attempt through the quiz page; returns the attempt page's path."""
    page = client.get(f"/banks/{slug}/quizzes/{quiz_id}").get_data(as_text=True)
    response = client.post(f"/banks/{slug}/quizzes/{quiz_id}/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def pytest_terminal_summary(terminalreporter):
    """Say which database the tests ran on, and plainly when the real-browser tests did not run."""
    if TEST_DATABASE_URL:
        terminalreporter.write_line(
            f"database: {TEST_DATABASE_URL.split('://')[0]} (QUIZAPP_TEST_DATABASE_URL)"
        )
    else:
        terminalreporter.write_line(
            "database: SQLite only; set QUIZAPP_TEST_DATABASE_URL to run the suite on PostgreSQL too"
        )
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "tests/browser/" in r.nodeid]
    if skipped:
        terminalreporter.write_sep(
            "!", f"BROWSER TESTS SKIPPED ({len(skipped)}): Chromium was not found", yellow=True
        )


def archive_bank(app: Flask, slug: str) -> None:
    """Take a bank out of the served set on every host, as its Archive button does."""
    from quizapp.bank_editor.operations import archive

    with app.app_context():
        archive(slug, None)


def make_instructor(app, username: str = "prof") -> None:
    """An instructor account, made as an administrator would: with the CLI."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", username, "--role", "instructor"], input="a long password\n"
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def instructor(app, client: FlaskClient) -> FlaskClient:
    """A client logged in as instructor 'prof'."""
    make_instructor(app, "prof")
    assert login(client, "prof").status_code == 302
    return client
