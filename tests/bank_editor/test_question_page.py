"""The question form as an instructor uses it: types named as people read them, the right choice
picked from the choices typed (no JavaScript needed), and the quizzes a question is listed in,
saved into the bank's YAML with its comments kept."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from quizapp.banks import load_bank
from tests.factories import (
    BANKS,
    EVERY_TYPE_BANK,
    clean,
    form_with,
    own,
    text,
    text_of,
)

NEW = f"{BANKS}/every-type/questions/new"
LABELS = ["Single choice", "Multiple choice", "True / false", "Short text", "Numeric", "Ordering", "Matching"]


@pytest.fixture
def instructor(bank_owner: FlaskClient) -> FlaskClient:
    """prof, owner of every-type (overrides conftest's)."""
    return bank_owner


def the_form(client, url: str) -> tuple[str, dict]:
    page = text(client.get(url))
    return page, form_with(page, field="prompt")


def rows(page: str) -> list[tuple[str, bool]]:
    """The choice rows of a question form: each row's text, and whether it is ticked right."""
    found = re.findall(
        r'<input type="(?:radio|checkbox)" name="right" value="\d+" id="right-\d+"( checked)?>.*?'
        r'<input[^>]*name="choice_rows-\d+"[^>]*value="([^"]*)"',
        page,
        re.S,
    )
    return [(value, bool(checked)) for checked, value in found]


def saved(banks_dir):
    return load_bank(banks_dir / "every-type.yaml")


# --- type labels ---------------------------------------------------------------------------------


def test_the_type_tabs_and_the_form_name_each_type_as_people_read_it(instructor):
    page = text_of(instructor.get(f"{NEW}?type=true_false"))

    tabs = re.search(r'<nav aria-label="Question type"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert [clean(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", tabs)] == LABELS
    assert "Type: True / false." in page
    assert ">true_false<" not in page


def test_the_editor_preview_names_each_questions_type_by_its_label(instructor):
    page = text(instructor.get(f"{BANKS}/every-type/edit"))
    fields = form_with(page, field="text")
    preview = text_of(instructor.post(f"{BANKS}/every-type/edit", data={**fields, "action": "preview"}))

    metas = re.findall(r'<p class="meta">(single-q|multi-q|tf-q) · ([^·]+) ·', preview)
    assert [(qid, kind.strip()) for qid, kind in metas] == [
        ("single-q", "Single choice"),
        ("multi-q", "Multiple choice"),
        ("tf-q", "True / false"),
    ]


# --- picking the right choice --------------------------------------------------------------------


def test_an_edit_form_shows_each_choice_in_a_row_with_the_right_ones_ticked(instructor):
    single, _ = the_form(instructor, f"{BANKS}/every-type/questions/single-q/edit")
    multi, _ = the_form(instructor, f"{BANKS}/every-type/questions/multi-q/edit")

    assert (
        rows(single)
        == [("Astana", True), ("Bishkek", False), ("Dushanbe", False), ("Yerevan", False)] + [("", False)] * 2
    )
    assert 'type="radio" name="right"' in single
    assert rows(multi)[:4] == [("Russia", True), ("Belarus", True), ("Georgia", False), ("Ukraine", False)]
    assert 'type="checkbox" name="right"' in multi
    assert 'name="answer"' not in single  # nothing to retype


def test_picking_another_row_makes_it_the_answer(instructor, banks_dir):
    _, fields = the_form(instructor, f"{BANKS}/every-type/questions/single-q/edit")
    fields["right"] = "1"

    response = instructor.post(f"{BANKS}/every-type/questions/single-q/edit", data=fields)

    assert response.status_code == 302, text_of(response)
    assert saved(banks_dir).questions["single-q"].answer == "Bishkek"
    assert "    answer: Bishkek\n" in (banks_dir / "every-type.yaml").read_text()


def test_a_new_multiple_choice_question_takes_every_row_ticked(instructor, banks_dir):
    _, fields = the_form(instructor, f"{NEW}?type=multi")
    fields.update({"id": "colours", "prompt": "Which are primary?", "choice_rows-0": "Red"})
    fields.update({"choice_rows-1": "Green", "choice_rows-2": "Blue", "right": ["0", "2"]})

    assert instructor.post(f"{NEW}?type=multi", data=fields).status_code == 302
    question = saved(banks_dir).questions["colours"]
    assert question.choices == ("Red", "Green", "Blue")
    assert question.answer == ("Red", "Blue")


@pytest.mark.parametrize(
    ("right", "message"),
    [
        (None, "Tick the right choice in its row."),
        ("3", "Choice 4 is ticked as right but is empty: type the choice in its row, or tick another."),
        (["0", "1"], "Tick one right choice only: this type has one."),
        ("9", "Tick the right choice among the rows shown."),
        ("x", "Tick the right choice among the rows shown."),
    ],
)
def test_a_pick_that_does_not_fit_is_explained_and_everything_typed_comes_back(
    instructor, banks_dir, right, message
):
    _, fields = the_form(instructor, f"{NEW}?type=single")
    fields.update({"id": "capital", "prompt": "The capital?", "explanation": "Because it is."})
    fields.update({"choice_rows-0": "Astana", "choice_rows-1": "Bishkek", "choice_rows-2": "Dushanbe"})
    fields.pop("right", None)
    if right is not None:
        fields["right"] = right

    response = instructor.post(f"{NEW}?type=single", data=fields)

    assert response.status_code == 422
    page = text_of(response)
    assert message in clean(page.split('id="choice-rows-error"', 1)[1].split("</p>", 1)[0])
    assert "Not saved" in page
    assert [value for value, _ in rows(text(response))][:3] == ["Astana", "Bishkek", "Dushanbe"]
    kept = form_with(text(response), field="prompt")
    assert (kept["id"], kept["prompt"], kept["explanation"]) == ("capital", "The capital?", "Because it is.")
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_more_choice_rows_come_without_javascript_keeping_what_was_typed_and_saving_nothing(
    instructor, banks_dir
):
    page, fields = the_form(instructor, f"{NEW}?type=single")
    assert rows(page) == [("", False)] * 4
    fields.update({"id": "capital", "prompt": "The capital?", "choice_rows-0": "Astana", "right": "0"})

    more = instructor.post(f"{NEW}?type=single", data={**fields, "add_rows": "more"})

    assert more.status_code == 200
    assert rows(text(more)) == [("Astana", True)] + [("", False)] * 6
    assert "Not saved" not in text(more)
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK

    fields = form_with(text(more), field="prompt")
    fields.update({"choice_rows-5": "Bishkek", "choice_rows-6": "Tashkent"})
    assert instructor.post(f"{NEW}?type=single", data=fields).status_code == 302
    question = saved(banks_dir).questions["capital"]
    assert (question.choices, question.answer) == (("Astana", "Bishkek", "Tashkent"), "Astana")


# --- the quizzes a question is in ----------------------------------------------------------------

#: A bank with a comment on each part a membership change touches or passes.
COMMENTED = """\
title: Commented
questions:
  - id: a
    type: true_false
    prompt: A is true.
    answer: true
  - id: b
    type: true_false
    prompt: B is true.
    answer: true
    tags: [late]
quizzes:
  - id: week1   # the first week
    title: Week one
    questions:
      - a       # warm-up
      - b       # the hard one
  - id: week2
    title: Week two
    questions: [b]   # short on purpose
  - id: drawn
    title: Drawn by tag
    select: {tags: [late]}
  - id: everything
    title: Everything
    select: {}
"""


@pytest.fixture
def commented(app, make_bank):
    make_bank("commented", COMMENTED)
    own(app, "commented")
    return "commented"


def quiz_boxes(page: str) -> dict[str, bool]:
    boxes = re.findall(r'<input type="checkbox" name="quizzes" value="([^"]+)"( checked)?>', page)
    return {value: bool(checked) for value, checked in boxes}


def test_the_form_offers_the_quizzes_that_list_questions_ticking_those_listing_this_one(
    instructor, commented
):
    edit, _ = the_form(instructor, f"{BANKS}/commented/questions/a/edit")
    new, _ = the_form(instructor, f"{BANKS}/commented/questions/new?type=true_false")

    assert quiz_boxes(edit) == {"week1": True, "week2": False}
    assert quiz_boxes(new) == {"week1": False, "week2": False}
    notes = clean(edit)
    assert "Drawn by tag draws by tag: add the tag late to include this question." in notes
    assert "Everything draws from every question of the bank: it includes this one." in notes
    b_page = clean(text(instructor.get(f"{BANKS}/commented/questions/b/edit")))
    assert "Drawn by tag draws by tag: this question has the tag late, so it is included." in b_page


def test_ticking_and_unticking_quizzes_adds_and_removes_the_question_keeping_every_comment(
    instructor, commented, banks_dir
):
    _, fields = the_form(instructor, f"{BANKS}/commented/questions/a/edit")
    fields["quizzes"] = "week2"  # out of week1, into week2

    response = instructor.post(f"{BANKS}/commented/questions/a/edit", data=fields)

    assert response.status_code == 302, text_of(response)
    after = (banks_dir / "commented.yaml").read_text()
    # ruamel.yaml writes a grown one-line list's comment one space after it.
    assert after == COMMENTED.replace("      - a       # warm-up\n", "").replace(
        "questions: [b]   # short on purpose", "questions: [b, a] # short on purpose"
    )
    bank = load_bank(banks_dir / "commented.yaml")
    assert bank.quizzes["week1"].question_ids == ("b",)
    assert bank.quizzes["week2"].question_ids == ("b", "a")


def test_a_new_question_ticked_into_a_quiz_is_listed_at_its_end(instructor, commented, banks_dir):
    _, fields = the_form(instructor, f"{BANKS}/commented/questions/new?type=true_false")
    fields.update({"id": "c", "prompt": "C is true.", "truth": "true", "quizzes": ["week1", "week2"]})

    assert instructor.post(f"{BANKS}/commented/questions/new?type=true_false", data=fields).status_code == 302
    bank = load_bank(banks_dir / "commented.yaml")
    assert bank.quizzes["week1"].question_ids == ("a", "b", "c")
    assert bank.quizzes["week2"].question_ids == ("b", "c")
    after = (banks_dir / "commented.yaml").read_text()
    assert "  - id: week1   # the first week\n" in after
    assert "      - a       # warm-up\n" in after


def test_a_quiz_not_offered_is_refused_and_nothing_is_saved(instructor, commented, banks_dir):
    _, fields = the_form(instructor, f"{BANKS}/commented/questions/a/edit")
    fields["quizzes"] = "drawn"

    response = instructor.post(f"{BANKS}/commented/questions/a/edit", data=fields)

    assert response.status_code == 422
    assert "'drawn' is not a valid choice" in text_of(response)
    assert (banks_dir / "commented.yaml").read_text() == COMMENTED


def test_unticking_the_only_question_of_a_quiz_is_refused_with_the_loaders_reason(
    instructor, commented, banks_dir
):
    _, fields = the_form(instructor, f"{BANKS}/commented/questions/b/edit")
    fields["quizzes"] = "week1"  # out of week2, whose only question it is

    response = instructor.post(f"{BANKS}/commented/questions/b/edit", data=fields)

    assert response.status_code == 422
    assert "the questions of quiz 'week2' needs at least 1 item" in text_of(response)
    assert quiz_boxes(text(response)) == {"week1": True, "week2": False}  # as ticked, to fix
    assert (banks_dir / "commented.yaml").read_text() == COMMENTED
