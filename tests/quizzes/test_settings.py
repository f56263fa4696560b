"""An attempt belongs to the setting it was started in: one class's assignment of the quiz, or
practice. One class's window, gradebook, analysis, exports and regrade never touch another's
attempts, and practice counts for no class."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Enrollment, RegradeLog, User, utcnow
from tests.factories import (
    DATA,
    answer_form,
    csrf_token,
    login,
    make_class,
    make_instructor,
    register,
    shown_questions,
)

QUIZ_PAGE = "/banks/every-type/quizzes/all"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def enrol(app, class_id: int, username: str) -> None:
    with app.app_context():
        db.session.add(Enrollment(classroom_id=class_id, user_id=user_id(app, username)))
        db.session.commit()


def take(app, client: FlaskClient, setting: str | None = None, right: bool = True) -> str:
    """Start an attempt in ``setting`` (an assignment id or "practice") and submit it."""
    page = client.get(QUIZ_PAGE).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page)}
    if setting is not None:
        data["setting"] = setting
    response = client.post(f"{QUIZ_PAGE}/start", data=data)
    assert response.status_code == 302
    path = response.headers["Location"]
    assert path.startswith("/attempts/"), text(client.get(path))
    form = answer_form(shown_questions(app, path), right=right)
    assert (
        client.post(
            path, data={"csrf_token": csrf_token(client.get(path).get_data(as_text=True)), **form}
        ).status_code
        == 302
    )
    return path


def attempts(app) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(select(Attempt).order_by(Attempt.id)))


@pytest.fixture
def two_teachers(app, client):
    """Instructors X and Y, each with a class that sets the same quiz; ada is in both."""
    register(client, "ada")
    make_instructor(app, "profx")
    make_instructor(app, "profy")
    x_class, x_set = make_class(app, "Class X", "profx", ["ada"])
    y_class, y_set = make_class(app, "Class Y", "profy", ["ada"])
    return {"x": (x_class, x_set), "y": (y_class, y_set)}


def as_instructor(app, username: str) -> FlaskClient:
    other = app.test_client()
    assert login(other, username).status_code == 302
    return other


def test_a_student_in_two_classes_picks_the_class_and_the_pages_say_which(app, client, two_teachers):
    page = text(client.get(QUIZ_PAGE))
    assert "For Class X" in page
    assert "For Class Y" in page
    _, y_set = two_teachers["y"]

    path = take(app, client, setting=str(y_set))

    [attempt] = attempts(app)
    assert attempt.assignment_id == y_set
    assert "For Class Y" in text(client.get(path))
    assert "For Class Y" in text(client.get("/history"))


def test_a_regrade_in_one_class_changes_no_score_in_the_other(app, client, two_teachers, banks_dir):
    (x_class, x_set), (y_class, y_set) = two_teachers["x"], two_teachers["y"]
    take(app, client, setting=str(x_set))
    take(app, client, setting=str(y_set))
    # The key is fixed in the bank: Bishkek is now the capital asked for.
    fixed = (DATA / "every-type.yaml").read_text().replace("answer: Astana", "answer: Bishkek")
    (banks_dir / "every-type.yaml").write_text(fixed)
    x = as_instructor(app, "profx")
    analysis = f"/teach/classes/{x_class}/quizzes/every-type/all/analysis"

    response = x.post(
        f"/teach/classes/{x_class}/quizzes/every-type/all/regrade",
        data={"csrf_token": csrf_token(x.get(analysis).get_data(as_text=True)), "confirm": "yes"},
    )

    assert response.status_code == 302
    by_setting = {a.assignment_id: a.score for a in attempts(app)}
    assert by_setting == {x_set: 6, y_set: 7}
    y = as_instructor(app, "profy")
    assert "86%" not in text(y.get(f"/teach/classes/{y_class}/gradebook"))
    assert "100%" in text(y.get(f"/teach/classes/{y_class}/gradebook"))
    assert "Regrade log" not in text(y.get(f"/teach/classes/{y_class}/quizzes/every-type/all/analysis"))
    with app.app_context():
        [log] = db.session.scalars(select(RegradeLog))
        assert (log.assignment_id, log.classroom_id) == (x_set, x_class)


def test_practice_before_the_window_opens_never_counts_once_the_student_joins(app, client):
    register(client, "ada")
    make_instructor(app, "profx")
    opens = utcnow() + timedelta(days=1)
    x_class, _ = make_class(app, "Class X", "profx", [], opens=opens, closes=opens + timedelta(days=1))
    path = take(app, client)  # not in the class yet: free practice
    assert "Practice" in text(client.get(path))

    enrol(app, x_class, "ada")

    x = as_instructor(app, "profx")
    book = text(x.get(f"/teach/classes/{x_class}/gradebook"))
    assert "Ada" in book
    assert "100%" not in book
    responses = x.get(f"/teach/classes/{x_class}/export/responses.csv").get_data(as_text=True)
    assert len(responses.strip().splitlines()) == 1  # the header only
    page = text(client.get(QUIZ_PAGE))
    assert "This quiz opens for Class X" in page  # the reason, in place of a Start button
    assert f'action="{QUIZ_PAGE}/start"' not in page
    # The window still holds for the class's own attempts.
    start = client.post(
        f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(client.get(QUIZ_PAGE).get_data(as_text=True))}
    )
    assert start.headers["Location"] == QUIZ_PAGE
    assert "This quiz opens for Class X" in text(client.get(QUIZ_PAGE))
    assert len(attempts(app)) == 1


def test_practice_attempts_stay_out_of_every_class_report(app, client, make_bank, banks_dir):
    text_ = (
        (DATA / "every-type.yaml")
        .read_text()
        .replace("    attempts: 2\n", "    attempts: 2\n    practice: always\n")
    )
    (banks_dir / "every-type.yaml").write_text(text_)
    register(client, "ada")
    make_instructor(app, "profx")
    x_class, x_set = make_class(app, "Class X", "profx", ["ada"])
    take(app, client, setting="practice", right=True)
    take(app, client, setting=str(x_set), right=False)

    x = as_instructor(app, "profx")
    book = text(x.get(f"/teach/classes/{x_class}/gradebook"))
    assert "(1 attempt)" in book
    assert "100%" not in book
    student_page = text(x.get(f"/teach/classes/{x_class}/students/{user_id(app, 'ada')}"))
    assert student_page.count('href="/teach/classes/') >= 1
    assert len(re.findall(r"#\d", student_page)) == 1
    analysis = text(x.get(f"/teach/classes/{x_class}/quizzes/every-type/all/analysis"))
    assert "<dt>Attempts</dt><dd>1</dd>" in analysis
    history = text(client.get("/history"))
    assert "Practice" in history
    assert "For Class X" in history


def test_a_start_for_a_class_the_student_is_not_in_is_refused(app, client, two_teachers):
    make_instructor(app, "profz")
    _, z_set = make_class(app, "Class Z", "profz", [])
    page = client.get(QUIZ_PAGE).get_data(as_text=True)
    response = client.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(page), "setting": str(z_set)})
    assert response.headers["Location"] == QUIZ_PAGE
    assert "not set for you there" in text(client.get(QUIZ_PAGE))
    assert attempts(app) == []


def test_the_attempts_limit_is_counted_per_setting(app, client, two_teachers):
    (_, x_set), (_, y_set) = two_teachers["x"], two_teachers["y"]
    for _ in range(2):
        take(app, client, setting=str(x_set))
    page = client.get(QUIZ_PAGE).get_data(as_text=True)
    refused = client.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(page), "setting": str(x_set)})
    assert refused.headers["Location"] == QUIZ_PAGE
    assert "used all 2 attempts" in text(client.get(QUIZ_PAGE))
    take(app, client, setting=str(y_set))
    assert [a.number for a in attempts(app)] == [1, 2, 3]
