"""Classes as operations: creating them, joining them, assigning quizzes with open and close times."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db, write_transaction
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, User, utcnow
from quizapp.timefmt import format_time

#: Join-code letters: no 0/O, 1/I/L, 2/Z, 5/S or 8/B to mistake for one another.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


class ClassError(Exception):
    """A class operation refused; the message says why, in the user's terms."""


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """A join code as typed ("acde-fghj ") to the stored form ("ACDEFGHJ")."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def show_code(code: str) -> str:
    """A join code as shown: two groups of four, easier to read aloud."""
    return f"{code[:4]}-{code[4:]}"


def create_class(instructor: User, name: str) -> Classroom:
    """A new class of ``instructor``'s, with a fresh join code."""
    for _ in range(5):
        try:
            with write_transaction():
                classroom = Classroom(
                    name=name.strip(), instructor_id=instructor.id, join_code=new_join_code()
                )
                db.session.add(classroom)
            return classroom
        except IntegrityError:
            continue  # the code was taken: draw another
    raise ClassError("Could not make a unique join code; try again.")


def regenerate_code(classroom: Classroom) -> str:
    """Give the class a new join code; the old one stops working. Students already in it stay."""
    for _ in range(5):
        try:
            with write_transaction():
                db.session.get(Classroom, classroom.id).join_code = new_join_code()
            return classroom.join_code
        except IntegrityError:
            continue
    raise ClassError("Could not make a unique join code; try again.")


def join_class(student: User, typed_code: str) -> Classroom:
    """Enrol ``student`` in the class whose join code they typed."""
    code = normalize_code(typed_code)
    with write_transaction():
        classroom = db.session.scalar(select(Classroom).where(Classroom.join_code == code)) if code else None
        if classroom is None:
            raise ClassError("No class has that code. Check it with your instructor.")
        enrolled = db.session.scalar(
            select(Enrollment).where(
                Enrollment.classroom_id == classroom.id, Enrollment.user_id == student.id
            )
        )
        if enrolled is not None:
            raise ClassError(f"You are already in {classroom.name}.")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=student.id))
    return classroom


def remove_student(classroom: Classroom, user_id: int) -> None:
    """Take a student out of a class; their attempts and scores are kept."""
    with write_transaction():
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.classroom_id == classroom.id, Enrollment.user_id == user_id)
        )
        if enrollment is not None:
            db.session.delete(enrollment)


def assign_quiz(
    classroom: Classroom, bank_slug: str, quiz_id: str, opens_at: datetime | None, closes_at: datetime | None
) -> Assignment:
    """Set a quiz for a class, or change the times of one already set."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise ClassError("The closing time must come after the opening time.")
    with write_transaction():
        assignment = db.session.scalar(
            select(Assignment).where(
                Assignment.classroom_id == classroom.id,
                Assignment.bank_slug == bank_slug,
                Assignment.quiz_id == quiz_id,
            )
        )
        if assignment is None:
            assignment = Assignment(classroom_id=classroom.id, bank_slug=bank_slug, quiz_id=quiz_id)
            db.session.add(assignment)
        assignment.opens_at, assignment.closes_at = opens_at, closes_at
    return assignment


def unassign(assignment: Assignment) -> None:
    """Take a quiz off a class; attempts already made are kept."""
    with write_transaction():
        db.session.delete(db.session.get(Assignment, assignment.id))


def student_assignments(student: User) -> list[tuple[Assignment, Classroom]]:
    """Every quiz set for the classes ``student`` is in, soonest due first (no due date last)."""
    rows = db.session.execute(
        select(Assignment, Classroom)
        .join(Classroom, Assignment.classroom_id == Classroom.id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(Enrollment.user_id == student.id)
    ).all()
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    return sorted(((a, c) for a, c in rows), key=lambda row: (row[0].closes_at or far, row[1].name))


def window_refusal(student_id: int, bank_slug: str, quiz_id: str, now: datetime | None = None) -> str | None:
    """Why the student may not start or submit this quiz now, or None if they may.

    A quiz set for any of the student's classes may be taken only while one of those settings is
    open; a quiz set for none of them is free practice.
    """
    now = now or utcnow()
    windows = db.session.execute(
        _WINDOWS, {"user_id": student_id, "slug": bank_slug, "quiz_id": quiz_id}
    ).all()
    states = [Assignment.window_state(opens, closes, now) for opens, closes in windows]
    if not windows or "open" in states:
        return None
    upcoming = [opens for (opens, _), state in zip(windows, states, strict=True) if state == "upcoming"]
    if upcoming:
        return f"This quiz opens on {format_time(min(upcoming))}."
    closed = max(closes for _, closes in windows if closes is not None)
    return f"This quiz closed on {format_time(closed)}; answers are no longer accepted."


# Run at every start and submit: built once, on the tables (see attempts.py).
_assignments, _enrollments = Assignment.__table__, Enrollment.__table__
_WINDOWS = (
    select(_assignments.c.opens_at, _assignments.c.closes_at)
    .join(_enrollments, _enrollments.c.classroom_id == _assignments.c.classroom_id)
    .where(
        _enrollments.c.user_id == bindparam("user_id"),
        _assignments.c.bank_slug == bindparam("slug"),
        _assignments.c.quiz_id == bindparam("quiz_id"),
    )
)


def is_enrolled(classroom: Classroom, user: User) -> bool:
    query = select(Enrollment.id).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user.id
    )
    return db.session.scalar(query) is not None


def class_attempts(classroom: Classroom, student: User) -> list[Attempt]:
    """A student's attempts at the quizzes set for a class, newest first: what its instructor may see."""
    assigned = [(a.bank_slug, a.quiz_id) for a in classroom.assignments]
    if not assigned or not is_enrolled(classroom, student):
        return []
    query = (
        select(Attempt)
        .where(Attempt.user_id == student.id, tuple_(Attempt.bank_slug, Attempt.quiz_id).in_(assigned))
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    return list(db.session.scalars(query))
