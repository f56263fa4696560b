"""quizapp.grades.regrade on its own: after a bank's key is fixed, a dry run lists the attempts of one
assignment whose stored grade would change and writes nothing; applying it stores the new scores
and the fixed key, and logs who did it. Practice, attempts in progress and other classes' attempts
are never touched."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from quizapp.accounts.operations import account_named
from quizapp.extensions import bank_registry, db
from quizapp.grades import regrade
from quizapp.models import Assignment, Attempt, RegradeLog, Response
from quizapp.questions import from_snapshot
from tests.factories import RIGHT, sha

#: The first choice of every-type's single-choice question, and its fixed key.
OLD_KEY, NEW_KEY = "Astana", "Bishkek"


@pytest.fixture
def graded(auth, seed) -> dict:
    """prof's class, where ada scored 7/7, bob 6/7 (he picked Bishkek) and cyd 6/7 (Dushanbe, wrong
    under either key). Returns the class id and each learner's attempt id."""
    auth.make_instructor("prof")
    ada, bob, cyd = seed.user("ada"), seed.user("bob"), seed.user("cyd")
    class_id = seed.classroom(students=(ada, bob, cyd))
    return {
        "class": class_id,
        "ada": seed.attempt(ada, RIGHT),
        "bob": seed.attempt(bob, {**RIGHT, "single-q": NEW_KEY}),
        "cyd": seed.attempt(cyd, {**RIGHT, "single-q": "Dushanbe"}),
    }


def edit_bank(banks_dir, old: str, new: str) -> str:
    """Change every-type.yaml on disk, as an instructor would; returns its new text."""
    path = banks_dir / "every-type.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path.read_text()


def fix_key(banks_dir) -> str:
    return edit_bank(banks_dir, f"answer: {OLD_KEY}", f"answer: {NEW_KEY}")


def assignment_of(class_id: int) -> Assignment:
    return db.session.scalar(select(Assignment).where(Assignment.classroom_id == class_id))


def account_id(app, username: str) -> int:
    with app.app_context():
        return account_named(username).id


def dry_run(app, class_id: int) -> dict[str, regrade.AttemptChange]:
    """What a regrade of the class's assignment with the bank as served now would change, by learner."""
    with app.app_context():
        changes = regrade.plan(assignment_of(class_id), bank_registry().get("every-type"))
    return {change.user: change for change in changes}


def apply(app, class_id: int, instructor: str = "prof") -> RegradeLog:
    with app.app_context():
        log = regrade.apply(
            assignment_of(class_id), bank_registry().get("every-type"), account_named(instructor)
        )
        log.id  # noqa: B018 - loads the committed row before the session ends
        return log


def attempt_grades(app, attempt_id: int) -> tuple[float | None, float, list[tuple]]:
    """An attempt's stored score and maximum, and per response its points, maximum, outcome and the
    key of its stored question."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        responses = db.session.scalars(
            select(Response).where(Response.attempt_id == attempt_id).order_by(Response.position)
        )
        return (
            attempt.score,
            attempt.max_score,
            [(r.points, r.max_points, r.outcome, r.question["answer"]) for r in responses],
        )


def single_q(app, attempt_id: int) -> tuple:
    """The stored grade of an attempt's single-choice response: points, maximum, outcome, key."""
    return attempt_grades(app, attempt_id)[2][0]


# --- the dry run ---------------------------------------------------------------------------------


def test_with_the_key_unchanged_there_is_nothing_to_regrade(app, graded):
    assert dry_run(app, graded["class"]) == {}
    assert apply(app, graded["class"]).changes == []
    assert attempt_grades(app, graded["ada"])[:2] == (7, 7)


def test_the_dry_run_lists_the_score_changes_and_where_only_the_stored_key_changes(app, graded, banks_dir):
    fix_key(banks_dir)

    changes = dry_run(app, graded["class"])

    assert {user: (c.old_score, c.new_score, c.score_changed) for user, c in changes.items()} == {
        "ada": (7, 6, True),
        "bob": (6, 7, True),
        "cyd": (6, 6, False),  # still wrong, but her result page must show the fixed key
    }
    assert changes["ada"].attempt_id == graded["ada"]
    for change in changes.values():
        [response] = change.responses
        assert (response.position, response.question["answer"]) == (0, NEW_KEY)


def test_the_dry_run_writes_nothing(app, graded, banks_dir):
    fix_key(banks_dir)
    before = {name: attempt_grades(app, graded[name]) for name in ("ada", "bob", "cyd")}

    dry_run(app, graded["class"])

    assert {name: attempt_grades(app, graded[name]) for name in ("ada", "bob", "cyd")} == before
    assert single_q(app, graded["ada"]) == (1, 1, "correct", OLD_KEY)
    with app.app_context():
        assert db.session.scalars(select(RegradeLog)).all() == []


# --- applying it ---------------------------------------------------------------------------------


def test_applying_stores_the_new_scores_and_the_fixed_key_in_each_response(app, graded, banks_dir):
    fix_key(banks_dir)

    apply(app, graded["class"])

    assert attempt_grades(app, graded["ada"])[:2] == (6, 7)
    assert attempt_grades(app, graded["bob"])[:2] == (7, 7)
    assert attempt_grades(app, graded["cyd"])[:2] == (6, 7)
    assert single_q(app, graded["ada"]) == (0, 1, "wrong", NEW_KEY)
    assert single_q(app, graded["bob"]) == (1, 1, "correct", NEW_KEY)
    assert single_q(app, graded["cyd"]) == (0, 1, "wrong", NEW_KEY)
    assert dry_run(app, graded["class"]) == {}  # done: a second regrade would change nothing


def test_the_log_records_who_regraded_with_which_version_and_only_the_changed_scores(app, graded, banks_dir):
    fixed = fix_key(banks_dir)

    log = apply(app, graded["class"])

    with app.app_context():
        assignment = assignment_of(graded["class"])
        prof = account_named("prof")
        assert (log.classroom_id, log.assignment_id, log.instructor_id) == (
            graded["class"],
            assignment.id,
            prof.id,
        )
    assert (log.bank_slug, log.quiz_id, log.bank_sha256) == ("every-type", "all", sha(fixed))
    assert log.changes == [
        {"attempt_id": graded["ada"], "user": "ada", "old": 7, "new": 6, "max_old": 7, "max_new": 7},
        {"attempt_id": graded["bob"], "user": "bob", "old": 6, "new": 7, "max_old": 7, "max_new": 7},
    ]


def test_the_history_lists_an_assignments_regrades_newest_first(app, graded, banks_dir):
    first = apply(app, graded["class"])
    fix_key(banks_dir)
    second = apply(app, graded["class"])

    with app.app_context():
        history = regrade.history(assignment_of(graded["class"]))
        assert [(log.id, len(log.changes)) for log in history] == [(second.id, 2), (first.id, 0)]


def test_new_points_change_the_maximum_of_every_attempt(app, graded, banks_dir):
    edit_bank(
        banks_dir, "    explanation: EXPLANATION-TF\n", "    points: 2\n    explanation: EXPLANATION-TF\n"
    )

    changes = dry_run(app, graded["class"])
    apply(app, graded["class"])

    assert {user: (c.old_max, c.new_max) for user, c in changes.items()} == {
        "ada": (7, 8),
        "bob": (7, 8),
        "cyd": (7, 8),
    }
    score, max_score, responses = attempt_grades(app, graded["bob"])
    assert (score, max_score) == (7, 8)
    assert responses[2] == (2, 2, "correct", True)  # tf-q, third in the attempt


# --- what a regrade leaves alone -----------------------------------------------------------------


def test_practice_attempts_in_progress_and_another_classs_attempts_are_left_as_they_were(
    app, graded, seed, auth, banks_dir
):
    auth.make_instructor("other")
    dave, eve = seed.user("dave"), seed.user("eve")
    seed.classroom(name="Another class", instructor="other", students=(dave,))
    untouched = {
        "another class": seed.attempt(dave, RIGHT),
        "practice": seed.attempt(eve, RIGHT, practice=True),
        "in progress": seed.attempt(account_id(app, "ada"), RIGHT, submitted=False),
    }
    fix_key(banks_dir)
    before = {kind: attempt_grades(app, attempt_id) for kind, attempt_id in untouched.items()}

    changes = dry_run(app, graded["class"])
    apply(app, graded["class"])

    assert {c.attempt_id for c in changes.values()} == {graded["ada"], graded["bob"], graded["cyd"]}
    assert {kind: attempt_grades(app, attempt_id) for kind, attempt_id in untouched.items()} == before


def test_a_question_keeps_the_wording_and_choice_order_the_learner_saw_and_takes_only_the_new_key(
    app, graded, banks_dir
):
    edit_bank(banks_dir, "Pick the capital of Kazakhstan.", "Pick the capital city of Kazakhstan.")
    fix_key(banks_dir)

    apply(app, graded["class"])

    with app.app_context():
        stored = db.session.scalar(
            select(Response.question).where(Response.attempt_id == graded["ada"], Response.position == 0)
        )
    assert stored["prompt"] == "Pick the capital of Kazakhstan."
    assert stored["choices"] == ["Astana", "Bishkek", "Dushanbe", "Yerevan"]
    assert stored["answer"] == NEW_KEY


def test_a_question_whose_type_changed_is_a_different_question_and_keeps_its_old_key(app, graded):
    with app.app_context():
        shown = from_snapshot(
            db.session.scalar(
                select(Response.question).where(Response.attempt_id == graded["ada"], Response.position == 0)
            )
        )
        current = bank_registry().get("every-type").questions["multi-q"]

    assert regrade.regraded_question(shown, dataclasses.replace(current, id=shown.id)) == shown
