"""Quiz attempts as operations: the only code that writes attempts and responses."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.banks import Bank, Quiz
from quizapp.cards import queue_missed
from quizapp.classes import window_refusal
from quizapp.extensions import db, write_transaction
from quizapp.models import Attempt, Response, User, utcnow
from quizapp.questions import FormData, ResponseError, overall_grade


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
    refusal = window_refusal(user, bank.slug, quiz.id)
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


def read_answers(attempt: Attempt, form: FormData) -> tuple[dict[int, Any], dict[int, str]]:
    """The learner's responses from a submitted quiz form, by position, and the problems that
    must be fixed before grading (by position too)."""
    answers: dict[int, Any] = {}
    problems: dict[int, str] = {}
    for response in attempt.responses:
        try:
            answers[response.position] = response.shown_question().read_response(
                form, field_name(response.position)
            )
        except ResponseError as exc:
            problems[response.position] = str(exc)
    return answers, problems


def submit_attempt(attempt_id: int, answers: Mapping[int, Any]) -> bool:
    """Grade an attempt on the server and store it. Returns False, changing nothing, if the
    attempt was already submitted (a double click, the back button, a replayed request).
    Raises ``AttemptRefused`` if the quiz has closed for the learner since the page was opened.

    Grading happens before the write lock is taken; under it, one conditional UPDATE decides
    whether this request is the one that submits, so the lock is held for a few statements only.
    """
    attempt = db.session.get(Attempt, attempt_id, options=[selectinload(Attempt.responses)])
    if attempt is None or attempt.submitted:
        return False
    refusal = window_refusal(attempt.user, attempt.bank_slug, attempt.quiz_id)
    if refusal:
        raise AttemptRefused(refusal)
    rows, missed, total = [], [], 0.0
    for response in attempt.responses:
        answer = answers.get(response.position)
        result = response.shown_question().grade(answer)
        rows.append({"id": response.id, "answer": answer, "points": result.points, "outcome": result.outcome})
        total += result.points
        if result.outcome != "correct":
            missed.append(response.question_id)
    user_id, slug = attempt.user_id, attempt.bank_slug
    now = utcnow()
    with write_transaction():
        claimed = db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
            .values(score=round(total, 6), submitted_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            return False  # another request submitted it first
        if rows:
            db.session.execute(update(Response), rows)
        queue_missed(user_id, slug, missed, now)
    return True
