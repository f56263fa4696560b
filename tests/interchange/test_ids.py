"""Ids for imported items, one rule in every format: the other tool's own name when it is a valid
id, else a slug of the name or the text, unique within the bank as its loader compares ids."""

from __future__ import annotations

import pytest

from quizapp.banks import parse_bank
from quizapp.interchange import EXPORTERS, IMPORTERS
from quizapp.interchange.ids import LONGEST, make_id

PROMPT = "Où a-t-on signé, en 1992, le Traité de sécurité collective ?"
EXPECTED = "ou-a-t-on-signe-en-1992-le-traite-de"

NAMED_BANK = f"""\
title: T
questions:
  - id: named
    type: single
    prompt: "{PROMPT}"
    choices: [Tashkent, Minsk]
    answer: Tashkent
quizzes:
  - id: all
    title: All
    select: {{}}
"""


def test_a_name_that_is_a_valid_id_is_kept_and_a_taken_one_gets_a_number():
    taken: set[str] = set()

    assert make_id(taken, "treaty-year", PROMPT) == "treaty-year"
    assert make_id(taken, "treaty-year", PROMPT) == "treaty-year-2"
    assert make_id(taken, "treaty-year", PROMPT) == "treaty-year-3"


def test_ids_that_differ_only_in_case_are_different_ids_as_in_a_bank():
    taken: set[str] = set()

    assert make_id(taken, "Treaty", "") == "Treaty"
    assert make_id(taken, "treaty", "") == "treaty"


def test_a_name_that_is_no_id_is_slugged_and_without_a_name_the_text_is():
    taken: set[str] = set()

    assert make_id(taken, "Question 1: the treaty", PROMPT) == "question-1-the-treaty"
    assert make_id(taken, "", PROMPT) == EXPECTED
    assert make_id(taken, "¿?", PROMPT) == f"{EXPECTED}-2"


def test_a_slug_keeps_whole_words_and_a_long_name_leaves_room_for_a_number():
    taken: set[str] = set()
    long_name = "a" * (LONGEST + 1)

    made = make_id(taken, long_name, "")
    again = make_id(taken, long_name, "")

    assert made == "a" * 40
    assert again == f"{made}-2"
    assert make_id(taken, "", "Which of the member states left the organisation in 2012?") == (
        "which-of-the-member-states-left-the"
    )


@pytest.mark.parametrize(("fallback", "expected"), [("question", "question"), ("card", "card")])
def test_text_with_no_letter_or_digit_gets_the_fallback(fallback: str, expected: str):
    taken: set[str] = set()

    assert make_id(taken, "", "??? !!!", fallback) == expected
    assert make_id(taken, "", "…", fallback) == f"{expected}-2"


def exported_without_its_name(fmt: str) -> str:
    """The named bank in ``fmt`` with the question's name taken out, as a file another tool wrote."""
    text = EXPORTERS[fmt](parse_bank(NAMED_BANK.encode(), "t.yaml", "t")).text
    unnamed = {
        "gift": text.replace("::named::", ""),
        "moodle-xml": text.replace("<text>named</text>", "<text></text>").replace(
            "<idnumber>named</idnumber>", ""
        ),
        # Canvas titles an item it was given no name for "Question".
        "qti": text.replace('title="named"', 'title="Question"').replace("quizapp-t-named", "i1"),
        "aiken": text,
    }[fmt]
    assert "named" not in unnamed
    return unnamed


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "qti", "aiken"])
def test_the_same_prompt_gives_the_same_question_id_in_every_format(fmt: str):
    imported = IMPORTERS[fmt](exported_without_its_name(fmt))

    assert imported.problems == []
    assert [q["id"] for q in imported.questions] == [EXPECTED]


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("quizlet", f"{PROMPT}\tTashkent\n"),
        ("anki-txt", f"#separator:tab\n#html:false\n{PROMPT}\tTashkent\n"),
    ],
)
def test_the_same_front_gives_the_same_card_id_in_every_card_format(fmt: str, text: str):
    imported = IMPORTERS[fmt](text)

    assert imported.problems == []
    assert [c["id"] for c in imported.cards] == [EXPECTED]
