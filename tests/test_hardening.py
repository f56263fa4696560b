"""Hardening (OWASP ASVS level 2): hostile banks that would hang a worker, numbers too large for
the database, private files, hidden characters in what people type, and plain error pages."""

from __future__ import annotations

import difflib
import logging
import os
import random
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

import quizapp.banks.loader as loader
from quizapp import create_app
from quizapp.banks import BankError, parse_bank
from quizapp.config import load_config
from quizapp.extensions import db
from quizapp.models import Attempt, BankRevision, Classroom, Response, User
from quizapp.questions import ShortText
from tests.factories import (
    assign,
    create_class,
    csrf_token,
    form_with,
    join,
    join_code,
    learner,
    login,
    logout,
    other_instructor,
    register,
    sqlite_only,
    start,
)

HUGE = "99999999999999999999"
#: 100,000 characters drawn from 3,000 (CJK ideographs): difflib finds no popular ones to skip, so
#: comparing two such strings takes it seconds.
LONG = "".join(random.Random(0).choices([chr(0x4E00 + i) for i in range(3000)], k=100_000))  # noqa: S311


def problems(text: str) -> list:
    with pytest.raises(BankError) as info:
        parse_bank(text, "bank.yaml", "bank")
    return info.value.problems


def make_admin(app, username: str = "root") -> None:
    """An administrator, made with the CLI (admins may see every bank's history)."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", username, "--role", "admin"], input="a long password\n"
    )
    assert result.exit_code == 0, result.output


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- 1. long strings in a bank ------------------------------------------------------------------


def test_an_answer_of_100000_characters_that_matches_no_choice_is_reported_without_a_hint():
    text = f"""\
title: T
questions:
  - id: q
    type: single
    prompt: Pick one.
    choices: ["{LONG}", Paris]
    answer: "{LONG[:-1]}x"
"""
    [problem] = problems(text)
    assert "is not one of its choices" in problem.message
    assert "did you mean" not in problem.message
    assert len(problem.message) < 300  # the answer is quoted shortened, not whole


def test_a_short_answer_still_gets_its_hint():
    text = """\
title: T
questions:
  - {id: q, type: single, prompt: Pick one., choices: [Paris, Rome], answer: Pari}
"""
    [problem] = problems(text)
    assert "did you mean 'Paris'" in problem.message


def test_the_hints_of_one_bank_together_compare_a_bounded_amount_of_text(monkeypatch):
    compared = []

    def counting(word, possibilities, n=3, cutoff=0.6):
        possibilities = list(possibilities)
        compared.append(len(word) * sum(len(p) for p in possibilities))
        return []

    monkeypatch.setattr(loader.difflib, "get_close_matches", counting)
    ids = [f"question-{i:05d}-" + "x" * 40 for i in range(1000)]
    questions = "".join(f"  - {{id: {i}, type: true_false, prompt: P, answer: true}}\n" for i in ids)
    unknown = ", ".join(f"unknown-{i:05d}-" + "y" * 40 for i in range(150))
    text = f"title: T\nquestions:\n{questions}quizzes:\n  - {{id: z, title: Z, questions: [{unknown}]}}\n"

    found = problems(text)

    assert len(found) == 150
    assert sum(compared) <= 10_000_000  # pairs of characters: about a third of a second


def long_bank(long: str, spaces: int) -> str:
    """A bank with ``long`` as answers, a key, tags and ids, and a time limit padded with spaces."""
    return f"""\
title: Long
questions:
  - id: q
    type: single
    prompt: Pick.
    choices: ["{long}", "other"]
    answer: "{long[:-1]}x"
  - id: t
    type: text
    prompt: Say.
    answer: ["{long}"]
    tags: ["{long}"]
    ? "{long}"
    : 1
quizzes:
  - id: z
    title: Z
    questions: [q, "{long}"]
  - id: y
    title: Y
    select: {{tags: ["{long}y"]}}
    time_limit: "1h{" " * spaces}x"
"""


@pytest.fixture
def loader_work(monkeypatch) -> dict[str, list[int]]:
    """What the loader's two steps that grow with hostile input are given, as they happen: the
    pairs of characters each "did you mean" hint compares, and the length of each time limit the
    duration pattern reads (it backtracks on long runs of spaces)."""
    work: dict[str, list[int]] = {"hint pairs": [], "durations read": []}
    real_hint, real_duration = loader.difflib.get_close_matches, loader._DURATION

    def hint(word, possibilities, *args, **kwargs):
        possibilities = list(possibilities)
        work["hint pairs"].append(len(word) * sum(len(p) for p in possibilities))
        return real_hint(word, possibilities, *args, **kwargs)

    class Duration:
        def fullmatch(self, value):
            work["durations read"].append(len(value))
            return real_duration.fullmatch(value)

    monkeypatch.setattr(loader.difflib, "get_close_matches", hint)
    monkeypatch.setattr(loader, "_DURATION", Duration())
    return work


def test_a_bank_full_of_long_strings_is_checked_at_once(loader_work):
    found = problems(long_bank(LONG, 30_000))

    assert len(found) == 5
    assert not any("did you mean" in p.message for p in found)
    assert all(len(p.message) < 300 for p in found)
    # Bounded work for hostile input, counted rather than timed: before, this took a minute.
    assert sum(loader_work["hint pairs"]) <= loader.HINT_BUDGET
    assert max(loader_work["durations read"], default=0) <= 20


def test_the_editor_checks_and_previews_a_bank_full_of_long_strings_at_once(make_admin_client, loader_work):
    client = make_admin_client
    page = client.get("/teach/banks/every-type/edit").get_data(as_text=True)
    for action in ("validate", "preview"):
        response = client.post(
            "/teach/banks/every-type/edit",
            # 400 KB of form, as multipart: percent-encoded, it would pass the form size limit.
            data={"csrf_token": csrf_token(page), "text": long_bank(LONG[:15_000], 30_000), "action": action},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert "did you mean" not in response.get_data(as_text=True)
    # Bounded work for hostile input, counted rather than timed: before, this took a minute.
    assert sum(loader_work["hint pairs"]) <= 2 * loader.HINT_BUDGET
    assert max(loader_work["durations read"], default=0) <= 20


def patched(old: list[str], diff: list[str]) -> list[str]:
    """``old`` with a unified diff applied, checking every line it says ``old`` has."""
    out: list[str] = []
    at = 0
    for line in diff[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1][1:].split(",")[0])
            start = start - 1 if start else 0
            out += old[at:start]
            at = start
        elif line.startswith("+"):
            out.append(line[1:])
        else:
            assert old[at] == line[1:], (at, line)
            if line.startswith(" "):
                out.append(line[1:])
            at += 1
    return out + old[at:]


@pytest.fixture
def diff_work(monkeypatch) -> list[int]:
    """The lines each of difflib's searches for a longest match looks through, as they happen."""
    work: list[int] = []
    original = difflib.SequenceMatcher.find_longest_match

    def counting(self, alo=0, ahi=None, blo=0, bhi=None):
        work.append((len(self.a) if ahi is None else ahi) - alo)
        return original(self, alo, ahi, blo, bhi)

    monkeypatch.setattr(difflib.SequenceMatcher, "find_longest_match", counting)
    return work


def test_a_diff_of_two_large_versions_with_every_other_line_changed_stops_at_its_budget(diff_work):
    from quizapp.bank_editor.diffs import DIFF_BUDGET, unified_diff

    old = "\n".join(f"  - line {i}" for i in range(8000))
    new = "\n".join(f"  - line {i}" if i % 2 else f"  - changed {i}" for i in range(8000))

    lines = unified_diff(old, new, "#1", "#2")

    assert sum(diff_work) <= 2 * DIFF_BUDGET
    assert lines[:2] == ["--- #1", "+++ #2"]
    assert patched(old.splitlines(), lines) == new.splitlines()


def test_the_history_of_a_large_bank_with_every_other_line_changed_shows_at_once(
    app, make_admin_client, diff_work
):
    old = "".join(f"  - points: {i}\n" for i in range(8000))
    new = "".join(f"  - points: {i}\n" if i % 2 else f"  - points: {i}.5\n" for i in range(8000))
    with app.app_context():
        for text in (old, new):
            db.session.add(BankRevision(bank_slug="every-type", sha256="0" * 64, action="disk", text=text))
        db.session.commit()

    response = make_admin_client.get("/teach/banks/every-type/history?old=1&new=2")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "+  - points: 7998.5" in page
    assert "-  - points: 0" in page
    assert sum(diff_work) < 10_000_000  # difflib alone: 16 million lines searched, 7 seconds


def test_a_small_diff_is_difflibs_own():
    from quizapp.bank_editor.diffs import unified_diff

    old = "a\nb\nc\nd\ne\nf\ng\nh\n"
    new = "a\nb\nC\nd\ne\nf\ng\nH\n"
    expected = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "x", "y", lineterm=""))
    assert unified_diff(old, new, "x", "y") == expected
    assert unified_diff(old, old, "x", "y") == []
    assert patched(old.splitlines(), expected) == new.splitlines()


# -- 2. numbers too large for the database -----------------------------------------------------


@pytest.fixture
def make_admin_client(app, client):
    make_admin(app)
    assert login(client, "root").status_code == 302
    return client


@pytest.mark.parametrize("value", [HUGE, "-1", "0", "abc", "²", "1e3", ""])
@pytest.mark.parametrize("name", ["new", "old"])
def test_a_history_revision_that_cannot_exist_is_404(app, make_admin_client, name, value):
    with app.app_context():
        db.session.add(BankRevision(bank_slug="every-type", sha256="0" * 64, action="disk", text="a\n"))
        db.session.commit()
    client = make_admin_client
    assert client.get("/teach/banks/every-type/history?new=1").status_code == 200
    assert client.get(f"/teach/banks/every-type/history?{name}={value}").status_code == 404


@pytest.mark.parametrize("value", [HUGE, "-3", "abc", "²", "٣"])
def test_no_integer_a_learner_sends_gives_a_500(app, student, value):
    path = start(student, "every-type", "all")
    assert student.get(f"{path}?page={value}").status_code == 200
    token = csrf_token(student.get(path).get_data(as_text=True))
    for data in (
        {"page": value},
        {"go": f"q{value}"},
        {"go": f"page-{value}"},
        {"positions": value, "q0": "1"},
        {"positions": f"0,{value}", "q3": "x"},
    ):
        response = student.post(f"{path}/save", data={"csrf_token": token, **data})
        assert response.status_code == 302, data
        response = student.post(f"{path}/draft", data={"csrf_token": token, **data})
        assert response.status_code == 200, data
    study = student.get("/study/every-type").get_data(as_text=True)
    for data in ({"rating": value, "card": "1", "reps": "0"}, {"rating": "3", "card": value, "reps": "0"},
                 {"rating": "3", "card": "1", "reps": value}):  # fmt: skip
        response = student.post("/study/every-type/review", data={"csrf_token": csrf_token(study), **data})
        assert response.status_code == 302, data
    logout(student)
    response = student.post(f"{path}/save", data={"page": value})
    assert response.status_code in (400, 401)


@pytest.mark.parametrize("value", [HUGE, "-1", "²"])
def test_a_source_paragraph_out_of_range_is_refused_with_a_message(make_admin_client, value):
    url = "/teach/banks/every-type/questions/new?type=true_false"
    fields = form_with(make_admin_client.get(url).get_data(as_text=True), field="prompt")
    fields.update({"id": "big-q", "prompt": "True?", "truth": "true", "source": value})
    response = make_admin_client.post(url, data=fields)
    assert response.status_code == 422


# -- 3. private files --------------------------------------------------------------------------


@sqlite_only
def test_the_database_and_its_wal_and_shm_files_are_readable_by_their_owner_only(app, client, tmp_path):
    assert register(client, "ada").status_code == 302
    database = tmp_path / "test.sqlite3"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert path.exists(), path
        assert mode(path) == 0o600, path


@sqlite_only
def test_a_backup_is_readable_by_its_owner_only(app, tmp_path):
    target = tmp_path / "backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600


@sqlite_only
def test_a_database_found_readable_by_others_is_made_private_and_the_log_says_so(tmp_path, caplog):
    database = tmp_path / "old.sqlite3"
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    # Kept open while the app starts: the last connection to close would remove the -wal file.
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        os.chmod(database, 0o644)
        os.chmod(f"{database}-wal", 0o644)
        with caplog.at_level(logging.WARNING):
            app = create_app(config)
        assert mode(database) == 0o600
        assert mode(f"{database}-wal") == 0o600
    with app.app_context():
        db.engine.dispose()
    assert "readable by other users" in caplog.text


def test_an_instance_folder_the_app_makes_is_its_owners_only(tmp_path):
    app = Flask("quizapp", instance_path=str(tmp_path / "instance"))
    load_config(app, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert mode(tmp_path / "instance") == 0o700
    assert mode(tmp_path / "instance" / "secret_key") == 0o600


# -- 4. answers and pages of a signed-in user stay out of caches ------------------------------


def test_an_autosave_answer_is_not_kept_in_a_cache(student):
    path = start(student, "every-type", "all")
    token = csrf_token(student.get(path).get_data(as_text=True))
    response = student.post(f"{path}/draft", data={"csrf_token": token, "positions": "0", "q0": "1"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_own_caching(student):
    response = student.get("/static/quizapp.css")
    response.close()
    assert "no-store" not in response.headers.get("Cache-Control", "")


# -- 5. hidden characters ----------------------------------------------------------------------

HIDDEN_BANK = """\
title: Hidden
questions:
  - {id: city, type: text, prompt: Which city?, answer: Osh}
  - {id: year, type: numeric, prompt: Which year?, answer: 1992}
quizzes:
  - {id: q, title: Cities, questions: [city, year]}
"""
SNEAKY = "\u202e\x00\x1b"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Osh\u202e\x00\x1b", "Osh"),
        ("O\u200bs\u200ch\u200d\u2060\ufeff", "Osh"),
        ("\u2066Osh\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d", "Osh"),
        ("Os\x7f\x85\x9fh", "Osh"),
        ("Cafe\u0301", "Café"),
        ("two\tcolumns\r\nand lines", "two columns and lines"),
    ],
)
def test_clean_text_keeps_what_was_meant(typed, kept):
    from quizapp.text import clean_text

    assert clean_text(typed) == kept


def test_clean_text_keeps_line_breaks_and_tabs_in_multiline_text():
    from quizapp.text import clean_text

    assert clean_text("one\r\ntwo\rthree\tfour\x0b\u202e", multiline=True) == "one\ntwo\nthree\tfour"


def test_an_accepted_answer_with_an_invisible_joiner_matches_the_same_answer_typed_without_it():
    question = ShortText(id="q", prompt="?", answer=("می\u200cخواهم",))
    assert question.grade("میخواهم").outcome == "correct"


@pytest.fixture
def hidden_class(app, make_bank):
    """Prof's class, with ada in it and the Hidden bank's quiz set."""
    make_bank("hidden", HIDDEN_BANK)
    prof = other_instructor(app, "prof")
    class_id = create_class(prof, "Geography")
    ada = learner(app, "ada")
    assert join(ada, join_code(prof, class_id)).status_code == 302
    assert assign(prof, class_id, quiz="hidden/q").status_code == 302
    return prof, ada, class_id


def test_a_submitted_answer_is_stored_and_shown_without_hidden_characters(app, hidden_class):
    prof, ada, class_id = hidden_class
    path = start(ada, "hidden", "q")
    token = csrf_token(ada.get(path).get_data(as_text=True))
    ada.post(path, data={"csrf_token": token, "q0": f"Osh{SNEAKY}", "q1": f"19\u200b92{SNEAKY}"})

    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        attempt_id = attempt.id
        responses = db.session.scalars(select(Response).order_by(Response.position)).all()
        assert attempt.submitted
        assert [r.answer for r in responses] == ["Osh", 1992.0]
        assert [r.outcome for r in responses] == ["correct", "correct"]
        assert all(r.draft is None or SNEAKY[0] not in str(r.draft) for r in responses)
    export = prof.get(f"/teach/classes/{class_id}/export/responses.csv")
    csv_text = export.get_data(as_text=True)
    export.close()
    result = prof.get(f"/teach/classes/{class_id}/attempts/{attempt_id}").get_data(as_text=True)
    for page in (csv_text, result):
        assert "Osh" in page
        assert not any(ch in page for ch in SNEAKY)


def test_an_autosaved_answer_is_stored_without_hidden_characters(app, hidden_class):
    _, ada, _ = hidden_class
    path = start(ada, "hidden", "q")
    token = csrf_token(ada.get(path).get_data(as_text=True))
    response = ada.post(f"{path}/draft", data={"csrf_token": token, "positions": "0,1", "q0": f"Osh{SNEAKY}"})
    assert response.status_code == 200
    with app.app_context():
        draft = db.session.scalar(select(Response.draft).where(Response.position == 0))
    assert draft == {"q0": ["Osh"]}


@pytest.mark.parametrize("name", ["Ada\u202eecalevoL", "Ada\u200b", "A\u2066da"])
def test_a_display_name_with_hidden_characters_is_refused_with_a_message(app, client, name):
    assert register(client, "ada", name="Ada").status_code == 302
    logout(client)
    response = register(client, "eve", name=name)
    assert response.status_code == 422
    assert "Use visible characters only." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "eve")) is None


def test_a_display_name_is_stored_composed(app, client):
    assert register(client, "jose", name="Jose\u0301").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.username == "jose")) == "José"


def test_a_display_name_given_to_the_cli_is_cleaned(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "eve", "--display-name", "Eve\u202e\u200b Adams\x1b"],
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.username == "eve")) == "Eve Adams"


@pytest.mark.parametrize("name", ["Geo\u202egraphy", "Geography\u200b"])
def test_a_class_name_with_hidden_characters_is_refused_with_a_message(app, instructor, name):
    page = instructor.get("/teach/").get_data(as_text=True)
    response = instructor.post("/teach/classes", data={"csrf_token": csrf_token(page), "name": name})
    assert response.status_code == 422
    assert "Use visible characters only." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Classroom)) is None


def test_a_bank_title_with_hidden_characters_is_refused_with_a_message(instructor, banks_dir):
    page = instructor.get("/teach/banks/").get_data(as_text=True)
    response = instructor.post(
        "/teach/banks/", data={"csrf_token": csrf_token(page), "slug": "sneaky", "title": "Ti\u202eelt"}
    )
    assert response.status_code == 422
    assert "Use visible characters only." in response.get_data(as_text=True)
    assert not (banks_dir / "sneaky.yaml").exists()


# -- 6. plain error pages ----------------------------------------------------------------------


def test_a_page_someone_may_not_see_says_so_plainly(student):
    response = student.get("/teach/")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in page
    assert "You don&#39;t have access to this page." in page
    assert "You don't have the permission to access the requested resource" not in page
    assert "Forbidden" not in page


def test_a_missing_page_says_so_plainly(student):
    response = student.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert "The requested URL was not found on the server" not in page
