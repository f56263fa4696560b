"""GIFT import and export: the documentation's examples read as the questions they describe, every
answer form, escapes, losses by question id and problems at their input line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp.banks import load_bank, parse_bank
from quizapp.interchange import EXPORTERS, IMPORTERS, LineProblem, Loss, bank_yaml

FIXTURES = Path(__file__).parent.parent / "data" / "interchange" / "gift"
ROOT = Path(__file__).parent.parent.parent


def read(text: str):
    return IMPORTERS["gift"](text)


def export(yaml_text: str):
    return EXPORTERS["gift"](parse_bank(yaml_text.encode(), "bank.yaml", "bank"))


def test_the_documentations_choice_examples_read_as_single_and_multi_questions():
    imported = read((FIXTURES / "choices.gift").read_text())

    assert imported.problems == []
    assert imported.title == "Presidents"
    assert imported.questions == [
        {
            "id": "who-is-buried-in-grant-s-tomb",
            "type": "single",
            "prompt": "Who is buried in Grant's tomb?",
            "choices": ["Grant", "Jefferson", "no one"],
            "answer": "no one",
        },
        {
            "id": "grant-is-in-grant-s-tomb",
            "type": "single",
            "prompt": "Grant is _____ in Grant's tomb.",
            "choices": ["buried", "entombed", "living"],
            "answer": "entombed",
        },
        {
            "id": "the-american-holiday-of-thanksgiving-is",
            "type": "single",
            "prompt": "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.",
            "choices": ["second", "third", "fourth"],
            "answer": "fourth",
        },
        {
            "id": "Colours",
            "type": "single",
            "prompt": "What colour is between orange and green in the spectrum?",
            "choices": ["yellow", "red", "blue"],
            "answer": "yellow",
            "feedback": {"yellow": "right; good!", "red": "wrong, it's yellow", "blue": "wrong, it's yellow"},
            "explanation": "Yellow sits between them.",
        },
        {
            "id": "what-two-people-are-entombed-in-grant-s",
            "type": "multi",
            "prompt": "What two people are entombed in Grant's tomb?",
            "choices": ["No one", "Grant", "Grant's wife", "Grant's father"],
            "answer": ["Grant", "Grant's wife"],
        },
    ]
    assert imported.lines == {
        "who-is-buried-in-grant-s-tomb": 5,
        "grant-is-in-grant-s-tomb": 8,
        "the-american-holiday-of-thanksgiving-is": 11,
        "Colours": 18,
        "what-two-people-are-entombed-in-grant-s": 23,
    }
    # -100% for a wrong choice is not quizapp's rule (-50% with two right ones): said, not hidden.
    assert [loss.question_id for loss in imported.losses] == ["what-two-people-are-entombed-in-grant-s"]
    assert "-100%, 50%, 50%, -100%" in imported.losses[0].what


def test_the_documentations_other_forms_read_as_their_quizapp_types():
    imported = read((FIXTURES / "forms.gift").read_text())

    assert imported.problems == []
    by_id = {q["id"]: q for q in imported.questions}
    assert by_id["grant-was-buried-in-a-tomb-in-new-york"] == {
        "id": "grant-was-buried-in-a-tomb-in-new-york",
        "type": "true_false",
        "prompt": "Grant was buried in a tomb in New York City.",
        "answer": True,
        "tags": ["presidents", "new-york"],
    }
    # GIFT gives the feedback for a wrong answer first, then for a right one.
    assert by_id["the-sun-rises-in-the-west"]["feedback"] == {
        "true": "It rises in the east.",
        "false": "Right: in the east.",
    }
    assert by_id["who-is-buried-in-grant-s-tomb"]["answer"] == ["no one", "nobody"]
    assert by_id["two-plus-equals-four"]["prompt"] == "Two plus _____ equals four."
    assert by_id["Numbers"] == {
        "id": "Numbers",
        "type": "numeric",
        "prompt": "When was Ulysses S. Grant born?",
        "answer": 1822,
        "tolerance": 5,
    }
    pi = by_id["what-is-the-value-of-pi-to-3-decimal"]
    assert (pi["answer"], pi["tolerance"]) == (3.1415, 0.0005)
    assert by_id["when-was-ulysses-s-grant-born"]["answer"] == 1822
    assert "tolerance" not in by_id["when-was-ulysses-s-grant-born"]
    assert by_id["match-the-following-countries-with-their"] == {
        "id": "match-the-following-countries-with-their",
        "type": "match",
        "prompt": "Match the following countries with their corresponding capitals.",
        "answer": {"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo", "India": "New Delhi"},
        "distractors": ["Canberra"],
        "explanation": "It's good to know the capitals.",
    }
    assert by_id["which-animal-eats-which-food"]["answer"] == {"cat": "cat food", "dog": "dog food"}
    assert by_id["Escapes"]["prompt"] == "Which of these is written {curly}: 1 = 1, a ~ b, #3 or a:b?"
    assert by_id["Escapes"]["answer"] == "braces: { and }"
    assert by_id["which-tag-makes-text-bold"]["prompt"] == "Which tag makes text bold?"
    assert by_id["which-word-is-emphasised"]["prompt"] == "Which **word** is *emphasised*?"
    assert imported.losses == [
        Loss("when-was-ulysses-s-grant-born", "the feedback for the answer 1822"),
        Loss("when-was-ulysses-s-grant-born", "the answer 1822 ± 2 worth 50% (not imported)"),
        Loss("when-was-ulysses-s-grant-born", "the feedback for the answer 1822 ± 2"),
        Loss("which-word-is-emphasised", "its Markdown formatting (shown as written)"),
        Loss("which-tag-makes-text-bold", "its HTML formatting (kept as plain text)"),
        Loss("write-a-short-essay-on-grant-s-life", "an essay question: quizapp has no such type"),
        Loss(
            "you-can-use-your-pencil-and-paper-for",
            "a description (text without answers): quizapp has no such item",
        ),
    ]
    assert "write-a-short-essay-on-grant-s-life" not in by_id


def test_imported_fixtures_make_banks_the_validator_accepts_with_their_source_lines_in_comments():
    imported = read((FIXTURES / "forms.gift").read_text())

    text = bank_yaml(imported, "Forms", "forms.gift")

    bank = parse_bank(text.encode(), "forms.yaml", "forms")
    assert len(bank.questions) == 12
    assert "  # from line 16 of forms.gift\n  - id: when-was-ulysses-s-grant-born\n" in text
    assert "# from line 32 of forms.gift\n  - id: Escapes" in text


@pytest.mark.parametrize(
    ("gift", "line", "message"),
    [
        ("Fine.{T}\n\nFirst line\nsecond line {=a ~b\n~c\n", 4, "is not closed"),
        ("Fine.{T}\n\nWhich one? {*a ~b}\n", 3, "unknown answer marker at '*a'"),
        ("Fine.{T}\n\nHow many?\n{#about five}\n", 4, "'about five' is not a numerical answer"),
        ("Fine.{T}\n\n::Empty:: {=a ~b}\n", 3, "has no text"),
        ("Fine.{T}\n\nWhich?\n{=a =b -> c}\n", 4, "'item -> match'"),
        ("Fine.{T}\n\nWhich? {~a ~b}\n", 3, "no right answer"),
        ("Fine.{T}\n\nOne {=a} and two {=b}\n", 3, "a second answer block"),
        ("Fine.{T}\n\nA stray } here {=a}\n", 3, "closes no answer block"),
    ],
)
def test_bad_items_are_problems_at_their_line(gift: str, line: int, message: str):
    imported = read(gift)

    assert [p.line for p in imported.problems] == [line]
    assert message in imported.problems[0].message
    assert [q["id"] for q in imported.questions] == ["fine"]


def test_every_bad_item_is_reported_not_just_the_first():
    imported = read("A {=a\n\nB {#x}\n\nC {=c ~d}\n")

    assert imported.problems == [
        LineProblem(1, "the answer block opened with '{' here is not closed with '}'"),
        LineProblem(3, "'x' is not a numerical answer: write 5, 5:0.5 (± 0.5) or 4..6 (a range)"),
    ]


def test_a_partial_credit_answer_of_a_short_answer_question_is_not_accepted_and_is_reported():
    imported = read("Capital of France? {=Paris =%50%Lyon #Close, but no.}\n")

    assert imported.questions[0]["answer"] == "Paris"
    assert imported.losses == [
        Loss("capital-of-france", "the answer 'Lyon' worth 50% (not imported)"),
        Loss("capital-of-france", "the feedback for the answer 'Lyon'"),
    ]


def test_a_single_right_answer_with_penalised_wrong_ones_stays_single_and_reports_the_penalty():
    imported = read("Pick one. {=a ~%-50%b ~c}\n")

    assert imported.questions[0]["type"] == "single"
    assert "penalties" in imported.losses[0].what


def test_titles_that_are_not_ids_become_unique_slugs():
    imported = read("::Question 1::Same? {T}\n\n::Question 1::Same? {F}\n\nSame? {T}\n")

    assert [q["id"] for q in imported.questions] == ["question-1", "question-1-2", "same"]


def test_export_escapes_specials_so_the_text_comes_back_unchanged():
    tricky = "Is {1 + 1 = 2} true: ~yes #2 or back\\slash?\nSecond line."
    bank = f"""\
title: "Escapes: all of them"
questions:
  - id: tricky
    type: single
    prompt: {tricky!r}
    choices: ["a = b", "c ~ d", "{{e}}", "f: #g"]
    answer: "a = b"
    feedback: {{"c ~ d": "not ~ this {{one}}"}}
    explanation: "Because: #1"
"""
    bank = bank.replace(repr(tricky), '"' + tricky.replace("\\", "\\\\").replace("\n", "\\n") + '"')

    exported = export(bank)

    assert "\\{1 + 1 \\= 2\\} true\\: \\~yes \\#2 or back\\\\slash?\\nSecond line." in exported.text
    back = read(exported.text)
    assert back.problems == []
    assert back.title == "Escapes: all of them"
    assert back.questions == [
        {
            "id": "tricky",
            "type": "single",
            "prompt": tricky,
            "choices": ["a = b", "c ~ d", "{e}", "f: #g"],
            "answer": "a = b",
            "feedback": {"c ~ d": "not ~ this {one}"},
            "explanation": "Because: #1",
        }
    ]


def test_export_writes_multi_weights_by_quizapps_rule_and_true_false_feedback_wrong_first():
    exported = export(
        """\
title: T
questions:
  - id: m
    type: multi
    prompt: Pick.
    choices: [a, b, c, d]
    answer: [a, b, c]
  - id: tf
    type: true_false
    prompt: Judge.
    answer: false
    feedback: {"true": Said true., "false": Said false.}
"""
    )

    assert "~%33.33333%a\n\t~%33.33333%b\n\t~%33.33333%c\n\t~%-33.33333%d" in exported.text
    assert "FALSE#Said true.#Said false." in exported.text
    assert exported.losses == ()


def gift_weights(text: str) -> dict[str, list[float]]:
    """Each exported question's answer weights as Moodle's GIFT importer reads them: ``%50%`` is
    0.5 (``answerweightparser`` divides by 100), ``=`` is 1 and a bare ``~`` is 0."""
    weights = {}
    for qid, block in re.findall(r"^::(.+?)::.*?\{\n(.*?)\n\}", text, flags=re.S | re.M):
        answers = re.findall(r"^\t([=~])(?:%(-?[0-9.]+)%)?", block, flags=re.M)
        weights[qid] = [float(w) / 100 if w else 1.0 if mark == "=" else 0.0 for mark, w in answers]
    return weights


def test_export_of_a_multi_with_12_right_choices_writes_only_weights_moodle_accepts(moodle_grades):
    choices = [f"c{n}" for n in range(1, 15)]
    exported = export(
        f"title: T\nquestions:\n  - {{id: twelve, type: multi, prompt: P, choices: [{', '.join(choices)}], "
        f"answer: [{', '.join(choices[:12])}]}}\n"
    )

    weights = gift_weights(exported.text)["twelve"]

    # ~%8.33333% would be refused: 1/12 is not one of Moodle's grades.
    assert weights == [0.1] * 8 + [0.05] * 4 + [-0.1] * 2
    assert moodle_grades("twelve", weights, several=True) == []
    assert [str(loss) for loss in exported.losses] == [
        "twelve: the equal shares of its 12 right choices: Moodle has no 8.33333% grade, so they are "
        "written 8 at 10% and 4 at 5% (100% in all), and each wrong choice at -10% rather than -8.33333%"
    ]


def test_export_leaves_out_a_multi_with_more_right_choices_than_moodle_can_grade():
    choices = [f"c{n}" for n in range(1, 23)]
    exported = export(
        f"title: T\nquestions:\n  - {{id: many, type: multi, prompt: P, choices: [{', '.join(choices)}], "
        f"answer: [{', '.join(choices[:21])}]}}\n"
    )

    assert "::many::" not in exported.text
    assert [str(loss) for loss in exported.losses] == [
        "many: the question: Moodle's grades cannot share 100% among 21 right choices"
    ]


@pytest.mark.parametrize("path", ["questions/csto-2022.yaml", "tests/data/every-type.yaml"])
def test_every_weight_of_the_shipped_banks_is_one_moodle_accepts(path: str, moodle_grades):
    exported = EXPORTERS["gift"](load_bank(ROOT / path))

    weights = gift_weights(exported.text)

    assert weights
    for qid, answers in weights.items():
        several = any(0 < weight < 1 for weight in answers)
        assert moodle_grades(qid, answers, several) == []


def test_export_reports_each_thing_gift_cannot_hold_by_question_id():
    exported = export(
        """\
title: T
source: {title: S, paragraphs: 2}
questions:
  - id: o
    type: order
    prompt: Order.
    answer: [a, b]
  - id: n
    type: numeric
    prompt: How far?
    answer: 5
    unit: km
    points: 2
    source: 1
    tags: [far]
  - id: s
    type: single
    prompt: Pick.
    choices: [a, b, None of these]
    answer: a
    shuffle: false
  - id: t
    type: text
    prompt: Name.
    answer: Wesley Culp
    typos: 1
    wrong: [Wesley Clark]
cards:
  - id: c
    front: F
    back: B
quizzes:
  - id: q
    title: Q
    questions: [o, n]
"""
    )

    assert set(exported.losses) == {
        Loss("o", "the question: GIFT has no 'order' type"),
        Loss("n", "its unit (km)"),
        Loss("n", "its points (2): GIFT has no question weight"),
        Loss("n", "its source citation"),
        Loss("s", "its fixed choice order (shuffle: false)"),
        Loss("t", "its known wrong answers (Wesley Clark)"),
        Loss("t", "its forgiven typing slips (typos: 1)"),
        Loss("c", "the card: GIFT holds no flashcards"),
        Loss("q", "the quiz: GIFT holds questions only"),
    }
    assert "::o::" not in exported.text
    assert "\n// [tag:far]\n::n::" in exported.text


def test_without_an_equals_answer_a_choice_question_is_multiple_answer_even_with_one_right_choice():
    imported = read("Pick all that apply. {~%100%only this ~%-100%not this}\n")

    assert imported.questions[0]["type"] == "multi"
    assert imported.questions[0]["answer"] == ["only this"]
    assert imported.losses == []


def test_a_multi_question_with_one_right_choice_comes_back_as_multi():
    exported = export(
        "title: T\nquestions:\n  - {id: m, type: multi, prompt: Pick., choices: [a, b, c], answer: [a]}\n"
    )

    back = read(exported.text)

    assert back.questions == [
        {"id": "m", "type": "multi", "prompt": "Pick.", "choices": ["a", "b", "c"], "answer": ["a"]}
    ]


def test_several_equals_answers_become_a_multi_question_and_say_what_changes():
    imported = read("Name a CSTO member. {=Russia =Belarus ~Georgia}\n")

    assert imported.questions[0]["type"] == "multi"
    assert imported.questions[0]["answer"] == ["Russia", "Belarus"]
    assert "2 answers marked '='" in imported.losses[0].what


def test_partial_credit_in_a_single_answer_question_is_reported():
    imported = read("Pick. {=a ~%50%b ~c}\n")

    assert imported.questions[0]["type"] == "single"
    assert imported.losses == [Loss("pick", "the credit of 'b' (50%) (imported as a wrong choice)")]


def test_arrows_gift_cannot_escape_are_reported_on_export():
    exported = export(
        """\
title: T
questions:
  - {id: t, type: text, prompt: Arrow?, answer: "a -> b"}
  - {id: m, type: match, prompt: Pair., answer: {"x -> y": z, w: v}}
"""
    )

    assert set(exported.losses) == {
        Loss("t", "an answer holding '->', which GIFT reads as a matching pair"),
        Loss("m", "a pair holding '->', which GIFT cannot escape"),
    }


def test_a_choice_or_answer_whose_text_starts_like_a_weight_comes_back_as_written():
    exported = export(
        """\
title: T
questions:
  - {id: sale, type: single, prompt: Bigger?, choices: ["%50% off", "%20% off", "none"], answer: "%50% off"}
  - {id: code, type: text, prompt: "Write fifty percent as printf does.", answer: "%50%"}
"""
    )

    back = read(exported.text)

    assert back.problems == []
    assert back.losses == []
    sale, code = back.questions
    assert (sale["choices"], sale["answer"]) == (["%50% off", "%20% off", "none"], "%50% off")
    assert code["answer"] == "%50%"
    assert "=%100%%50% off" in exported.text
    assert "~%0%%20% off" in exported.text


def test_tags_and_an_id_in_moodles_comment_lines_are_imported():
    imported = read(
        "// question: 1  name: capital\n// [id:GEO-1] [tag:geography]\n// [tag:europe] [tag:a\\]b]\n"
        "::capital::What is the capital of France? {=Paris ~Lyon}\n\n"
        "// [tag:ignored] a comment apart from any question\n\nNext? {T}\n"
    )

    assert imported.problems == []
    first, second = imported.questions
    assert (first["id"], first["tags"]) == ("GEO-1", ["geography", "europe", "a]b"])
    assert "tags" not in second
    assert imported.losses == []


def test_a_moodle_id_number_that_is_no_bank_id_is_reported_and_the_title_used():
    imported = read("// [id:GEO 1/a] [tag:geography]\n::capital::Capital of France? {=Paris ~Lyon}\n")

    assert [(q["id"], q["tags"]) for q in imported.questions] == [("capital", ["geography"])]
    assert imported.losses == [
        Loss("capital", "its Moodle id number 'GEO 1/a' (not a quizapp id: letters, digits, - and _)")
    ]


def test_export_writes_tags_where_moodle_reads_them_and_they_come_back():
    exported = export(
        """\
title: T
questions:
  - {id: q, type: true_false, prompt: Fine?, answer: true, tags: [week-1, "odd]one"]}
"""
    )

    assert "// [tag:week-1] [tag:odd\\]one]\n::q::" in exported.text
    assert exported.losses == ()
    assert read(exported.text).questions[0]["tags"] == ["week-1", "odd]one"]


def test_a_file_of_two_categories_says_their_questions_were_merged():
    imported = read(
        "$CATEGORY: $course$/top/Algebra\n\nQ1 {T}\n\n$CATEGORY: $course$/top/Geometry\n\nQ2 {F}\n"
    )

    assert [q["prompt"] for q in imported.questions] == ["Q1", "Q2"]
    assert imported.title == "Algebra"
    assert imported.losses == [
        Loss("category Geometry", "a second category: its questions join the bank 'Algebra'")
    ]
