"""Reports on a class: the gradebook (students against assigned quizzes, graded by each quiz's
policy), the responses a quiz's item analysis is computed from, and the wrong answers typed to its
text questions.

Rows are built from one query, streamed in student order, so an export of a large class never
holds more than one student's attempts in memory.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp import clock, queries
from quizapp.bank_editor.answers import rejected_answers
from quizapp.banks import Bank, BankRegistry
from quizapp.extensions import db
from quizapp.filters import quiz_name
from quizapp.grades.stats import WRONG_ANSWERS_SHOWN, AnswerGroup, AttemptScores, group_answers
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, Response
from quizapp.questions import Question, overall_grade


@dataclass(frozen=True, slots=True)
class Column:
    """One assigned quiz."""

    bank_slug: str
    quiz_id: str
    title: str
    grading: str
    #: Marks for a perfect attempt: the largest maximum of the attempts made, or the quiz's size.
    max_points: float
    #: When the quiz opens for the class (None: open from the start).
    opens_at: datetime | None = None
    #: Whether it counts in the totals: it has opened. A quiz nobody could take yet would count
    #: every student's blank as a zero.
    counts: bool = True


def possible_points(cols: Sequence[Column]) -> float:
    """The marks the totals are out of: those of the quizzes that count (``Column.counts``)."""
    return sum(col.max_points for col in cols if col.counts)


# Cells and rows are named tuples: a gradebook page builds hundreds of them, and a tuple is
# made several times faster than a frozen dataclass.
class Cell(NamedTuple):
    """A student's grade on one quiz: None (blank) when they never submitted an attempt."""

    fraction: float | None
    attempts: int

    def points(self, column: Column) -> float | None:
        return None if self.fraction is None else self.fraction * column.max_points


class Row(NamedTuple):
    user_id: int
    username: str
    display_name: str
    #: None when the student gave none.
    email: str | None
    cells: tuple[Cell, ...]
    #: ``total_points`` as a fraction of ``possible_points`` (None if there are none).
    total: float | None

    def total_points(self, columns: Sequence[Column]) -> float:
        """Points over every assigned quiz that counts (``Column.counts``); a quiz never
        attempted counts nothing."""
        return sum(
            cell.points(col) or 0.0 for cell, col in zip(self.cells, columns, strict=True) if col.counts
        )


def columns(classroom: Classroom, banks: BankRegistry, now: datetime | None = None) -> list[Column]:
    """The class's assigned quizzes, in the order they were assigned; those not open yet at
    ``now`` (the site's clock by default) do not count in the totals."""
    params = {"class_id": classroom.id}
    maxima = {(slug, quiz_id): most for slug, quiz_id, most in db.session.execute(queries.MAXIMA, params)}
    return _columns(db.session.execute(queries.ASSIGNED, params).all(), maxima, banks, now or clock.now())


def _columns(
    assigned: Sequence[tuple[str, str, datetime | None]],
    maxima: dict[tuple[str, str], float],
    banks: BankRegistry,
    now: datetime,
) -> list[Column]:
    out = []
    for slug, quiz_id, opens_at in assigned:
        bank = banks.get(slug)
        quiz = bank.quizzes.get(quiz_id) if bank else None
        size = quiz.max_points(bank.questions) if bank and quiz else 0.0
        out.append(
            Column(
                bank_slug=slug,
                quiz_id=quiz_id,
                title=quiz.title if quiz else quiz_name(slug, quiz_id),
                grading=quiz.grading if quiz else "highest",
                max_points=maxima.get((slug, quiz_id)) or size,
                opens_at=opens_at,
                counts=opens_at is None or opens_at <= now,
            )
        )
    return out


def has_grades(classroom: Classroom, column: Column) -> bool:
    """Whether a student of the class has a grade in the quiz ``column``: a submitted attempt for
    the class's assignment of it (those its maximum is read from)."""
    graded = db.session.execute(queries.MAXIMA, {"class_id": classroom.id})
    return (column.bank_slug, column.quiz_id) in {(slug, quiz_id) for slug, quiz_id, _most in graded}


def rows(classroom: Classroom, cols: Sequence[Column]) -> Iterator[Row]:
    """Every student of the class, by name, with a cell per column (``cols`` are the class's
    assigned quizzes, from ``columns``), read as they are written out."""
    return _rows(db.session.execute(queries.ROWS, {"class_id": classroom.id}), cols)


def _rows(results: Iterable[Sequence[Any]], cols: Sequence[Column]) -> Iterator[Row]:
    index = {(c.bank_slug, c.quiz_id): i for i, c in enumerate(cols)}
    possible = possible_points(cols)
    current: tuple[int, str, str, str | None] | None = None
    fractions: list[list[float]] = []
    for user_id, username, display_name, email, slug, quiz_id, score, max_score in results:
        if current is None or current[0] != user_id:
            if current is not None:
                yield _row(current, fractions, cols, possible)
            current, fractions = (user_id, username, display_name, email), [[] for _ in cols]
        column = index.get((slug, quiz_id))
        if column is not None:  # (None: no attempt, or a quiz set since ``cols`` were read)
            fractions[column].append(score / max_score if max_score else 0.0)
    if current is not None:
        yield _row(current, fractions, cols, possible)


def _row(
    user: tuple[int, str, str, str | None],
    fractions: list[list[float]],
    cols: Sequence[Column],
    possible: float,
) -> Row:
    cells = []
    points = 0.0
    for attempts, col in zip(fractions, cols, strict=True):
        grade = overall_grade(attempts, col.grading)
        cells.append(Cell(grade, len(attempts)))
        if grade is not None and col.counts:
            points += grade * col.max_points
    return Row(*user, tuple(cells), points / possible if possible else None)


@dataclass(frozen=True, slots=True)
class Gradebook:
    columns: list[Column]
    rows: list[Row]

    def column_mean(self, i: int) -> float | None:
        """The class mean of a quiz, over the students who have a grade in it (blanks left out)."""
        graded = [f for r in self.rows if (f := r.cells[i].fraction) is not None]
        return sum(graded) / len(graded) if graded else None

    def mean_total(self) -> float | None:
        totals = [r.total for r in self.rows if r.total is not None]
        return sum(totals) / len(totals) if totals else None


def gradebook(classroom: Classroom, banks: BankRegistry, now: datetime | None = None) -> Gradebook:
    """A class's whole gradebook, for its page (totals as ``columns`` has them). The page holds
    every row anyway, so the rows are read first and each quiz's maximum taken from them, where an
    export (which streams its rows) asks the database for the maxima first."""
    params = {"class_id": classroom.id}
    assigned = db.session.execute(queries.ASSIGNED, params).all()
    results = db.session.execute(queries.ROWS, params).all()
    maxima: dict[tuple[str, str], float] = {}
    for *_, slug, quiz_id, _score, max_score in results:
        if slug is not None and max_score > maxima.get((slug, quiz_id), 0.0):
            maxima[(slug, quiz_id)] = max_score
    cols = _columns(assigned, maxima, banks, now or clock.now())
    return Gradebook(cols, list(_rows(results, cols)))


def sort_rows(book: Gradebook, key: str, descending: bool) -> list[Row]:
    """Rows sorted by "name", "total" or a column number; blanks always last."""
    if key == "name":
        return sorted(book.rows, key=lambda r: (r.display_name.casefold(), r.user_id), reverse=descending)

    def value(row: Row) -> float | None:
        if key == "total":
            return row.total
        return row.cells[int(key)].fraction

    graded = [(v, r) for r in book.rows if (v := value(r)) is not None]
    blank = [r for r in book.rows if value(r) is None]
    return [r for _, r in sorted(graded, key=lambda pair: pair[0], reverse=descending)] + blank


def valid_sort_key(key: str, book: Gradebook) -> bool:
    return key in ("name", "total") or (
        re.fullmatch(r"[0-9]{1,4}", key) is not None and int(key) < len(book.columns)
    )


@dataclass(frozen=True)
class QuizResponses:
    """A class's submitted attempts at one quiz, as the statistics need them."""

    attempts: list[AttemptScores]
    #: What was answered, by question id: each choice picked, or each response worded.
    picks: dict[str, Counter[str]]
    #: The choices offered, by question id, for questions that offer choices.
    choices: dict[str, list[str]]
    #: The prompt of each question as shown, by question id.
    prompts: dict[str, str]


NO_ANSWER = "(no answer)"


def quiz_responses(classroom: Classroom, bank_slug: str, quiz_id: str) -> QuizResponses:
    """Every submitted attempt of the class's students for its assignment of a quiz, with what
    each question got."""
    query = (
        select(Attempt)
        .join(Enrollment, Enrollment.user_id == Attempt.user_id)
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(
            Enrollment.classroom_id == classroom.id,
            Assignment.classroom_id == classroom.id,
            Attempt.bank_slug == bank_slug,
            Attempt.quiz_id == quiz_id,
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.id)
        .options(selectinload(Attempt.responses))
    )
    out = QuizResponses([], {}, {}, {})
    for attempt in db.session.scalars(query):
        items = {}
        for response in attempt.responses:
            question = response.shown_question()
            items[question.id] = (response.points or 0.0, response.max_points)
            out.prompts.setdefault(question.id, question.prompt)
            picks = out.picks.setdefault(question.id, Counter())
            for picked in _picked(question, response.answer):
                picks[picked] += 1
            offered = question.offered()
            if offered:
                known = out.choices.setdefault(question.id, [])
                known.extend(c for c in offered if c not in known)
        out.attempts.append(
            AttemptScores(attempt.id, attempt.user_id, attempt.score or 0.0, attempt.max_score, items)
        )
    return out


def _picked(question: Question, answer: Any) -> list[str]:
    if answer is None or answer == []:
        return [NO_ANSWER]
    return question.picks(answer)


@dataclass(frozen=True)
class WrongAnswers:
    """The answers to one text question that its key does not accept, grouped by normalised form."""

    question_id: str
    prompt: str
    #: Most frequent first, at most WRONG_ANSWERS_SHOWN, rejected ones left out.
    shown: list[AnswerGroup]
    #: How many more groups there are than ``shown`` holds.
    more: int
    #: The groups an editor of the bank rejected, most frequent first.
    rejected: list[AnswerGroup]


def wrong_answers(assignment: Assignment, bank: Bank) -> list[WrongAnswers]:
    """For each text question (one that ``accepts_wordings``) of the assignment's quiz as ``bank``
    has it now, the answers typed in the submitted attempts of the class's students for this
    assignment that its current key does not accept (an answer accepted since, by whatever means,
    is not wrong any more)."""
    quiz = bank.quizzes.get(assignment.quiz_id)
    questions = {q.id: q for q in quiz.pool(bank.questions) if q.accepts_wordings} if quiz else {}
    if not questions:
        return []
    query = (
        select(Response.question_id, Response.answer)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Enrollment, Enrollment.user_id == Attempt.user_id)
        .where(
            Enrollment.classroom_id == assignment.classroom_id,
            Attempt.assignment_id == assignment.id,
            Attempt.bank_slug == bank.slug,
            Attempt.submitted_at.is_not(None),
            Response.question_id.in_(questions),
        )
        .order_by(Response.id)
    )
    typed: dict[str, list[str]] = {question_id: [] for question_id in questions}
    graded: dict[tuple[str, str], bool] = {}
    for question_id, answer in db.session.execute(query):
        if not isinstance(answer, str) or not answer:
            continue  # unanswered, or answered when the question was of another type
        key = (question_id, answer)
        if key not in graded:
            graded[key] = questions[question_id].grade(answer).outcome != "correct"
        if graded[key]:
            typed[question_id].append(answer)
    rejected = rejected_answers(bank.slug, list(questions))
    out = []
    for question_id, answers in typed.items():
        groups = group_answers(answers)
        offered = [g for g in groups if (question_id, g.normalized) not in rejected]
        out.append(
            WrongAnswers(
                question_id,
                questions[question_id].prompt,
                offered[:WRONG_ANSWERS_SHOWN],
                max(0, len(offered) - WRONG_ANSWERS_SHOWN),
                [g for g in groups if (question_id, g.normalized) in rejected],
            )
        )
    return out
