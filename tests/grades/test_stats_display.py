"""Statistics as the item analysis shows them: never a negative zero, and a hint where alpha is
missing or at or below zero."""

from __future__ import annotations

import re

import pytest

from quizapp.grades import stats
from quizapp.grades.stats import QuizStats, describe
from tests.factories import clean, scoring, text

ANALYSIS = "/teach/classes/{}/quizzes/every-type/all/analysis"
ALPHA = "Internal consistency (Cronbach's alpha / KR-20)"


def fact(page: str, term: str) -> str:
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", page, re.S)
    assert match, term
    return clean(match.group(1))


@pytest.fixture
def two_attempts(seed, instructor) -> int:
    """Prof's class with `all` set, and two attempts at it: 7/7 and 3/7."""
    ada, bob = seed.user("ada"), seed.user("bob")
    class_id = seed.classroom(students=(ada, bob))
    seed.attempt(ada, scoring(7))
    seed.attempt(bob, scoring(3))
    return class_id


def test_an_alpha_a_hair_below_zero_shows_as_0_00_with_what_it_means(instructor, two_attempts, monkeypatch):
    monkeypatch.setattr(stats, "cronbach_alpha", lambda matrix: -0.0001)

    page = text(instructor.get(ANALYSIS.format(two_attempts)))

    assert fact(page, ALPHA) == "0.00"
    assert "-0.00" not in page
    assert "An alpha of 0 or below: the questions do not go together." in page


def test_a_negative_alpha_shows_its_sign_and_the_hint(instructor, two_attempts, monkeypatch):
    monkeypatch.setattr(stats, "cronbach_alpha", lambda matrix: -0.35)

    page = text(instructor.get(ANALYSIS.format(two_attempts)))

    assert fact(page, ALPHA) == "-0.35"
    assert "Look first at questions with a negative discrimination" in page


def test_a_missing_alpha_says_why_and_what_it_needs(instructor, seed):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    seed.attempt(ada, scoring(5))

    page = text(instructor.get(ANALYSIS.format(class_id)))

    assert fact(page, ALPHA) == "— (needs at least 2 attempts)"
    assert "No alpha: it needs at least 2 attempts that answered the same 2 or more questions" in page


def test_a_positive_alpha_needs_no_hint():
    summary = describe([50.0, 70.0])
    assert QuizStats(2, summary, [], 0.71, None).alpha_hint is None
    assert QuizStats(2, summary, [], 0.004, None).alpha_hint is not None  # shown as 0.00
    assert QuizStats(2, summary, [], None, "needs at least 2 attempts").alpha_hint is not None
