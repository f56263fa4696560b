"""Quiz attempts as operations: the only code that writes attempts and responses."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from flask import current_app
from sqlalchemy import CursorResult, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from quizapp import clock, queries
from quizapp.banks import Bank, Quiz
from quizapp.classrooms.operations import Setting, deadline_for, practice_open, quiz_settings
from quizapp.database import write_transaction
from quizapp.extensions import db
from quizapp.models import Attempt, Response
from quizapp.people import Person
from quizapp.questions import FormData, Question, ResponseError, from_snapshot, overall_grade
from quizapp.study.operations import queue_missed
from quizapp.text import clean_text

#: A question's draft: the raw form fields it was answered with, {name: [values]}.
Draft = dict[str, list[str]]


class AttemptRefused(Exception):
    """The learner may not start this attempt; the message says why, in their terms."""


def field_name(position: int) -> str:
    """The form field (or field prefix) of the question at ``position`` in an attempt."""
    return f"q{position}"


def flag_name(position: int) -> str:
    """The "flag for review" box of the question at ``position``."""
    return f"flag-q{position}"


def grace() -> timedelta:
    """How long after a deadline answers sent still count."""
    return timedelta(seconds=current_app.config.get("SUBMIT_GRACE_SECONDS", 30))


def user_attempts(user: Person, bank_slug: str, quiz_id: str) -> list[Attempt]:
    """The learner's attempts at one quiz, oldest first."""
    query = (
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.bank_slug == bank_slug, Attempt.quiz_id == quiz_id)
        .order_by(Attempt.number)
    )
    return list(db.session.scalars(query))


def in_setting(attempts: Iterable[Attempt], setting: Setting) -> list[Attempt]:
    """The attempts made in one setting (an assignment, or practice)."""
    return [a for a in attempts if a.assignment_id == setting.assignment_id]


def quiz_grade(attempts: list[Attempt], policy: str) -> float | None:
    """The learner's grade on a quiz under its grading policy, as a fraction (None if never submitted)."""
    done = sorted((a for a in attempts if a.submitted), key=lambda a: a.number)
    return overall_grade([f for a in done if (f := a.fraction) is not None], policy)


@dataclass(frozen=True)
class Standing:
    """Where the learner stands with a quiz in one setting, as the quiz's page shows it."""

    setting: Setting
    #: "upcoming", "open" or "closed", now.
    state: str
    attempts: list[Attempt]
    #: The attempt in progress, which the page offers to go back to.
    unfinished: Attempt | None
    #: The grade over the attempts whose score the learner may see (None: none yet).
    grade: float | None
    #: Whether the learner can start (or go back to) an attempt here now, or why not.
    check: StartCheck


@dataclass(frozen=True)
class StartCheck:
    """Whether an attempt can begin in a setting now: ``action`` is "continue" (the one in
    progress), "start" (the first), "start-new" (another), or None with the ``reason`` why not."""

    action: str | None
    reason: str | None = None


def start_check(quiz: Quiz, setting: Setting, mine: Sequence[Attempt], now: datetime) -> StartCheck:
    """Can the learner start an attempt at ``quiz`` in ``setting`` now (``mine``: their attempts
    there)? The window must be open, and an attempt in progress is resumed before the attempts
    limit is counted. Every page that offers a start asks here, and so does every start."""
    refusal = setting.refusal(now)
    if refusal:
        return StartCheck(None, refusal)
    if any(not a.submitted for a in mine):
        return StartCheck("continue")
    if quiz.attempts is not None and len(mine) >= quiz.attempts:
        return StartCheck(None, f"You have used all {quiz.attempts} attempts at this quiz.")
    return StartCheck("start-new" if mine else "start")


def standings(
    user: Person, bank_slug: str, quiz: Quiz, attempts: list[Attempt], visible: set[int], now: datetime
) -> list[Standing]:
    """The learner's standing in each setting they may take the quiz in; ``visible``: the ids of
    their attempts whose score they may see now (``Disclosure.of_attempt``)."""
    out = []
    for setting in quiz_settings(user, bank_slug, quiz.id, quiz.practice):
        mine = in_setting(attempts, setting)
        unfinished = next((a for a in mine if not a.submitted), None)
        grade = quiz_grade([a for a in mine if a.id in visible], quiz.grading)
        check = start_check(quiz, setting, mine, now)
        out.append(Standing(setting, setting.state(now), mine, unfinished, grade, check))
    return out


def bank_listing(
    banks: Sequence[Bank], set_for_them: set[tuple[str, str]]
) -> dict[str, list[tuple[Quiz, bool]]]:
    """The quizzes the home page lists under each bank (by slug), each with whether the learner
    may take it as practice (False: only when a class sets it, and none of theirs has). A quiz
    set for one of their classes with no practice besides is left out: it is listed with the
    class, and listing it twice would offer one setting as two."""
    out: dict[str, list[tuple[Quiz, bool]]] = {}
    for bank in banks:
        listed = out.setdefault(bank.slug, [])
        for quiz in bank.quizzes.values():
            assigned = (bank.slug, quiz.id) in set_for_them
            practice = practice_open(quiz.practice, assigned)
            if practice or not assigned:
                listed.append((quiz, practice))
    return out


def start_attempt(
    user: Person,
    bank: Bank,
    quiz: Quiz,
    rng: random.Random | None = None,
    *,
    setting: str | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Resume the learner's unfinished attempt at ``quiz`` in a setting, or begin a new one if the
    window is open and the attempts limit allows it. ``setting`` is an assignment's id or
    "practice"; None takes the first open one. The questions drawn, and their choice order, are
    stored with it, and so is its deadline."""
    rng = rng or random.Random()  # noqa: S311 - question order needs no cryptographic randomness
    for _ in range(3):
        try:
            with write_transaction():
                return _start(user, bank, quiz, rng, setting, now or clock.now())
        except IntegrityError:
            continue  # another request numbered an attempt at the same moment: count again
    raise AttemptRefused("Too many attempts were started at once. Try again.")


def choose_setting(settings: Sequence[Setting], wanted: str | None, now: datetime) -> Setting:
    """The setting a start asks for, or the first open one (else the first upcoming, else the
    first); refused when the learner has none."""
    if wanted is not None:
        chosen = next((s for s in settings if s.key == wanted), None)
        if chosen is None:
            raise AttemptRefused("This quiz is not set for you there.")
    else:
        by_state = {state: [s for s in settings if s.state(now) == state] for state in ("open", "upcoming")}
        chosen = next(iter(by_state["open"] + by_state["upcoming"] + list(settings)), None)
        if chosen is None:
            raise AttemptRefused("This quiz is only taken when a class sets it, and none of yours has.")
    return chosen


def _start(
    user: Person, bank: Bank, quiz: Quiz, rng: random.Random, wanted: str | None, now: datetime
) -> Attempt:
    chosen = choose_setting(quiz_settings(user, bank.slug, quiz.id, quiz.practice), wanted, now)
    existing = user_attempts(user, bank.slug, quiz.id)
    mine = in_setting(existing, chosen)
    check = start_check(quiz, chosen, mine, now)
    if check.action is None:
        raise AttemptRefused(check.reason)
    unfinished = next((a for a in mine if not a.submitted), None)
    if unfinished is not None:
        return unfinished
    shown = quiz.draw(bank.questions, rng)
    attempt = Attempt(
        user_id=user.id,
        bank_slug=bank.slug,
        quiz_id=quiz.id,
        assignment_id=chosen.assignment_id,
        number=len(existing) + 1,
        quiz_title=quiz.title,
        bank_sha256=bank.sha256,
        started_at=now,
        time_limit=quiz.time_limit,
        deadline=deadline_for(now, quiz.time_limit, chosen.extra_minutes, chosen.closes_at),
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


class ShownQuestion(NamedTuple):
    """One question of an attempt as the learner was shown it."""

    position: int
    question: Question


@dataclass(frozen=True)
class AttemptState:
    """An attempt as its learner takes it: whose it is, which quiz, the questions as shown
    (choices in the order shown, with the key; none once submitted) and the answers saved so far.
    The quiz page, every save and every submit read it."""

    id: int
    user_id: int
    bank_slug: str
    quiz_id: str
    number: int
    quiz_title: str
    max_score: float
    submitted: bool
    shown: tuple[ShownQuestion, ...]
    assignment_id: int | None = None
    #: The class the attempt counts for (None: practice).
    classroom_name: str | None = None
    started_at: datetime | None = None
    deadline: datetime | None = None
    draft_version: int = 0
    #: The saved draft of each question, by position.
    drafts: Mapping[int, Draft] | None = None
    flagged: frozenset[int] = frozenset()

    def saved_form(self) -> MultiDict[str, str]:
        """Every saved draft as one form, as the quiz page and grading read it."""
        return as_form(self.drafts or {})

    @property
    def setting_label(self) -> str:
        """Where the attempt counts, as pages say it."""
        return Setting(self.assignment_id, self.classroom_name).label

    def time_up(self, now: datetime) -> bool:
        return self.deadline is not None and now >= self.deadline

    def too_late(self, now: datetime) -> bool:
        """Past the deadline and its grace: nothing sent now counts."""
        return self.deadline is not None and now > self.deadline + grace()


def attempt_state(attempt_id: int) -> AttemptState | None:
    """The attempt with its questions as shown, or None if there is no such attempt."""
    rows = db.session.execute(queries.ATTEMPT_STATE, {"attempt_id": attempt_id}).all()
    if not rows:
        return None
    first = rows[0]
    submitted = first.submitted_at is not None
    return AttemptState(
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
            ShownQuestion(row.position, from_snapshot(row.question))
            for row in rows
            if row.position is not None
        ),
        assignment_id=first.assignment_id,
        classroom_name=first.name,
        started_at=first.started_at,
        deadline=first.deadline,
        draft_version=first.draft_version,
        drafts={row.position: row.draft for row in rows if row.draft},
        flagged=frozenset(row.position for row in rows if row.flagged),
    )


def read_answers(shown: Sequence[ShownQuestion], form: FormData) -> tuple[dict[int, Any], dict[int, str]]:
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


def page_drafts(positions: Iterable[int], form: FormData) -> dict[int, Draft]:
    """The fields sent for the questions at ``positions`` (one page of the quiz), as typed but
    for hidden characters (``clean_text``): a question left blank has an empty draft, so clearing
    an answer is saved too. Every answer saved, autosaved or submitted comes in here."""
    wanted = {field_name(p): p for p in positions}
    drafts: dict[int, Draft] = {p: {} for p in wanted.values()}
    for name in form.keys():  # noqa: SIM118 - a MultiDict's keys, each once
        base = name.split("-", 1)[0]
        position = wanted.get(base)
        if position is None or name.startswith("flag-"):
            continue
        values = [v for v in map(clean_text, form.getlist(name)) if v != ""]
        if values:
            drafts[position][name] = values
    return drafts


def page_flags(positions: Iterable[int], form: FormData) -> dict[int, bool]:
    """Which questions of a page the learner flagged for review."""
    return {p: bool(form.get(flag_name(p))) for p in positions}


def merged(attempt: AttemptState, drafts: Mapping[int, Draft]) -> dict[int, Draft]:
    """The saved drafts with a page's new ones laid over them."""
    return {**(attempt.drafts or {}), **drafts}


def as_form(drafts: Mapping[int, Draft]) -> MultiDict[str, str]:
    """Drafts as one form, as questions read their responses."""
    return MultiDict([(n, v) for d in drafts.values() for n, values in d.items() for v in values])


class DraftTarget(NamedTuple):
    """What an autosave needs of its attempt: whose it is, and how many questions it shows."""

    user_id: int
    questions: int


def draft_target(attempt_id: int) -> DraftTarget | None:
    row = db.session.execute(queries.DRAFT_TARGET, {"attempt_id": attempt_id}).first()
    return DraftTarget(*row) if row else None


def save_draft(
    attempt_id: int, drafts: Mapping[int, Draft], flags: Mapping[int, bool], now: datetime | None = None
) -> int | None:
    """Store the learner's answers so far (the questions named in ``drafts``, with their flags),
    ungraded. Returns the attempt's new draft version, or None, changing nothing, when the attempt
    was submitted or its deadline and grace have passed: a save arriving after the submit is a
    no-op. One conditional UPDATE decides that, so no earlier read can go stale."""
    now = now or clock.now()
    with write_transaction():
        version: int | None = db.session.execute(
            queries.SAVE_DRAFT, {"attempt_id": attempt_id, "cutoff": now - grace(), "now": now}
        ).scalar()
        if version is None:
            return None
        rows = [
            {
                "of_attempt": attempt_id,
                "at_position": position,
                "draft": draft or None,
                "is_flagged": flags.get(position, False),
            }
            for position, draft in drafts.items()
        ]
        if rows:
            db.session.execute(queries.DRAFTED, rows)
    return version


def submit_attempt(
    attempt: AttemptState,
    answers: Mapping[int, Any],
    drafts: Mapping[int, Draft] | None = None,
    now: datetime | None = None,
) -> bool:
    """Grade an attempt on the server and store it, with the drafts the answers were read from.
    Returns False, changing nothing, if the attempt was already submitted (a double click, the
    back button, a replayed request). Raises ``AttemptRefused`` when its deadline and grace have
    passed: then only what was saved in time counts (``close_overdue``).

    Grading happens before the write lock is taken; under it, one conditional UPDATE decides
    whether this request is the one that submits, so the lock is held for a few statements only.
    """
    now = now or clock.now()
    if attempt.submitted:
        return False
    if attempt.too_late(now):
        raise AttemptRefused("Time was up for this attempt; it was graded with the answers saved in time.")
    return _grade_and_store(attempt, answers, drafts or attempt.drafts or {}, now, auto=False)


def _grade_and_store(
    attempt: AttemptState, answers: Mapping[int, Any], drafts: Mapping[int, Draft], now: datetime, auto: bool
) -> bool:
    graded, missed, total = [], [], 0.0
    for position, question in attempt.shown:
        answer = answers.get(position)
        result = question.grade(answer)
        graded.append(
            {
                "of_attempt": attempt.id,
                "at_position": position,
                "answer": answer,
                "draft": drafts.get(position) or None,
                "points": result.points,
                "outcome": result.outcome,
            }
        )
        total += result.points
        if result.outcome != "correct":
            missed.append(question.id)
    with write_transaction():
        # An UPDATE's result is a CursorResult, which counts the rows it changed.
        claimed = cast(
            CursorResult[Any],
            db.session.execute(
                queries.CLAIM, {"attempt_id": attempt.id, "score": round(total, 6), "now": now, "auto": auto}
            ),
        ).rowcount
        if not claimed:
            return False  # another request submitted it first
        if graded:
            db.session.execute(queries.GRADED, graded)
        queue_missed(attempt.user_id, attempt.bank_slug, missed, now)
    return True


def close_attempt(attempt: AttemptState, now: datetime | None = None) -> bool:
    """Grade an attempt whose deadline has passed with the answers saved before it, as Moodle's
    "submitted automatically" does. A saved answer that cannot be graded (a number typed as
    "abc") counts as unanswered; its draft is kept. Returns False if it was submitted already."""
    if attempt.submitted:
        return False
    answers, _problems = read_answers(attempt.shown, attempt.saved_form())
    moment = now or clock.now()
    if attempt.deadline is not None:
        moment = min(moment, attempt.deadline)
    return _grade_and_store(attempt, answers, attempt.drafts or {}, moment, auto=True)


def close_overdue(
    now: datetime | None = None, *, user_id: int | None = None, classroom_id: int | None = None
) -> int:
    """Grade every attempt in progress whose deadline and grace have passed (a learner's, a class's,
    or all), with its saved answers. Pages and exports call this before they show attempts, so no
    background job is needed. Returns how many were closed."""
    cutoff = (now or clock.now()) - grace()
    if user_id is not None:
        found = db.session.scalars(queries.OVERDUE_OF_USER, {"cutoff": cutoff, "user_id": user_id})
    elif classroom_id is not None:
        found = db.session.scalars(queries.OVERDUE_IN_CLASS, {"cutoff": cutoff, "classroom_id": classroom_id})
    else:
        found = db.session.scalars(queries.OVERDUE, {"cutoff": cutoff})
    closed = 0
    for attempt_id in list(found):
        attempt = attempt_state(attempt_id)
        if attempt is not None and close_attempt(attempt, now):
            closed += 1
    return closed
