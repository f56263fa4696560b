"""What a learner may see of a quiz's results and its key, now: the one rule every page asks.

Result pages, history, the quiz page's list of attempts, the home page's best scores, the
flashcard study pages and the Anki export all ask a ``Disclosure``; none decides for itself. It
fails closed: an attempt whose quiz is no longer served, or whose setting is unknown, shows the
learner their own answers and nothing else. Instructors' views of a class's results show everything
and do not ask.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from quizapp import clock, queries
from quizapp.banks import Bank, BankRegistry, Quiz
from quizapp.banks.review import (
    MOMENT_LABELS,
    NOTHING,
    PART_LABELS,
    PARTS,
    ReviewOptions,
    Shows,
    overridden,
    reachable_moments,
    result_moments,
    shows,
)
from quizapp.classrooms.operations import PRACTICE, Setting, setting_of, student_settings
from quizapp.extensions import db
from quizapp.models import Attempt

_attempts = Attempt.__table__


class Disclosure:
    """The rule for one learner at one moment. Made once for a page, it reads the learner's
    attempts and settings once however many results or cards the page shows."""

    def __init__(self, user_id: int, now: datetime | None = None, banks: BankRegistry | None = None):
        self.user_id = user_id
        self.now = now or clock.now()
        self.banks = banks or current_app.extensions["quizapp.banks"]
        self._attempts: dict[tuple[str, str], list[tuple[int | None, bool]]] | None = None
        self._settings: dict[tuple[str, str], list[Setting]] | None = None
        self._setting_by_id: dict[int | None, Setting | None] = {None: PRACTICE}

    # -- results ------------------------------------------------------------------------------

    def of_attempt(self, attempt: Attempt) -> Shows:
        """What the learner may see of one of their attempts now."""
        if attempt.user_id != self.user_id or not attempt.submitted:
            return NOTHING
        quiz = self._quiz(attempt.bank_slug, attempt.quiz_id)
        setting = self.setting(attempt.assignment_id)
        if quiz is None or setting is None:
            return NOTHING
        state = setting.state(self.now)
        moments = result_moments(
            attempt.submitted_at,
            self.now,
            window_open=state == "open",
            window_closed=state == "closed",
            attempts_used_up=self._used_up(quiz, attempt.bank_slug, setting),
        )
        return shows(options_for(quiz, setting), moments)

    def best_scores(self) -> dict[tuple[str, str], float]:
        """The learner's best score on each quiz, by (bank slug, quiz id), among the attempts whose
        score they may see."""
        attempts = db.session.scalars(
            select(Attempt).where(Attempt.user_id == self.user_id, Attempt.submitted_at.is_not(None))
        )
        best: dict[tuple[str, str], float] = {}
        for attempt in attempts:
            key = (attempt.bank_slug, attempt.quiz_id)
            if self.of_attempt(attempt).score and attempt.fraction is not None:
                best[key] = max(best.get(key, 0.0), attempt.fraction)
        return best

    def settings_of(self, attempts: list[Attempt]) -> dict[int | None, Setting | None]:
        """Where each of the learner's attempts counts, by assignment id (None: practice)."""
        return {a.assignment_id: self.setting(a.assignment_id) for a in attempts}

    # -- the key elsewhere --------------------------------------------------------------------

    def withheld(self, bank: Bank) -> frozenset[str]:
        """Ids of the bank's questions whose correct answer is still kept from the learner by a
        quiz that asks them: those cards show no back, and leave their Anki deck."""
        hidden: set[str] = set()
        for quiz in bank.quizzes.values():
            if not self.may_reveal_key(bank.slug, quiz):
                hidden.update(q.id for q in quiz.pool(bank.questions))
        return frozenset(hidden)

    def withheld_by_bank(self, banks: list[Bank]) -> dict[str, frozenset[str]]:
        return {bank.slug: self.withheld(bank) for bank in banks}

    def may_reveal_key(self, slug: str, quiz: Quiz) -> bool:
        """Whether the quiz's key may be shown to the learner outside its results (on its
        questions' flashcards, in an Anki deck): every setting they may take the quiz in shows it
        now, or would once they finish an attempt there. A quiz they cannot take yet keeps it."""
        settings = list(self._all_settings().get((slug, quiz.id), ()))
        if quiz.practice == "always" or (quiz.practice == "unassigned" and not settings):
            settings.append(PRACTICE)
        elif any(a is None for a, _ in self._attempts_at(slug, quiz.id)):
            settings.append(PRACTICE)  # practice made before a class set the quiz
        if not settings:
            return False
        for setting in settings:
            state = setting.state(self.now)
            made = [done for a, done in self._attempts_at(slug, quiz.id) if a == setting.assignment_id]
            used_up = self._used_up(quiz, slug, setting)
            moments = reachable_moments(
                can_attempt=state == "open" and not used_up,
                has_submitted=any(made),
                window_open=state == "open",
                window_closed=state == "closed",
                attempts_used_up=used_up,
            )
            if not options_for(quiz, setting).answer & moments:
                return False
        return True

    # -- what it reads ------------------------------------------------------------------------

    def _quiz(self, slug: str, quiz_id: str) -> Quiz | None:
        bank = self.banks.get(slug)
        return bank.quizzes.get(quiz_id) if bank else None

    def setting(self, assignment_id: int | None) -> Setting | None:
        """The setting an attempt of the learner's counts in, read once per assignment."""
        if assignment_id not in self._setting_by_id:
            self._setting_by_id[assignment_id] = setting_of(self.user_id, assignment_id)
        return self._setting_by_id[assignment_id]

    def _all_settings(self) -> dict[tuple[str, str], list[Setting]]:
        if self._settings is None:
            self._settings = student_settings(self.user_id)
        return self._settings

    def _attempts_at(self, slug: str, quiz_id: str) -> list[tuple[int | None, bool]]:
        if self._attempts is None:
            self._attempts = defaultdict(list)
            rows = db.session.execute(queries.LEARNERS_ATTEMPTS, {"user_id": self.user_id})
            for row_slug, row_quiz, assignment_id, submitted_at in rows:
                self._attempts[(row_slug, row_quiz)].append((assignment_id, submitted_at is not None))
        return self._attempts.get((slug, quiz_id), [])

    def _used_up(self, quiz: Quiz, slug: str, setting: Setting) -> bool:
        """No attempt is left in the setting, and none is in progress."""
        if quiz.attempts is None:
            return False
        made = [done for a, done in self._attempts_at(slug, quiz.id) if a == setting.assignment_id]
        return len(made) >= quiz.attempts and all(made)


def options_for(quiz: Quiz, setting: Setting) -> ReviewOptions:
    """The quiz's review options, as its assignment overrides them."""
    return overridden(quiz.review, setting.review)


def later_note(shows: Shows, quiz: Quiz | None, setting: Setting | None) -> str | None:
    """What a result page hides now and when it shows it, in a sentence (None: it hides nothing)."""
    if not shows.anything_hidden:
        return None
    if quiz is None or setting is None:
        return "This quiz is no longer served, so its result shows only your answers."
    options = options_for(quiz, setting)
    hidden = [p for p in PARTS if not getattr(shows, p)]
    moments = sorted({m for p in hidden for m in getattr(options, p)}, key=list(MOMENT_LABELS).index)
    what = ", ".join(PART_LABELS[p].lower() for p in hidden)
    if not moments:
        return f"Not shown for this quiz: {what}."
    when = " or ".join(MOMENT_LABELS[m].lower() for m in moments)
    return f"Not shown yet: {what}. They show {when}."
