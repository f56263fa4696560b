"""Fixtures of the interchange tests."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record any attempt to open a connection (and refuse it)."""
    attempts: list[object] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("the test allows no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


#: ``question_bank::fraction_options_full()`` as Moodle builds it in
#: ``ensure_fraction_options_initialised`` (moodle/moodle, question/engine/bank.php): these grades,
#: their negatives and 0, as fractions.
MOODLE_GRADES = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25)
MOODLE_GRADES += (0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05)


def moodle_grade_problems(name: str, fractions: list[float], several: bool) -> list[str]:
    """What Moodle's import says of a question's answer grades (fractions, not percentages):
    ``match_grade_options`` in its default "error" mode (lib/questionlib.php), as
    ``qformat_default::importprocess`` (question/format.php) calls it on every answer, then the
    100 % total ``qtype_multichoice::save_question_options`` checks for several right answers."""
    listed = (0.0, *MOODLE_GRADES, *(-grade for grade in MOODLE_GRADES))
    problems = [
        f"{name}: grade {fraction} is not listed"
        for fraction in fractions
        if not any(abs(fraction - value) < 0.00001 for value in listed)
    ]
    total = round(sum(fraction for fraction in fractions if fraction > 0), 2)
    if several and total != 1:
        problems.append(f"{name}: the grades add up to {total * 100:g}%")
    return problems


@pytest.fixture
def moodle_grades():
    """Moodle's import check of answer grades (see ``moodle_grade_problems``)."""
    return moodle_grade_problems
