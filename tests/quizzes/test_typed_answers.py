"""Typed answers through the quiz page: what a learner types on a phone gets the mark, a typo the
question forgives is marked right and named on the result page, and a number that is not one is
sent back with every answer kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Response
from tests.factories import start, submit, text_of

TYPED = """
    title: Typed answers
    questions:
      - id: matter
        type: text
        prompt: What did Medvedev call the Osh unrest?
        answer: Kyrgyzstan's internal matter
      - id: author
        type: text
        prompt: Who wrote the article?
        answer: Wesley Culp
        typos: 1
        wrong: [Wesley Clark]
      - id: troops
        type: numeric
        prompt: How many member states sent troops?
        answer: 6
        unit: states
    quizzes:
      - {id: typed, title: Typed answers, questions: [matter, author, troops]}
"""


@pytest.fixture
def typed_quiz(make_bank, student) -> str:
    """The path of ada's attempt at a quiz of two text questions and a numeric one."""
    make_bank("typed", TYPED)
    return start(student, "typed", "typed")


def stored(app) -> tuple[float | None, dict[str, tuple]]:
    """The attempt's score, and each response's answer and outcome by question."""
    with app.app_context():
        attempt = db.session.scalars(select(Attempt)).one()
        responses = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))
        return attempt.score, {r.question_id: (r.answer, r.outcome) for r in responses}


def test_a_curly_apostrophe_typed_on_a_phone_gets_the_mark(app, student, typed_quiz):
    response = submit(
        student, typed_quiz, {"q0": "Kyrgyzstan\u2019s internal matter", "q1": "Wesley Culp", "q2": "six"}
    )
    assert response.status_code == 302

    score, answers = stored(app)
    assert score == 3
    assert answers["matter"] == ("Kyrgyzstan\u2019s internal matter", "correct")
    assert answers["troops"] == (6, "correct")
    result = text_of(student.get(response.headers["Location"]))
    assert "3 / 3" in result
    assert "Accepted: close to" not in result


def test_a_forgiven_typo_is_marked_right_and_the_result_page_shows_the_spelling(app, student, typed_quiz):
    response = submit(student, typed_quiz, {"q0": "internal", "q1": "Wesly Culp", "q2": "6 state"})

    score, answers = stored(app)
    assert score == 2
    assert answers["author"] == ("Wesly Culp", "correct")
    result = text_of(student.get(response.headers["Location"]))
    assert "<dt>Feedback</dt><dd>Accepted: close to 'Wesley Culp'</dd>" in result


def test_the_quiz_page_shows_neither_the_key_nor_the_wrong_answers(student, typed_quiz):
    page = text_of(student.get(typed_quiz))
    for secret in ("Wesley", "internal matter", "typos"):
        assert secret not in page


def test_a_listed_wrong_answer_is_not_forgiven_as_a_typo(app, student, typed_quiz):
    submit(student, typed_quiz, {"q1": "Wesley Clark"})
    assert stored(app)[1]["author"] == ("Wesley Clark", "wrong")


@pytest.mark.parametrize("typed", ["6-7", "5 or 6", "about 6"])
def test_a_range_or_a_choice_is_sent_back_with_a_message_and_the_other_answers_kept(
    app, student, typed_quiz, typed
):
    response = submit(student, typed_quiz, {"q0": "Kyrgyzstan\u2019s internal matter", "q2": typed})

    assert response.status_code == 422
    page = text_of(response)
    assert "Enter a number on its own, such as 6 or six" in page
    assert f'value="{typed}"' in page
    assert 'value="Kyrgyzstan\u2019s internal matter"' in page
    assert stored(app)[0] is None
