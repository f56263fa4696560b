"""Live scoring, as Kahoot documents it: the points of an answer by its speed, and the streak bonus."""

from __future__ import annotations

import pytest

from quizapp.live.scoring import points, streak_bonus


@pytest.mark.parametrize("elapsed", [0.0, 0.2, 0.5])
def test_an_answer_within_half_a_second_earns_the_full_points(elapsed):
    assert points(1.0, elapsed, 20) == 1000


def test_points_fall_linearly_with_time_to_half_at_the_limit():
    assert points(1.0, 5, 20) == 875  # (1 - 0.25 / 2) * 1000
    assert points(1.0, 10, 20) == 750
    assert points(1.0, 20, 20) == 500


def test_points_are_rounded_to_a_whole_number():
    assert points(1.0, 7, 30) == 883  # 883.33...


def test_an_answer_after_the_limit_earns_nothing():
    assert points(1.0, 20.001, 20) == 0


def test_a_wrong_answer_earns_nothing_however_fast():
    assert points(0.0, 0.1, 20) == 0


def test_a_partly_right_answer_earns_its_share():
    assert points(0.5, 0.3, 20) == 500
    assert points(2 / 3, 10, 20) == 500  # 0.75 * 1000 * 2/3
    assert points(0.5, 20, 20) == 250


def test_another_base_scales_the_points():
    assert points(1.0, 10, 20, base=2000) == 1500


def test_the_streak_bonus_starts_at_the_second_right_answer_and_stops_at_500():
    assert [streak_bonus(n) for n in range(0, 9)] == [0, 0, 100, 200, 300, 400, 500, 500, 500]
