"""A live game's points, as Kahoot documents its scoring: points for a right answer, scaled by
how fast it came, and an optional bonus for a streak of right answers. Pure: nothing here knows
Flask or the database (docs/live.md states the formula)."""

from __future__ import annotations

#: Points a fully right answer earns at once.
BASE_POINTS = 1000
#: An answer this quick (in seconds) earns the full points: nobody reads faster.
FULL_POINTS_WITHIN = 0.5
#: What each right answer in a row adds after the first, and the most a streak can add.
STREAK_STEP = 100
STREAK_CAP = 500


def points(fraction: float, elapsed_s: float, limit_s: float, base: int = BASE_POINTS) -> int:
    """Points for an answer graded ``fraction`` (1 right, 0 wrong, between for a partly right
    multi answer) that arrived ``elapsed_s`` seconds after a question open for ``limit_s``:
    ``round((1 - (elapsed / limit) / 2) * base * fraction)``, the full points within half a
    second, half of them at the limit, none after it."""
    if fraction <= 0 or elapsed_s > limit_s:
        return 0
    if elapsed_s <= FULL_POINTS_WITHIN:
        return round(base * fraction)
    return round((1 - (elapsed_s / limit_s) / 2) * base * fraction)


def streak_bonus(streak: int) -> int:
    """The bonus for the ``streak``-th fully right answer in a row (this one included): 100 for
    each before it, at most 500; nothing for the first."""
    return min(STREAK_STEP * max(streak - 1, 0), STREAK_CAP)
