"""The examples in the docs are banks that validate, so the docs stay true to the loader."""

import re

from quizapp.banks import parse_bank
from tests.factories import ROOT

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


def test_a_quiz_that_shows_answers_after_the_last_attempt_needs_an_attempts_limit():
    import pytest

    from quizapp.banks import BankError

    text = """\
title: T
questions:
  - {id: a, type: true_false, prompt: P, answer: true}
quizzes:
  - {id: q, title: Q, questions: [a], answers: after-last-attempt}
  - {id: r, title: R, questions: [a], answers: sometimes}
"""
    with pytest.raises(BankError) as caught:
        parse_bank(text, "t.yaml", "t")
    assert [(p.line, "needs an attempts limit" in p.message) for p in caught.value.problems][0] == (5, True)
    assert "after-each-attempt, after-last-attempt" in caught.value.problems[1].message


def test_the_review_options_example_and_the_answers_table_are_what_the_loader_reads():
    from quizapp.banks.review import MOMENTS

    review = next(b for b in yaml_blocks(BANKS_DOC) if b.lstrip().startswith("review:"))
    text = (
        "title: T\nquestions:\n  - {id: a, type: true_false, prompt: P, answer: true}\nquizzes:\n"
        "  - id: q\n    title: Q\n    questions: [a]\n    attempts: 2\n    answers: after-last-attempt\n"
        + review
    )
    options = parse_bank(text, "t.yaml", "t").quizzes["q"].review
    assert options.score == options.correctness == frozenset(MOMENTS)
    assert options.answer == {"after-last-attempt", "after-close"}
    assert options.explanation == {"after-close"}
    assert options.feedback == {"after-last-attempt", "after-close"}  # from answers:, as the comment says


def test_a_review_option_with_an_unknown_part_or_moment_is_reported_with_its_line():
    import pytest

    from quizapp.banks import BankError

    text = """\
title: T
questions:
  - {id: a, type: true_false, prompt: P, answer: true}
quizzes:
  - id: q
    title: Q
    questions: [a]
    review: {answer: [later], keys: always}
"""
    with pytest.raises(BankError) as caught:
        parse_bank(text, "t.yaml", "t")
    messages = [(p.line, p.message) for p in caught.value.problems]
    assert any(line == 8 and "unknown field 'keys'" in m for line, m in messages), messages
    assert any(line == 8 and "'later' is not a moment" in m for line, m in messages), messages
