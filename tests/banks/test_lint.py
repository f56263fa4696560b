"""The answer-leak lint: within one quiz, a question showing another's answer is a warning at the
line of the text that shows it; warnings never stop a bank from loading."""

from __future__ import annotations

from textwrap import dedent, indent

import pytest

from quizapp.banks import Bank, BankError, Problem, parse_bank

#: Questions whose answers other questions can give away. Line numbers are written beside the
#: texts the tests look for.
QUESTIONS = """\
title: T
questions:
  - id: refusal
    type: text
    prompt: Who turned down the request?
    answer: [Dmitry Medvedev, Medvedev]
  - id: year
    type: numeric
    prompt: In which year did unrest break out in Osh?
    answer: 2010
  - id: capital
    type: single
    prompt: What is the capital of Kazakhstan?
    choices: [Astana, Almaty, Bishkek]
    answer: Astana
  - id: members
    type: multi
    prompt: Which of these are members?
    choices: [Russia, Belarus, Uzbekistan]
    answer: [Russia, Belarus]
"""


def load(questions: str, quizzes: str = "quizzes:\n  - {id: all, title: All, select: {}}\n") -> Bank:
    return parse_bank(dedent(questions) + quizzes, "bank.yaml", "bank")


def with_question(extra: str, quizzes: str | None = None) -> Bank:
    """The questions above and ``extra`` (one question, its lines from 21), in one quiz of all."""
    return load(QUESTIONS + indent(dedent(extra), "  "), *([quizzes] if quizzes is not None else []))


def messages(bank: Bank) -> list[str]:
    return [w.message for w in bank.warnings]


def test_a_prompt_naming_another_questions_typed_answer_is_a_warning_at_the_prompts_line():
    bank = with_question(
        """\
          - id: osh
            type: true_false
            prompt: In 2010 President Dmitry Medvedev refused Kyrgyzstan's request.
            answer: true
        """
    )
    assert bank.questions.keys() >= {"refusal", "osh"}  # loaded all the same
    assert [(w.line, w.severity) for w in bank.warnings] == [(23, "warning"), (23, "warning")]
    assert sorted(messages(bank)) == [
        "the prompt of question 'osh' shows '2010', the answer of question 'year' (both in quiz 'all')",
        "the prompt of question 'osh' shows 'Dmitry Medvedev', the answer of question 'refusal' "
        "(both in quiz 'all')",
    ]


def test_a_warning_prints_as_path_line_warning_message():
    bank = with_question("  - {id: osh, type: true_false, prompt: Medvedev said no., answer: true}\n")
    assert [str(w) for w in bank.warnings] == [
        "bank.yaml:21: warning: the prompt of question 'osh' shows 'Medvedev', the answer of question "
        "'refusal' (both in quiz 'all')"
    ]
    assert bank.warnings == (Problem("bank.yaml", 21, bank.warnings[0].message, "warning"),)


def test_a_distractor_that_is_another_questions_answer_is_flagged_at_the_choices_line():
    bank = with_question(
        """\
          - id: president
            type: single
            prompt: Who was president of Russia in 2012?
            choices:
              - Vladimir Putin
              - Medvedev
            answer: Vladimir Putin
        """
    )
    assert [(w.line, w.message) for w in bank.warnings] == [
        (
            23,
            "the prompt of question 'president' shows 'Russia', the answer of question 'members' "
            "(both in quiz 'all')",
        ),
        (
            26,
            "the choice 'Medvedev' of question 'president' is the answer of question 'refusal' (both in quiz 'all')",
        ),
    ]


def test_the_right_choices_of_single_and_multi_questions_are_keys():
    bank = with_question(
        """\
          - id: move
            type: text
            prompt: Which city replaced Almaty as the capital, after Belarus became independent?
            answer: Astana
        """
    )
    # Almaty is a wrong choice of 'capital', not a key; 'capital' shows the answer of 'move'.
    assert messages(bank) == [
        "the choice 'Astana' of question 'capital' is the answer of question 'move' (both in quiz 'all')",
        "the prompt of question 'move' shows 'Belarus', the answer of question 'members' (both in quiz 'all')",
    ]


def test_a_choice_showing_another_questions_key_is_flagged_both_ways_round():
    bank = with_question("  - {id: move, type: text, prompt: The new capital?, answer: Astana}\n")
    assert messages(bank) == [
        "the choice 'Astana' of question 'capital' is the answer of question 'move' (both in quiz 'all')"
    ]
    assert bank.warnings[0].line == 14


def test_keys_match_after_normalisation_case_accents_and_punctuation_at_the_ends():
    bank = with_question(
        "  - {id: q, type: true_false, prompt: 'MEDVÉDEV, then president, said no.', answer: true}\n"
    )
    assert messages(bank) == [
        "the prompt of question 'q' shows 'Medvedev', the answer of question 'refusal' (both in quiz 'all')"
    ]


def test_a_possessive_or_hyphen_still_ends_a_word():
    bank = with_question(
        "  - {id: q, type: true_false, prompt: Was Medvedev's refusal in pre-2010 Osh?, answer: true}\n"
    )
    assert sorted(messages(bank)) == [
        "the prompt of question 'q' shows '2010', the answer of question 'year' (both in quiz 'all')",
        "the prompt of question 'q' shows 'Medvedev', the answer of question 'refusal' (both in quiz 'all')",
    ]


def test_the_items_of_order_and_match_questions_are_shown_texts_too():
    bank = with_question(
        """\
          - id: events
            type: order
            prompt: Earliest first.
            answer: [Unrest in Osh, Medvedev refuses, Astana named capital]
          - id: pairs
            type: match
            prompt: Match them.
            answer: {Capital: Astana, Largest city: Almaty}
            distractors: [Russia]
        """
    )
    assert [(w.line, w.message.split(" (both")[0]) for w in bank.warnings] == [
        (
            24,
            "the option 'Astana named capital' of question 'events' shows 'Astana', the answer of question 'capital'",
        ),
        (
            24,
            "the option 'Medvedev refuses' of question 'events' shows 'Medvedev', the answer of question 'refusal'",
        ),
        (28, "the option 'Astana' of question 'pairs' is the answer of question 'capital'"),
        (29, "the option 'Russia' of question 'pairs' is the answer of question 'members'"),
    ]


def test_a_warning_names_every_quiz_in_which_both_questions_sit():
    bank = with_question(
        "  - {id: osh, type: true_false, prompt: Medvedev said no., answer: true}\n",
        quizzes="""\
quizzes:
  - {id: all, title: All, select: {}}
  - {id: pair, title: Pair, questions: [osh, refusal]}
  - {id: alone, title: Alone, questions: [osh]}
""",
    )
    assert messages(bank) == [
        "the prompt of question 'osh' shows 'Medvedev', the answer of question 'refusal' "
        "(both in quizzes 'all' and 'pair')"
    ]


def test_a_quiz_selecting_by_tag_is_checked_over_the_pool_it_draws_from():
    bank = load(
        """\
        title: T
        questions:
          - {id: refusal, type: text, prompt: Who said no?, answer: Medvedev, tags: [osh]}
          - {id: osh, type: true_false, prompt: Medvedev said no., answer: true, tags: [osh]}
          - {id: other, type: true_false, prompt: Medvedev again., answer: true, tags: [other]}
        """,
        "quizzes:\n  - {id: osh-only, title: Osh, select: {tags: [osh], count: 1}}\n",
    )
    assert [(w.line, w.message) for w in bank.warnings] == [
        (
            4,
            "the prompt of question 'osh' shows 'Medvedev', the answer of question 'refusal' (both in quiz 'osh-only')",
        )
    ]


# -- what is not a leak ------------------------------------------------------------------------


def test_two_questions_in_different_quizzes_never_leak_to_each_other():
    bank = with_question(
        "  - {id: osh, type: true_false, prompt: Medvedev said no., answer: true}\n",
        quizzes="""\
quizzes:
  - {id: first, title: First, questions: [refusal, year]}
  - {id: second, title: Second, questions: [osh, capital]}
""",
    )
    assert bank.warnings == ()


def test_questions_in_no_quiz_are_not_checked():
    bank = with_question(
        "  - {id: osh, type: true_false, prompt: Medvedev said no., answer: true}\n", quizzes=""
    )
    assert bank.warnings == ()


def test_a_key_shorter_than_four_characters_is_not_looked_for():
    bank = load(
        """\
        title: T
        questions:
          - {id: city, type: text, prompt: Where was the unrest?, answer: Osh}
          - {id: day, type: numeric, prompt: Which day?, answer: 6}
          - {id: q, type: true_false, prompt: Osh saw unrest on day 6 of the CIS summit., answer: true}
        """
    )
    assert bank.warnings == ()


def test_a_key_inside_another_word_is_not_a_leak():
    bank = load(
        """\
        title: T
        questions:
          - {id: leader, type: text, prompt: Who leads Russia?, answer: Putin}
          - {id: q, type: true_false, prompt: Putinism and Rasputin are not Putin's names., answer: true}
          - {id: r, type: single, prompt: Which?, choices: [Putinist, Rasputin], answer: Rasputin}
        """
    )
    # Only "Putin's" holds the key as a word; "Rasputin" (the key of r) is in r's own choices.
    assert [(w.line, w.message.split(" (both")[0]) for w in bank.warnings] == [
        (4, "the prompt of question 'q' shows 'Putin', the answer of question 'leader'"),
        (4, "the prompt of question 'q' shows 'Rasputin', the answer of question 'r'"),
    ]


def test_a_question_showing_its_own_answer_and_true_false_answers_are_not_leaks():
    bank = load(
        """\
        title: T
        questions:
          - {id: a, type: single, prompt: Pick Astana or Almaty., choices: [Astana, Almaty], answer: Astana}
          - {id: b, type: true_false, prompt: This is true, answer: true}
          - {id: c, type: true_false, prompt: It is true or false., answer: false}
        """
    )
    assert bank.warnings == ()


def test_explanations_and_feedback_shown_after_submission_are_not_checked():
    bank = load(
        """\
        title: T
        questions:
          - {id: refusal, type: text, prompt: Who said no?, answer: Medvedev}
          - id: osh
            type: single
            prompt: When?
            choices: ['2010', '2012']
            answer: '2010'
            explanation: Medvedev said no in 2010.
            feedback: {'2012': Medvedev was not president then.}
        """
    )
    assert bank.warnings == ()


def test_only_the_longest_key_of_a_question_found_in_a_text_is_reported():
    bank = with_question(
        "  - {id: q, type: true_false, prompt: Dmitry Medvedev and Medvedev., answer: true}\n"
    )
    assert messages(bank) == [
        "the prompt of question 'q' shows 'Dmitry Medvedev', the answer of question 'refusal' (both in quiz 'all')"
    ]


def test_a_bank_with_errors_reports_them_and_no_warnings():
    broken = QUESTIONS + "  - {id: osh, type: true_false, prompt: Medvedev said no., answer: maybe}\n"
    with pytest.raises(BankError) as info:
        load(broken)
    assert [(p.line, p.severity) for p in info.value.problems] == [(21, "error")]


def test_a_key_with_symbols_at_its_ends_matches_with_them_and_only_with_them():
    bank = load(
        """\
        title: T
        questions:
          - {id: price, type: text, prompt: What did it cost?, answer: $500}
          - {id: lang, type: text, prompt: Which language?, answer: C++20}
          - {id: q, type: true_false, prompt: It cost $500 to learn C++20., answer: true}
          - {id: r, type: true_false, prompt: It cost 1500 to learn C20 or C++., answer: true}
        """
    )
    assert [(w.line, w.message.split(" (both")[0]) for w in bank.warnings] == [
        (5, "the prompt of question 'q' shows '$500', the answer of question 'price'"),
        (5, "the prompt of question 'q' shows 'C++20', the answer of question 'lang'"),
    ]
