"""Moodle XML: the documented example of every type read as bank fields, losses by question id,
problems at their line, a round trip of the shipped banks, and untrusted XML refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import defusedxml.ElementTree as defused
import pytest

from quizapp.banks import citation_label, load_bank, parse_bank
from quizapp.interchange import EXPORTERS, IMPORTERS, Loss, bank_yaml

DATA = Path(__file__).parent.parent / "data" / "interchange" / "moodle"
ROOT = Path(__file__).parent.parent.parent


def import_moodle(text: str):
    return IMPORTERS["moodle-xml"](text)


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def truefalse(name: str, prompt: str = "A statement.") -> str:
    return (
        f'<question type="truefalse"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text>{prompt}</text></questiontext>'
        '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
        "</question>"
    )


# --- import of the documented example ------------------------------------------------------------


def test_documented_example_gives_every_type_as_bank_fields():
    imported = import_moodle((DATA / "documented.xml").read_text())

    assert imported.problems == []
    assert imported.title == "CSTO basics"
    by_id = {q["id"]: q for q in imported.questions}
    assert by_id["osh-refusal"] == {
        "id": "osh-refusal",
        "type": "single",
        "prompt": "Who turned down Kyrgyzstan's 2010 request for peacekeepers?",
        "choices": ["Dmitry Medvedev", "Vladimir Putin", "Alexander Lukashenko"],
        "answer": "Dmitry Medvedev",
        "feedback": {
            "Dmitry Medvedev": "Right: he was president then.",
            "Vladimir Putin": "Prime minister & not president.",
        },
        "shuffle": False,
        "points": 2,
        "explanation": "Medvedev called it an internal matter.",
        "tags": ["kyrgyzstan"],
    }
    assert by_id["members"]["type"] == "multi"
    assert by_id["members"]["answer"] == ["Russia", "Belarus"]
    assert by_id["members"]["feedback"] == {"Georgia": "Georgia never joined."}
    assert by_id["every-member"] == {
        "id": "every-member",
        "type": "true_false",
        "prompt": "Every member sent troops in 2022.",
        "answer": False,
        "feedback": {"true": "Look again at who went."},
    }
    assert by_id["Reason"]["answer"] == ["internal", "internal matter"]
    assert by_id["Reason"]["wrong"] == ["external"]
    assert (by_id["troops"]["answer"], by_id["troops"]["tolerance"]) == (2.5, 0.5)
    assert by_id["troops"]["unit"] == "thousand troops"
    assert by_id["leaders"]["answer"] == {"Tokayev": "Kazakhstan", "Lukashenko": "Belarus"}
    assert by_id["leaders"]["distractors"] == ["Armenia"]
    assert by_id["timeline"]["answer"] == [
        "Treaty signed",
        "CSTO becomes an organisation",
        "Intervention in Kazakhstan",
    ]
    assert imported.lines["osh-refusal"] == 11
    assert imported.lines["timeline"] == 106


def test_documented_example_reports_each_thing_quizapp_cannot_hold_by_question():
    imported = import_moodle((DATA / "documented.xml").read_text())

    assert [str(loss) for loss in imported.losses] == [
        "osh-refusal: the formatting of the question text (<b>): imported as plain text",
        "osh-refusal: the partial credit of 'Vladimir Putin' (50%): it now earns 0",
        "osh-refusal: the correct feedback (quizapp has per-choice feedback)",
        "members: the penalties of the wrong choices: each wrong choice ticked now takes away one "
        "right choice's share (50%)",
        "weighted: the weights of the right choices ('Russia' 70%, 'Armenia' 30%): each now earns an "
        "equal share",
        "weighted: the penalties of the wrong choices: each wrong choice ticked now takes away one "
        "right choice's share (50%)",
        "Reason: the feedback of the answer 'internal'",
        "Reason: the partial credit of 'domestic' (50%): it now earns 0",
        "Reason: the catch-all answer '*' and its feedback",
        "Reason: case-sensitive matching: quizapp ignores case",
        "troops: the answer 2 worth 50%",
        "troops: the unit 'troops' and its multiplier: quizapp shows one unit",
        "timeline: Moodle's grading 'RELATIVE_NEXT_EXCLUDE_LAST': quizapp gives a share for each item in "
        "its right place",
        "intro: a description (text with no question) has no quizapp type: not imported",
        "why: an essay has no quizapp type: not imported",
        "blanks: an embedded answers (Cloze) question has no quizapp type: not imported",
    ]


def test_imported_questions_make_a_bank_the_validator_accepts():
    imported = import_moodle((DATA / "documented.xml").read_text())

    bank = parse_bank(bank_yaml(imported, imported.title or "Imported"), "imported.yaml", "imported")

    assert list(bank.questions) == [q["id"] for q in imported.questions]


def test_html_question_text_becomes_the_text_a_browser_shows_and_scripts_are_dropped():
    text = quiz(
        truefalse(
            "html",
            "<![CDATA[<p>Osh &amp; Bishkek&nbsp;<i>both</i></p><script>alert(1)</script><p>second &lt;line&gt;</p>]]>",
        )
    )

    imported = import_moodle(text)

    # A browser shows the no-break space as a space, and sets paragraphs apart: so does the text.
    assert imported.questions[0]["prompt"] == "Osh & Bishkek both\n\nsecond <line>"
    assert [str(loss) for loss in imported.losses] == [
        "html: the formatting of the question text (<i>, <script>): imported as plain text"
    ]


def test_choices_keep_their_order_unless_the_file_asks_for_shuffling_as_moodles_importer_reads_it():
    choices = '<answer fraction="100"><text>A</text></answer><answer fraction="0"><text>B</text></answer>'
    text = quiz(
        *(
            f'<question type="multichoice"><name><text>{name}</text></name>'
            f"<questiontext><text>P</text></questiontext>{setting}{choices}</question>"
            for name, setting in [
                ("absent", ""),
                ("zero", "<shuffleanswers>0</shuffleanswers>"),
                ("one", "<shuffleanswers>1</shuffleanswers>"),
                ("word", "<shuffleanswers>true</shuffleanswers>"),
            ]
        )
    )

    imported = import_moodle(text)

    assert {q["id"]: q.get("shuffle", True) for q in imported.questions} == {
        "absent": False,
        "zero": False,
        "one": True,
        "word": True,
    }


def test_short_and_numerical_answers_are_read_as_typed_as_moodles_importer_reads_them():
    imported = import_moodle(
        quiz(
            '<question type="shortanswer"><name><text>tag</text></name>'
            '<questiontext format="html"><text>Which element breaks a line?</text></questiontext>'
            '<answer fraction="100"><text>&lt;br&gt;</text></answer>'
            '<answer fraction="0"><text>&lt;p&gt; &amp;amp;</text></answer></question>',
            '<question type="shortanswer"><name><text>less</text></name>'
            '<questiontext format="html"><text>Write "x is less than y" in C.</text></questiontext>'
            '<answer fraction="100" format="html"><text>x&lt;y</text></answer></question>',
            '<question type="numerical"><name><text>n</text></name>'
            '<questiontext format="html"><text>How many?</text></questiontext>'
            '<answer fraction="100" format="html"><text> 1e3 </text></answer></question>',
        )
    )

    assert imported.problems == []
    assert [(q["id"], q["answer"], q.get("wrong")) for q in imported.questions] == [
        ("tag", ["<br>"], ["<p> &amp;"]),
        ("less", ["x<y"], None),
        ("n", 1000, None),
    ]
    assert imported.losses == []


def test_true_false_answers_named_in_another_language_are_read_in_order_and_reported():
    text = quiz(
        '<question type="truefalse"><name><text>vrai</text></name><questiontext><text>P</text></questiontext>'
        '<answer fraction="0"><text>Vrai</text></answer><answer fraction="100"><text>Faux</text></answer></question>'
    )

    imported = import_moodle(text)

    assert imported.questions[0]["answer"] is False
    assert [str(loss) for loss in imported.losses] == [
        "vrai: the answer 'Vrai' is read as 'true', by its place, as Moodle reads it",
        "vrai: the answer 'Faux' is read as 'false', by its place, as Moodle reads it",
    ]


def test_ids_come_from_names_made_unique_or_from_the_prompt():
    text = quiz(
        truefalse("same"),
        truefalse("same"),
        truefalse("Question 3: état?"),
        truefalse("", "Is Astana the capital?"),
    )

    imported = import_moodle(text)

    assert [q["id"] for q in imported.questions] == [
        "same",
        "same-2",
        "question-3-etat",
        "is-astana-the-capital",
    ]


# --- bad input, at its line ----------------------------------------------------------------------


def test_malformed_xml_is_reported_at_its_line_and_nothing_is_imported():
    imported = import_moodle((DATA / "malformed.xml").read_text())

    assert [str(p) for p in imported.problems] == ["line 5: this is not well-formed XML (mismatched tag)"]
    assert imported.questions == []


def test_a_question_that_cannot_be_read_is_reported_at_its_line_and_the_others_are_kept():
    two_right = (
        '<question type="multichoice"><name><text>two</text></name>\n'
        "<questiontext><text>&lt;b&gt;Pick&lt;/b&gt; one.</text></questiontext><single>true</single>\n"
        '<answer fraction="100"><text>A</text></answer><answer fraction="100"><text>B</text></answer>\n'
        "</question>"
    )
    text = quiz(truefalse("first"), two_right, truefalse("last"))

    imported = import_moodle(text)

    assert [q["id"] for q in imported.questions] == ["first", "last"]
    assert [str(p) for p in imported.problems] == [
        "line 4: question 'two' is a one-answer multichoice with 2 choices worth 100%: quizapp's single "
        "choice needs exactly one"
    ]
    assert imported.losses == []  # the bold of a question not imported is no loss to report


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<questestinterop/>", "line 1: a Moodle XML file starts with <quiz>, not <questestinterop>"),
        ("<quiz>\n</quiz>", "line 1: the file holds no question"),
        ("", "line 1: this is not well-formed XML (no element found)"),
        (
            quiz(
                '<question type="truefalse"><name><text>x</text></name><answer fraction="100"><text>yes</text></answer></question>'
            ),
            "line 3: question 'x' has no question text",
        ),
        (
            quiz(
                '<question type="numerical"><name><text>n</text></name><questiontext><text>N?</text></questiontext>\n'
                '<answer fraction="100"><text>about six</text></answer></question>'
            ),
            "line 4: the answer 'about six' of question 'n' is not a number",
        ),
    ],
)
def test_files_that_are_not_moodle_questions_are_refused_with_a_message(text: str, problem: str):
    imported = import_moodle(text)

    assert [str(p) for p in imported.problems] == [problem]
    assert imported.questions == []


# --- untrusted XML -------------------------------------------------------------------------------


def test_a_billion_laughs_bomb_is_refused_before_any_entity_expands(no_network: list[object]):
    imported = import_moodle((DATA / "billion-laughs.xml").read_text())

    assert [p.line for p in imported.problems] == [2]
    assert "DOCTYPE declaration is refused" in imported.problems[0].message
    assert imported.questions == []


def test_an_external_entity_is_refused_and_the_file_never_read(tmp_path: Path, no_network: list[object]):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ON-DISK")
    text = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        + quiz(truefalse("leak", "&x;")).split("\n", 1)[1]
    )

    imported = import_moodle(text)

    assert [p.line for p in imported.problems] == [2]
    assert "DOCTYPE declaration is refused" in imported.problems[0].message
    assert "SECRET-ON-DISK" not in repr(imported)
    assert no_network == []


def test_an_external_dtd_is_refused_and_never_fetched(no_network: list[object]):
    text = '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/moodle.dtd">\n<quiz/>'

    imported = import_moodle(text)

    assert [str(p) for p in imported.problems] == [
        "line 2: the DOCTYPE declaration refers to 'http://127.0.0.1:9/moodle.dtd', which is never fetched, "
        "and is refused: declarations can define entities that expand without end or read files, and "
        "Moodle and Canvas files need none"
    ]
    assert no_network == []


def test_an_undeclared_entity_is_a_problem_at_its_line():
    imported = import_moodle(quiz(truefalse("e", "&passwd;")))

    assert [str(p) for p in imported.problems] == ["line 3: this is not well-formed XML (undefined entity)"]


# --- export --------------------------------------------------------------------------------------


def bank_of(questions: str, title: str = "T"):
    return parse_bank(f"title: {title}\nquestions:\n{questions}", "t.yaml", "t")


def test_export_gives_each_right_choice_of_a_multi_an_equal_share_and_each_wrong_one_its_penalty():
    bank = bank_of("  - {id: m, type: multi, prompt: P, choices: [A, B, C, D, E], answer: [A, B, C]}\n")

    text = EXPORTERS["moodle-xml"](bank).text

    assert text.count('fraction="33.33333"') == 3
    assert text.count('fraction="-33.33333"') == 2
    assert import_moodle(text).losses == []


def grade_problems(text: str, moodle_grades) -> list[str]:
    """Every question of a Moodle XML file through Moodle's grade check: each answer's fraction
    attribute is a percentage (``qformat_xml::import_answer`` divides it by 100). An ordering
    question is left out: its importer sets every fraction to 1 whatever the file says
    (``qtype_ordering::import_from_xml``)."""
    problems = []
    for question in defused.fromstring(text).iter("question"):
        if question.get("type") in {"category", "ordering"}:
            continue
        fractions = [float(answer.get("fraction", "0")) / 100 for answer in question.findall("answer")]
        several = question.get("type") == "multichoice" and question.findtext("single") == "false"
        problems += moodle_grades(question.findtext("name/text"), fractions, several)
    return problems


def fractions_of(text: str, qid: str) -> list[str]:
    question = next(q for q in defused.fromstring(text).iter("question") if q.findtext("name/text") == qid)
    return [answer.get("fraction") for answer in question.findall("answer")]


def many_right(qid: str, right: int, wrong: int = 2) -> str:
    choices = [f"c{n}" for n in range(1, right + wrong + 1)]
    return f"  - {{id: {qid}, type: multi, prompt: P, choices: [{', '.join(choices)}], answer: [{', '.join(choices[:right])}]}}\n"


def test_export_of_a_multi_with_12_right_choices_writes_grades_moodle_accepts_that_still_make_100_percent(
    moodle_grades,
):
    bank = bank_of(many_right("twelve", 12))

    exported = EXPORTERS["moodle-xml"](bank)

    # 1/12 (8.33333%) is not one of Moodle's grades: its importer would refuse the question.
    assert fractions_of(exported.text, "twelve") == ["10"] * 8 + ["5"] * 4 + ["-10"] * 2
    assert grade_problems(exported.text, moodle_grades) == []
    assert exported.losses == (
        Loss(
            "twelve",
            "the equal shares of its 12 right choices: Moodle has no 8.33333% grade, so they are written "
            "8 at 10% and 4 at 5% (100% in all), and each wrong choice at -10% rather than -8.33333%",
        ),
    )


def test_the_old_equal_shares_of_12_right_choices_are_what_moodle_refuses(moodle_grades):
    share = f"{100 / 12:.5f}"
    old = quiz(
        '<question type="multichoice"><name><text>twelve</text></name><single>false</single>'
        + "".join(f'<answer fraction="{share}"><text>c{n}</text></answer>' for n in range(12))
        + "</question>"
    )

    assert grade_problems(old, moodle_grades) == ["twelve: grade 0.0833333 is not listed"] * 12


def test_export_of_a_multi_with_11_to_20_right_choices_always_sums_to_100_percent_in_listed_grades(
    moodle_grades,
):
    bank = bank_of("".join(many_right(f"m{k}", k) for k in range(1, 21)))

    exported = EXPORTERS["moodle-xml"](bank)

    assert grade_problems(exported.text, moodle_grades) == []
    assert [loss.question_id for loss in exported.losses] == [f"m{k}" for k in range(11, 20)]
    assert fractions_of(exported.text, "m20") == ["5"] * 20 + ["-5"] * 2


def test_export_leaves_out_a_multi_moodle_cannot_grade_and_keeps_the_rest(moodle_grades):
    bank = bank_of(many_right("too-many", 21) + "  - {id: tf, type: true_false, prompt: P, answer: true}\n")

    exported = EXPORTERS["moodle-xml"](bank)

    assert "too-many" not in exported.text
    assert [q["id"] for q in import_moodle(exported.text).questions] == ["tf"]
    assert exported.losses == (
        Loss(
            "too-many",
            "the whole question: Moodle's grades cannot share 100% among 21 right choices (20 at most)",
        ),
    )


def test_an_uneven_weight_multi_from_moodle_goes_back_with_grades_moodle_accepts(moodle_grades):
    uneven = quiz(
        '<question type="multichoice"><name><text>uneven</text></name>'
        '<questiontext format="html"><text>Pick.</text></questiontext><single>false</single>'
        '<answer fraction="50"><text>a</text></answer><answer fraction="30"><text>b</text></answer>'
        '<answer fraction="20"><text>c</text></answer><answer fraction="-100"><text>d</text></answer>'
        "</question>"
    )
    imported = import_moodle(uneven)
    bank = parse_bank(bank_yaml(imported, "T"), "t.yaml", "t")

    exported = EXPORTERS["moodle-xml"](bank)

    assert [str(loss) for loss in imported.losses] == [
        "uneven: the weights of the right choices ('a' 50%, 'b' 30%, 'c' 20%): each now earns an equal share",
        "uneven: the penalties of the wrong choices: each wrong choice ticked now takes away "
        "one right choice's share (33.33333%)",
    ]
    assert fractions_of(exported.text, "uneven") == ["33.33333", "33.33333", "33.33333", "-33.33333"]
    assert grade_problems(exported.text, moodle_grades) == []
    assert [loss for loss in exported.losses if loss.question_id == "uneven"] == []


@pytest.mark.parametrize("path", ["questions/csto-2022.yaml", "tests/data/every-type.yaml"])
def test_every_grade_of_the_shipped_banks_is_one_moodle_accepts(path: str, moodle_grades):
    exported = EXPORTERS["moodle-xml"](load_bank(ROOT / path))

    assert grade_problems(exported.text, moodle_grades) == []


def test_export_escapes_text_so_moodle_shows_it_as_written():
    bank = bank_of(
        "  - id: esc\n    type: single\n    prompt: 'Is <b>this</b> bold & \"quoted\"?'\n"
        "    choices: ['<script>x</script>', 'A & B']\n    answer: A & B\n"
    )

    exported = EXPORTERS["moodle-xml"](bank)

    assert "&amp;lt;b&amp;gt;this&amp;lt;/b&amp;gt; bold &amp;amp;" in exported.text
    assert "<script>" not in exported.text
    back = import_moodle(exported.text).questions[0]
    assert back["prompt"] == 'Is <b>this</b> bold & "quoted"?'
    assert back["choices"] == ["<script>x</script>", "A & B"]


def test_export_writes_order_questions_as_the_ordering_type_with_each_items_position():
    bank = bank_of("  - {id: o, type: order, prompt: P, answer: [First, Second, Third]}\n")

    text = EXPORTERS["moodle-xml"](bank).text

    assert '<question type="ordering">' in text
    assert "<gradingtype>ABSOLUTE_POSITION</gradingtype>" in text
    assert [line.strip() for line in text.splitlines() if "fraction=" in line] == [
        '<answer fraction="1" format="html">',
        '<answer fraction="2" format="html">',
        '<answer fraction="3" format="html">',
    ]


def test_export_reports_typos_and_citations_it_cannot_carry():
    bank = parse_bank(
        "title: T\nsource: {title: S, paragraphs: 3}\nquestions:\n"
        "  - {id: t, type: text, prompt: Who?, answer: Wesley Culp, typos: 1, source: [1, 3]}\n",
        "t.yaml",
        "t",
    )

    losses = EXPORTERS["moodle-xml"](bank).losses

    assert losses == (
        Loss("(bank)", "the source 'S': Moodle XML has no citations"),
        Loss("t", "the source citation (¶1, ¶3)"),
        Loss("t", "typos: 1 (Moodle matches exactly)"),
    )


# --- round trip ----------------------------------------------------------------------------------

#: What Moodle XML cannot hold of a question, and the value the loader gives it when absent.
LOST_FIELDS = {"source": (), "typos": 0}


@pytest.mark.parametrize("path", ["questions/csto-2022.yaml", "tests/data/every-type.yaml"])
def test_round_trip_keeps_every_question_and_loses_exactly_what_it_reports(path: str):
    bank = load_bank(ROOT / path)

    exported = EXPORTERS["moodle-xml"](bank)
    imported = import_moodle(exported.text)
    back = parse_bank(bank_yaml(imported, imported.title or ""), "back.yaml", "back")

    assert imported.problems == []
    assert imported.losses == []
    assert back.title == bank.title
    assert list(back.questions) == list(bank.questions)
    for question in bank.questions.values():
        lost = {name: empty for name, empty in LOST_FIELDS.items() if getattr(question, name, empty) != empty}
        assert back.questions[question.id] == dataclasses.replace(question, **lost)
    assert list(exported.losses) == expected_losses(bank)


def expected_losses(bank) -> list[Loss]:
    """What Moodle XML cannot carry of ``bank``, in the order the export lists it."""
    name = "Moodle XML"
    expected = (
        [Loss("(bank)", f"the source '{bank.source.title}': {name} has no citations")] if bank.source else []
    )
    expected += [
        Loss(quiz.id, f"the quiz '{quiz.title}' and its settings: {name} holds questions only")
        for quiz in bank.quizzes.values()
    ]
    expected += [
        Loss(card.id, f"the flashcard '{card.front}': {name} has no flashcards") for card in bank.cards
    ]
    for question in bank.questions.values():
        if question.source:
            cited = ", ".join(map(citation_label, question.source))
            expected.append(Loss(question.id, f"the source citation ({cited})"))
        if getattr(question, "typos", 0):
            expected.append(Loss(question.id, f"typos: {question.typos} (Moodle matches exactly)"))
    return expected
