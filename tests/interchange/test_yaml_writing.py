"""The banks an import writes: valid, readable, each item below the line it came from; an import
into a bank leaves the rest of its file as it was; a file's format told from its name and text."""

from __future__ import annotations

import pytest

from quizapp.banks import parse_bank
from quizapp.interchange import Imported, append_to_bank, bank_yaml, guess_format

TRICKY = ["yes", "no", "010", "null", "~", "12:30", "true", "- dash", "a: b", "# hash", "[x]", "'quoted'"]


def imported() -> Imported:
    return Imported(
        questions=[
            {
                "id": "tricky",
                "type": "single",
                "prompt": "Which of these\nlooks like something else?",
                "choices": TRICKY,
                "answer": "010",
                "feedback": {"yes": "Not a boolean.\nSecond line."},
                "explanation": "Long. " * 40,
            },
            {"id": "year", "type": "numeric", "prompt": "When?", "answer": 1992.0, "tolerance": 0.5},
            {"id": "pairs", "type": "match", "prompt": "Pair.", "answer": {"true": "false", "on": "off"}},
        ],
        cards=[{"id": "card", "front": "Front: a", "back": "Back #1"}],
        lines={"tricky": 3, "year": 12, "pairs": 20, "card": 30},
    )


def test_every_text_reads_back_exactly_as_it_was_imported():
    bank = parse_bank(bank_yaml(imported(), "Title: tricky", "in.txt").encode(), "b.yaml", "b")

    tricky = bank.questions["tricky"]
    assert bank.title == "Title: tricky"
    assert tricky.prompt == "Which of these\nlooks like something else?"
    assert tricky.choices == tuple(TRICKY)
    assert tricky.answer == "010"
    assert tricky.feedback_by_choice == {"yes": "Not a boolean.\nSecond line."}
    assert tricky.explanation == ("Long. " * 40).strip()
    assert bank.questions["year"].answer == 1992
    assert bank.questions["pairs"].answer == (("true", "false"), ("on", "off"))
    assert [(c.id, c.front, c.back) for c in bank.cards] == [("card", "Front: a", "Back #1")]
    assert list(bank.quizzes) == ["all"]


def test_the_layout_is_readable_with_each_item_below_its_source_line():
    text = bank_yaml(imported(), "T", "in.txt")

    assert "  # from line 3 of in.txt\n  - id: tricky\n" in text
    assert "  # from line 30 of in.txt\n  - id: card\n" in text
    assert "    prompt: |-\n      Which of these\n      looks like something else?\n" in text
    assert "    answer: 1992\n" in text  # a whole number, not 1992.0
    assert "    choices:\n    - 'yes'\n    - 'no'\n" in text  # a long list: one item a line
    assert max(len(line) for line in text.splitlines()) <= 110  # long texts wrap
    short = bank_yaml(
        Imported(questions=[{"id": "q", "type": "text", "prompt": "P", "answer": ["a", "b"]}]), "T"
    )
    assert "    answer: [a, b]\n" in short


BANK = """\
# My bank: hand-written comments stay.
title: Mine
questions:
  - id: first
    type: true_false
    prompt: "Quoted, as the author wrote it."
    answer: true
    feedback: {"false": 'Single quotes stay.'}
quizzes:
  - {id: all, title: All, select: {}}
"""


def test_appending_keeps_the_bank_as_it_was_and_adds_items_with_their_lines():
    text = append_to_bank(BANK, imported(), "more.txt")

    assert text.startswith(BANK.split("quizzes:")[0])
    assert text.endswith(
        "quizzes:\n  - {id: all, title: All, select: {}}\ncards:\n  # from line 30 of more.txt\n  - id: card\n    front: 'Front: a'\n    back: 'Back #1'\n"
    )
    bank = parse_bank(text.encode(), "mine.yaml", "mine")
    assert list(bank.questions) == ["first", "tricky", "year", "pairs"]
    assert bank.questions["tricky"].choices == tuple(TRICKY)


def test_appending_refuses_ids_the_bank_already_has():
    clashing = Imported(questions=[{"id": "first", "type": "true_false", "prompt": "P", "answer": False}])

    with pytest.raises(ValueError, match="the bank already has an item with the id 'first'"):
        append_to_bank(BANK, clashing, "more.txt")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("quiz.gift", "anything", "gift"),
        ("quiz.txt", "Who? {=me ~you}\n", "gift"),
        ("quiz.xml", '<?xml version="1.0"?>\n<quiz>\n<question type="truefalse">', "moodle-xml"),
        ("quiz.xml", '<?xml version="1.0"?>\n<questestinterop xmlns="http://www.imsglobal.org">', "qti"),
        ("quiz.txt", "What?\nA. one\nB. two\nANSWER: B\n", "aiken"),
        ("notes.txt", "#separator:tab\n#html:false\nfront\tback\n", "anki-txt"),
        ("set.txt", "term\tdefinition\nother\tmeaning\n", "quizlet"),
        ("sets.txt", "Set of the first two naturals\t{1, 2}\nEmpty set\t{}\n", "quizlet"),
        ("notes.txt", "Just words.\n", None),
        ("data.xml", "<other/>", None),
    ],
)
def test_the_format_is_told_from_the_name_and_the_text(name: str, text: str, expected: str | None):
    assert guess_format(name, text) == expected
