"""Quiz attempts as operations: the only code that writes attempts and responses."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.banks import Bank, Quiz
from quizapp.cards import queue_missed
from quizapp.classes import window_refusal
from quizapp.extensions import db, write_transaction
from quizapp.models import Attempt, Response, User, utcnow
from quizapp.questions import FormData, Question, ResponseError, from_snapshot, overall_grade


class AttemptRefused(Exception):
    """The learner may not start this attempt; the message says why, in their terms."""


def field_name(position: int) -> str:
    """The form field (or field prefix) of the question at ``position`` in an attempt."""
    return f"q{position}"


def user_attempts(user: User, bank_slug: str, quiz_id: str) -> list[Attempt]:
    """The learner's attempts at one quiz, oldest first."""
    query = (
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.bank_slug == bank_slug, Attempt.quiz_id == quiz_id)
        .order_by(Attempt.number)
    )
    return list(db.session.scalars(query))


def quiz_grade(attempts: list[Attempt], policy: str) -> float | None:
    """The learner's grade on a quiz under its grading policy, as a fraction (None if never submitted)."""
    done = sorted((a for a in attempts if a.submitted), key=lambda a: a.number)
    return overall_grade([a.fraction for a in done], policy)


def best_scores(user: User) -> dict[tuple[str, str], float]:
    """The learner's best fraction on every quiz they submitted, by (bank slug, quiz id)."""
    query = (
        select(Attempt.bank_slug, Attempt.quiz_id, func.max(Attempt.score / Attempt.max_score))
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None), Attempt.max_score > 0)
        .group_by(Attempt.bank_slug, Attempt.quiz_id)
    )
    return {(slug, quiz_id): best for slug, quiz_id, best in db.session.execute(query)}


def start_attempt(user: User, bank: Bank, quiz: Quiz, rng: random.Random | None = None) -> Attempt:
    """Resume the learner's unfinished attempt at ``quiz``, or begin a new one if the quiz's
    attempts limit allows it. The questions drawn, and their choice order, are stored with it."""
    rng = rng or random.Random()  # noqa: S311 - question order needs no cryptographic randomness
    for _ in range(3):
        try:
            with write_transaction():
                return _start(user, bank, quiz, rng)
        except IntegrityError:
            continue  # another request numbered an attempt at the same moment: count again
    raise AttemptRefused("Too many attempts were started at once. Try again.")


def _start(user: User, bank: Bank, quiz: Quiz, rng: random.Random) -> Attempt:
    refusal = window_refusal(user.id, bank.slug, quiz.id)
    if refusal:
        raise AttemptRefused(refusal)
    existing = user_attempts(user, bank.slug, quiz.id)
    unfinished = next((a for a in existing if not a.submitted), None)
    if unfinished is not None:
        return unfinished
    if quiz.attempts is not None and len(existing) >= quiz.attempts:
        raise AttemptRefused(f"You have used all {quiz.attempts} attempts at this quiz.")
    shown = quiz.draw(bank.questions, rng)
    attempt = Attempt(
        user_id=user.id,
        bank_slug=bank.slug,
        quiz_id=quiz.id,
        number=len(existing) + 1,
        quiz_title=quiz.title,
        bank_sha256=bank.sha256,
        max_score=sum(q.points for q in shown),
        responses=[
            Response(
                position=i,
                question_id=q.id,
                question_type=q.type,
                question=q.snapshot(),
                max_points=q.points,
            )
            for i, q in enumerate(shown)
        ],
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


class Shown(NamedTuple):
    """One question of an attempt as the learner was shown it."""

    position: int
    question: Question


# Built once: the quiz page and every submit run it, and building a statement costs as much as
# running it on SQLite.
_SHOWN = (
    select(Response.position, Response.question)
    .where(Response.attempt_id == bindparam("attempt_id"))
    .order_by(Response.position)
)


def shown_questions(attempt_id: int) -> list[Shown]:
    """The questions of an attempt as shown (choices in the order shown, with the key), in order."""
    rows = db.session.execute(_SHOWN, {"attempt_id": attempt_id})
    return [Shown(position, from_snapshot(snapshot)) for position, snapshot in rows]


def read_answers(shown: Sequence[Shown], form: FormData) -> tuple[dict[int, Any], dict[int, str]]:
    """The learner's responses from a submitted quiz form, by position, and the problems that
    must be fixed before grading (by position too)."""
    answers: dict[int, Any] = {}
    problems: dict[int, str] = {}
    for position, question in shown:
        try:
            answers[position] = question.read_response(form, field_name(position))
        except ResponseError as exc:
            problems[position] = str(exc)
    return answers, problems


_CLAIM = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.submitted_at.is_(None))
    .values(score=bindparam("score"), submitted_at=bindparam("now", type_=Attempt.submitted_at.type))
    .execution_options(synchronize_session=False)
)
_GRADED = (
    update(Response.__table__)
    .where(Response.attempt_id == bindparam("of_attempt"), Response.position == bindparam("at_position"))
    .values(
        answer=bindparam("answer", type_=Response.answer.type),
        points=bindparam("points"),
        outcome=bindparam("outcome"),
    )
)


def submit_attempt(attempt: Attempt, answers: Mapping[int, Any], shown: Sequence[Shown] | None = None) -> bool:
    """Grade an attempt on the server and store it. Returns False, changing nothing, if the
    attempt was already submitted (a double click, the back button, a replayed request).
    Raises ``AttemptRefused`` if the quiz has closed for the learner since the page was opened.

    Grading happens before the write lock is taken; under it, one conditional UPDATE decides
    whether this request is the one that submits, so the lock is held for a few statements only.
    """
    if attempt.submitted:
        return False
    refusal = window_refusal(attempt.user_id, attempt.bank_slug, attempt.quiz_id)
    if refusal:
        raise AttemptRefused(refusal)
    graded, missed, total = [], [], 0.0
    for position, question in shown if shown is not None else shown_questions(attempt.id):
        answer = answers.get(position)
        result = question.grade(answer)
        graded.append(
            {
                "of_attempt": attempt.id,
                "at_position": position,
                "answer": answer,
                "points": result.points,
                "outcome": result.outcome,
            }
        )
        total += result.points
        if result.outcome != "correct":
            missed.append(question.id)
    now = utcnow()
    with write_transaction():
        claimed = db.session.execute(
            _CLAIM, {"attempt_id": attempt.id, "score": round(total, 6), "now": now}
        ).rowcount
        if not claimed:
            return False  # another request submitted it first
        if graded:
            db.session.connection().execute(_GRADED, graded)
        queue_missed(attempt.user_id, attempt.bank_slug, missed, now)
    return True
