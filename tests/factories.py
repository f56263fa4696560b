"""What the tests share that is not a fixture: factories that write users, classes, banks and
attempts, and the plain helpers that drive and read the app's pages the way a browser would.

A test module imports these from here, never from another test module or from tests/conftest.py;
the fixtures in tests/conftest.py (``auth``, ``seed``, ``student``, ``instructor`` …) are built on
them."""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import itertools
import json
import logging
import os
import random
import re
import socket
import sqlite3
import zipfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy import func, make_url, select
from sqlalchemy import text as sql_text

from quizapp.accounts.operations import account_named
from quizapp.bank_editor.sharing import grant
from quizapp.banks import load_bank
from quizapp.bankstore import OWN_FILES
from quizapp.classrooms.operations import refresh_deadlines
from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, BankRevision, Classroom, Enrollment, Response, User, utcnow
from quizapp.questions import from_snapshot

# --- paths, shipped data and the database under test ---------------------------------------------


ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BANKS = ROOT / "questions"
DATA = Path(__file__).resolve().parent / "data"

#: Canvas's QTI export of a documented assessment (tests/data/interchange/qti).
QTI_DATA = DATA / "interchange" / "qti"


def zipped(files: dict[str, str | bytes]) -> bytes:
    """A zip file of ``files`` (name: content), made in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in files.items():
            package.writestr(name, content)
    return buffer.getvalue()


def canvas_package(title: str | None = None, shuffled: bool = True) -> bytes:
    """The documented assessment as Canvas packs it: manifest, assessment, and the quiz's
    settings beside it (assessment_meta.xml), with another ``title`` or a fixed choice order
    (``shuffled`` False) when asked."""
    meta = (QTI_DATA / "package" / "assessment_meta.xml").read_text()
    if title is not None:
        meta = meta.replace("<title>CSTO review</title>", f"<title>{title}</title>")
    if not shuffled:
        meta = meta.replace(
            "<shuffle_answers>true</shuffle_answers>", "<shuffle_answers>false</shuffle_answers>"
        )
    return zipped(
        {
            "imsmanifest.xml": (QTI_DATA / "package" / "imsmanifest.xml").read_text(),
            "g0a1b2c3d4/g0a1b2c3d4.xml": (QTI_DATA / "canvas-quiz.xml").read_text(),
            "g0a1b2c3d4/assessment_meta.xml": meta,
        }
    )


#: A bank with one question of every type, unusual strings standing in for each part of the key,
#: so that a test can search a page for any of them.
EVERY_TYPE_BANK = (DATA / "every-type.yaml").read_text()

#: Run the suite on another database (e.g. PostgreSQL) instead of a fresh SQLite file per test.
#: The database is emptied before and after every test. Under pytest-xdist each worker has a
#: database of its own beside it, named after the worker (``quizapp_test_gw0``; conftest makes it).
TEST_DATABASE_URL = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if TEST_DATABASE_URL and XDIST_WORKER:
    _named = make_url(TEST_DATABASE_URL)
    TEST_DATABASE_URL = _named.set(database=f"{_named.database}_{XDIST_WORKER}").render_as_string(
        hide_password=False
    )

sqlite_only = pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="checks SQLite's own set-up")


def empty_database() -> None:
    with db.engine.begin() as connection:
        db.metadata.drop_all(connection)
        connection.execute(sql_text("DROP TABLE IF EXISTS alembic_version"))


# --- reading pages -------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def text_of(response) -> str:
    """A page's text with its HTML entities read back (``&#39;`` as ``'``)."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page (tests keep CSRF protection on)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def post_from(client, page: str, url: str, data: dict | None = None):
    """POST ``data`` to ``url`` with the CSRF token of ``page`` (a page the client may see)."""
    token = csrf_token(text(client.get(page)))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def flashed_after(client, response) -> str:
    assert response.status_code == 302
    return text(client.get(response.headers["Location"]))


def clean(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(page: str, part: str = "tbody") -> list[list[str]]:
    """The text of every cell of every row in the first ``<part>`` of a page."""
    section = page.split(f"<{part}>", 1)[1].split(f"</{part}>", 1)[0]
    return [
        [clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)
    ]


class _Forms(HTMLParser):
    """Every form of a page with the values a browser would submit (buttons left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._open = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._buffer: list[str] = []
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "id": a.get("id"), "fields": {}})
            self._open = True
            return
        if not self._open:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    value = a.get("value") or "on"
                    if a["name"] in fields:  # several boxes of one name ticked: a list of their values
                        before = fields[a["name"]]
                        value = [*before, value] if isinstance(before, list) else [before, value]
                    fields[a["name"]] = value
                return
            fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea, self._buffer = a.get("name"), []
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value") or "", "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = False
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"][self._textarea] = browser_textarea("".join(self._buffer))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.forms[-1]["fields"][self._select] = chosen[0] if chosen else ""
            self._select = None


def browser_textarea(raw: str) -> str:
    """A textarea's value as a browser reads it: one newline right after the tag is dropped."""
    raw = raw.replace("\r\n", "\n")
    return raw[1:] if raw.startswith("\n") else raw


def forms(page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    parser.close()
    return parser.forms


def form_with(page: str, *, field: str | None = None, action: str | None = None) -> dict[str, str]:
    """The fields of the first form holding ``field`` or posting to a URL containing ``action``."""
    for f in forms(page):
        if (field and field in f["fields"]) or (action and action in f["action"]):
            return dict(f["fields"])
    raise AssertionError(f"no form with field={field!r} action={action!r} in the page")


def textarea(page: str, name: str = "text") -> str:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"the page has no textarea {name!r}"
    return browser_textarea(html.unescape(match.group(1)))


# --- accounts, through the real forms and the CLI ------------------------------------------------

#: The password of every account the tests make, unless a test gives another.
PASSWORD = "a long password"


def register(client: FlaskClient, username: str, password: str = PASSWORD, name: str | None = None):
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


def login(client: FlaskClient, username: str, password: str = PASSWORD):
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


def make_instructor(app, username: str = "prof") -> None:
    """An instructor account, made as an administrator would: with the CLI."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", username, "--role", "instructor"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output


def learner(app, username: str = "ada"):
    """A second browser: a learner registered and logged in through the real form."""
    client = app.test_client()
    assert register(client, username).status_code == 302
    return client


def other_instructor(app, username: str):
    client = app.test_client()
    make_instructor(app, username)
    assert login(client, username).status_code == 302
    return client


class AuthActions:
    """What one browser (``client``) does with accounts, through the app's real forms, as in
    Flask's tutorial: ``auth.register("ada")``, ``auth.login("prof")``, ``auth.logout()``; each
    returns the form's response. ``auth.make_instructor("prof")`` makes an account with the CLI,
    as an administrator would (it logs nobody in)."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def register(self, username: str, password: str = PASSWORD, name: str | None = None):
        return register(self.client, username, password, name)

    def login(self, username: str, password: str = PASSWORD):
        return login(self.client, username, password)

    def logout(self):
        return logout(self.client)

    def reset_password(self, username: str, code: str, password: str):
        return reset_password(self.client, username, code, password)

    def make_instructor(self, username: str = "prof") -> None:
        make_instructor(self.app, username)


# --- taking a quiz -------------------------------------------------------------------------------


QUIZ_PAGE = "/banks/every-type/quizzes/all"


def start(client: FlaskClient, slug: str, quiz_id: str) -> str:
    """Start (or resume) an attempt through the quiz page; returns the attempt page's path."""
    page = client.get(f"/banks/{slug}/quizzes/{quiz_id}").get_data(as_text=True)
    response = client.post(f"/banks/{slug}/quizzes/{quiz_id}/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def start_response(client):
    """POST start through the quiz page, without following the redirect."""
    return post_from(client, QUIZ_PAGE, f"{QUIZ_PAGE}/start")


def attempt_id(path: str) -> int:
    return int(path.rsplit("/", 1)[1])


def shown_questions(app, path: str) -> list[dict]:
    """The questions an attempt showed, as stored (choices in the order shown, with the key)."""
    with app.app_context():
        responses = db.session.scalars(
            select(Response).where(Response.attempt_id == attempt_id(path)).order_by(Response.position)
        )
        return [r.question for r in responses]


def answer_form(questions: list[dict], right: bool = True) -> dict[str, object]:
    """Form data answering every question right (or every question wrong where it can be)."""
    form: dict[str, object] = {}
    for i, q in enumerate(questions):
        name = f"q{i}"
        kind = q["type"]
        if kind == "single":
            wrong = next(c for c in q["choices"] if c != q["answer"])
            form[name] = str(q["choices"].index(q["answer"] if right else wrong))
        elif kind == "multi":
            picks = q["answer"] if right else [c for c in q["choices"] if c not in q["answer"]]
            form[name] = [str(q["choices"].index(c)) for c in picks]
        elif kind == "true_false":
            form[name] = "true" if q["answer"] == right else "false"
        elif kind == "text":
            form[name] = q["answer"][0] if right else "something else"
        elif kind == "numeric":
            form[name] = str(q["answer"] if right else q["answer"] + 1000)
        elif kind == "order":
            order = q["answer"] if right else list(reversed(q["answer"]))
            for j, item in enumerate(q["items"]):
                form[f"{name}-{j}"] = str(order.index(item) + 1)
        elif kind == "match":
            pairs = dict(q["answer"])
            for j, left in enumerate(q["lefts"]):
                want = pairs[left] if right else next(o for o in q["options"] if o != pairs[left])
                form[f"{name}-{j}"] = str(q["options"].index(want))
    return form


def submit(client, path: str, form: dict[str, object]):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **form})


# --- classes and the quizzes they set ------------------------------------------------------------


FORM_TIME = "%Y-%m-%dT%H:%M"

CODE = re.compile(r'<p class="code" id="join-code">([^<]+)</p>')

QUIZ = "every-type/all"


def create_class(client, name: str) -> int:
    response = post_from(client, "/teach/", "/teach/classes", {"name": name})
    assert response.status_code == 302, text(response)
    match = re.fullmatch(r"/teach/classes/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def join_code(client, class_id: int) -> str:
    match = CODE.search(text(client.get(f"/teach/classes/{class_id}")))
    assert match, "the class page shows no join code"
    return match.group(1)


def join(client, code: str):
    return post_from(client, "/", "/classes/join", {"code": code})


def assign(
    client, class_id: int, quiz: str = QUIZ, opens: datetime | None = None, closes: datetime | None = None
):
    return post_from(
        client,
        f"/teach/classes/{class_id}",
        f"/teach/classes/{class_id}/assignments",
        {
            "quiz": quiz,
            "opens_at": opens.strftime(FORM_TIME) if opens else "",
            "closes_at": closes.strftime(FORM_TIME) if closes else "",
        },
    )


def set_window(app, opens: datetime | None, closes: datetime | None) -> None:
    """Set the times of the (only) assignment directly, to the second, and the deadlines of its
    attempts in progress with them (as the class page does)."""
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        assignment.opens_at, assignment.closes_at = opens, closes
        db.session.flush()
        refresh_deadlines(assignment.id)
        db.session.commit()


def quizzes_set(class_page: str) -> str:
    """The table of quizzes set on a class page, without the form that sets them."""
    return class_page.split('id="assigned-heading"', 1)[1].split("<h3>Set a quiz</h3>", 1)[0]


def make_class(
    app, name: str, instructor: str, students: list[str], opens=None, closes=None
) -> tuple[int, int]:
    """A class of ``instructor``'s with ``students`` (enrolled yesterday) and the every-type quiz
    set in it; returns (class id, assignment id)."""
    with app.app_context():
        owner = db.session.scalar(select(User.id).where(User.username == instructor))
        classroom = Classroom(name=name, instructor_id=owner, join_code=name[:8].upper().ljust(8, "X"))
        db.session.add(classroom)
        db.session.flush()
        for username in students:
            learner = db.session.scalar(select(User.id).where(User.username == username))
            db.session.add(
                Enrollment(classroom_id=classroom.id, user_id=learner, joined_at=utcnow() - timedelta(days=1))
            )
        assignment = Assignment(
            classroom_id=classroom.id, bank_slug="every-type", quiz_id="all", opens_at=opens, closes_at=closes
        )
        db.session.add(assignment)
        db.session.commit()
        return classroom.id, assignment.id


# --- banks and the bank editor -------------------------------------------------------------------


def archive_bank(app: Flask, slug: str) -> None:
    """Take a bank out of the served set on every host, as its Archive button does."""
    from quizapp.bank_editor.operations import archive

    with app.app_context():
        archive(slug, None)


def own(app, slug: str, username: str = "prof", role: str = "owner") -> None:
    """Make ``username`` an owner (or editor) of bank ``slug``, whatever the slug leads to."""
    with app.app_context():
        grant(slug, account_named(username), role, granted_by=None)


def redescribe(description: str):
    """A change to the bank's description (line 4 of every-type.yaml)."""

    def change(text: str) -> str:
        changed = re.sub(
            r"^description: .*$", f"description: {description}", text, count=1, flags=re.MULTILINE
        )
        assert changed != text, "the change changed nothing"
        return changed

    return change


def files_under(root: Path) -> set[Path]:
    """Every file and link below ``root`` but the test database and the banks folder's own
    bookkeeping (its lock, what this host last had in step with the database)."""
    return {p for p in root.rglob("*") if not p.name.startswith("test.sqlite3") and p.name not in OWN_FILES}


BANKS = "/teach/banks"


def base_of(page: str) -> str:
    match = re.search(r'<input[^>]*\bname="base"[^>]*\bvalue="([0-9a-f]*)"', page)
    assert match, "the page has no base field"
    return match.group(1)


def section(page: str, slug: str) -> str:
    """The banks page's card for one bank ('' when there is none)."""
    match = re.search(rf'<section[^>]*aria-labelledby="bank-{slug}".*?</section>', page, re.DOTALL)
    return html.unescape(match.group(0)) if match else ""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_editor(client: FlaskClient, slug: str = "every-type") -> tuple[str, str, str]:
    """(csrf token, base, text) of the editor as it opens."""
    response = client.get(f"{BANKS}/{slug}/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return csrf_token(page), base_of(page), textarea(page)


def send_editor(client: FlaskClient, text: str, base: str, action: str, slug: str = "every-type", token=None):
    """Post the editor's form of bank ``slug`` with ``action`` (validate, preview or save)."""
    token = token or csrf_token(client.get(f"{BANKS}/").get_data(as_text=True))
    return client.post(
        f"{BANKS}/{slug}/edit", data={"csrf_token": token, "base": base, "text": text, "action": action}
    )


def save_through_editor(client: FlaskClient, change, slug: str = "every-type") -> str:
    """Open the editor, apply ``change`` to its text, save; returns the text saved."""
    token, base, text = open_editor(client, slug)
    new = change(text)
    response = send_editor(client, new, base, "save", slug, token)
    assert response.status_code == 302, response.get_data(as_text=True)
    return new


def revision_rows(app, slug: str = "every-type") -> list[dict]:
    """The bank's revisions, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(BankRevision).where(BankRevision.bank_slug == slug).order_by(BankRevision.id)
        )
        return [
            {
                "id": r.id,
                "action": r.action,
                "author": r.author.username if r.author else None,
                "sha256": r.sha256,
                "text": r.text,
            }
            for r in rows
        ]


# --- seeding the database: users, classes and graded attempts, as the app stores them ------------


#: The questions of quiz ``all``, in its order.
ALL = ["single-q", "multi-q", "tf-q", "text-q", "numeric-q", "order-q", "match-q"]

#: The questions a hand-made attempt at ``review`` shows.
REVIEW = ["single-q", "multi-q", "tf-q"]

#: Per question of quiz ``all``: a response that earns full points, and one that earns nothing.
RESPONSES: dict[str, tuple[Any, Any]] = {
    "single-q": ("Astana", "Bishkek"),
    "multi-q": (["Russia", "Belarus"], ["Georgia", "Ukraine"]),
    "tf-q": (True, False),
    "text-q": ("Zyxwvuts City", "something else"),
    "numeric-q": (98765.4321, 1.0),
    "order-q": (
        ["Alpha first", "Bravo second", "Charlie third", "Delta fourth"],
        ["Delta fourth", "Charlie third", "Bravo second", "Alpha first"],
    ),
    "match-q": (
        {"Tokayev": "Kazakhstan", "Lukashenko": "Belarus", "Pashinyan": "Armenia"},
        {"Tokayev": "Georgia", "Lukashenko": "Georgia", "Pashinyan": "Georgia"},
    ),
}
RIGHT: dict[str, Any] = {qid: right for qid, (right, _) in RESPONSES.items()}
WRONG: dict[str, Any] = {qid: wrong for qid, (_, wrong) in RESPONSES.items()}

#: When the first seeded attempt began; each later one begins ten minutes after the one before.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def scoring(right: int, questions: list[str] = ALL) -> dict[str, Any]:
    """Responses to ``questions``: the first ``right`` of them right, the others wrong."""
    return {qid: RIGHT[qid] if i < right else WRONG[qid] for i, qid in enumerate(questions)}


class Seed:
    """Users, classes, enrolments, assignments and graded attempts, written to the database as the
    app itself would store them (question snapshots from the bank file, graded by the snapshot)."""

    def __init__(self, app, banks_dir: Path):
        self.app = app
        self.banks_dir = banks_dir
        self.started: list[datetime] = []

    def user(self, username: str, name: str | None = None) -> int:
        with self.app.app_context():
            user = User(username=username, display_name=name or username.title(), password_hash="!")
            db.session.add(user)
            db.session.commit()
            return user.id

    def user_id(self, username: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(User.id).where(User.username == username))

    def classroom(
        self,
        name: str = "Eurasian History",
        quizzes: tuple[tuple[str, str], ...] = (("every-type", "all"),),
        instructor: str = "prof",
        students: tuple[int, ...] = (),
    ) -> int:
        with self.app.app_context():
            owner = db.session.scalar(select(User.id).where(User.username == instructor))
            assert owner is not None, f"no instructor {instructor!r}"
            code = "".join(random.choices("ACDEFGHJKMNPQRTUVWXY34679", k=8))  # noqa: S311
            classroom = Classroom(name=name, instructor_id=owner, join_code=code)
            db.session.add(classroom)
            db.session.flush()
            for slug, quiz_id in quizzes:
                db.session.add(Assignment(classroom_id=classroom.id, bank_slug=slug, quiz_id=quiz_id))
            for user_id in students:
                db.session.add(Enrollment(classroom_id=classroom.id, user_id=user_id))
            db.session.commit()
            return classroom.id

    def enrol(self, class_id: int, *user_ids: int) -> None:
        with self.app.app_context():
            for user_id in user_ids:
                db.session.add(Enrollment(classroom_id=class_id, user_id=user_id))
            db.session.commit()

    def attempt(
        self,
        user_id: int,
        answers: dict[str, Any],
        slug: str = "every-type",
        quiz_id: str = "all",
        submitted: bool = True,
        practice: bool = False,
    ) -> int:
        """An attempt showing the questions of ``answers`` in its order, answered with its values,
        made for the first of the learner's classes that set the quiz (or as ``practice``)."""
        bank = load_bank(self.banks_dir / f"{slug}.yaml")
        shown = [bank.questions[qid].presented(random.Random(0), False).snapshot() for qid in answers]  # noqa: S311
        started = T0 + timedelta(minutes=10 * len(self.started))
        self.started.append(started)
        with self.app.app_context():
            number = 1 + db.session.scalar(
                select(func.count())
                .select_from(Attempt)
                .where(Attempt.user_id == user_id, Attempt.bank_slug == slug, Attempt.quiz_id == quiz_id)
            )
            responses = []
            score = 0.0
            for position, (snapshot, answer) in enumerate(zip(shown, answers.values(), strict=True)):
                result = from_snapshot(snapshot).grade(answer)
                score += result.points
                responses.append(
                    Response(
                        position=position,
                        question_id=snapshot["id"],
                        question_type=snapshot["type"],
                        question=snapshot,
                        max_points=result.max_points,
                        answer=answer if submitted else None,
                        points=result.points if submitted else None,
                        outcome=result.outcome if submitted else None,
                    )
                )
            assignment_id = None
            if not practice:
                assignment_id = db.session.scalar(
                    select(func.min(Assignment.id))
                    .join(Enrollment, Enrollment.classroom_id == Assignment.classroom_id)
                    .where(
                        Enrollment.user_id == user_id,
                        Assignment.bank_slug == slug,
                        Assignment.quiz_id == quiz_id,
                    )
                )
            attempt = Attempt(
                user_id=user_id,
                bank_slug=slug,
                quiz_id=quiz_id,
                assignment_id=assignment_id,
                number=number,
                quiz_title=bank.quizzes[quiz_id].title,
                bank_sha256=bank.sha256,
                started_at=started,
                submitted_at=started + timedelta(minutes=7) if submitted else None,
                score=round(score, 6) if submitted else None,
                max_score=sum(r.max_points for r in responses),
                responses=responses,
            )
            db.session.add(attempt)
            db.session.commit()
            return attempt.id


# --- the log -------------------------------------------------------------------------------------


#: time (ISO 8601 with offset), level, logger, [request id], message.
TEXT_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (\w+) ([\w.]+) \[([^\]]+)\] (.*)$"
)

#: The access log's message: client "METHOD path" status size duration.
ACCESS = re.compile(r'^(\S+) "(\S+) (\S+)" (\d{3}) (\d+) ([\d.]+)ms$')


@contextmanager
def log_output() -> Iterator[io.StringIO]:
    """What the app writes to its log (standard error) during the block. Make the app first: the
    tests' migrations replace the process's log handlers, and each new app installs its own.
    Requests are ``buffered``, as a server sends them: the access line is written once the
    response has been sent whole."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "quizapp", False))
    buffer = io.StringIO()
    before = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(before)


def access_lines(output: io.StringIO) -> list[re.Match]:
    lines = [TEXT_LINE.match(line) for line in output.getvalue().splitlines()]
    return [line for line in lines if line and line[3] == "quizapp.access"]


# --- Anki decks ----------------------------------------------------------------------------------


_names = itertools.count()


@dataclass(frozen=True)
class Export:
    #: Note fields by GUID, split on Anki's field separator.
    fields: dict[str, list[str]]
    model_ids: set[int]
    deck_ids: set[int]
    #: Decks named in the collection, by id (Anki's "Default" deck is always there).
    decks: dict[int, str]
    #: Their descriptions (HTML), by id.
    descriptions: dict[int, str]


def read_apkg(data: bytes, tmp_path: Path) -> Export:
    path = tmp_path / f"collection-{next(_names)}.anki2"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "collection.anki2" in archive.namelist()
        path.write_bytes(archive.read("collection.anki2"))
    with closing(sqlite3.connect(path)) as con:
        notes = con.execute("SELECT guid, mid, flds FROM notes ORDER BY id").fetchall()
        deck_ids = {did for (did,) in con.execute("SELECT did FROM cards")}
        decks = json.loads(con.execute("SELECT decks FROM col").fetchone()[0])
    fields = {guid: flds.split("\x1f") for guid, _, flds in notes}
    assert len(fields) == len(notes), "two notes share a GUID"
    return Export(
        fields=fields,
        model_ids={mid for _, mid, _ in notes},
        deck_ids=deck_ids,
        decks={int(k): v["name"] for k, v in decks.items()},
        descriptions={int(k): v["desc"] for k, v in decks.items()},
    )


# --- in a real browser ---------------------------------------------------------------------------


def browser_register(page: Page, live_url: str, username: str, name: str, by_keyboard: bool = False) -> None:
    page.goto(f"{live_url}/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill("a long password")
    page.get_by_label("Repeat the password").fill("a long password")
    if by_keyboard:
        page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name="Register").click()
    expect(page.get_by_text(f"Welcome, {name}.")).to_be_visible()


def browser_log_in(page: Page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("a long password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Quizzes", exact=True)).to_be_visible()


# --- a phone with a long name --------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
#: 80 characters, one word of them longer than a phone is wide at this size.
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft Maximiliana Ngozie"

#: Tables that may scroll sideways on a phone, by their region's label: a column per quiz set, and
#: a grid of tick boxes. Every other table shows its rows as blocks there, every column in view.
MAY_SCROLL = {"Gradebook", "What students see, and when"}

#: Elements wider than the viewport, outside a scrolling region; and the page's own overflow.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("[role=region][tabindex='0'], .cm-scroller, pre[tabindex='0']") && !el.matches("[role=region][tabindex='0']")) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && getComputedStyle(el).position !== "fixed"
        && !el.matches(".visually-hidden, .visually-hidden *, .skip")) {
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
        + ` (${Math.round(box.left)}..${Math.round(box.right)})`);
    }
  }
  const scrolling = [...document.querySelectorAll("[role=region][tabindex='0']")]
    .filter((region) => region.scrollWidth > region.clientWidth + 1).map((region) => region.getAttribute("aria-label"));
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5), scrolling};
}"""


def phone_misfits(page: Page) -> list[str]:
    """What keeps ``page``, as it is now, from fitting its viewport (a phone's): the page wider than
    the screen, elements past its edges, a table other than MAY_SCROLL's needing a sideways scroll.
    Measured once the page has loaded: before its stylesheet arrives, a layout is an unstyled one."""
    page.wait_for_load_state("load")
    fit = page.evaluate(OVERFLOW)
    misfits = []
    if fit["scrollWidth"] > fit["width"] or fit["wide"]:
        misfits.append(f"{fit['scrollWidth']} px wide; {fit['wide']}")
    if set(fit["scrolling"]) - MAY_SCROLL:
        misfits.append(f"the table {fit['scrolling']} hides columns")
    return misfits


def long_named(app, username: str, role: str) -> int:
    """An account with the long display name, made with the CLI; returns its id."""
    made = app.test_cli_runner().invoke(
        args=["users", "create", username, "--role", role, "--display-name", LONG_NAME], input=f"{PASSWORD}\n"
    )
    assert made.exit_code == 0, made.output
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


T = TypeVar("T")


def free_port() -> int:
    """A loopback port free at this moment, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a thread of its own: once a browser test has run in this
    process, Playwright's sync API keeps an event loop running in the main thread, where
    ``asyncio.run`` refuses to start another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
