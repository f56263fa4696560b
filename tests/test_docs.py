"""The examples in the docs are banks that validate, so the docs stay true to the loader."""

import re

from quizapp.banks import parse_bank
from tests.conftest import ROOT

BANKS_DOC = (ROOT / "docs" / "banks.md").read_text()


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_the_bank_format_reference_shows_a_valid_example_of_every_type():
    blocks = yaml_blocks(BANKS_DOC)
    questions = next(b for b in blocks if b.startswith("questions:"))
    quizzes = next(b for b in blocks if b.startswith("quizzes:"))
    cards = next(b for b in blocks if b.startswith("cards:"))
    head = "title: Docs example\nsource: {title: An article, paragraphs: 8}\n"
    bank = parse_bank(head + questions + quizzes + cards, "docs", "docs")
    assert {q.type for q in bank.questions.values()} == {
        "single",
        "multi",
        "true_false",
        "text",
        "numeric",
        "order",
        "match",
    }
    assert set(bank.quizzes) == {"founding", "review"}
    assert [c.id for c in bank.cards] == ["csto-acronym"]
