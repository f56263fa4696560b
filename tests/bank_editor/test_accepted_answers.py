"""quizapp.bank_editor.questionform.add_accepted_answer on its own: a learner's answer joins a text
question's accepted answers, read back exactly as typed, and the rest of the file stays as it was."""

from __future__ import annotations

import pytest

from quizapp.bank_editor.questionform import EditError, add_accepted_answer
from quizapp.banks import parse_bank
from tests.factories import EVERY_TYPE_BANK

KEY_LINE = "    answer: [Zyxwvuts City, Zyxwvuts]"


def accepted(text: str) -> tuple[str, ...]:
    return parse_bank(text, "every-type.yaml", "every-type").questions["text-q"].answer


def test_an_answer_joins_a_flow_list_and_only_that_line_changes():
    after = add_accepted_answer(EVERY_TYPE_BANK, "text-q", "Zyxwvuts Town")

    assert after == EVERY_TYPE_BANK.replace(KEY_LINE, "    answer: [Zyxwvuts City, Zyxwvuts, Zyxwvuts Town]")
    assert accepted(after) == ("Zyxwvuts City", "Zyxwvuts", "Zyxwvuts Town")


def test_a_single_answer_becomes_a_list_of_two_keeping_its_comment():
    before = EVERY_TYPE_BANK.replace(KEY_LINE, "    answer: Zyxwvuts City  # the official name")

    after = add_accepted_answer(before, "text-q", "Zyxwvuts")

    assert after == EVERY_TYPE_BANK.replace(
        KEY_LINE, "    answer: [Zyxwvuts City, Zyxwvuts] # the official name"
    )
    assert accepted(after) == ("Zyxwvuts City", "Zyxwvuts")


def test_an_answer_joins_a_block_list_under_its_comments():
    block = (
        "    answer:\n      # the official name first\n      - Zyxwvuts City\n      - Zyxwvuts  # short form"
    )
    before = EVERY_TYPE_BANK.replace(KEY_LINE, block)

    after = add_accepted_answer(before, "text-q", "Zyxwvuts Town")

    assert after == before.replace(block, block + "\n      - Zyxwvuts Town")


@pytest.mark.parametrize(
    "answer",
    ["1992", "yes", "null", "a, b] {c}", "# not a comment", "- a dash", "x: y", 'q"uote', "=cmd|' /C'!A0"],
)
def test_an_answer_that_looks_like_yaml_reads_back_as_typed(answer):
    after = add_accepted_answer(EVERY_TYPE_BANK, "text-q", answer)

    assert accepted(after)[-1] == answer


def test_a_question_no_longer_in_the_bank_is_an_edit_error():
    with pytest.raises(EditError, match="no longer has a question 'gone-q'"):
        add_accepted_answer(EVERY_TYPE_BANK, "gone-q", "Anything")
