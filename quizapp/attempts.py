"""Quiz attempts as operations: the only code that writes attempts and responses."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Sitting:
    """An attempt as its learner takes it: whose it is, which quiz, and the questions as shown
    (choices in the order shown, with the key; none once submitted). The quiz page and every
    submit read it."""

    id: int
    user_id: int
    bank_slug: str
    quiz_id: str
    number: int
    quiz_title: str
    max_score: float
    submitted: bool
    shown: tuple[Shown, ...]


_attempts, _responses = Attempt.__table__, Response.__table__
# One statement, built once, on the tables rather than the ORM classes: on SQLite, building a
# statement or loading rows as objects costs more than running the query.
_SITTING = (
    select(
        _attempts.c.user_id,
        _attempts.c.bank_slug,
        _attempts.c.quiz_id,
        _attempts.c.number,
        _attempts.c.quiz_title,
        _attempts.c.max_score,
        _attempts.c.submitted_at,
        _responses.c.position,
        _responses.c.question,
    )
    .select_from(_attempts.outerjoin(_responses, _responses.c.attempt_id == _attempts.c.id))
    .where(_attempts.c.id == bindparam("attempt_id"))
    .order_by(_responses.c.position)
)


def sitting(attempt_id: int) -> Sitting | None:
    """The attempt with its questions as shown, or None if there is no such attempt."""
    rows = db.session.execute(_SITTING, {"attempt_id": attempt_id}).all()
    if not rows:
        return None
    first = rows[0]
    submitted = first.submitted_at is not None
    return Sitting(
        id=attempt_id,
        user_id=first.user_id,
        bank_slug=first.bank_slug,
        quiz_id=first.quiz_id,
        number=first.number,
        quiz_title=first.quiz_title,
        max_score=first.max_score,
        submitted=submitted,
        # A submitted attempt is shown from its graded responses instead: no need to rebuild these.
        shown=()
        if submitted
        else tuple(
            Shown(row.position, from_snapshot(row.question)) for row in rows if row.position is not None
        ),
    )


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
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.submitted_at.is_(None))
    .values(score=bindparam("score"), submitted_at=bindparam("now", type_=_attempts.c.submitted_at.type))
)
_GRADED = (
    update(_responses)
    .where(
        _responses.c.attempt_id == bindparam("of_attempt"), _responses.c.position == bindparam("at_position")
    )
    .values(
        answer=bindparam("answer", type_=_responses.c.answer.type),
        points=bindparam("points"),
        outcome=bindparam("outcome"),
    )
)


def submit_attempt(taking: Sitting, answers: Mapping[int, Any]) -> bool:
    """Grade an attempt on the server and store it. Returns False, changing nothing, if the
    attempt was already submitted (a double click, the back button, a replayed request).
    Raises ``AttemptRefused`` if the quiz has closed for the learner since the page was opened.

    Grading happens before the write lock is taken; under it, one conditional UPDATE decides
    whether this request is the one that submits, so the lock is held for a few statements only.
    """
    if taking.submitted:
        return False
    refusal = window_refusal(taking.user_id, taking.bank_slug, taking.quiz_id)
    if refusal:
        raise AttemptRefused(refusal)
    graded, missed, total = [], [], 0.0
    for position, question in taking.shown:
        answer = answers.get(position)
        result = question.grade(answer)
        graded.append(
            {
                "of_attempt": taking.id,
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
            _CLAIM, {"attempt_id": taking.id, "score": round(total, 6), "now": now}
        ).rowcount
        if not claimed:
            return False  # another request submitted it first
        if graded:
            db.session.execute(_GRADED, graded)
        queue_missed(taking.user_id, taking.bank_slug, missed, now)
    return True
