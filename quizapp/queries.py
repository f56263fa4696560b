"""The statements the busiest pages run, built once when the app starts and run with parameters.

They are written on the tables (``Attempt.__table__``), not the ORM classes: on SQLite, building a
statement and loading its rows as objects cost more than running the query, and a Core statement
built once skips both, returning plain rows. Every other query is written where it is used, in the
ORM's style; a query moves here only when a benchmark shows that its building costs.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, func, select, update

from quizapp.models import (
    Assignment,
    Attempt,
    BankMember,
    BankPolicy,
    Classroom,
    Enrollment,
    ExtraTime,
    Response,
    User,
)

_attempts, _responses, _users = Attempt.__table__, Response.__table__, User.__table__
_assignments, _classrooms, _enrollments = Assignment.__table__, Classroom.__table__, Enrollment.__table__
_extra, _policies, _members = ExtraTime.__table__, BankPolicy.__table__, BankMember.__table__


# Accounts: the signed-in user, loaded on every request.
SIGNED_IN = select(
    _users.c.id, _users.c.username, _users.c.display_name, _users.c.role, _users.c.session_generation
).where(_users.c.id == bindparam("id"))


# Bank access: asked by every quiz and study page.
CLOSED = select(_policies.c.bank_slug).where(_policies.c.practice.is_(False))

EDITING = select(_members.c.bank_slug).where(
    _members.c.user_id == bindparam("user_id"), _members.c.bank_slug.in_(bindparam("closed", expanding=True))
)


# Disclosure: asked on every study card.
LEARNERS_ATTEMPTS = select(
    _attempts.c.bank_slug, _attempts.c.quiz_id, _attempts.c.assignment_id, _attempts.c.submitted_at
).where(_attempts.c.user_id == bindparam("user_id"))


# Attempts: each page of a quiz, each autosave and submit, and the overdue attempts that pages
# and exports close first.
ATTEMPT_STATE = (
    select(
        _attempts.c.user_id,
        _attempts.c.bank_slug,
        _attempts.c.quiz_id,
        _attempts.c.number,
        _attempts.c.quiz_title,
        _attempts.c.max_score,
        _attempts.c.submitted_at,
        _attempts.c.assignment_id,
        _classrooms.c.name,
        _attempts.c.started_at,
        _attempts.c.deadline,
        _attempts.c.draft_version,
        _responses.c.position,
        _responses.c.question,
        _responses.c.draft,
        _responses.c.flagged,
    )
    .select_from(
        _attempts.outerjoin(_responses, _responses.c.attempt_id == _attempts.c.id)
        .outerjoin(_assignments, _assignments.c.id == _attempts.c.assignment_id)
        .outerjoin(_classrooms, _classrooms.c.id == _assignments.c.classroom_id)
    )
    .where(_attempts.c.id == bindparam("attempt_id"))
    .order_by(_responses.c.position)
)

# Every autosave runs this instead of ``attempt_state``: no question is rebuilt to store a draft.
DRAFT_TARGET = select(
    _attempts.c.user_id,
    select(func.count()).where(_responses.c.attempt_id == _attempts.c.id).scalar_subquery(),
).where(_attempts.c.id == bindparam("attempt_id"))

SAVE_DRAFT = (
    update(_attempts)
    .where(
        _attempts.c.id == bindparam("attempt_id"),
        _attempts.c.submitted_at.is_(None),
        (_attempts.c.deadline.is_(None))
        | (_attempts.c.deadline >= bindparam("cutoff", type_=_attempts.c.deadline.type)),
    )
    .values(
        draft_version=_attempts.c.draft_version + 1,
        drafted_at=bindparam("now", type_=_attempts.c.drafted_at.type),
    )
    .returning(_attempts.c.draft_version)
)

DRAFTED = (
    update(_responses)
    .where(
        _responses.c.attempt_id == bindparam("of_attempt"), _responses.c.position == bindparam("at_position")
    )
    .values(draft=bindparam("draft", type_=_responses.c.draft.type), flagged=bindparam("is_flagged"))
)

CLAIM = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.submitted_at.is_(None))
    .values(
        score=bindparam("score"),
        submitted_at=bindparam("now", type_=_attempts.c.submitted_at.type),
        auto_submitted=bindparam("auto"),
    )
)

GRADED = (
    update(_responses)
    .where(
        _responses.c.attempt_id == bindparam("of_attempt"), _responses.c.position == bindparam("at_position")
    )
    .values(
        answer=bindparam("answer", type_=_responses.c.answer.type),
        draft=bindparam("draft", type_=_responses.c.draft.type),
        points=bindparam("points"),
        outcome=bindparam("outcome"),
    )
)

OVERDUE = select(_attempts.c.id).where(
    _attempts.c.submitted_at.is_(None),
    _attempts.c.deadline < bindparam("cutoff", type_=_attempts.c.deadline.type),
)

OVERDUE_OF_USER = OVERDUE.where(_attempts.c.user_id == bindparam("user_id"))

OVERDUE_IN_CLASS = OVERDUE.where(
    _attempts.c.assignment_id.in_(
        select(_assignments.c.id).where(_assignments.c.classroom_id == bindparam("classroom_id"))
    )
)


# Classes: a learner's settings of a quiz, at every start and result page.
# One assignment as a setting for the learner :user_id (their extra time in it, if any).
SETTING = (
    select(
        _assignments.c.id,
        _classrooms.c.name,
        _assignments.c.opens_at,
        _assignments.c.closes_at,
        _assignments.c.review,
        func.coalesce(_extra.c.minutes, 0),
    )
    .join(_classrooms, _classrooms.c.id == _assignments.c.classroom_id)
    .outerjoin(
        _extra, and_(_extra.c.assignment_id == _assignments.c.id, _extra.c.user_id == bindparam("user_id"))
    )
)

# The assignments of the learner's classes.
SETTINGS = SETTING.join(_enrollments, _enrollments.c.classroom_id == _assignments.c.classroom_id).where(
    _enrollments.c.user_id == bindparam("user_id")
)

SETTINGS_OF_QUIZ = SETTINGS.where(
    _assignments.c.bank_slug == bindparam("slug"), _assignments.c.quiz_id == bindparam("quiz_id")
)

STUDENT_SETTINGS = SETTINGS.add_columns(_assignments.c.bank_slug, _assignments.c.quiz_id)

# An attempt's own setting, whether or not its learner is still in the class.
SETTING_BY_ID = SETTING.where(_assignments.c.id == bindparam("assignment_id"))


# The gradebook, with the class as a parameter. An attempt counts when it was started for one of the
# class's assignments (an EXISTS on them) and it was submitted: practice, and attempts for another
# class that set the same quiz, never do.
SET_TO_CLASS = (
    select(_assignments.c.id)
    .where(
        _assignments.c.id == _attempts.c.assignment_id,
        _assignments.c.classroom_id == bindparam("class_id"),
    )
    .exists()
)

ASSIGNED = (
    select(_assignments.c.bank_slug, _assignments.c.quiz_id, _assignments.c.opens_at)
    .where(_assignments.c.classroom_id == bindparam("class_id"))
    .order_by(_assignments.c.id)
)

MAXIMA = (
    select(_attempts.c.bank_slug, _attempts.c.quiz_id, func.max(_attempts.c.max_score))
    .join(_enrollments, _enrollments.c.user_id == _attempts.c.user_id)
    .where(
        _enrollments.c.classroom_id == bindparam("class_id"),
        _attempts.c.submitted_at.is_not(None),
        SET_TO_CLASS,
    )
    .group_by(_attempts.c.bank_slug, _attempts.c.quiz_id)
)

ROWS = (
    select(
        _users.c.id,
        _users.c.username,
        _users.c.display_name,
        _users.c.email,
        _attempts.c.bank_slug,
        _attempts.c.quiz_id,
        _attempts.c.score,
        _attempts.c.max_score,
    )
    .join(_enrollments, _enrollments.c.user_id == _users.c.id)
    .outerjoin(
        _attempts,
        and_(_attempts.c.user_id == _users.c.id, _attempts.c.submitted_at.is_not(None), SET_TO_CLASS),
    )
    .where(_enrollments.c.classroom_id == bindparam("class_id"))
    .order_by(_users.c.display_name, _users.c.id, _attempts.c.number)
    .execution_options(yield_per=2000)
)
