"""A regrade after a text question gains `typos`: the dry run lists the attempts whose typo is now
forgiven, and applying it marks them right."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.accounts.operations import account_named
from quizapp.extensions import bank_registry, db
from quizapp.grades import regrade
from quizapp.models import Assignment, Attempt
from tests.factories import RIGHT, table_rows, text

ANALYSIS = "/teach/classes/{}/quizzes/every-type/all/analysis"
KEY_LINE = "    answer: [Zyxwvuts City, Zyxwvuts]\n"


@pytest.fixture
def typed(instructor, seed) -> dict[str, int]:
    """prof's class, where ada typed "Zyxwvuts Cty" (one slip: 6/7), bob "Zyxwvts Cty" (two
    slips: 6/7) and cyd "Zyxwvuts City" (7/7)."""
    ada, bob, cyd = seed.user("ada"), seed.user("bob"), seed.user("cyd")
    class_id = seed.classroom(students=(ada, bob, cyd))
    return {
        "class": class_id,
        "ada": seed.attempt(ada, {**RIGHT, "text-q": "Zyxwvuts Cty"}),
        "bob": seed.attempt(bob, {**RIGHT, "text-q": "Zyxwvts Cty"}),
        "cyd": seed.attempt(cyd, RIGHT),
    }


def allow_typos(banks_dir, typos: int) -> None:
    path = banks_dir / "every-type.yaml"
    bank = path.read_text()
    assert KEY_LINE in bank
    path.write_text(bank.replace(KEY_LINE, f"{KEY_LINE}    typos: {typos}\n"))


def plan(app, class_id: int) -> dict[str, tuple[float, float]]:
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.classroom_id == class_id))
        changes = regrade.plan(assignment, bank_registry().get("every-type"))
        return {c.user: (c.old_score, c.new_score) for c in changes}


def test_the_dry_run_lists_the_typos_a_bank_now_forgives(app, instructor, typed, banks_dir):
    assert plan(app, typed["class"]) == {}
    allow_typos(banks_dir, 1)

    # Every attempt's stored question takes the new key; only ada's score changes.
    assert plan(app, typed["class"]) == {"ada": (6, 7), "bob": (6, 6), "cyd": (7, 7)}
    page = text(instructor.get(ANALYSIS.format(typed["class"]) + "?regrade=1"))
    rows = table_rows(page.split('id="regrade-heading"', 1)[1])
    assert rows == [["ada", str(typed["ada"]), "6 / 7", "7 / 7", "+1.00"]]


def test_applying_it_marks_the_forgiven_typo_right(app, typed, banks_dir):
    allow_typos(banks_dir, 1)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.classroom_id == typed["class"]))
        regrade.apply(assignment, bank_registry().get("every-type"), account_named("prof"))
        scores = {name: db.session.get(Attempt, typed[name]).score for name in ("ada", "bob", "cyd")}
    assert scores == {"ada": 7, "bob": 6, "cyd": 7}
