"""After a bank is archived, every page that names its quizzes (a student's home, history and
result; the class, assignment, gradebook and analysis pages of their instructor) names each by its
title as last saved, marked "(archived)": never by its id, never "(not available)"."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    ALL,
    RIGHT,
    archive_bank,
    clean,
    learner,
    other_instructor,
    text,
)


@pytest.fixture
def archived(app, seed):
    """prof's class sets every-type's two quizzes; ada made one attempt at `all` (Every type); no
    one has tried `review` (Random review). Then every-type is archived."""
    prof = other_instructor(app, "prof")
    ada = learner(app, "ada")
    ada_id = seed.user_id("ada")
    class_id = seed.classroom(quizzes=(("every-type", "all"), ("every-type", "review")), students=(ada_id,))
    attempt = seed.attempt(ada_id, {qid: RIGHT[qid] for qid in ALL})
    archive_bank(app, "every-type")
    return {"prof": prof, "ada": ada, "class": class_id, "attempt": attempt}


def shows_titles_not_ids(page: str) -> None:
    shown = clean(page)
    assert "not available" not in shown
    assert not re.search(r"\ball \(", shown)
    assert not re.search(r"(?<!Random )\breview \(", shown)


def test_a_students_home_names_the_archived_quizzes_set_for_their_class(archived):
    page = text(archived["ada"].get("/"))

    shown = clean(page)
    assert "Every type (archived)" in shown
    assert "Random review (archived)" in shown
    shows_titles_not_ids(page)


def test_a_students_history_and_result_mark_the_quiz_archived(archived):
    history = clean(text(archived["ada"].get("/history")))
    assert "Every type (archived)" in history

    result = archived["ada"].get(f"/attempts/{archived['attempt']}")
    assert result.status_code == 200
    assert "Every type: result (archived)" in clean(text(result))


def test_the_class_page_names_the_quizzes_and_their_bank_as_last_saved(archived):
    page = text(archived["prof"].get(f"/teach/classes/{archived['class']}"))

    quizzes = clean(page.split('id="assigned-heading"', 1)[1].split("<h3>", 1)[0])
    assert "Every type (archived) Every type (archived)" in quizzes  # the quiz, then its bank
    assert "Random review (archived) Every type (archived)" in quizzes
    shows_titles_not_ids(page.split("<h3>Set a quiz</h3>", 1)[0])


def test_the_assignment_gradebook_and_analysis_pages_name_the_archived_quiz(archived):
    prof, class_id = archived["prof"], archived["class"]
    page = text(prof.get(f"/teach/classes/{class_id}"))
    review = re.findall(rf'href="(/teach/classes/{class_id}/assignments/\d+)"', page)[1]

    assignment = clean(text(prof.get(review)))
    assert "Random review (archived) for Eurasian History" in assignment

    gradebook = text(prof.get(f"/teach/classes/{class_id}/gradebook"))
    headers = clean(gradebook.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert "Every type (archived)" in headers
    assert "Random review (archived)" in headers

    analysis = prof.get(f"/teach/classes/{class_id}/quizzes/every-type/review/analysis")
    assert "Item analysis: Random review (archived)" in clean(text(analysis))


def test_a_quiz_taken_out_of_a_bank_still_served_keeps_the_title_its_attempts_knew(app, seed, banks_dir):
    prof = other_instructor(app, "prof")
    ada_id = seed.user("ada")
    class_id = seed.classroom(students=(ada_id,))
    seed.attempt(ada_id, {qid: RIGHT[qid] for qid in ALL})
    bank = banks_dir / "every-type.yaml"
    bank.write_text(bank.read_text().replace("  - id: all\n", "  - id: all-renamed\n"))

    page = clean(text(prof.get(f"/teach/classes/{class_id}")))
    assert "Every type (no longer in its bank)" in page
    gradebook = clean(text(prof.get(f"/teach/classes/{class_id}/gradebook")))
    assert "Every type (no longer in its bank)" in gradebook


def test_a_quiz_no_version_or_attempt_knows_is_named_by_its_id(app, seed):
    prof = other_instructor(app, "prof")
    class_id = seed.classroom(quizzes=(("gone-bank", "lost-quiz"),))

    page = clean(text(prof.get(f"/teach/classes/{class_id}")))
    assert "lost-quiz (not available) gone-bank (not available)" in page
