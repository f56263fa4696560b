"""The examples in the docs are banks that validate, so the docs stay true to the loader; the
README's commands are ones the `quizapp` command takes, and its rules the app's."""

import re
import shlex

import click

from quizapp.accounts.operations import password_problem
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


# --- the README's commands -----------------------------------------------------------------------

README = (ROOT / "README.md").read_text()


def readme_commands() -> list[list[str]]:
    """Every `.venv/bin/quizapp …` command the README shows, in a shell block or inline, as words."""
    lines = [line for block in re.findall(r"```sh\n(.*?)```", README, re.S) for line in block.splitlines()]
    lines += re.findall(r"`(\.venv/bin/quizapp [^`]+)`", README)
    return [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/quizapp ")]


def test_the_readme_shows_the_first_admin_with_a_display_name_and_set_role_for_a_taken_username():
    commands = readme_commands()
    create = next(c for c in commands if c[:2] == ["users", "create"])
    assert "--display-name" in create
    assert ["users", "set-role", "prof", "admin"] in commands
    assert "second terminal, while `make run` keeps serving" in README


def test_every_quizapp_command_in_the_readme_exists_and_takes_the_options_shown(app):
    commands = readme_commands()
    assert len(commands) >= 3
    for words in commands:
        group: click.Command = app.cli
        rest = list(words)
        while isinstance(group, click.Group):
            name = rest.pop(0)
            found = group.get_command(click.Context(group), name)
            assert found is not None, f"README: no command {name!r} in {' '.join(words)}"
            group = found
        group.make_context(group.name or "", rest)  # a UsageError for an unknown option or argument


def test_the_readme_states_the_password_rule_the_app_applies(app):
    minimum = app.config["PASSWORD_MIN_LENGTH"]
    assert f"A password needs at least {minimum} characters" in " ".join(README.split())
    with app.app_context():
        assert password_problem("x" * (minimum - 1)) == f"Use at least {minimum} characters."
        assert password_problem("prof-kestrel-91", username="prof-kestrel-91") is not None


def test_the_readme_says_how_to_set_the_time_zone():
    assert ["settings", "timezone", "Asia/Almaty"] in readme_commands()
    assert "`TIMEZONE`" in README
