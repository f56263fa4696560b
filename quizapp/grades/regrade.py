"""Regrading: after an instructor fixes a bank's key, recompute the stored scores of one
assignment (a quiz set for a class): the attempts started for it, and no others.

This is the only way a stored score changes. A dry run lists what would change; applying it
writes the new scores, updates each response's stored question to the fixed key (so result pages
explain the new grade) and records who did it in the regrade log.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from quizapp.banks import Bank
from quizapp.database import write_transaction
from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, RegradeLog, Response, User
from quizapp.people import Person
from quizapp.questions import Question, from_snapshot


@dataclass(frozen=True)
class ResponseChange:
    attempt_id: int
    position: int
    question: dict[str, Any]
    points: float
    outcome: str


@dataclass(frozen=True)
class AttemptChange:
    attempt_id: int
    user: str
    old_score: float
    new_score: float
    old_max: float
    new_max: float
    responses: tuple[ResponseChange, ...]

    @property
    def score_changed(self) -> bool:
        """False when only the stored key changed, not the score (the attempt's result page still
        takes the fixed key)."""
        return self.old_score != self.new_score or self.old_max != self.new_max


def regraded_question(shown: Question, current: Question) -> Question:
    """The question as the learner saw it, with the key of the current bank: the fields its type
    names in ``key_fields``; its wording and the order its choices were shown in stay as the
    learner saw them."""
    if type(shown) is not type(current):
        return shown  # a question that changed type is a different question: keep its old grade
    return dataclasses.replace(shown, **{f: getattr(current, f) for f in current.key_fields})


def plan(assignment: Assignment, bank: Bank) -> list[AttemptChange]:
    """Every submitted attempt for the assignment whose score the current key changes. Practice,
    and the same quiz set for another class, are left as they are."""
    query = (
        select(Attempt, User.username)
        .join(User, User.id == Attempt.user_id)
        .where(
            Attempt.assignment_id == assignment.id,
            Attempt.bank_slug == bank.slug,
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.id)
    )
    changes = []
    for attempt, username in db.session.execute(query):
        change = _regrade(attempt, username, bank)
        if change is not None:
            changes.append(change)
    return changes


def _regrade(attempt: Attempt, username: str, bank: Bank) -> AttemptChange | None:
    responses: list[ResponseChange] = []
    new_score = new_max = 0.0
    for response in attempt.responses:
        shown = response.shown_question()
        current = bank.questions.get(response.question_id)
        question = regraded_question(shown, current) if current is not None else shown
        result = question.grade(response.answer)
        new_score += result.points
        new_max += result.max_points
        # Against the stored snapshot as read back, so an older snapshot's layout (one cited
        # paragraph as a bare number) is no change by itself.
        if question.snapshot() != shown.snapshot() or result.points != response.points:
            responses.append(
                ResponseChange(
                    attempt.id, response.position, question.snapshot(), result.points, result.outcome
                )
            )
    new_score, new_max = round(new_score, 6), round(new_max, 6)
    if not responses:
        return None
    return AttemptChange(
        attempt.id, username, attempt.score or 0.0, new_score, attempt.max_score, new_max, tuple(responses)
    )


def apply(assignment: Assignment, bank: Bank, instructor: Person) -> RegradeLog:
    """Regrade for real: store the new scores and log the regrade under the assignment."""
    changes = plan(assignment, bank)
    with write_transaction():
        for change in changes:
            attempt = db.session.get(Attempt, change.attempt_id, with_for_update=True)
            if attempt is None:
                continue  # deleted with its account since the plan was made
            attempt.score, attempt.max_score = change.new_score, change.new_max
            by_position = {r.position: r for r in change.responses}
            for response in db.session.scalars(select(Response).where(Response.attempt_id == attempt.id)):
                if response.position in by_position:
                    fixed = by_position[response.position]
                    response.question = fixed.question
                    response.points, response.outcome = fixed.points, fixed.outcome
                    response.max_points = from_snapshot(fixed.question).points
        log = RegradeLog(
            classroom_id=assignment.classroom_id,
            assignment_id=assignment.id,
            bank_slug=bank.slug,
            quiz_id=assignment.quiz_id,
            instructor_id=instructor.id,
            bank_sha256=bank.sha256,
            changes=[
                {
                    "attempt_id": c.attempt_id,
                    "user": c.user,
                    "old": c.old_score,
                    "new": c.new_score,
                    "max_old": c.old_max,
                    "max_new": c.new_max,
                }
                for c in changes
                if c.score_changed
            ],
        )
        db.session.add(log)
    return log


def history(assignment: Assignment) -> list[RegradeLog]:
    """The regrades of one assignment, newest first."""
    query = select(RegradeLog).where(RegradeLog.assignment_id == assignment.id).order_by(RegradeLog.id.desc())
    return list(db.session.scalars(query))
