"""Rotating the secret key loses nothing: for as long as the old key stays a fallback, a quiz opened
before the rotation autosaves and submits with its page's token; after, it meets the session-ended
page, never an error."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Attempt, Response
from tests.factories import login, start

BANK = """
title: Rotation
questions:
  - {id: a, type: text, prompt: First?, answer: alpha}
  - {id: b, type: text, prompt: Second?, answer: bravo}
quizzes:
  - {id: q, title: Short quiz, questions: [a, b]}
"""


def fields_of(page: str) -> dict[str, str]:
    """The hidden fields of the quiz form (csrf_token, positions, page)."""
    return dict(re.findall(r'<input type="hidden" name="(csrf_token|positions|page)" value="([^"]*)"', page))


@pytest.fixture
def open_quiz(app, make_bank, student):
    """A learner's quiz page opened on a host whose secret key is the fixture's (K1): its path and
    the hidden fields of its form."""
    make_bank("rotation", BANK)
    path = start(student, "rotation", "q")
    return path, fields_of(student.get(path).get_data(as_text=True))


def same_browser(client, host):
    """A client of ``host`` with the cookies ``client`` holds (the learner's browser, now answered
    by another host or by this one restarted)."""
    other = host.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_quiz_open_across_a_key_rotation_autosaves_and_submits(app, another_app, student, open_quiz):
    path, form = open_quiz
    rotated = another_app(SECRET_KEY="K2", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    browser = same_browser(student, rotated)

    saved = browser.post(f"{path}/draft", data={**form, "q0": "alpha"})
    submitted = browser.post(path, data={**form, "q0": "alpha", "q1": "bravo"})

    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.json["saved"]
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        answers = db.session.scalars(select(Response.answer).order_by(Response.position)).all()
    assert attempt.submitted_at is not None
    assert attempt.score == attempt.max_score
    assert answers == ["alpha", "bravo"]


def test_sessions_begun_during_the_grace_period_outlive_the_old_key(app, another_app, make_bank, student):
    make_bank("rotation", BANK)
    rotated = another_app(SECRET_KEY="K2", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    learner = rotated.test_client()
    assert login(learner, "ada").status_code == 302
    path = start(learner, "rotation", "q")
    form = fields_of(learner.get(path).get_data(as_text=True))
    browser = same_browser(learner, another_app(SECRET_KEY="K2"))

    submitted = browser.post(path, data={**form, "q0": "alpha", "q1": "bravo"})

    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attempt)).submitted_at is not None


def test_after_the_old_key_is_dropped_its_pages_meet_the_session_ended_page(
    app, another_app, student, open_quiz
):
    path, form = open_quiz
    dropped = another_app(SECRET_KEY="K2")
    browser = same_browser(student, dropped)

    saved = browser.post(f"{path}/draft", data={**form, "q0": "alpha"})
    submitted = browser.post(path, data={**form, "q0": "alpha", "q1": "bravo"})

    assert saved.status_code == 401
    assert saved.json["state"] == "session-ended"
    assert submitted.status_code == 401
    assert "Your session ended" in submitted.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attempt)).submitted_at is None


def test_old_keys_come_from_the_environment_as_a_json_list(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", "K3")
    monkeypatch.setenv("QUIZAPP_SECRET_KEY_FALLBACKS", '["K1", "K2"]')
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'keys.sqlite3'}"})

    assert app.config["SECRET_KEY_FALLBACKS"] == ["K1", "K2"]
    assert app.config["WTF_CSRF_SECRET_KEY"] == ["K1", "K2", "K3"]  # signs with the last
