"""The bank loader on text questions' `typos` and `wrong` fields: what it reads, and each mistake
refused at its line with a message that says what to write instead."""

from __future__ import annotations

from textwrap import dedent

import pytest

from quizapp.banks import Bank, BankError, Problem, parse_bank
from quizapp.questions import ShortText


def load(text: str) -> Bank:
    return parse_bank(dedent(text), "bank.yaml", "bank")


def the_problem(text: str) -> Problem:
    with pytest.raises(BankError) as info:
        load(text)
    problems = info.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def text_question(fields: str) -> str:
    """A bank with one text question whose answer is "Wesley Culp", plus ``fields`` (line 7 on)."""
    return f"""\
        title: T
        questions:
          - id: author
            type: text
            prompt: Who wrote it?
            answer: Wesley Culp
        {fields}
        """


def test_typos_and_wrong_answers_are_read():
    bank = load(text_question("    typos: 2\n            wrong: [Wesley Clark, Wes Craven]"))
    question = bank.questions["author"]
    assert isinstance(question, ShortText)
    assert (question.typos, question.wrong) == (2, ("Wesley Clark", "Wes Craven"))


def test_one_wrong_answer_may_be_written_without_a_list():
    bank = load(text_question("    wrong: Wesley Clark"))
    assert bank.questions["author"].wrong == ("Wesley Clark",)


def test_without_typos_a_text_question_is_exact_as_before():
    question = load(text_question("")).questions["author"]
    assert (question.typos, question.wrong) == (0, ())
    assert question.grade("Wesly Culp").outcome == "wrong"


@pytest.mark.parametrize("value", ["5", "-1", "x", "1.5", "3", "'one'", "true"])
def test_typos_other_than_0_1_or_2_is_refused_at_its_line(value: str):
    problem = the_problem(text_question(f"    typos: {value}"))
    assert problem.line == 7
    assert "typos in question 'author' must be 0, 1 or 2" in problem.message
    assert f"not '{value.strip(chr(39))}'" in problem.message


def test_typos_as_a_list_is_refused():
    problem = the_problem(text_question("    typos: [1]"))
    assert (problem.line, problem.message) == (
        7,
        "typos in question 'author' must be a single value, not a list",
    )


@pytest.mark.parametrize(
    ("qtype", "key"), [("numeric", "answer: 6"), ("single", "choices: [Osh, Bishkek], answer: Osh")]
)
def test_typos_on_a_question_that_is_not_text_is_refused_and_says_which_questions_take_it(qtype, key):
    problem = the_problem(f"""\
        title: T
        questions:
          - {{id: q, type: {qtype}, prompt: P, {key},
             typos: 1}}
        """)
    assert problem.line == 4
    assert problem.message == f"'typos' is a field of text questions, not of {qtype} ones (question 'q')"


def test_wrong_on_a_numeric_question_is_refused():
    problem = the_problem("""\
        title: T
        questions:
          - {id: q, type: numeric, prompt: P, answer: 6, wrong: [7]}
        """)
    assert problem.message == "'wrong' is a field of text questions, not of numeric ones (question 'q')"


@pytest.mark.parametrize("wrong", ["Wesley Culp", "wesley culp.", "the Wesley Culp", "Wésley Culp"])
def test_a_wrong_answer_equal_to_an_accepted_one_is_refused_at_its_line(wrong: str):
    problem = the_problem(text_question(f"    wrong:\n              - Wesley Clark\n              - {wrong}"))
    assert problem.line == 9
    assert problem.message == (
        f"'{wrong}' is a wrong answer of question 'author' and also one of its accepted answers "
        "(once case, accents and punctuation are ignored)"
    )


def test_a_wrong_answer_that_is_only_punctuation_is_refused():
    problem = the_problem(text_question("    wrong: ['?!']"))
    assert (
        problem.message == "the wrong answer '?!' of question 'author' is empty once punctuation is ignored"
    )


def test_typos_on_a_question_whose_answers_are_all_short_is_refused_as_changing_nothing():
    problem = the_problem("""\
        title: T
        questions:
          - id: city
            type: text
            prompt: Where?
            answer: [Osh, Oš]
            typos: 1
        """)
    assert problem.line == 7
    assert "typos in question 'city' would change nothing" in problem.message
    assert "4 characters or fewer" in problem.message


CHOICES = """\
    title: T
    questions:
      - id: capitals
        type: single
        prompt: Which country?
        choices: [Austria, Australia, Kyrgyzstan]
        answer: Austria
      - id: country
        type: text
        prompt: Which country?
        answer: Austria
"""


def test_typos_that_could_accept_a_choice_of_the_banks_choice_questions_are_refused_at_their_line():
    problem = the_problem(CHOICES + "        typos: 1\n")
    assert problem.line == 12
    assert problem.message == (
        "with typos: 1, question 'country' could accept an answer as close to 'Australia' (a choice of "
        "question 'capitals') as to its answer 'Austria', 2 slips apart: list 'Australia' under its "
        "wrong answers (wrong:), or lower typos"
    )


def test_listing_the_near_choice_as_a_wrong_answer_lets_the_bank_load_and_guards_it():
    question = load(CHOICES + "        typos: 1\n        wrong: [Australia]\n").questions["country"]
    assert question.grade("Austrai").outcome == "correct"
    assert question.grade("Australia").outcome == "wrong"
    assert question.grade("Austrlia").outcome == "wrong"  # one slip from either


def test_a_choice_far_from_every_accepted_answer_needs_no_listing():
    bank = load(CHOICES.replace("Australia", "Armenia") + "        typos: 1\n")
    assert bank.questions["country"].grade("Austira").outcome == "correct"


def test_a_choice_that_is_the_accepted_answer_itself_is_no_clash():
    bank = load(CHOICES.replace("Australia", "Belgium") + "        typos: 2\n")
    assert bank.questions["country"].typos == 2


def test_an_accepted_answer_that_repeats_another_once_compared_is_a_warning_at_its_line():
    bank = parse_bank(
        dedent(
            """\
            title: T
            questions:
              - id: who
                type: text
                prompt: Which country withdrew its troops?
                answer:
                  - US
                  - the U.S.
                  - United States
                  - "United  States!"
            """
        ),
        "bank.yaml",
        "bank",
    )

    assert bank.questions["who"].grade("the US").outcome == "correct"  # served all the same
    assert [(w.line, w.severity) for w in bank.warnings] == [(8, "warning"), (10, "warning")]
    assert "'the U.S.' of question 'who' adds nothing" in bank.warnings[0].message
    assert "compared as 'US' already is" in bank.warnings[0].message
    assert "compared as 'United States' already is" in bank.warnings[1].message
