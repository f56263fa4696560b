"""Quiz statistics as Moodle's quiz statistics report gives them, computed from a matrix of item scores.

Pure: nothing here imports Flask or touches the database. Callers gather each attempt's per-question
points into ``AttemptScores`` and get summaries, item analysis, a histogram and its SVG chart back.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from quizapp.questions import HEADER, Citation

#: Below this facility a question is flagged "too hard" (Moodle's report marks < 20% as hard).
TOO_HARD_BELOW = 0.2
#: Above this facility a question is flagged "too easy".
TOO_EASY_ABOVE = 0.95
#: Below this discrimination index (but not negative) a question is flagged "low discrimination".
LOW_DISCRIMINATION_BELOW = 0.2
#: A choice nobody picked says little until enough learners answered: with 2 responses most
#: distractors of a 4-choice question go unpicked by chance, so flag them only from this many on.
MIN_RESPONSES_FOR_DISTRACTORS = 5


@dataclass(frozen=True, slots=True)
class AttemptScores:
    """One finished attempt: its total and, per question id shown, (points earned, max points)."""

    attempt_id: int
    user_id: int
    total: float
    max_total: float
    items: Mapping[str, tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Summary:
    """Descriptive statistics of a list of scores; everything but ``n`` is None when it is empty."""

    n: int
    mean: float | None
    median: float | None
    #: Sample standard deviation (n - 1); None for fewer than 2 scores.
    sd: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True, slots=True)
class Bin:
    """One histogram bar: scores from ``low`` (inclusive) to ``high`` (exclusive, but the last bin
    includes 100)."""

    low: float
    high: float
    count: int


@dataclass(frozen=True, slots=True)
class ItemStats:
    """Moodle-style item analysis of one question."""

    question_id: str
    #: Attempts that showed the question.
    responses: int
    facility: float | None
    discrimination: float | None
    #: Sample standard deviation of the fraction of marks earned.
    sd: float | None
    picks: Counter[str] = field(default_factory=Counter)
    #: Choices offered that nobody picked, in the order offered.
    unpicked: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QuizStats:
    """Whole-quiz statistics: score summary in percent, histogram and Cronbach's alpha."""

    attempts: int
    summary: Summary
    bins: list[Bin]
    alpha: float | None
    #: Why ``alpha`` is None, worded for a teacher; None when alpha was computed.
    alpha_note: str | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many questions cite each paragraph of a bank's source text."""

    #: Questions per paragraph number, for every paragraph 1..N in order.
    counts: dict[int, int]
    #: Paragraphs no question cites.
    uncited: list[int]
    #: Questions that cite no paragraph.
    unsourced: int = 0
    #: Cited paragraph numbers outside 1..N (a bank pointing past its text), sorted, each once.
    out_of_range: list[int] = field(default_factory=list)
    #: Questions that cite the text's header (byline, date, standfirst).
    header: int = 0


def describe(scores: Sequence[float]) -> Summary:
    """Count, mean, median, sample standard deviation, minimum and maximum of ``scores``."""
    if not scores:
        return Summary(0, None, None, None, None, None)
    return Summary(
        n=len(scores),
        mean=statistics.fmean(scores),
        median=float(statistics.median(scores)),
        sd=statistics.stdev(scores) if len(scores) >= 2 else None,
        min=float(min(scores)),
        max=float(max(scores)),
    )


def facility(item_fractions: Sequence[float]) -> float | None:
    """Moodle's facility index: the mean fraction of the marks earned (0..1), None if nobody answered."""
    return statistics.fmean(item_fractions) if item_fractions else None


def discrimination(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Moodle's discrimination index: Pearson's r between the item's scores and the rest of the test's,
    as a fraction in [-1, 1]; None for fewer than 2 attempts or when either side never varies."""
    if len(item) != len(rest):
        raise ValueError("item and rest scores must come from the same attempts")
    if len(item) < 2:
        return None
    # statistics.variance works in exact fractions, so a constant column gives exactly 0 here
    # where a float sum of squared deviations could leave a tiny non-zero and a meaningless r.
    if statistics.variance(item) == 0 or statistics.variance(rest) == 0:
        return None
    r = statistics.correlation(item, rest)
    # Rounding can push a perfect correlation a hair past ±1.
    return max(-1.0, min(1.0, r))


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a score matrix (rows attempts, columns items), with sample variances
    throughout; None for fewer than 2 items or attempts, or when every total is the same."""
    n = len(matrix)
    k = len(matrix[0]) if matrix else 0
    if any(len(row) != k for row in matrix):
        raise ValueError("every attempt must have a score for the same items")
    if n < 2 or k < 2:
        return None
    # Sample variance (n - 1) for the items and the total alike: mixing conventions would scale the
    # ratio by n/(n - 1) and bias alpha. With 0/1 items this is KR-20 with p*q scaled by n/(n - 1).
    var_total = statistics.variance([math.fsum(row) for row in matrix])
    if var_total == 0:
        return None
    var_items = math.fsum(statistics.variance(column) for column in zip(*matrix, strict=True))
    return k / (k - 1) * (1 - var_items / var_total)


def histogram(percentages: Sequence[float], bins: int = 10) -> list[Bin]:
    """Counts of percentages in ``bins`` equal bands over 0..100; 100 falls in the last band and
    values outside 0..100 are clamped into the first or last."""
    if bins < 1:
        raise ValueError("a histogram needs at least one bin")
    counts = [0] * bins
    for value in percentages:
        if math.isnan(value):
            raise ValueError("a percentage is not a number")
        clamped = min(100.0, max(0.0, value))
        # Multiply before dividing: an edge such as 10 (of 10 bins) must open its band, and dividing
        # by a rounded width like 100 / 3 could drop an edge into the band below.
        counts[min(bins - 1, int(clamped * bins / 100))] += 1
    return [Bin(low=i * 100 / bins, high=(i + 1) * 100 / bins, count=c) for i, c in enumerate(counts)]


def item_flags(
    facility: float | None, discrimination: float | None, responses: int, unpicked: Sequence[str]
) -> list[str]:
    """Short warnings about a question from its facility, discrimination and unpicked choices."""
    flags = []
    if facility is not None and facility < TOO_HARD_BELOW:
        flags.append("too hard")
    if facility is not None and facility > TOO_EASY_ABOVE:
        flags.append("too easy")
    if discrimination is not None and discrimination < 0:
        flags.append("negative discrimination")
    elif discrimination is not None and discrimination < LOW_DISCRIMINATION_BELOW:
        flags.append("low discrimination")
    if responses >= MIN_RESPONSES_FOR_DISTRACTORS:
        flags.extend(f"unused distractor: {choice}" for choice in unpicked)
    return flags


def item_statistics(
    attempts: Sequence[AttemptScores],
    picks: Mapping[str, Counter[str]],
    choices: Mapping[str, Sequence[str]],
) -> dict[str, ItemStats]:
    """Item analysis of every question the attempts showed, keyed by question id in the order first seen."""
    shown: dict[str, list[AttemptScores]] = {}
    for attempt in attempts:
        for question_id in attempt.items:
            shown.setdefault(question_id, []).append(attempt)

    result = {}
    for question_id, showing in shown.items():
        fractions, rest = [], []
        for attempt in showing:
            earned, most = attempt.items[question_id]
            # A question worth no marks has no fraction; it still counts as a response.
            if most > 0:
                fractions.append(earned / most)
                # The rest of the test, so the item is not correlated with itself.
                rest.append(attempt.total - earned)
        index = facility(fractions)
        disc = discrimination(fractions, rest)
        counter = Counter(picks.get(question_id, Counter()))
        unpicked = [c for c in choices.get(question_id, ()) if counter[c] == 0]
        result[question_id] = ItemStats(
            question_id=question_id,
            responses=len(showing),
            facility=index,
            discrimination=disc,
            sd=statistics.stdev(fractions) if len(fractions) >= 2 else None,
            picks=counter,
            unpicked=unpicked,
            flags=item_flags(index, disc, len(showing), unpicked),
        )
    return result


def quiz_statistics(attempts: Sequence[AttemptScores]) -> QuizStats:
    """Summary and histogram of the attempts' percentages, and Cronbach's alpha when every attempt
    answered the same questions."""
    # An attempt worth no marks has no percentage; leaving it out beats showing it as 0%.
    percentages = [a.total / a.max_total * 100 for a in attempts if a.max_total > 0]
    alpha, note = _quiz_alpha(attempts)
    return QuizStats(
        attempts=len(attempts),
        summary=describe(percentages),
        bins=histogram(percentages),
        alpha=alpha,
        alpha_note=note,
    )


def _quiz_alpha(attempts: Sequence[AttemptScores]) -> tuple[float | None, str | None]:
    if len(attempts) < 2:
        return None, "needs at least 2 attempts"
    # Alpha needs a full matrix: an item missing from some attempts leaves holes, and alpha over
    # only the shared items would describe a shorter test than anyone took.
    common = [q for q in attempts[0].items if all(q in a.items for a in attempts)]
    if any(len(a.items) != len(common) for a in attempts):
        return None, "attempts drew different questions"
    if len(common) < 2:
        return None, "needs at least 2 questions"
    alpha = cronbach_alpha([[a.items[q][0] for q in common] for a in attempts])
    if alpha is None:
        return None, "every attempt scored the same"
    return alpha, None


def source_coverage(paragraphs: int | None, cited: Sequence[Sequence[Citation]]) -> Coverage:
    """Questions citing each paragraph 1..``paragraphs`` (1..highest cited when None), and the
    paragraphs no question cites; ``cited`` holds each question's citations, and a question
    citing several paragraphs counts for each."""
    if paragraphs is not None and paragraphs < 0:
        raise ValueError("a text cannot have a negative number of paragraphs")
    numbers = [c for question in cited for c in set(question) if isinstance(c, int)]
    last = paragraphs if paragraphs is not None else max((c for c in numbers if c >= 1), default=0)
    tally = Counter(numbers)
    counts = {p: tally[p] for p in range(1, last + 1)}
    return Coverage(
        counts=counts,
        uncited=[p for p, count in counts.items() if count == 0],
        unsourced=sum(1 for question in cited if not question),
        out_of_range=sorted(c for c in tally if not 1 <= c <= last),
        header=sum(1 for question in cited if HEADER in question),
    )
