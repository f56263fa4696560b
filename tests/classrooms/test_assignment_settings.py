"""An assignment's own settings: review options that override the bank's, and extra time for
one student (an accommodation), which moves the deadline of an attempt already running."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.banks.review import MOMENTS, PARTS
from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, ExtraTime, User, utcnow
from tests.factories import csrf_token, login, make_class, make_instructor, register, start

TIMED = """
title: Timed
questions:
  - {id: a, type: text, prompt: First?, answer: ZQKEYZ, explanation: ZQWHYZ}
quizzes:
  - {id: t, title: Timed quiz, questions: [a], time_limit: 20m, attempts: 2, answers: after-last-attempt}
"""


@pytest.fixture
def setting(app, client, make_bank, instructor):
    """prof's class sets the timed quiz; ada is in it. Returns (class id, assignment id)."""
    make_bank("timed", TIMED)
    learner = app.test_client()
    register(learner, "ada")
    class_id, _ = make_class(app, "Eurasian History", "prof", ["ada"])
    with app.app_context():
        assignment = Assignment(classroom_id=class_id, bank_slug="timed", quiz_id="t")
        db.session.add(assignment)
        db.session.commit()
        return class_id, assignment.id, learner


def page_of(client, class_id: int, assignment_id: int) -> str:
    return client.get(f"/teach/classes/{class_id}/assignments/{assignment_id}").get_data(as_text=True)


def test_the_page_shows_the_banks_review_options_as_ticked_boxes(app, instructor, setting):
    class_id, assignment_id, _ = setting
    page = page_of(instructor, class_id, assignment_id)
    assert "These are the options written in the bank." in page
    assert re.search(r'name="answer-after-last-attempt" value="y" checked', page)
    assert not re.search(r'name="answer-immediately" value="y" checked', page)
    assert re.search(r'name="score-immediately" value="y" checked', page)


def test_an_assignment_can_show_the_key_at_once_where_the_bank_waits(app, instructor, setting):
    class_id, assignment_id, learner = setting
    page = page_of(instructor, class_id, assignment_id)
    chosen = {f"{part}-{moment}": "y" for part in PARTS for moment in MOMENTS}
    response = instructor.post(
        f"/teach/classes/{class_id}/assignments/{assignment_id}/review",
        data={"csrf_token": csrf_token(page), **chosen},
    )
    assert response.status_code == 302
    assert "This class has its own options" in page_of(instructor, class_id, assignment_id)

    path = start(learner, "timed", "t")
    learner.post(path, data={"csrf_token": csrf_token(learner.get(path).get_data(as_text=True)), "q0": "no"})

    assert "ZQKEYZ" in learner.get(path).get_data(as_text=True)


def test_going_back_to_the_banks_options_hides_the_key_again(app, instructor, setting):
    class_id, assignment_id, learner = setting
    page = page_of(instructor, class_id, assignment_id)
    everything = {f"{part}-{moment}": "y" for part in PARTS for moment in MOMENTS}
    url = f"/teach/classes/{class_id}/assignments/{assignment_id}/review"
    instructor.post(url, data={"csrf_token": csrf_token(page), **everything})
    instructor.post(url, data={"csrf_token": csrf_token(page), "use_bank": "y"})
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).review is None

    path = start(learner, "timed", "t")
    learner.post(path, data={"csrf_token": csrf_token(learner.get(path).get_data(as_text=True)), "q0": "no"})
    assert "ZQKEYZ" not in learner.get(path).get_data(as_text=True)


def test_extra_time_moves_the_deadline_of_an_attempt_already_running(app, instructor, setting):
    class_id, assignment_id, learner = setting
    path = start(learner, "timed", "t")
    with app.app_context():
        before = db.session.scalar(select(Attempt.deadline))
        ada = db.session.scalar(select(User.id).where(User.username == "ada"))

    page = page_of(instructor, class_id, assignment_id)
    response = instructor.post(
        f"/teach/classes/{class_id}/assignments/{assignment_id}/extra-time",
        data={"csrf_token": csrf_token(page), "student": str(ada), "minutes": "15"},
    )

    assert response.status_code == 302
    assert "Ada has 15 extra minutes on this quiz." in instructor.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(Attempt.deadline)) - before == timedelta(minutes=15)
    assert "35 minutes" in re.sub(r"\s+", " ", learner.get(path).get_data(as_text=True))
    assert "You have 15 extra minutes" in learner.get("/banks/timed/quizzes/t").get_data(as_text=True)


def test_a_new_attempt_gets_the_extra_time_but_never_past_the_close(app, instructor, setting):
    class_id, assignment_id, learner = setting
    closes = utcnow() + timedelta(minutes=25)
    with app.app_context():
        ada = db.session.scalar(select(User.id).where(User.username == "ada"))
        db.session.add(ExtraTime(assignment_id=assignment_id, user_id=ada, minutes=30))
        db.session.get(Assignment, assignment_id).closes_at = closes
        db.session.commit()

    start(learner, "timed", "t")

    with app.app_context():
        assert abs(db.session.scalar(select(Attempt.deadline)) - closes) < timedelta(seconds=1)


@pytest.mark.parametrize("minutes", ["-5", "2000", "soon", ""])
def test_bad_extra_time_is_refused_with_a_message_and_changes_nothing(app, instructor, setting, minutes):
    class_id, assignment_id, _ = setting
    with app.app_context():
        ada = db.session.scalar(select(User.id).where(User.username == "ada"))
    page = page_of(instructor, class_id, assignment_id)
    response = instructor.post(
        f"/teach/classes/{class_id}/assignments/{assignment_id}/extra-time",
        data={"csrf_token": csrf_token(page), "student": str(ada), "minutes": minutes},
    )
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ExtraTime)) is None


def test_another_instructor_cannot_open_or_change_the_assignment(app, setting, client):
    class_id, assignment_id, _ = setting
    make_instructor(app, "other")
    other = app.test_client()
    assert login(other, "other").status_code == 302
    assert other.get(f"/teach/classes/{class_id}/assignments/{assignment_id}").status_code == 404
    token = csrf_token(other.get("/teach/").get_data(as_text=True))
    url = f"/teach/classes/{class_id}/assignments/{assignment_id}/review"
    assert other.post(url, data={"csrf_token": token, "use_bank": "y"}).status_code == 404
