"""Moodle's Aiken format: the documentation's examples read, each mistake reported at its line,
and a bank's single-choice questions written back (everything else listed as lost)."""

from __future__ import annotations

from quizapp.banks import parse_bank
from quizapp.interchange import EXPORTERS, IMPORTERS, LineProblem, bank_yaml
from tests.factories import EVERY_TYPE_BANK

# The two questions of Moodle's help page on the format: "." and ")" after the letters.
MOODLE_EXAMPLE = """\
What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def read(text: str):
    return IMPORTERS["aiken"](text)


def test_the_documentation_example_reads_as_two_single_choice_questions_at_their_lines():
    imported = read(MOODLE_EXAMPLE)
    assert imported.problems == []
    first, second = imported.questions
    assert first == {
        "id": "what-is-the-correct-answer-to-this",
        "type": "single",
        "prompt": "What is the correct answer to this question?",
        "choices": ["Is it this one?", "Maybe this answer?", "Possibly this one?", "Must be this one!"],
        "answer": "Must be this one!",
    }
    assert second["answer"] == "Moodle"
    assert len(second["choices"]) == 6
    assert imported.lines == {first["id"]: 1, second["id"]: 8}


def test_an_imported_file_makes_a_bank_that_validates():
    imported = read(
        MOODLE_EXAMPLE + "\nWhat is the correct answer to this question?\nA. x\nB. y\nANSWER: B\n"
    )
    ids = [q["id"] for q in imported.questions]
    assert ids[2] == f"{ids[0]}-2"  # the same prompt twice: ids stay unique
    bank = parse_bank(bank_yaml(imported, "From Aiken"), "aiken.yaml", "aiken")
    assert list(bank.questions) == ids


def test_windows_line_ends_and_no_blank_lines_between_questions_read_the_same():
    text = "Q one?\r\nA. a\r\nB. b\r\nANSWER: A\r\nQ two?\r\nA. c\r\nB. d\r\nANSWER: B\r\n"
    imported = read(text)
    assert [q["answer"] for q in imported.questions] == ["a", "d"]
    assert imported.lines == {"q-one": 1, "q-two": 5}


def test_a_question_without_an_answer_line_is_reported_at_the_question():
    imported = read("Q one?\nA. a\nB. b\n\nQ two?\nA. c\nB. d\nANSWER: B\n")
    assert [p.line for p in imported.problems] == [1]
    assert "no ANSWER line" in imported.problems[0].message
    assert [q["prompt"] for q in imported.questions] == ["Q two?"]


def test_the_last_question_without_an_answer_line_is_reported_too():
    imported = read("Q one?\nA. a\nB. b\nANSWER: A\n\nQ two?\nA. c\nB. d\n")
    assert [p.line for p in imported.problems] == [6]


def test_an_answer_letter_with_no_option_is_reported_at_the_answer_line():
    imported = read("Q one?\nA. a\nB. b\nANSWER: C\n")
    assert imported.problems == [LineProblem(4, "ANSWER C names no option (the options are A, B)")]
    assert imported.questions == []


def test_an_answer_that_is_no_letter_is_reported():
    imported = read("Q one?\nA. a\nB. b\nANSWER: a or b\n")
    assert imported.problems[0].line == 4
    assert "'a or b'" in imported.problems[0].message


def test_an_option_after_the_answer_line_is_reported_at_its_line():
    imported = read("Q one?\nA. a\nB. b\nANSWER: A\nC. c\n")
    assert imported.problems == [LineProblem(5, "an option after the ANSWER line: options come before it")]
    assert len(imported.questions) == 1


def test_a_question_with_one_option_a_repeated_letter_or_a_repeated_option_is_reported():
    one = read("Q?\nA. a\nANSWER: A\n")
    assert one.problems[0].line == 3
    assert "one option" in one.problems[0].message
    letter = read("Q?\nA. a\nB. b\nB. c\nANSWER: A\n")
    assert letter.problems[0].line == 4
    assert "second option B" in letter.problems[0].message
    same = read("Q?\nA. a\nB. a\nANSWER: A\n")
    assert same.problems[0].line == 3
    assert same.questions == []


def test_a_question_whose_text_starts_with_answer_is_read_as_a_question():
    imported = read("Answer the following: what is 2 + 2?\nA. 3\nB. 4\nANSWER: B\n")

    assert imported.problems == []
    assert [(q["prompt"], q["answer"]) for q in imported.questions] == [
        ("Answer the following: what is 2 + 2?", "4")
    ]


def test_only_a_capital_answer_with_a_colon_ends_a_question_as_in_moodle():
    imported = read("Q?\nA. a\nB. b\nanswer: A\n")

    assert imported.questions == []
    assert [p.line for p in imported.problems] == [1, 4]
    assert "no ANSWER line" in imported.problems[0].message


def test_an_answer_line_with_no_question_is_reported():
    imported = read("ANSWER: A\n")
    assert imported.problems == [LineProblem(1, "an ANSWER line with no question before it")]


def test_export_writes_single_choice_questions_that_read_back_the_same():
    bank = parse_bank(EVERY_TYPE_BANK, "every-type.yaml", "every-type")
    exported = EXPORTERS["aiken"](bank)
    singles = [q for q in bank.questions.values() if q.type == "single"]
    back = read(exported.text)
    assert back.problems == []
    assert [(q["prompt"], tuple(q["choices"]), q["answer"]) for q in back.questions] == [
        (q.prompt, q.choices, q.answer) for q in singles
    ]


def test_export_lists_every_other_type_and_every_card_and_field_it_cannot_carry():
    bank = parse_bank(EVERY_TYPE_BANK, "every-type.yaml", "every-type")
    losses = EXPORTERS["aiken"](bank).losses
    lost_ids = {loss.question_id for loss in losses}
    others = {q.id for q in bank.questions.values() if q.type != "single"}
    assert others <= lost_ids
    assert {card.id for card in bank.cards} <= lost_ids
    explained = [q.id for q in bank.questions.values() if q.type == "single" and q.explanation]
    assert explained
    assert {loss.question_id for loss in losses if loss.what == "the explanation"} >= set(explained)


def test_export_of_a_prompt_that_would_read_as_an_option_is_a_loss_not_a_broken_file():
    text = """\
title: T
questions:
  - {id: q1, type: single, prompt: "A. first letter", choices: [x, y], answer: x}
  - {id: q2, type: single, prompt: "Fine?", choices: [x, y], answer: y}
"""
    exported = EXPORTERS["aiken"](parse_bank(text, "t.yaml", "t"))
    assert [q["prompt"] for q in read(exported.text).questions] == ["Fine?"]
    assert [loss.question_id for loss in exported.losses] == ["q1"]


def test_export_writes_a_question_whose_text_starts_with_answer():
    text = """\
title: T
questions:
  - {id: q, type: single, prompt: "Answers may vary: pick 4", choices: ["3", "4"], answer: "4"}
  - {id: r, type: single, prompt: "ANSWER: this", choices: ["3", "4"], answer: "4"}
"""
    exported = EXPORTERS["aiken"](parse_bank(text, "t.yaml", "t"))

    assert exported.text == "Answers may vary: pick 4\nA. 3\nB. 4\nANSWER: B\n"
    assert [(loss.question_id, loss.what) for loss in exported.losses] == [
        ("r", "the question: its prompt would read as an option or an ANSWER line")
    ]
