"""Two hosts for real: two gunicorn servers, each with its own banks folder, sharing one database
(PostgreSQL when the suite runs on it, else one SQLite file), started on an empty database at
the same moment. A learner's browser talks to either, as behind a load balancer: sessions,
submits, races, bank edits on both, and a secret rotation."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from sqlalchemy import create_engine, text

from quizapp import create_app
from quizapp.config import database_uri
from quizapp.extensions import db
from tests.factories import ROOT, SHIPPED_BANKS, TEST_DATABASE_URL, empty_database, free_port

BIN = Path(sys.executable).parent
KEY_ONE = "the first secret key of the school, long enough"
KEY_TWO = "the second secret key of the school, also long"
#: How long a host may take to start, or to show what another host saved.
PATIENCE = 30


@dataclass
class Host:
    """One application host: its banks folder, its environment, its gunicorn."""

    name: str
    folder: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **overrides: str) -> None:
        self.overrides = overrides
        self.port = free_port()
        env = {**self.env, **overrides, "PORT": str(self.port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2"}
        self.log = self.folder.parent / f"{self.name}.log"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, our own arguments
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"{self.name} stopped:\n{self.log.read_text()[-3000:]}"
            try:
                if Browser().get(self, "/readyz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} never became ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=PATIENCE)

    def upgrade(self) -> subprocess.Popen:
        """``quizapp db upgrade`` as ``make serve`` runs it first, in the background."""
        return subprocess.Popen(  # noqa: S603 - our own command, our own arguments
            [str(BIN / "quizapp"), "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class _Stay(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a test reads the redirect itself


class Browser:
    """One learner's browser: one cookie jar, whichever host a request lands on."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _Stay)

    def get(self, host: Host, path: str) -> Answer:
        return self._send(Request(host.url + path))  # noqa: S310 - http://127.0.0.1 only

    def post(self, host: Host, path: str, form: dict[str, str]) -> Answer:
        data = urlencode(form).encode()
        return self._send(Request(host.url + path, data=data, method="POST"))  # noqa: S310 - loopback

    def _send(self, request: Request) -> Answer:
        try:
            with self.opener.open(request, timeout=PATIENCE) as response:
                return Answer(response.status, response.read().decode(), response.headers.get("Location", ""))
        except HTTPError as error:
            return Answer(error.code, error.read().decode(), error.headers.get("Location", ""))


def token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> Iterator[str]:
    """An empty database for both hosts; on PostgreSQL, the suite's, emptied before and after."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('shared') / 'quizapp.sqlite3'}"
        return
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_uri(TEST_DATABASE_URL)}
    )
    with app.app_context():
        empty_database()
    yield TEST_DATABASE_URL
    with app.app_context():
        db.session.remove()
        empty_database()
        db.engine.dispose()


@pytest.fixture(scope="module")
def hosts(database_url, tmp_path_factory) -> Iterator[tuple[Host, Host]]:
    """Hosts A and B, migrated at the same moment and serving; each with a copy of the shipped
    banks, as a git checkout would give it."""
    made = []
    for name in ("a", "b"):
        root = tmp_path_factory.mktemp(f"host-{name}")
        folder = root / "questions"
        shutil.copytree(SHIPPED_BANKS, folder)
        env = {
            **os.environ,
            "QUIZAPP_DATABASE_URL": database_url,
            "QUIZAPP_SECRET_KEY": KEY_ONE,
            "QUIZAPP_BANKS_DIR": str(folder),
            "QUIZAPP_PASSWORD_HASH": "pbkdf2:sha256:1",
            "QUIZAPP_BANK_CHECK_SECONDS": "0.5",
        }
        made.append(Host(name, folder, env))
    a, b = made
    upgrades = [a.upgrade(), b.upgrade()]
    outputs = [p.communicate(timeout=120)[0] for p in upgrades]
    assert [p.returncode for p in upgrades] == [0, 0], outputs
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_both_hosts_migrated_the_empty_database_at_once_and_are_ready(hosts, database_url):
    engine = create_engine(database_uri(database_url))
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1
    for host in hosts:
        assert Browser().get(host, "/readyz").body.strip() == "ready"


def test_a_session_made_on_one_host_holds_on_the_other_and_logout_ends_it_on_both(hosts):
    a, b = hosts
    browser = register(a, "ada")
    assert "ada" in browser.get(b, "/").body.lower()
    copied = CookieJar()
    for cookie in browser.jar:
        copied.set_cookie(cookie)
    home = browser.get(b, "/").body
    assert browser.post(b, "/logout", {"csrf_token": token(home)}).status == 302
    stolen = Browser()
    stolen.jar = copied
    stolen.opener = build_opener(HTTPCookieProcessor(copied), _Stay)
    assert stolen.get(a, "/study/").status == 302  # to the login page


def test_an_attempt_started_on_one_host_is_submitted_on_the_other_exactly_once(hosts, database_url):
    a, b = hosts
    browser = register(a, "bea")
    attempt = start_quiz(browser, a, "founding")
    summary = browser.get(b, f"{attempt}/summary").body
    assert browser.post(b, attempt, {"csrf_token": token(summary)}).status == 302
    assert browser.post(a, attempt, {"csrf_token": token(summary)}).status == 302  # the result again
    assert query(database_url, ATTEMPTS, user="bea") == [("founding", True)]


@pytest.mark.parametrize("round_", range(3))
def test_one_learner_submitting_two_quizzes_of_a_bank_at_once_through_both_hosts(hosts, database_url, round_):
    """Every question is missed, so that both submits queue the same flashcards at once."""
    a, b = hosts
    browser = register(a, f"cai{round_}")
    first = start_quiz(browser, a, "founding")
    second = start_quiz(browser, b, "whole-bank")
    forms = [{"csrf_token": token(browser.get(a, f"{path}/summary").body)} for path in (first, second)]
    barrier = threading.Barrier(2)
    answers: list[Answer] = [None, None]  # type: ignore[list-item]

    def submit(i: int, host: Host, path: str) -> None:
        barrier.wait()
        answers[i] = browser.post(host, path, forms[i])

    threads = [
        threading.Thread(target=submit, args=(0, a, first)),
        threading.Thread(target=submit, args=(1, b, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status for answer in answers] == [302, 302], [answer.body[:500] for answer in answers]
    stored = query(database_url, ATTEMPTS, user=f"cai{round_}")
    assert sorted(stored) == [("founding", True), ("whole-bank", True)]
    # Every question of the bank was missed once or twice: each is one card in the queue.
    cards = query(database_url, CARDS, user=f"cai{round_}")
    assert len(cards) == len(set(cards)) > 0
    assert [browser.get(host, "/study/csto-2022").status for host in hosts] == [200, 200]


def test_the_study_page_opened_twice_at_once_on_both_hosts_answers_both(hosts):
    a, b = hosts
    browser = register(a, "dan")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def study(host: Host) -> None:
        barrier.wait()
        statuses.append(browser.get(host, "/study/csto-2022").status)

    threads = [threading.Thread(target=study, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]


def test_a_bank_edited_on_either_host_is_served_by_both(hosts):
    a, b = hosts
    path = a.folder / "csto-2022.yaml"
    path.write_text(path.read_text().replace("title: Founding and members", "title: Founding, edited on A"))
    # A host looks at its folder when it serves a request: here, the load balancer's probe.
    assert eventually(lambda: probe(a) and "Founding, edited on A" in signed_in_home(b))
    assert eventually(lambda: "Founding, edited on A" in (b.folder / "csto-2022.yaml").read_text())

    other = b.folder / "csto-2022.yaml"
    other.write_text(other.read_text().replace("Founding, edited on A", "Founding, edited on B"))
    assert eventually(lambda: probe(b) and probe(a) and "edited on B" in path.read_text())
    # Each worker of each host checks at most every BANK_CHECK_SECONDS (here 0.5).
    assert eventually(lambda: all("Founding, edited on B" in signed_in_home(host) for host in hosts))


def test_a_quiz_open_across_a_secret_rotation_still_submits(hosts):
    a, b = hosts
    browser = register(a, "eve")
    attempt = start_quiz(browser, a, "past-refusals")
    summary = browser.get(a, f"{attempt}/summary").body  # its token signed with the old key
    b.stop()
    b.start(QUIZAPP_SECRET_KEY=KEY_TWO, QUIZAPP_SECRET_KEY_FALLBACKS=json.dumps([KEY_ONE]))
    try:
        answer = browser.post(b, attempt, {"csrf_token": token(summary)})
        assert answer.status == 302, answer.body[:500]
        assert browser.get(b, "/").status == 200
    finally:
        b.stop()
        b.start()


# -- helpers ----------------------------------------------------------------------------------------

ATTEMPTS = """
SELECT a.quiz_id, a.submitted_at IS NOT NULL FROM attempts a JOIN users u ON u.id = a.user_id
WHERE u.username = :user ORDER BY a.id
"""
CARDS = """
SELECT c.card_id FROM card_states c JOIN users u ON u.id = c.user_id WHERE u.username = :user
"""


def query(database_url: str, sql: str, **params) -> list[tuple]:
    """Rows of the shared database, read as neither host."""
    engine = create_engine(database_uri(database_url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def register(host: Host, username: str) -> Browser:
    browser = Browser()
    page = browser.get(host, "/register").body
    form = {
        "csrf_token": token(page),
        "username": username,
        "display_name": username.title(),
        "password": "a long password",
        "confirm": "a long password",
    }
    answer = browser.post(host, "/register", form)
    assert answer.status == 302, answer.body[:500]
    return browser


def start_quiz(browser: Browser, host: Host, quiz: str) -> str:
    """Start an attempt at a quiz of the shipped bank; returns the attempt's path."""
    page = browser.get(host, f"/banks/csto-2022/quizzes/{quiz}").body
    answer = browser.post(host, f"/banks/csto-2022/quizzes/{quiz}/start", {"csrf_token": token(page)})
    assert answer.status == 302, answer.body[:500]
    return "/" + answer.location.split("/", 3)[-1] if answer.location.startswith("http") else answer.location


_home_browser: dict[str, Browser] = {}


def signed_in_home(host: Host) -> str:
    """The home page of a learner of ``host``, which lists every quiz by its title."""
    browser = _home_browser.get(host.name)
    if browser is None:
        browser = _home_browser[host.name] = register(host, f"home{host.name}")
    return browser.get(host, "/").body


def probe(host: Host) -> bool:
    """Ask ``host`` whether it is ready, as a load balancer does every few seconds."""
    return Browser().get(host, "/readyz").status == 200


def eventually(check, within: float = PATIENCE) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False
