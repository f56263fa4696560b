"""Review options as data: the moments that hold, the parts they show, and how banks write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizapp.banks import BankError, parse_bank
from quizapp.banks.review import (
    AFTER_LAST_ATTEMPT,
    EVERYTHING,
    NOTHING,
    ReviewOptions,
    Shows,
    result_moments,
    shows,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def moments(minutes_ago: float, **standing) -> frozenset[str]:
    flags = {"window_open": True, "window_closed": False, "attempts_used_up": False, **standing}
    return result_moments(NOW - timedelta(minutes=minutes_ago), NOW, **flags)


def test_immediately_lasts_two_minutes_then_while_open_takes_over():
    assert moments(1.9) == {"immediately"}
    assert moments(2.1) == {"while-open"}


def test_after_the_close_nothing_is_while_open_and_after_close_holds():
    assert moments(30, window_open=False, window_closed=True) == {"after-close"}


def test_an_attempt_in_progress_is_at_no_moment():
    assert result_moments(None, NOW, window_open=True, window_closed=False, attempts_used_up=True) == set()


def test_after_last_attempt_shows_the_key_only_once_attempts_are_used_up():
    assert shows(AFTER_LAST_ATTEMPT, moments(5)) == Shows(score=True, correctness=True)
    assert shows(AFTER_LAST_ATTEMPT, moments(5, attempts_used_up=True)) == EVERYTHING


def test_no_moment_shows_nothing():
    assert shows(ReviewOptions(), ()) == NOTHING


BANK = """\
title: T
questions:
  - {id: a, type: true_false, prompt: P, answer: true}
quizzes:
  - {id: q, title: Q, questions: [a], time_limit: %s}
"""


@pytest.mark.parametrize(("written", "seconds"), [("20m", 1200), ("1h30m", 5400), ("90s", 90), ("45", 2700)])
def test_a_time_limit_is_read_in_the_forms_people_write(written, seconds):
    assert parse_bank(BANK % written, "t.yaml", "t").quizzes["q"].time_limit == seconds


@pytest.mark.parametrize("written", ["0m", "30s", "25h", "soon", "m", "-5"])
def test_a_time_limit_out_of_range_or_unreadable_is_refused_at_its_line(written):
    with pytest.raises(BankError) as caught:
        parse_bank(BANK % written, "t.yaml", "t")
    assert caught.value.problems[0].line == 5
    assert "time limit of quiz 'q'" in caught.value.problems[0].message
