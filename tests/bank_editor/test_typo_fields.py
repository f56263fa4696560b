"""A text question's `typos` and `wrong` in the question editor: shown filled in, written into the
bank file like any optional field, and a bad value refused with the loader's message and nothing
written."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from quizapp.bank_editor.questionform import apply_question, form_values, question_mapping
from quizapp.banks import load_bank, parse_bank
from tests.factories import BANKS, EVERY_TYPE_BANK, form_with, text_of

EDIT = f"{BANKS}/every-type/questions/text-q/edit"


@pytest.fixture
def instructor(bank_owner: FlaskClient) -> FlaskClient:
    """prof, owner of every-type (overrides conftest's)."""
    return bank_owner


def test_the_form_of_a_text_question_offers_typos_and_wrong_answers(instructor):
    page = text_of(instructor.get(EDIT))
    fields = form_with(page, field="prompt")
    assert (fields["typos"], fields["wrong"]) == ("0", "")
    assert "Typos forgiven" in page
    assert "Wrong answers" in page
    numeric = form_with(
        text_of(instructor.get(f"{BANKS}/every-type/questions/numeric-q/edit")), field="prompt"
    )
    assert "typos" not in numeric
    assert "wrong" not in numeric


def test_typos_and_wrong_answers_saved_in_the_form_are_written_and_graded_by(instructor, banks_dir):
    fields = form_with(text_of(instructor.get(EDIT)), field="prompt")
    fields.update({"typos": "1", "wrong": "Zyxwvuts Town\nBishkek"})
    response = instructor.post(EDIT, data=fields)
    assert response.status_code == 302, text_of(response)

    written = (banks_dir / "every-type.yaml").read_text()
    assert (
        "    answer: [Zyxwvuts City, Zyxwvuts]\n    wrong: [Zyxwvuts Town, Bishkek]\n    typos: 1\n"
        in written
    )
    question = load_bank(banks_dir / "every-type.yaml").questions["text-q"]
    assert question.grade("Zyxwvuts Cty").outcome == "correct"
    assert question.grade("Zyxwvuts Town").outcome == "wrong"

    again = form_with(text_of(instructor.get(EDIT)), field="prompt")
    assert (again["typos"], again["wrong"]) == ("1", "Zyxwvuts Town\nBishkek")


@pytest.mark.parametrize(
    ("typos", "wrong", "message"),
    [
        (
            "5",
            "",
            "typos in question 'text-q' must be 0, 1 or 2 (the typing slips an answer may have), not '5'",
        ),
        (
            "x",
            "",
            "typos in question 'text-q' must be 0, 1 or 2 (the typing slips an answer may have), not 'x'",
        ),
        ("-1", "", "must be 0, 1 or 2"),
        ("", "zyxwvuts city.", "'zyxwvuts city.' is a wrong answer of question 'text-q' and also one of its"),
    ],
)
def test_a_bad_typos_or_wrong_answer_is_refused_with_the_loaders_message_and_nothing_written(
    instructor, banks_dir, typos, wrong, message
):
    fields = form_with(text_of(instructor.get(EDIT)), field="prompt")
    fields.update({"typos": typos, "wrong": wrong})
    response = instructor.post(EDIT, data=fields)

    assert response.status_code == 422
    page = text_of(response)
    assert "Not saved" in page
    assert message in page
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_typos_set_back_to_zero_and_an_emptied_wrong_list_leave_the_question():
    text = EVERY_TYPE_BANK.replace(
        "    answer: [Zyxwvuts City, Zyxwvuts]\n",
        "    answer: [Zyxwvuts City, Zyxwvuts]\n    wrong: [Bishkek]\n    typos: 2\n",
    )
    question = parse_bank(text, "every-type.yaml", "every-type").questions["text-q"]
    mapping = question_mapping("text", {**form_values(question), "typos": "0", "wrong": ""})

    assert "typos" not in mapping
    assert "wrong" not in mapping
    assert apply_question(text, mapping, "text-q") == EVERY_TYPE_BANK
