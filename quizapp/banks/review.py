"""Review options: which parts of a result a learner sees, and at which moments (as Moodle's).

Pure data and rules, no database: ``quizapp.quizzes.disclosure`` finds the moments that hold for a
learner and asks ``shows`` here. A part is shown when any moment it is set for holds now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

#: What a result can show, in the order pages list them.
PARTS = ("score", "correctness", "answer", "explanation", "feedback")
PART_LABELS = {
    "score": "Score",
    "correctness": "Right or wrong",
    "answer": "Correct answer",
    "explanation": "Explanation",
    "feedback": "Choice feedback",
}
#: When a part can be shown.
MOMENTS = ("immediately", "while-open", "after-last-attempt", "after-close")
MOMENT_LABELS = {
    "immediately": "Immediately after the attempt",
    "while-open": "Later, while the quiz is open",
    "after-last-attempt": "After the last attempt",
    "after-close": "After the window closes",
}
#: "Immediately after the attempt" lasts this long after the submit, as in Moodle.
IMMEDIATE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class ReviewOptions:
    """For each part of a result, the moments at which the learner sees it."""

    score: frozenset[str] = frozenset(MOMENTS)
    correctness: frozenset[str] = frozenset(MOMENTS)
    answer: frozenset[str] = frozenset(MOMENTS)
    explanation: frozenset[str] = frozenset(MOMENTS)
    feedback: frozenset[str] = frozenset(MOMENTS)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Iterable[str]], base: ReviewOptions | None = None
    ) -> ReviewOptions:
        """Options from ``{part: [moments]}`` (already checked); parts not named keep ``base``'s."""
        base = base or cls()
        return cls(**{p: frozenset(data[p]) if p in data else getattr(base, p) for p in PARTS})

    def to_mapping(self) -> dict[str, list[str]]:
        return {p: [m for m in MOMENTS if m in getattr(self, p)] for p in PARTS}

    def parts_at(self, moment: str) -> list[str]:
        """The parts shown at one moment."""
        return [p for p in PARTS if moment in getattr(self, p)]


def overridden(base: ReviewOptions, override: Mapping[str, Iterable[str]] | None) -> ReviewOptions:
    """``base`` (a quiz's options) as an assignment's own options, if it has any, override it."""
    return ReviewOptions.from_mapping(override, base) if override else base


#: What ``answers: after-each-attempt`` (the default) means: everything, always.
AFTER_EACH_ATTEMPT = ReviewOptions()
_LATE = frozenset({"after-last-attempt", "after-close"})
#: What ``answers: after-last-attempt`` means: the score and right or wrong at once, the key and
#: explanations once no attempt is left (or the window has closed).
AFTER_LAST_ATTEMPT = ReviewOptions(answer=_LATE, explanation=_LATE, feedback=_LATE)
ANSWERS_SETTINGS = {"after-each-attempt": AFTER_EACH_ATTEMPT, "after-last-attempt": AFTER_LAST_ATTEMPT}


@dataclass(frozen=True, slots=True)
class Shows:
    """What one page may show of a result, part by part."""

    score: bool = False
    correctness: bool = False
    answer: bool = False
    explanation: bool = False
    feedback: bool = False

    @property
    def anything_hidden(self) -> bool:
        return not all(getattr(self, f.name) for f in fields(self))


NOTHING = Shows()
EVERYTHING = Shows(True, True, True, True, True)


def shows(options: ReviewOptions, moments: Iterable[str]) -> Shows:
    """The parts whose moments include one that holds now."""
    now = frozenset(moments)
    return Shows(**{p: bool(getattr(options, p) & now) for p in PARTS})


def result_moments(
    submitted_at: datetime | None,
    now: datetime,
    *,
    window_open: bool,
    window_closed: bool,
    attempts_used_up: bool,
) -> frozenset[str]:
    """The moments that hold now for a submitted attempt (none for one not yet submitted)."""
    if submitted_at is None:
        return frozenset()
    held = _standing(window_closed, attempts_used_up)
    if now - submitted_at <= IMMEDIATE:
        held.add("immediately")
    elif window_open:
        held.add("while-open")
    return frozenset(held)


def reachable_moments(
    *, can_attempt: bool, has_submitted: bool, window_open: bool, window_closed: bool, attempts_used_up: bool
) -> frozenset[str]:
    """The moments a learner is in, or can bring about by finishing an attempt now, in one setting
    of a quiz: what decides whether its key is still kept from them anywhere else."""
    held = _standing(window_closed, attempts_used_up)
    if can_attempt:
        held.add("immediately")
    if has_submitted and window_open:
        held.add("while-open")
    return frozenset(held)


def _standing(window_closed: bool, attempts_used_up: bool) -> set[str]:
    """The moments that hold whatever the learner does next."""
    held = set()
    if attempts_used_up:
        held.add("after-last-attempt")
    if window_closed:
        held.add("after-close")
    return held
