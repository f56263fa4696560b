"""How typed answers are compared: the folding of text answers, numbers in words and with units,
and the typos a text question may forgive. The table of examples in docs/banks.md is read here and
every row checked against the grader, so the docs cannot drift from it."""

from __future__ import annotations

import re

import pytest
import yaml
from werkzeug.datastructures import MultiDict

from quizapp.banks import parse_bank
from quizapp.questions import (
    Numeric,
    Question,
    ResponseError,
    ShortText,
    from_snapshot,
    normalize_text,
    parse_number,
)
from quizapp.text import plain_punctuation
from tests.factories import ROOT

BANKS_DOC = (ROOT / "docs" / "banks.md").read_text()
SECTION = BANKS_DOC.split("## How typed answers are compared\n", 1)[1].split("\n## ", 1)[0]


def doc_rows() -> list[list[str]]:
    """The cells of each row of the section's table of examples (header and rule left out)."""
    lines = [line for line in SECTION.splitlines() if line.startswith("|")]
    assert lines[0].split("|")[1:5] == [" question ", " key ", " typed ", " accepted "]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def spans(cell: str) -> list[str]:
    """The values a cell quotes in `code spans`."""
    return re.findall(r"`([^`]*)`", cell)


def doc_question(kind: str, keys: list[str]) -> Question:
    """The question a row describes ("text, typos: 1, wrong: Austria"), loaded as a bank would be."""
    qtype, *options = [part.strip() for part in kind.split(",")]
    fields: dict[str, object] = {"id": "q", "type": qtype, "prompt": "P"}
    fields["answer"] = keys if qtype == "text" else yaml.safe_load(keys[0])
    for option in options:
        name, _, value = option.partition(":")
        fields[name.strip()] = [value.strip()] if name.strip() == "wrong" else yaml.safe_load(value)
    bank = parse_bank(yaml.safe_dump({"title": "Docs", "questions": [fields]}), "docs.yaml", "docs")
    return bank.questions["q"]


def outcome(question: Question, typed: str) -> str:
    """What the docs' "accepted" column says of a typed answer: yes, no, or sent back."""
    try:
        response = question.read_response(MultiDict({"q": typed}), "q")
    except ResponseError:
        return "sent back"
    return "yes" if question.grade(response).outcome == "correct" else "no"


ROWS = doc_rows()


def test_the_docs_table_has_examples_of_every_rule_and_every_outcome():
    kinds = {row[0].split(",")[0] for row in ROWS}
    assert kinds == {"text", "numeric"}
    assert {(row[0].split(",")[0], row[3]) for row in ROWS} >= {
        ("text", "yes"),
        ("text", "no"),
        ("numeric", "yes"),
        ("numeric", "no"),
        ("numeric", "sent back"),
    }
    assert sum("typos" in row[0] for row in ROWS) >= 5
    assert len(ROWS) >= 40


@pytest.mark.parametrize("row", ROWS, ids=[f"{row[0]}: {row[2]}" for row in ROWS])
def test_each_example_in_the_docs_table_is_graded_as_it_says(row: list[str]):
    kind, keys, typed, accepted = row[0], spans(row[1]), spans(row[2]), row[3]
    assert keys, row
    assert len(typed) == 1, row
    assert outcome(doc_question(kind, keys), typed[0]) == accepted, row


def test_the_docs_example_of_typos_and_wrong_answers_loads_and_grades_as_described():
    [example] = re.findall(r"```yaml\n(.*?)```", SECTION, re.S)
    question = parse_bank("title: T\nquestions:\n" + example, "t.yaml", "t").questions["author"]
    assert isinstance(question, ShortText)
    assert (question.typos, question.wrong) == (1, ("Wesley Clark",))
    assert question.grade("Wesly Culp").outcome == "correct"
    assert question.feedback("Wesly Culp") == ["Accepted: close to 'Wesley Culp'"]
    assert question.grade("Wesley Clark").outcome == "wrong"


# --- folding text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("Kyrgyzstan\u2019s", "Kyrgyzstan's"),
        ("\u2018quoted\u2019", "'quoted'"),
        ("\u201cquoted\u201d", '"quoted"'),
        ("\u201equoted\u201c", '"quoted"'),
        ("Nagorno\u2013Karabakh", "Nagorno-Karabakh"),
        ("Nagorno\u2014Karabakh", "Nagorno-Karabakh"),
        ("Nagorno\u2010Karabakh", "Nagorno-Karabakh"),
        ("Nagorno\u2011Karabakh", "Nagorno-Karabakh"),
        ("\u22125", "-5"),
        ("wait\u2026", "wait..."),
        ("plain 'ASCII' - text...", "plain 'ASCII' - text..."),
    ],
)
def test_plain_punctuation_types_typographic_marks_as_a_keyboard_does(typed: str, plain: str):
    assert plain_punctuation(typed) == plain


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("Kyrgyzstan's internal matter", "Kyrgyzstan\u2019s internal matter"),
        ("Kyrgyzstan\u2019s internal matter", "Kyrgyzstan's internal matter"),
        ("Nagorno-Karabakh", "Nagorno\u2013Karabakh"),
        ("Nagorno-Karabakh", "Nagorno\u2012Karabakh"),
        ("the US", "the U.S."),
        ("the US", "U.S"),
        ("U.S.", "US"),
        ("USA", "U.S.A."),
        ("USA", "u.s.a"),
        ("e.g.", "eg"),
        ("Kremlin", "the Kremlin"),
        ("the Kremlin", "Kremlin"),
        ("The Hague", "the hague"),
        ("Apple", "an apple"),
        ("Treaty", "A treaty"),
        ("Kremlin", 'the "Kremlin"'),
    ],
)
def test_text_answers_that_mean_the_same_are_accepted(key: str, typed: str):
    assert ShortText(id="s", prompt="P", answer=(key,)).grade(typed).outcome == "correct"


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("2.5", "25"),
        ("2.5 percent", "25 percent"),
        ("Osh", "the city of Osh"),
        ("Medvedev", "Med.vedev"),
        ("Nagorno-Karabakh", "Nagorno Karabakh"),
        ("Nagorno-Karabakh", "NagornoKarabakh"),
        ("US", "USSR"),
        ("Kremlin", "the Kremlins"),
    ],
)
def test_text_answers_that_differ_are_still_refused(key: str, typed: str):
    assert ShortText(id="s", prompt="P", answer=(key,)).grade(typed).outcome == "wrong"


@pytest.mark.parametrize(("text", "folded"), [("the", "the"), ("A", "a"), ("an.", "an"), ("The  ", "the")])
def test_an_article_alone_is_the_answer_not_a_word_to_drop(text: str, folded: str):
    assert normalize_text(text) == folded


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("zero", 0),
        ("six", 6),
        ("Six", 6),
        ("ten", 10),
        ("nineteen", 19),
        ("twenty", 20),
        ("twenty-one", 21),
        ("twenty one", 21),
        ("ninety-nine", 99),
        ("a hundred", 100),
        ("one hundred and five", 105),
        ("three hundred", 300),
        ("nineteen hundred", 1900),
        ("nineteen hundred and ninety-two", 1992),
        ("one thousand nine hundred ninety-two", 1992),
        ("one thousand nine hundred and ninety-two", 1992),
        ("a thousand", 1000),
        ("two thousand and five", 2005),
        ("one million two hundred thousand", 1_200_000),
        ("6th", 6),
        ("1st", 1),
        ("2nd", 2),
        ("3RD", 3),
        ("21st", 21),
        ("first", 1),
        ("second", 2),
        ("sixth", 6),
        ("twelfth", 12),
        ("twentieth", 20),
        ("twenty-first", 21),
        ("ninety-ninth", 99),
        ("one hundredth", 100),
        ("6 thousand", 6000),
        ("2.5 million", 2_500_000),
        ("6 hundred", 600),
        ("\u22125", -5),
        ("1 000", 1000),
    ],
)
def test_parse_number_reads_number_words_ordinals_and_scale_words(typed: str, value: float):
    assert parse_number(typed) == value


@pytest.mark.parametrize(
    "typed",
    [
        "6-7",
        "6\u20137",
        "5 or 6",
        "5 6",
        "six seven",
        "twenty thirty",
        "one thousand and",
        "two thousand three thousand",
        "thousand",
        "hundredth",
        "a third",
        "a",
        "and",
        "zero one",
        "six and a half",
        "nineteen ninety-two",
        "6k",
        "6 thousands",
    ],
)
def test_parse_number_refuses_what_is_not_exactly_one_number(typed: str):
    assert parse_number(typed) is None


def numeric(unit: str = "", answer: float = 6.0) -> Numeric:
    return Numeric(id="n", prompt="P", answer=answer, unit=unit)


def read(question: Numeric, typed: str) -> float | None:
    return question.read_response(MultiDict({"n": typed}), "n")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("six", 6),
        ("6th", 6),
        ("10 years", 10),
        ("10years", 10),
        ("ten years", 10),
        ("6 troops in all", 6),
        ("6.", 6),
        ("six.", 6),
        ("1,000 km", 1000),
        ("6 thousand people", 6000),
    ],
)
def test_a_numeric_question_without_a_unit_reads_the_number_before_a_unit_word(typed: str, value: float):
    assert read(numeric(), typed) == value


@pytest.mark.parametrize(
    ("unit", "typed"),
    [
        ("troops", "6 troops"),
        ("troops", "6 troop"),
        ("troop", "6 troops"),
        ("troops", "6troops"),
        ("troops", "six troops"),
        ("troops", "6 TROOPS"),
        ("countries", "6 country"),
        ("city", "6 cities"),
        ("%", "6%"),
        ("km", "6 km"),
    ],
)
def test_a_numeric_question_with_a_unit_reads_it_in_the_singular_or_the_plural(unit: str, typed: str):
    assert read(numeric(unit), typed) == 6


def test_a_numeric_question_with_a_unit_sends_back_another_unit_with_its_own():
    with pytest.raises(ResponseError, match="Enter a number of troops, such as 6 or 6 troops"):
        read(numeric("troops"), "6 soldiers")
    with pytest.raises(ResponseError, match="Enter a number of km"):
        read(numeric("km"), "6 miles")


def test_only_the_unit_typed_is_no_answer():
    assert read(numeric("troops"), "troops") is None


@pytest.mark.parametrize(
    "typed",
    [
        "6-7",
        "6 - 7",
        "6\u20137",
        "5 or 6",
        "5 or 6 troops",
        "about 6 or 7",
        "about 6",
        "around six",
        "6 or so",
        "6 to 7",
        "six seven",
        "6 7",
        "6 thousands",
        "6 dozen",
        "6k",
        "6 m",
        "44 BC",
        "six and a half",
        "6 and a half",
        "6 of 10",
        "1.2.3",
        "12:30",
    ],
)
def test_a_number_that_is_not_first_and_alone_is_sent_back_never_read_as_the_first_number(typed: str):
    with pytest.raises(ResponseError, match="Enter a number on its own, such as 6 or six") as caught:
        read(numeric(), typed)
    assert "a range (6-7) or a choice (5 or 6) cannot be marked" in str(caught.value)


@pytest.mark.parametrize("typed", ["abc", "a few", "many troops", "nan", "inf", "..."])
def test_text_with_no_number_is_sent_back_as_not_a_number(typed: str):
    with pytest.raises(ResponseError, match=r"^Enter a number, such as 1992 or 2\.5\.$"):
        read(numeric(), typed)


def test_six_thousand_is_never_six():
    question = numeric()
    assert question.grade(read(question, "6 thousand")).outcome == "wrong"
    assert numeric(answer=6000).grade(read(question, "6 thousand")).outcome == "correct"


# --- typos ---------------------------------------------------------------------------------------


def text_q(*answer: str, typos: int = 0, wrong: tuple[str, ...] = ()) -> ShortText:
    return ShortText(id="s", prompt="P", answer=answer, typos=typos, wrong=wrong)


@pytest.mark.parametrize(
    ("typos", "typed", "outcome"),
    [
        (0, "Wesly Culp", "wrong"),
        (1, "Wesly Culp", "correct"),
        (1, "Wesley Clup", "correct"),  # two neighbours swapped: one slip
        (1, "Wesleyy Culp", "correct"),
        (1, "wesley kulp", "correct"),
        (1, "Wsly Culp", "wrong"),
        (2, "Wsly Culp", "correct"),
        (2, "Wsly Cul", "wrong"),
        (2, "Wesley Culp", "correct"),
    ],
)
def test_typos_forgives_that_many_slips(typos: int, typed: str, outcome: str):
    assert text_q("Wesley Culp", typos=typos).grade(typed).outcome == outcome


@pytest.mark.parametrize(
    ("key", "typed"), [("Osh", "Ash"), ("Osh", "Oshh"), ("Baku", "Bako"), ("U.S.", "UK")]
)
def test_typos_never_apply_to_answers_of_four_characters_or_fewer(key: str, typed: str):
    assert text_q(key, "a longer accepted answer", typos=2).grade(typed).outcome == "wrong"


def test_typos_apply_to_an_answer_of_five_characters():
    assert text_q("Astana", typos=1).grade("Astan").outcome == "correct"
    assert text_q("Kazan", typos=1).grade("Kazn").outcome == "correct"


@pytest.mark.parametrize("typed", ["1993 treaty", "1992 treat", "the 1992 tready"])
def test_a_slip_never_changes_a_number_in_the_answer(typed: str):
    outcome = text_q("1992 treaty", typos=1).grade(typed).outcome
    assert outcome == ("wrong" if "1993" in typed else "correct")


def test_a_wrong_answer_is_never_accepted_even_within_the_typos():
    question = text_q("Australia", typos=2, wrong=("Austria",))
    assert question.grade("Austria").outcome == "wrong"
    assert question.grade("AUSTRIA.").outcome == "wrong"
    assert question.grade("Australia").outcome == "correct"


def test_a_response_as_close_to_a_wrong_answer_as_to_the_key_is_refused():
    question = text_q("Australia", typos=2, wrong=("Austria",))
    assert question.grade("Austrlia").outcome == "wrong"  # one slip from each
    assert question.grade("Austri").outcome == "wrong"  # closer to the wrong answer
    assert question.grade("Australa").outcome == "correct"  # one slip from the key, two from Austria


def test_the_feedback_names_the_spelling_only_when_a_typo_was_forgiven():
    question = text_q("Wesley Culp", "Culp", typos=1)
    assert question.feedback("Wesly Culp") == ["Accepted: close to 'Wesley Culp'"]
    assert question.feedback("wesley culp") == []
    assert question.feedback("Culp") == []
    assert question.feedback("Someone Else") == []
    assert question.feedback(None) == []


def test_typos_and_wrong_answers_survive_a_snapshot():
    question = text_q("Wesley Culp", typos=2, wrong=("Wesley Clark",))
    restored = from_snapshot(question.snapshot())
    assert restored == question
    assert restored.grade("Wesly Culp").outcome == "correct"


def test_a_snapshot_stored_before_typos_existed_still_grades_exactly():
    stored = {"type": "text", "id": "s", "prompt": "P", "answer": ["Wesley Culp"], "points": 1.0}
    question = from_snapshot(stored)
    assert question.grade("Wesley Culp").outcome == "correct"
    assert question.grade("Wesly Culp").outcome == "wrong"


def test_the_distractor_check_names_choices_within_twice_the_typos_unless_listed_wrong():
    question = text_q("Austria", typos=1)
    offered = {"Australia": "capitals", "Austria": "other", "Bishkek": "capitals", "Austri": "x"}
    problems = question.clashes(offered)
    assert [field for field, _ in problems] == ["typos", "typos"]
    assert "'Australia' (a choice of question 'capitals')" in problems[0][1]
    assert "2 slips apart" in problems[0][1]
    assert "1 slip apart" in problems[1][1]
    assert text_q("Austria", typos=1, wrong=("Australia", "Austri")).clashes(offered) == []
    assert text_q("Austria").clashes(offered) == []
