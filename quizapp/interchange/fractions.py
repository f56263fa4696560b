"""The grades Moodle lets an answer carry, and quizapp's multiple-answer shares written in them.

Both of Moodle's text importers (Moodle XML and GIFT) turn each answer's percentage into a
fraction (``/ 100``) and pass it through ``match_grade_options`` (lib/questionlib.php) against
``question_bank::fraction_options_full()`` (question/engine/bank.php), from
``qformat_default::importprocess`` (question/format.php). With the import form's default, "Error if
grade not listed", a fraction further than 0.00001 from every allowed one refuses the question (and,
with "Stop on error", also the default, the whole file); with "Nearest grade if not listed" it is
moved to the nearest. A multiple-answer question's positive fractions must then add up to 100 %
(``round($totalfraction, 2) == 1`` in ``qtype_multichoice::save_question_options``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from quizapp.questions import format_number

#: The positive grades Moodle allows, as percentages; their negatives and 0 are allowed too.
ALLOWED = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
)
#: How far (as a fraction, not a percentage) a grade may be from an allowed one (match_grade_options).
_MATCH = 0.00001


def allowed(percent: float) -> bool:
    """Whether Moodle's importer accepts ``percent`` as an answer's grade."""
    return any(abs(percent - value) / 100 < _MATCH for value in (0.0, *ALLOWED, *(-a for a in ALLOWED)))


def nearest(percent: float) -> float:
    """The allowed grade nearest ``percent`` (what Moodle's "nearest grade" import makes of it)."""
    return min((0.0, *ALLOWED, *(-a for a in ALLOWED)), key=lambda value: abs(percent - value))


@dataclass(frozen=True, slots=True)
class Shares:
    """What a multiple-answer question's choices are worth in Moodle: each right choice's
    percentage, in the order of the right choices, and each wrong choice's (a penalty)."""

    right: tuple[float, ...]
    wrong: float

    @property
    def exact(self) -> bool:
        """Whether these are quizapp's own shares: 1/k for each of k right choices, −1/k wrong."""
        k = len(self.right)
        return all(abs(share - 100 / k) < 0.001 for share in self.right) and abs(self.wrong + 100 / k) < 0.001


def multi_shares(right_count: int) -> Shares | None:
    """The grades for a question with ``right_count`` right choices: 100/k each when Moodle allows
    it; otherwise the allowed grades either side of 100/k, as many of the larger as make exactly
    100 %, and the nearest allowed penalty. None when no such split exists (more than 20 right
    choices: even 5 % each is too much)."""
    share = 100 / right_count
    if allowed(share):
        exact = round(share, 5)
        return Shares((exact,) * right_count, -exact)
    lower = [value for value in ALLOWED if value < share]
    if not lower:
        return None
    low, high = max(lower), min(value for value in ALLOWED if value > share)
    larger = (100 - right_count * low) / (high - low)
    if abs(larger - round(larger)) > 1e-6:
        return None
    count = round(larger)
    return Shares((high,) * count + (low,) * (right_count - count), nearest(-share))


def inexact_shares(shares: Shares) -> str:
    """The loss, in words, of writing a question's equal shares as ``shares``."""
    k = len(shares.right)
    equal = format_number(round(100 / k, 5))
    written = " and ".join(
        f"{count} at {format_number(value)}%" for value, count in Counter(shares.right).items()
    )
    return (
        f"the equal shares of its {k} right choices: Moodle has no {equal}% grade, so they are "
        f"written {written} (100% in all), and each wrong choice at {format_number(shares.wrong)}% "
        f"rather than -{equal}%"
    )
