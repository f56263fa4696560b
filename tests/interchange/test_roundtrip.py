"""Export then import: whatever a format can hold comes back equal, and everything else is in the
losses the export reported, by question id."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.banks import Bank, load_bank, parse_bank
from quizapp.interchange import EXPORTERS, IMPORTERS, bank_yaml
from quizapp.questions import Matching, MultipleChoice, Numeric, Question, ShortText, SingleChoice

ROOT = Path(__file__).parent.parent.parent
BANKS = [ROOT / "questions" / "csto-2022.yaml", ROOT / "tests" / "data" / "every-type.yaml"]

#: What GIFT carries of each question, compared field by field after the round trip.
CARRIED = (
    "type",
    "prompt",
    "choices",
    "answer",
    "feedback_by_choice",
    "explanation",
    "tolerance",
    "distractors",
    "tags",
)


def not_carried(question: Question) -> set[str]:
    """The words a GIFT loss of this question must contain, one for each thing GIFT cannot hold."""
    if question.type == "order":
        return {"'order' type"}
    lost = set()
    if question.points != 1:
        lost.add("points")
    if question.source:
        lost.add("source")
    if isinstance(question, SingleChoice | MultipleChoice) and not question.shuffle:
        lost.add("shuffle")
    if isinstance(question, ShortText) and question.wrong:
        lost.add("wrong answers")
    if isinstance(question, ShortText) and question.typos:
        lost.add("typos")
    if isinstance(question, Numeric) and question.unit:
        lost.add("unit")
    if isinstance(question, Matching) and any("->" in t for pair in question.answer for t in pair):
        lost.add("'->'")
    return lost


def reported(losses, qid: str, words: set[str]) -> set[str]:
    """Which of ``words`` some loss of question ``qid`` names."""
    return {w for w in words for loss in losses if loss.question_id == qid and w in loss.what}


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_gift_round_trip_keeps_what_gift_holds_and_reports_the_rest(path: Path):
    bank = load_bank(path)

    exported = EXPORTERS["gift"](bank)
    imported = IMPORTERS["gift"](exported.text)
    back: Bank = parse_bank(bank_yaml(imported, imported.title or "x", "x.gift").encode(), "x.yaml", "x")

    assert imported.problems == []
    assert imported.losses == []
    assert back.title == bank.title
    for question in bank.questions.values():
        expected = not_carried(question)
        assert reported(exported.losses, question.id, expected | {"points", "source", "tag"}) == expected
        if question.type == "order":
            assert question.id not in back.questions
            continue
        returned = back.questions[question.id]
        for name in CARRIED:
            assert getattr(returned, name, None) == getattr(question, name, None), (question.id, name)
    # Beyond questions: each card and each quiz is reported, and nothing else is.
    others = {loss.question_id for loss in exported.losses} - set(bank.questions)
    assert others == {card.id for card in bank.cards} | set(bank.quizzes)


def test_the_shipped_banks_round_trip_covers_every_type_gift_holds():
    types = {q.type for q in load_bank(BANKS[0]).questions.values()}

    assert types == {"single", "multi", "true_false", "text", "numeric", "order", "match"}


CODE_PROMPT = "What does this print?\n\nfor i in range(2):\n    print(i)\n\nPick one:  true  or false."


@pytest.mark.parametrize("fmt", ["moodle-xml", "qti"])
def test_paragraphs_line_breaks_and_indentation_come_back_through_the_html_formats(fmt: str):
    bank = parse_bank(
        "title: T\nquestions:\n  - id: code\n    type: single\n    prompt: |-\n"
        + "".join(f"      {line}\n" if line else "\n" for line in CODE_PROMPT.split("\n"))
        + '    choices: ["0\\n1", "  indented", "1\\n2"]\n    answer: "0\\n1"\n'
        + '    explanation: "First line.\\n\\nSecond paragraph."\n',
        "t.yaml",
        "t",
    )

    exported = EXPORTERS[fmt](bank)
    back = IMPORTERS[fmt](exported.text).questions[0]

    assert back["prompt"] == CODE_PROMPT
    assert back["choices"] == ["0\n1", "indented", "1\n2"]  # the loader strips a choice
    assert back["explanation"] == "First line.\n\nSecond paragraph."
    assert [loss for loss in exported.losses if loss.question_id == "code"] == []


@pytest.mark.parametrize("fmt", ["moodle-xml", "qti"])
def test_white_space_html_cannot_carry_is_reported_by_the_question_and_text(fmt: str):
    bank = parse_bank(
        "title: T\nquestions:\n"
        '  - {id: tabbed, type: true_false, prompt: "Name\\tAge", answer: true}\n'
        '  - {id: gaps, type: single, prompt: "P?", choices: ["a\\n\\n\\nb", "10\\u00a0km"], answer: "10\\u00a0km"}\n'
        '  - {id: fine, type: true_false, prompt: "One\\n\\n  two", answer: true}\n',
        "t.yaml",
        "t",
    )

    exported = EXPORTERS[fmt](bank)

    said = {loss.question_id: loss.what for loss in exported.losses if "white space" in loss.what}
    assert said == {
        "tabbed": "the exact white space of the question text (tabs, no-break spaces or several blank "
        "lines in a row): the HTML keeps line breaks, paragraphs and indentation only",
        "gaps": "the exact white space of a choice (tabs, no-break spaces or several blank "
        "lines in a row): the HTML keeps line breaks, paragraphs and indentation only",
    }
    assert IMPORTERS[fmt](exported.text).questions[2]["prompt"] == "One\n\n  two"
