"""The fixtures: app, client, runner, a banks folder, bank and account makers, and ``seed``. Only
fixtures live here; the helpers they build on, which tests import, are in tests/factories.py."""

from __future__ import annotations

import copy
import logging
import os
import shutil
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
import redis
import werkzeug.routing.rules
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, make_url, text

from quizapp import create_app, init_banks
from quizapp.config import database_uri
from quizapp.extensions import db, limiter
from quizapp.live.events import stop_timers
from quizapp.site_settings import settle_time_zone
from tests.factories import (
    EVERY_TYPE_BANK,
    TEST_DATABASE_URL,
    XDIST_WORKER,
    AuthActions,
    Seed,
    empty_database,
    free_port,
    login,
    make_instructor,
    own,
    register,
)


@pytest.fixture
def banks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "every-type.yaml").write_text(EVERY_TYPE_BANK)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _worker_database() -> None:
    """Make this xdist worker's database (TEST_DATABASE_URL) if it is not there yet, from a
    connection to the database the run was given."""
    if not (TEST_DATABASE_URL and XDIST_WORKER):
        return
    engine = create_engine(
        database_uri(os.environ["QUIZAPP_TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            name = make_url(TEST_DATABASE_URL).database
            if (
                connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
                is None
            ):
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    """Give a test an empty, migrated database (the school's time zone stored, as the first start
    leaves it) in a folder: the URL of a copy there of a SQLite file made once for the whole run
    (a millisecond, where migrating takes ~150 ms); or on another database (PostgreSQL), the test
    database emptied and migrated again by one app kept for the run."""
    if TEST_DATABASE_URL:
        url = database_uri(TEST_DATABASE_URL)
        keeper = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})

        def emptied(_folder: Path) -> str:
            with keeper.app_context():
                empty_database()
                flask_migrate.upgrade()
                db.session.remove()
            settle_time_zone(keeper)
            return url

        yield emptied
        with keeper.app_context():
            db.engine.dispose()
        return
    migrated = tmp_path_factory.mktemp("migrated") / "test.sqlite3"
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{migrated}"}
    with create_app(config).app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    # As the first start after the migrations leaves it: the school's time zone stored (UTC).
    with create_app(config).app_context():
        db.engine.dispose()  # the last connection closed: the write-ahead log is folded into the file

    yield lambda folder: f"sqlite:///{shutil.copy(migrated, folder / 'test.sqlite3')}"  # its mode too


#: The configuration of the app each test gets.
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "PASSWORD_MIN_LENGTH": 8,
    # One round instead of scrypt: a test logs in many times, and what it checks is the flow.
    "PASSWORD_HASH": "pbkdf2:sha256:1",
    # A bank saved on one host is served by the next request on every other.
    "BANK_CHECK_SECONDS": 0,
    # No live-game sweeper: it would outlive its test in the run's one app, and query (and hold a
    # connection to) the next test's database. Its own tests start it, or call what it calls.
    "LIVE_SWEEP_SECONDS": 0,
}


@dataclass
class RunApp:
    """The app made once for the run (per xdist worker), and what tests may change in it, as made."""

    app: Flask
    folder: Path
    config: dict
    log_handlers: list[logging.Handler]
    log_level: int


@pytest.fixture(scope="session")
def run_app(
    tmp_path_factory: pytest.TempPathFactory, fresh_database: Callable[[Path], str]
) -> Iterator[RunApp]:
    """One app for the whole run, which ``app`` gives each test on a fresh database and banks
    folder. An app's start (routes, extensions, the start-up reads of the database) and the caches
    it fills as it serves (templates loaded, each SQL statement compiled once per engine) are then
    paid once per run instead of once per test."""
    folder = tmp_path_factory.mktemp("app")
    (folder / "questions").mkdir()
    url = fresh_database(folder)
    if not TEST_DATABASE_URL:
        url = f"sqlite:///{_link_database(folder / 'run.sqlite3', url)}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "BANKS_DIR": str(folder / "questions")})
    root = logging.getLogger()
    yield RunApp(app, folder, copy.deepcopy(dict(app.config)), _quizapp_handlers(), root.level)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _link_database(link: Path, url: str) -> Path:
    """Point ``link`` at the SQLite file of ``url``, the test's own. SQLite follows the link and
    keeps the write-ahead log and shared memory beside the file itself, so a connection still open
    on an earlier test's file (an app a test made and did not close) checkpoints and removes only
    that file's, never the current test's."""
    new = link.with_name(link.name + ".new")
    new.unlink(missing_ok=True)
    new.symlink_to(url.removeprefix("sqlite:///"))
    new.replace(link)
    return link


def _quizapp_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "quizapp", False)]


@pytest.fixture
def app(
    run_app: RunApp, tmp_path: Path, banks_dir: Path, fresh_database: Callable[[Path], str]
) -> Iterator[Flask]:
    """The run's app as it was made, on an empty database (in the test's folder on SQLite, where
    the app's database is a link to it) and the test's banks folder. What an
    earlier test changed in it is put back: its configuration, its banks, caches and other state
    in ``app.extensions``, the rate limiter's counts and settings, the log's handler and level
    (another app's start sets the process's own)."""
    app = run_app.app
    app.config.clear()
    app.config.update(copy.deepcopy(run_app.config), BANKS_DIR=str(banks_dir))
    for key in [key for key in app.extensions if key.startswith("quizapp.")]:
        del app.extensions[key]
    init_banks(app)
    limiter.init_app(app)  # a fresh memory store, and this app's settings back if another app's replaced them
    root = logging.getLogger()
    for handler in _quizapp_handlers():
        root.removeHandler(handler)
    for handler in run_app.log_handlers:
        root.addHandler(handler)
    root.setLevel(run_app.log_level)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection left to the last test's database
    url = fresh_database(tmp_path)
    if not TEST_DATABASE_URL:
        _link_database(run_app.folder / "run.sqlite3", url)
    yield app
    stop_timers(app)
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            empty_database()
            db.engine.dispose()


def close(app: Flask) -> None:
    """Close an app a test made: its live games' timers stopped (one that woke after the test would
    open a connection nobody closes, on whatever database the app then points at), its
    connections closed."""
    stop_timers(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback, started once for the run (the live tests' apps listen to it
    until the run ends), and its URL. Without redis-server the tests that need it are skipped,
    unless CI=true or QUIZAPP_REQUIRE_REDIS=1 (as in .ci/run) makes that a failure."""
    if not os.path.exists(REDIS_SERVER):
        message = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("CI") == "true" or os.environ.get("QUIZAPP_REQUIRE_REDIS") == "1":
            pytest.fail(message + "; CI=true or QUIZAPP_REQUIRE_REDIS=1 makes this an error")
        pytest.skip(message)
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(  # noqa: S603 - a fixed local binary with fixed arguments
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        # The apps' Socket.IO listeners (python-socketio has no way to stop one) retry the stopped
        # server until the process exits, each retry an error in the run's output.
        logging.getLogger("socketio.server").disabled = True
        server.terminate()
        server.wait(timeout=10)


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
        made.append(create_app({**{key: app.config[key] for key in shared}, **overrides}))
        return made[-1]

    yield make
    for other in made:
        close(other)


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept for the whole run. Each test makes an app, and each app a Jinja
    environment of its own, which would compile every template the test renders again: a third
    of a typical test's time. Every app made in the tests' process uses it, the ones tests make
    with ``create_app`` themselves too (the access-policy walk makes one per world)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}


class CompiledRoutes:
    """URL builders compiled once per run. Werkzeug compiles two Python functions for each route
    of each app (``Rule._compile_builder``: an AST built, walked and compiled), ~40 ms of the
    ~50 ms an app's start takes, and every test makes an app. A builder is a pure function of
    the route (its pattern, its defaults as they appear in URLs) that takes the rule as its first
    argument, so apps can share it; the cache is keyed on exactly what Werkzeug reads."""

    def __init__(self) -> None:
        self.compiled: dict[tuple, Callable] = {}
        self.compile = werkzeug.routing.rules.Rule._compile_builder

    def install(self) -> None:
        cache = self

        def _compile_builder(rule: werkzeug.routing.rules.Rule, append_unknown: bool = True) -> Callable:
            defaults = rule.defaults or {}
            key = (
                rule.rule,
                append_unknown,
                tuple(rule._trace),
                # a default of a variable in the pattern is built into the URL; others are arguments
                tuple(
                    (str(name), rule._converters[name].to_url(value) if name in rule._converters else None)
                    for name, value in defaults.items()
                ),
            )
            if key not in cache.compiled:
                cache.compiled[key] = cache.compile(rule, append_unknown)
            return cache.compiled[key]

        werkzeug.routing.rules.Rule._compile_builder = _compile_builder


CompiledRoutes().install()


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


@pytest.fixture
def student(client: FlaskClient) -> FlaskClient:
    """A client logged in as a newly registered learner, 'ada'."""
    response = register(client, "ada")
    assert response.status_code == 302
    return client


#: Modules whose tests share a costly module-scoped fixture (two gunicorn hosts; files LibreOffice
#: opened; Anki collections): under ``pytest -n 2`` such a module's tests all go to one worker,
#: instead of each worker making its own.
ONE_WORKER_MODULES = {
    "tests/test_multi_host.py",
    "tests/grades/test_libreoffice.py",
    "tests/study/test_anki_import.py",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's ``--dist load`` (what ``-n`` does by default): each test to whichever worker
    is free, but the tests of a module in ONE_WORKER_MODULES together."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return Scheduling(config, log)


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


@pytest.fixture
def instructor(app, client: FlaskClient) -> FlaskClient:
    """A client logged in as instructor 'prof'."""
    make_instructor(app, "prof")
    assert login(client, "prof").status_code == 302
    return client


@pytest.fixture
def bank_owner(app, client: FlaskClient) -> FlaskClient:
    """A client logged in as instructor 'prof', owner of the every-type bank."""
    make_instructor(app, "prof")
    own(app, "every-type")
    assert login(client, "prof").status_code == 302
    return client


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """Account actions of ``client`` through the real forms: ``auth.register("ada")``,
    ``auth.login("prof")``, ``auth.logout()``, ``auth.make_instructor("prof")``."""
    return AuthActions(app, client)


@pytest.fixture
def seed(app: Flask, banks_dir: Path) -> Seed:
    """Users, classes and graded attempts written straight into the test's database."""
    return Seed(app, banks_dir)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's CLI, as ``quizapp`` runs it (pytest-flask gives no such fixture)."""
    return app.test_cli_runner()
