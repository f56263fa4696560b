"""Classes as operations: creating them, joining them, assigning quizzes with open and close times,
extra time, and the settings (an assignment, or practice) a learner takes a quiz in."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from quizapp import queries
from quizapp.access import may_practise
from quizapp.database import upsert, write_transaction
from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, ExtraTime
from quizapp.people import Person
from quizapp.timefmt import said_when

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


def create_class(instructor: Person, name: str) -> Classroom:
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
                db.session.get_one(Classroom, classroom.id).join_code = new_join_code()
            return classroom.join_code
        except IntegrityError:
            continue
    raise ClassError("Could not make a unique join code; try again.")


def join_class(student: Person, typed_code: str) -> Classroom:
    """Enrol ``student`` in the class whose join code they typed."""
    code = normalize_code(typed_code)
    with write_transaction():
        classroom = db.session.scalar(select(Classroom).where(Classroom.join_code == code)) if code else None
        if classroom is None:
            raise ClassError("No class has that code. Check it with your instructor.")
        joined = db.session.execute(
            upsert(_enrollments)
            .values(classroom_id=classroom.id, user_id=student.id)
            .on_conflict_do_nothing(index_elements=["classroom_id", "user_id"])
            .returning(_enrollments.c.id)
        ).first()
        if joined is None:
            raise ClassError(f"You are already in {classroom.name}.")
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
        # Set and changed in one statement: two instructors setting the quiz at once make one.
        times = {"opens_at": opens_at, "closes_at": closes_at}
        insert = upsert(_assignments).values(
            classroom_id=classroom.id, bank_slug=bank_slug, quiz_id=quiz_id, **times
        )
        assignment_id = db.session.execute(
            insert.on_conflict_do_update(
                index_elements=["classroom_id", "bank_slug", "quiz_id"],
                set_={name: insert.excluded[name] for name in times},
            ).returning(_assignments.c.id)
        ).scalar_one()
        assignment = db.session.get_one(Assignment, assignment_id, populate_existing=True)
        refresh_deadlines(assignment.id)
    return assignment


def unassign(assignment: Assignment) -> None:
    """Take a quiz off a class; attempts already made are kept, as the learners' practice."""
    with write_transaction():
        # A statement, not an object: a second click that finds it gone already changes nothing.
        db.session.execute(delete(_assignments).where(_assignments.c.id == assignment.id))


def student_assignments(student: Person, now: datetime) -> list[tuple[Assignment, Classroom]]:
    """Every quiz set for the classes ``student`` is in, once per class: the open ones soonest due
    first (no due date last), then the upcoming ones soonest opening first, then the closed ones
    most recently closed first."""
    rows = db.session.execute(
        select(Assignment, Classroom)
        .join(Classroom, Assignment.classroom_id == Classroom.id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(Enrollment.user_id == student.id)
    ).all()

    def order(row: tuple[Assignment, Classroom]) -> tuple[int, float, str, int]:
        assignment, classroom = row
        opens, closes = assignment.opens_at, assignment.closes_at
        state = assignment.state(now)
        if state == "open":
            rank, moment = 0, closes.timestamp() if closes else math.inf
        elif state == "upcoming":
            rank, moment = 1, opens.timestamp() if opens else 0.0
        else:
            rank, moment = 2, -closes.timestamp() if closes else 0.0
        return rank, moment, classroom.name, assignment.id

    return sorted(((a, c) for a, c in rows), key=order)


def practice_open(practice: str, set_for_them: bool) -> bool:
    """Whether a quiz's ``practice`` rule lets a learner take it as practice, given whether one of
    their classes sets it (the bank must let them practise too: ``may_practise``)."""
    return practice == "always" or (practice == "unassigned" and not set_for_them)


@dataclass(frozen=True)
class Setting:
    """Where an attempt counts: one class's assignment of the quiz, or practice (which counts for
    no class). Every attempt is started in one, and its window and review options are that one's."""

    assignment_id: int | None
    classroom_name: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    #: The assignment's own review options ({part: [moments]}), None to keep the quiz's.
    review: dict[str, list[str]] | None = None
    #: Minutes this learner gets beyond the quiz's time limit here.
    extra_minutes: int = 0

    @property
    def key(self) -> str:
        """How forms name it: the assignment's id, or "practice"."""
        return "practice" if self.assignment_id is None else str(self.assignment_id)

    @property
    def is_practice(self) -> bool:
        return self.assignment_id is None

    @property
    def label(self) -> str:
        return "Practice" if self.assignment_id is None else f"For {self.classroom_name}"

    def state(self, now: datetime) -> str:
        """ "upcoming", "open" or "closed"; practice is always open."""
        return Assignment.window_state(self.opens_at, self.closes_at, now)

    def refusal(self, now: datetime) -> str | None:
        """Why an attempt may not start here now, or None if it may."""
        state = self.state(now)
        if state == "upcoming" and self.opens_at is not None:
            return f"This quiz opens for {self.classroom_name} on {said_when(self.opens_at, now)}."
        if state == "closed" and self.closes_at is not None:
            return (
                f"This quiz closed for {self.classroom_name} on {said_when(self.closes_at, now)}; "
                "answers are no longer accepted."
            )
        return None


PRACTICE = Setting(None)


def quiz_settings(user: Person, bank_slug: str, quiz_id: str, practice: str) -> list[Setting]:
    """Where the learner may take a quiz: each of their classes' assignments of it (soonest due
    first), then practice if the quiz's ``practice`` rule allows it for them and its bank lets them
    practise (``may_practise``). Every page and every start asks here."""
    rows = db.session.execute(
        queries.SETTINGS_OF_QUIZ, {"user_id": user.id, "slug": bank_slug, "quiz_id": quiz_id}
    ).all()
    far = datetime.max.replace(tzinfo=UTC)
    settings = sorted(
        (Setting(*row) for row in rows), key=lambda s: (s.closes_at or far, s.classroom_name, s.assignment_id)
    )
    if practice_open(practice, bool(settings)) and may_practise(user, bank_slug):
        settings.append(PRACTICE)
    return settings


def setting_of(student_id: int, assignment_id: int | None) -> Setting | None:
    """The setting an attempt was started in (None if its assignment is gone)."""
    if assignment_id is None:
        return PRACTICE
    row = db.session.execute(
        queries.SETTING_BY_ID, {"user_id": student_id, "assignment_id": assignment_id}
    ).first()
    return Setting(*row) if row else None


_assignments, _enrollments = Assignment.__table__, Enrollment.__table__
_extra = ExtraTime.__table__


def student_settings(student_id: int) -> dict[tuple[str, str], list[Setting]]:
    """Every assignment of every class the student is in, as settings, by (bank slug, quiz id)."""
    rows = db.session.execute(queries.STUDENT_SETTINGS, {"user_id": student_id})
    out: dict[tuple[str, str], list[Setting]] = {}
    for *setting, slug, quiz_id in rows:
        out.setdefault((slug, quiz_id), []).append(Setting(*setting))
    return out


def deadline_for(
    started_at: datetime, time_limit: int | None, extra_minutes: int, closes_at: datetime | None
) -> datetime | None:
    """When an attempt is graded whatever the learner does: the earlier of its time limit (with
    extra time) and its window's close; None when neither applies."""
    ends = []
    if time_limit is not None:
        ends.append(started_at + timedelta(seconds=time_limit, minutes=extra_minutes))
    if closes_at is not None:
        ends.append(closes_at)
    return min(ends, default=None)


def refresh_deadlines(assignment_id: int, user_id: int | None = None) -> None:
    """Recompute the deadlines of the assignment's attempts in progress after its closing time
    or a student's extra time changed (inside the caller's write transaction)."""
    assignment = db.session.get_one(Assignment, assignment_id)
    extra = {e.user_id: e.minutes for e in assignment.extra_time}
    query = select(Attempt).where(Attempt.assignment_id == assignment_id, Attempt.submitted_at.is_(None))
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    for attempt in db.session.scalars(query):
        attempt.deadline = deadline_for(
            attempt.started_at, attempt.time_limit, extra.get(attempt.user_id, 0), assignment.closes_at
        )


def set_extra_time(assignment: Assignment, user_id: int, minutes: int) -> None:
    """Give a student extra minutes on a timed quiz in one assignment (0 takes them away); an
    attempt in progress gets the new deadline at once."""
    if not 0 <= minutes <= 24 * 60:
        raise ClassError("Extra time must be between 0 and 1440 minutes.")
    with write_transaction():
        # One statement either way, so two saves at once leave one row, of the later one's minutes.
        if minutes:
            insert = upsert(_extra).values(assignment_id=assignment.id, user_id=user_id, minutes=minutes)
            db.session.execute(
                insert.on_conflict_do_update(
                    index_elements=["assignment_id", "user_id"], set_={"minutes": insert.excluded.minutes}
                )
            )
        else:
            db.session.execute(
                delete(_extra).where(_extra.c.assignment_id == assignment.id, _extra.c.user_id == user_id)
            )
        db.session.expire(db.session.get_one(Assignment, assignment.id), ["extra_time"])
        refresh_deadlines(assignment.id, user_id)


def set_review(assignment: Assignment, review: dict[str, list[str]] | None) -> None:
    """Override the quiz's review options for this assignment (None goes back to the bank's)."""
    with write_transaction():
        db.session.get_one(Assignment, assignment.id).review = review


def is_enrolled(classroom: Classroom, user: Person) -> bool:
    query = select(Enrollment.id).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user.id
    )
    return db.session.scalar(query) is not None


def class_attempts(classroom: Classroom, student: Person) -> list[Attempt]:
    """A student's attempts for the class's assignments, newest first: what its instructor may see.
    Their practice, and their attempts for other classes, are not the class's."""
    if not is_enrolled(classroom, student):
        return []
    query = (
        select(Attempt)
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(Attempt.user_id == student.id, Assignment.classroom_id == classroom.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    return list(db.session.scalars(query))
