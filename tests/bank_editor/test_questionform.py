"""quizapp.bank_editor.questionform on its own: a question goes into the form's fields and back into its bank's
YAML, and the rest of the file (comments, other questions, quoting, layout) stays as it was."""

from __future__ import annotations

import re

import pytest

from quizapp.bank_editor.questionform import EditError, apply_question, form_values, question_mapping
from quizapp.banks import BankError, parse_bank
from tests.factories import ALL, EVERY_TYPE_BANK


def every_type(text: str = EVERY_TYPE_BANK):
    return parse_bank(text, "every-type.yaml", "every-type")


def through_the_form(text: str, qid: str, **typed: str) -> str:
    """The bank text after question ``qid`` is opened in the form, ``typed`` typed over its fields,
    and the form saved."""
    question = every_type(text).questions[qid]
    return apply_question(text, question_mapping(question.type, {**form_values(question), **typed}), qid)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    assert len(before.splitlines()) == len(after.splitlines()), "lines were added or removed"
    return [
        (old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new
    ]


def question_lines(text: str, qid: str) -> list[str]:
    """The lines of question ``qid`` after its id, up to the next question or the quizzes."""
    after_id = text.split(f"  - id: {qid}\n", 1)[1]
    return re.split(r"^(?:  - id:|quizzes:)", after_id, maxsplit=1, flags=re.MULTILINE)[0].splitlines()


# --- editing a question in place -----------------------------------------------------------------


@pytest.mark.parametrize("qid", ALL)
def test_a_question_saved_through_the_form_unchanged_leaves_the_file_byte_for_byte(qid):
    assert through_the_form(EVERY_TYPE_BANK, qid) == EVERY_TYPE_BANK


@pytest.mark.parametrize("qid", ALL)
def test_a_new_prompt_changes_that_one_line_and_keeps_the_comments_and_other_questions(qid):
    old_prompt = every_type().questions[qid].prompt
    after = through_the_form(EVERY_TYPE_BANK, qid, prompt="A new prompt: with a colon?")

    assert changed_lines(EVERY_TYPE_BANK, after) == [
        (f"    prompt: {old_prompt}", "    prompt: 'A new prompt: with a colon?'")
    ]
    assert after.startswith("# One question of every type.")
    assert every_type(after).questions[qid].prompt == "A new prompt: with a colon?"


def test_a_new_key_is_written_and_the_bank_grades_by_it():
    after = through_the_form(EVERY_TYPE_BANK, "single-q", answer="Bishkek")

    assert changed_lines(EVERY_TYPE_BANK, after) == [("    answer: Astana", "    answer: Bishkek")]
    question = every_type(after).questions["single-q"]
    assert question.grade("Bishkek").points == 1
    assert question.grade("Astana").points == 0


def test_an_emptied_field_is_removed_from_the_question_and_a_new_one_added_in_its_place():
    after = through_the_form(EVERY_TYPE_BANK, "numeric-q", tolerance="", unit="people")

    lines = question_lines(after, "numeric-q")
    assert not [line for line in lines if line.startswith("    tolerance:")]
    assert lines[lines.index("    answer: 98765.4321") + 1] == "    unit: people"
    assert every_type(after).questions["numeric-q"].unit == "people"


def test_an_unticked_shuffle_box_writes_shuffle_false():
    after = through_the_form(EVERY_TYPE_BANK, "multi-q", shuffle="")

    assert "    shuffle: false\n" in after
    assert every_type(after).questions["multi-q"].shuffle is False


def test_the_id_typed_in_the_form_is_written_but_the_question_edited_is_the_one_named():
    after = through_the_form(EVERY_TYPE_BANK, "text-q", id="renamed-q")

    assert changed_lines(EVERY_TYPE_BANK, after) == [("  - id: text-q", "  - id: renamed-q")]


def test_quoting_and_an_unusual_indentation_are_kept():
    text = (
        "title: 'Quoted title'\n"
        "questions:\n"
        "- id: a   # the first\n"
        "  type: text\n"
        '  prompt: "Name it."\n'
        "  answer: [It]\n"
        "- id: b\n"
        "  type: true_false\n"
        "  prompt: 'True?'\n"
        "  answer: true\n"
    )
    question = parse_bank(text, "q.yaml", "q").questions["b"]
    after = apply_question(
        text, question_mapping("true_false", {**form_values(question), "truth": "false"}), "b"
    )

    assert after == text.replace("  answer: true\n", "  answer: false\n")


# --- adding a question ---------------------------------------------------------------------------


@pytest.mark.parametrize("qid", ALL)
def test_a_new_question_of_each_type_is_appended_and_reads_back_as_typed(qid):
    typed = {**form_values(every_type().questions[qid]), "id": "new-q"}
    qtype = every_type().questions[qid].type

    after = apply_question(EVERY_TYPE_BANK, question_mapping(qtype, typed), None)

    assert after.startswith(EVERY_TYPE_BANK.split("quizzes:", 1)[0])  # every question before it kept
    assert after.endswith("quizzes:" + EVERY_TYPE_BANK.split("quizzes:", 1)[1])
    bank = every_type(after)
    assert list(bank.questions) == [*ALL, "new-q"]
    assert bank.questions["new-q"].type == qtype
    assert form_values(bank.questions["new-q"]) == typed


def test_a_new_questions_keys_are_written_in_the_usual_order_with_short_lists_on_one_line():
    typed = {
        "tags": "geo, capitals",
        "explanation": "Because.",
        "answer": "Yerevan",
        "choices": "Yerevan\nTbilisi",
        "prompt": "Capital of Armenia?",
        "id": "am",
        "points": "2",
    }
    after = apply_question(EVERY_TYPE_BANK, question_mapping("single", typed), None)

    assert question_lines(after, "am") == [
        "    type: single",
        "    prompt: Capital of Armenia?",
        "    choices: [Yerevan, Tbilisi]",
        "    answer: Yerevan",
        "    shuffle: false",
        "    points: 2",
        "    explanation: Because.",
        "    tags: [geo, capitals]",
    ]


def test_a_long_list_is_written_one_item_a_line():
    choices = [f"A rather long choice number {n}" for n in range(4)]
    typed = {
        "id": "long",
        "prompt": "Which?",
        "choices": "\n".join(choices),
        "answer": choices[0],
        "shuffle": "y",
    }
    after = apply_question(EVERY_TYPE_BANK, question_mapping("single", typed), None)

    assert "    choices:\n" + "".join(f"      - {c}\n" for c in choices) in after
    assert every_type(after).questions["long"].choices == tuple(choices)


# --- what the form's fields become ---------------------------------------------------------------


def test_fields_left_empty_are_left_out_and_one_point_is_the_default():
    mapping = question_mapping(
        "text", {"id": " t ", "prompt": " Name it. ", "answer": "It\n\n  Its name  \n", "points": "1"}
    )

    assert mapping == {"id": "t", "type": "text", "prompt": "Name it.", "answer": ["It", "Its name"]}


def test_feedback_and_matching_pairs_are_read_from_left_equals_right_lines():
    single = question_mapping(
        "single",
        {
            "id": "s",
            "prompt": "P",
            "choices": "A\nB",
            "answer": "A",
            "feedback": "B = Not B\n = nobody\nA=Yes",
        },
    )
    match = question_mapping(
        "match", {"id": "m", "prompt": "P", "answer": "Paris = France\nRome = Italy", "distractors": "Spain"}
    )

    assert dict(single["feedback"]) == {"B": "Not B", "A": "Yes"}
    assert dict(match["answer"]) == {"Paris": "France", "Rome": "Italy"}
    assert list(match["distractors"]) == ["Spain"]


def test_a_number_that_is_not_one_is_kept_as_typed_for_the_loader_to_report():
    mapping = question_mapping(
        "numeric", {"id": "n", "prompt": "How many?", "answer": "12:30", "tolerance": "0"}
    )
    after = apply_question(EVERY_TYPE_BANK, mapping, None)

    assert mapping["answer"] == "12:30"
    assert "tolerance" not in mapping  # zero tolerance is the default
    with pytest.raises(BankError) as refused:
        every_type(after)
    assert any("not a number" in problem.message for problem in refused.value.problems)


@pytest.mark.parametrize(
    ("typed", "written", "citations"),
    [
        ("2", "    source: 2", (2,)),
        ("2, 3", "    source: [2, 3]", (2, 3)),
        ("header", "    source: header", ("header",)),
        (" header ,1 ", "    source: [header, 1]", ("header", 1)),
    ],
)
def test_the_source_box_takes_one_citation_or_several_separated_by_commas(typed, written, citations):
    after = through_the_form(EVERY_TYPE_BANK, "tf-q", source=typed)

    assert changed_lines(EVERY_TYPE_BANK, after) == [("    source: 3", written)]
    assert every_type(after).questions["tf-q"].source == citations


def test_the_source_box_shows_every_citation_and_an_emptied_box_removes_the_source():
    cited = EVERY_TYPE_BANK.replace("    source: 3\n", "    source: [header, 1, 3]\n")
    assert form_values(every_type(cited).questions["tf-q"])["source"] == "header, 1, 3"
    assert through_the_form(cited, "tf-q") == cited

    after = through_the_form(cited, "tf-q", source="")
    assert "source" not in "\n".join(question_lines(after, "tf-q"))
    assert every_type(after).questions["tf-q"].source == ()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("heder", "cites 'heder' (did you mean 'header'?)"),
        ("1, 1", "cites paragraph 1 twice"),
        ("99", "cites paragraph 99, but the source has 3"),
        ("0", "cites '0'"),
        ("²", "cites '²'"),
    ],
)
def test_a_bad_citation_typed_in_the_source_box_is_kept_for_the_loader_to_report(typed, message):
    after = through_the_form(EVERY_TYPE_BANK, "tf-q", source=typed)

    with pytest.raises(BankError) as refused:
        every_type(after)
    assert [message in p.message for p in refused.value.problems] == [True]


# --- what the form cannot edit -------------------------------------------------------------------


def test_a_question_no_longer_in_the_bank_is_an_edit_error():
    mapping = question_mapping("text", {"id": "gone", "prompt": "P", "answer": "A"})
    with pytest.raises(EditError, match="no longer has a question 'gone'"):
        apply_question(EVERY_TYPE_BANK, mapping, "gone")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: [unclosed\nquestions: []\n", "YAML has an error"),
        ("- just a list\n", "no list of questions"),
        ("title: No questions\nquestions: {a: 1}\n", "no list of questions"),
    ],
)
def test_text_that_is_not_a_bank_with_questions_is_an_edit_error(text, message):
    mapping = question_mapping("text", {"id": "a", "prompt": "P", "answer": "A"})
    with pytest.raises(EditError, match=message):
        apply_question(text, mapping, None)
