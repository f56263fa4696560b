"""The bank loader: every kind of problem reported at its line, hostile YAML refused, valid banks read."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

import quizapp.banks.loader as loader
from quizapp.banks import Bank, BankError, Problem, load_bank, parse_bank
from quizapp.questions import QUESTION_TYPES

ROOT = Path(__file__).resolve().parents[2]
EVERY_TYPE = ROOT / "tests" / "data" / "every-type.yaml"
SHIPPED = ROOT / "questions" / "csto-2022.yaml"

#: How long hostile input may parse before the test calls it a hang: a guard that keeps a hang
#: from stopping the whole run, far above any real parse (speed is measured in bench/, not here).
HANG = 60.0

#: The YAML composers the loader may use: libyaml's when PyYAML has it, else the pure-Python one.
LOADERS = [
    pytest.param(getattr(yaml, "CSafeLoader", yaml.SafeLoader), id="libyaml"),
    pytest.param(yaml.SafeLoader, id="pure-python"),
]


def load(text: str | bytes, slug: str = "bank") -> Bank:
    return parse_bank(dedent(text) if isinstance(text, str) else text, "bank.yaml", slug)


def problems_of(text: str | bytes, slug: str = "bank") -> list[Problem]:
    with pytest.raises(BankError) as info:
        load(text, slug)
    assert info.value.problems, "a BankError must carry at least one problem"
    return info.value.problems


def the_problem(text: str | bytes, slug: str = "bank") -> Problem:
    """The one problem in ``text``: a second one would be noise for the author to wade through."""
    problems = problems_of(text, slug)
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].path == "bank.yaml"
    return problems[0]


def refused_quickly(text: str | bytes) -> list[Problem]:
    """Parse hostile input in a daemon thread so that a hang fails the test instead of the run."""
    outcome: list[BaseException | Bank] = []

    def target() -> None:
        try:
            outcome.append(load(text))
        except BaseException as exc:  # reported to the test below
            outcome.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(HANG)
    assert not worker.is_alive(), f"still parsing after {HANG} s: a hang"
    (result,) = outcome
    assert isinstance(result, BankError), f"expected a BankError, got {result!r}"
    assert result.problems
    return result.problems


# -- the file as a whole ------------------------------------------------------------------------


def test_yaml_syntax_error_is_reported_at_its_line():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
             type: single
        """
    )
    assert problem.line == 4
    assert "YAML syntax" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"], ids=["empty", "blank-lines", "comment"])
def test_an_empty_file_is_reported_as_empty(text):
    problem = the_problem(text)
    assert problem.line == 1
    assert "empty" in problem.message


def test_a_top_level_that_is_not_a_mapping_is_reported():
    problem = the_problem(
        """\
        - title: T
        - questions: []
        """
    )
    assert problem.line == 1
    assert "mapping" in problem.message
    assert "not a list" in problem.message


def test_a_missing_title_is_reported_at_the_top_level_mapping():
    problem = the_problem(
        """\
        description: no title here
        questions:
          - {id: a, type: true_false, prompt: P, answer: true}
        """
    )
    assert problem.line == 1
    assert "missing" in problem.message
    assert "'title'" in problem.message


def test_missing_questions_are_reported_at_the_top_level_mapping():
    problem = the_problem(
        """\
        title: T
        description: nothing to ask
        """
    )
    assert problem.line == 1
    assert "missing" in problem.message
    assert "'questions'" in problem.message


def test_an_unknown_top_level_field_is_reported_with_a_hint():
    problem = the_problem(
        """\
        title: T
        questions:
          - {id: a, type: true_false, prompt: P, answer: true}
        quizes:
          - {id: q, title: Q, questions: [a]}
        """
    )
    assert problem.line == 4
    assert "unknown field 'quizes'" in problem.message
    assert "did you mean 'quizzes'" in problem.message


# -- question fields ----------------------------------------------------------------------------


def test_an_unknown_question_type_is_reported_at_the_type_line_with_a_hint():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: singel
            prompt: P
            choices: [x, y]
            answer: x
        """
    )
    assert problem.line == 4
    assert "unknown question type 'singel'" in problem.message
    assert "did you mean 'single'" in problem.message


def test_a_missing_prompt_is_reported_at_the_question():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: single
            choices: [x, y]
            answer: x
        """
    )
    assert problem.line == 3
    assert "missing" in problem.message
    assert "'prompt'" in problem.message


@pytest.mark.parametrize(
    ("qtype", "fields", "missing"),
    [
        ("single", "answer: x", "choices"),
        ("multi", "answer: [x]", "choices"),
        ("single", "choices: [x, y]", "answer"),
        ("multi", "choices: [x, y]", "answer"),
        ("true_false", "explanation: E", "answer"),
        ("text", "explanation: E", "answer"),
        ("numeric", "tolerance: 1", "answer"),
        ("order", "explanation: E", "answer"),
        ("match", "distractors: [z]", "answer"),
    ],
    ids=[
        "single-choices",
        "multi-choices",
        "single-answer",
        "multi-answer",
        "true_false-answer",
        "text-answer",
        "numeric-answer",
        "order-answer",
        "match-answer",
    ],
)
def test_a_missing_field_of_the_question_type_is_reported_at_the_question(qtype, fields, missing):
    problem = the_problem(
        f"""\
        title: T
        questions:
          - id: a
            type: {qtype}
            prompt: P
            {fields}
        """
    )
    assert problem.line == 3
    assert "missing" in problem.message
    assert f"'{missing}'" in problem.message


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("choices: Astana, Bishkek", ["choices", "must be a list", "not text"]),
        ("prompt: [Pick, one]", ["prompt", "single value", "not a list"]),
        ("points: -2", ["points", "more than 0"]),
        ("tags: {geo: yes}", ["tags", "must be a list", "not a mapping"]),
    ],
    ids=["choices-as-string", "prompt-as-list", "negative-points", "tags-as-mapping"],
)
def test_a_mistyped_field_is_reported_at_its_line(field, expected):
    name = field.split(":")[0]
    lines = {
        "prompt": "P",
        "choices": "[Astana, Bishkek]",
        "answer": "Astana",
        "points": "2",
        "tags": "[geo]",
    }
    body = "\n".join(f"    {key}: {value}" for key, value in lines.items() if key != name)
    problem = the_problem(f"title: T\nquestions:\n  - id: a\n    type: single\n    {field}\n{body}\n")
    assert problem.line == 5
    for word in expected:
        assert word in problem.message


def test_an_unknown_field_in_a_question_is_reported_with_a_hint():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: true_false
            prompt: P
            answer: true
            explantion: E
        """
    )
    assert problem.line == 7
    assert "unknown field 'explantion'" in problem.message
    assert "did you mean 'explanation'" in problem.message


def test_a_yaml_tag_is_refused_at_its_line():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: true_false
            prompt: !!binary aGVsbG8=
            answer: true
        """
    )
    assert problem.line == 5
    assert "tag" in problem.message


@pytest.mark.parametrize(
    ("escaped", "shown", "code"),
    [
        ("One\\vtwo?", "One\\x0btwo?", "000B"),
        ("Bell\\a", "Bell\\x07", "0007"),
        ("NEL\\N", "NEL\\x85", "0085"),
    ],
)
def test_a_control_character_written_as_an_escape_is_refused_at_its_line(escaped, shown, code):
    problem = the_problem(
        f"""\
        title: T
        questions:
          - id: a
            type: true_false
            prompt: "{escaped}"
            answer: true
        """
    )

    assert problem.line == 5
    assert problem.message == (
        f"the text '{shown}' holds the control character U+{code}, which no page shows and exported "
        "files cannot hold: remove it (a line break is a new line of a | block)"
    )


def test_a_control_character_is_refused_in_any_text_even_a_quiz_title_and_tab_and_newline_are_not():
    problems = problems_of(
        """\
        title: T
        questions:
          - {id: a, type: true_false, prompt: "Tab\\there,\\nand a new line", answer: true}
        quizzes:
          - {id: all, title: "Week\\x001", select: {}}
          - {id: alias, title: "Week\\e2", select: {}}
        """
    )

    assert [(p.line, p.message.split(" holds")[0]) for p in problems] == [
        (5, "the text 'Week\\x001'"),
        (6, "the text 'Week\\x1b2'"),
    ]


def test_a_python_object_tag_is_refused_and_never_constructed(tmp_path):
    marker = tmp_path / "constructed"
    problem = the_problem(
        f"""\
        title: T
        questions:
          - id: a
            type: text
            prompt: P
            answer: !!python/object/apply:os.system "touch {marker}"
        """
    )
    assert problem.line == 6
    assert "tag" in problem.message
    assert not marker.exists()


@pytest.mark.parametrize(
    "answer",
    ["!!python/object/apply:os.system [touch x]", "!custom [Astana]"],
    ids=["python-object", "local-tag"],
)
def test_a_yaml_tag_on_a_list_or_mapping_is_refused_like_one_on_text(answer):
    problem = the_problem(
        f"""\
        title: T
        questions:
          - id: a
            type: text
            prompt: P
            answer: {answer}
        """
    )
    assert problem.line == 6
    assert "tag" in problem.message


# -- duplicates ---------------------------------------------------------------------------------


def test_a_duplicate_question_id_is_reported_at_the_second_naming_the_first():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: true_false
            prompt: P
            answer: true
          - id: a
            type: true_false
            prompt: Q
            answer: false
        """
    )
    assert problem.line == 7
    assert "duplicate question id 'a'" in problem.message
    assert "line 3" in problem.message


def test_a_duplicate_quiz_id_is_reported_at_the_second_naming_the_first():
    problem = the_problem(
        """\
        title: T
        questions:
          - {id: a, type: true_false, prompt: P, answer: true}
        quizzes:
          - id: q
            title: One
            questions: [a]
          - id: q
            title: Two
            questions: [a]
        """
    )
    assert problem.line == 8
    assert "duplicate quiz id 'q'" in problem.message
    assert "line 5" in problem.message


@pytest.mark.parametrize(
    ("text", "key", "line", "first"),
    [
        pytest.param(
            """\
            title: T
            questions:
              - id: a
                type: true_false
                prompt: P
                answer: true
                prompt: Q
            """,
            "prompt",
            7,
            5,
            id="inside-a-question",
        ),
        pytest.param(
            """\
            title: T
            questions:
              - {id: a, type: true_false, prompt: P, answer: true}
            title: U
            """,
            "title",
            4,
            1,
            id="at-top-level",
        ),
        pytest.param(
            """\
            title: T
            questions:
              - id: a
                type: match
                prompt: P
                answer:
                  Tokayev: Kazakhstan
                  Lukashenko: Belarus
                  Tokayev: Armenia
            """,
            "Tokayev",
            9,
            7,
            id="inside-a-match-answer",
        ),
    ],
)
def test_a_duplicate_mapping_key_is_reported_where_pyyaml_would_silently_keep_the_last(
    text, key, line, first
):
    problem = the_problem(text)
    assert problem.line == line
    assert f"duplicate key '{key}'" in problem.message
    assert f"line {first}" in problem.message


# -- single and multi ---------------------------------------------------------------------------


def test_answer_not_among_choices_is_reported_at_the_answer_line():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: single
            prompt: P
            choices: [Astana, Bishkek]
            answer: Astna
        """
    )
    assert problem.line == 7
    assert "'Astna'" in problem.message
    assert "not one of its choices" in problem.message
    assert "did you mean 'Astana'" in problem.message


def test_a_duplicate_choice_is_reported_at_the_second_one():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: single
            prompt: P
            choices:
              - Astana
              - Bishkek
              - Astana
            answer: Astana
        """
    )
    assert problem.line == 9
    assert "'Astana' is listed twice" in problem.message


def test_a_multi_answer_not_among_choices_is_reported_at_that_answer():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: multi
            prompt: P
            choices: [Russia, Belarus, Georgia]
            answer:
              - Russia
              - Armenia
        """
    )
    assert problem.line == 9
    assert "'Armenia'" in problem.message
    assert "not one of its choices" in problem.message


def test_feedback_naming_a_choice_that_does_not_exist_is_reported_at_that_key():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: single
            prompt: P
            choices: [Astana, Bishkek]
            answer: Astana
            feedback:
              Bishkek: Close, but no.
              Almaty: The old capital.
        """
    )
    assert problem.line == 10
    assert "'Almaty'" in problem.message
    assert "feedback" in problem.message


@pytest.mark.parametrize("word", ["yes", "no", "on"])
def test_a_yaml11_boolean_word_as_true_false_answer_is_refused_with_a_hint(word):
    problem = the_problem(
        f"""\
        title: T
        questions:
          - id: a
            type: true_false
            prompt: P
            answer: {word}
        """
    )
    assert problem.line == 6
    assert f"'{word}'" in problem.message
    assert "true or false" in problem.message


# -- numeric ------------------------------------------------------------------------------------


def numeric(answer: str, extra: str = "") -> str:
    return f"title: T\nquestions:\n  - id: a\n    type: numeric\n    prompt: P\n    answer: {answer}\n{extra}"


def test_a_sexagesimal_numeric_answer_is_refused_with_a_hint_never_read_as_750():
    problem = the_problem(numeric("12:30"))
    assert problem.line == 6
    assert "'12:30'" in problem.message
    assert "base 60" in problem.message
    assert "750" not in problem.message


def test_a_hexadecimal_numeric_answer_is_refused():
    problem = the_problem(numeric("0x1F"))
    assert problem.line == 6
    assert "'0x1F'" in problem.message
    assert "decimal" in problem.message


def test_a_leading_zero_numeric_answer_is_read_as_the_decimal_typed_never_octal():
    question = load(numeric("010")).questions["a"]
    assert question.answer == 10.0


def test_a_negative_tolerance_is_refused_at_its_line():
    problem = the_problem(numeric("1992", "    tolerance: -1\n"))
    assert problem.line == 7
    assert "tolerance" in problem.message
    assert "negative" in problem.message


# -- YAML 1.1 implicit typing never changes what the author typed -------------------------------


def test_choices_yaml11_would_retype_keep_the_text_as_typed():
    question = load(
        """\
        title: T
        questions:
          - id: a
            type: single
            prompt: P
            choices: [yes, no, "010", 12:30, 1e3, 007, 0x1F, 2020-01-01, true, off]
            answer: no
        """
    ).questions["a"]
    assert question.choices == (
        "yes",
        "no",
        "010",
        "12:30",
        "1e3",
        "007",
        "0x1F",
        "2020-01-01",
        "true",
        "off",
    )
    assert question.answer == "no"
    assert isinstance(question.answer, str)


def test_a_choice_written_null_keeps_the_text_null():
    question = load(
        """\
        title: T
        questions:
          - id: a
            type: single
            prompt: Which word does JSON use for "no value"?
            choices: [yes, no, "010", 12:30, null, 1e3]
            answer: null
        """
    ).questions["a"]
    assert question.choices == ("yes", "no", "010", "12:30", "null", "1e3")
    assert question.answer == "null"


def test_a_text_answer_written_010_stays_the_text_010():
    question = load(
        """\
        title: T
        questions:
          - id: a
            type: text
            prompt: P
            answer: 010
        """
    ).questions["a"]
    assert question.answer == ("010",)


def test_an_order_item_that_looks_like_a_date_stays_the_text():
    question = load(
        """\
        title: T
        questions:
          - id: a
            type: order
            prompt: P
            answer: [1999-12-31, 2020-01-01]
        """
    ).questions["a"]
    assert question.answer == ("1999-12-31", "2020-01-01")


# -- text, order, match -------------------------------------------------------------------------


def test_a_text_answer_of_only_punctuation_is_refused_at_its_line():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: text
            prompt: P
            answer:
              - Astana
              - "?!"
        """
    )
    assert problem.line == 8
    assert "'?!'" in problem.message
    assert "punctuation" in problem.message


def test_an_order_with_a_duplicate_item_is_reported_at_the_second_one():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: order
            prompt: P
            answer:
              - Treaty
              - Organization
              - Treaty
        """
    )
    assert problem.line == 9
    assert "'Treaty' is listed twice" in problem.message


def test_a_match_with_fewer_than_two_pairs_is_refused_at_the_answer():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: match
            prompt: P
            answer:
              Tokayev: Kazakhstan
        """
    )
    assert problem.line == 7
    assert "at least 2 pairs" in problem.message


def test_a_distractor_that_is_also_a_right_match_is_reported_at_that_distractor():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: match
            prompt: P
            answer: {Tokayev: Kazakhstan, Lukashenko: Belarus}
            distractors:
              - Georgia
              - Belarus
        """
    )
    assert problem.line == 9
    assert "'Belarus'" in problem.message
    assert "distractor" in problem.message
    assert "right match" in problem.message


# -- sources ------------------------------------------------------------------------------------


def test_a_source_paragraph_beyond_the_source_is_reported_at_the_question_source():
    problem = the_problem(
        """\
        title: T
        source:
          title: An article
          paragraphs: 3
        questions:
          - id: a
            type: true_false
            prompt: P
            answer: true
            source: 4
        """
    )
    assert problem.line == 10
    assert "paragraph 4" in problem.message
    assert "has 3" in problem.message


def test_a_source_cited_when_the_bank_has_no_source_is_reported():
    problem = the_problem(
        """\
        title: T
        questions:
          - id: a
            type: true_false
            prompt: P
            answer: true
            source: 2
        """
    )
    assert problem.line == 7
    assert "paragraph 2" in problem.message
    assert "no 'source'" in problem.message


def cited(source_line: str, paragraphs: str = "paragraphs: 8") -> str:
    """A bank whose one question cites ``source_line`` (written at line 9)."""
    return f"""\
title: T
source:
  title: An article
  {paragraphs}
questions:
  - id: a
    type: true_false
    prompt: P
    source: {source_line}
    answer: true
"""


@pytest.mark.parametrize(
    ("written", "citations"),
    [
        ("5", (5,)),
        ("[2, 5]", (2, 5)),
        ("header", ("header",)),
        ("[header, 1]", ("header", 1)),
        ("\n      - 8\n      - header", (8, "header")),
    ],
)
def test_a_question_cites_one_paragraph_several_or_the_header_in_the_order_written(written, citations):
    assert load(cited(written)).questions["a"].source == citations


def test_a_question_without_a_source_cites_nothing():
    bank = load("title: T\nquestions:\n  - {id: a, type: true_false, prompt: P, answer: true}\n")
    assert bank.questions["a"].source == ()


@pytest.mark.parametrize(
    ("written", "line", "words"),
    [
        ("[1, 1]", 9, ["paragraph 1 twice"]),
        ("[header, 2, header]", 9, ["the header twice"]),
        ("[99]", 9, ["paragraph 99", "has 8"]),
        ("[3, 99]", 9, ["paragraph 99", "has 8"]),
        ("heder", 9, ["'heder'", "did you mean 'header'?", "paragraph number from 1, or header"]),
        ("0", 9, ["'0'"]),
        ("2.5", 9, ["'2.5'"]),
        ("[]", 9, ["empty list"]),
        ("[[1, 2]]", 9, ["must be a single value, not a list"]),
        ("{paragraph: 2}", 9, ["must be a single value, not a mapping"]),
        ("\n      - 1\n      - 1", 11, ["paragraph 1 twice"]),
    ],
)
def test_a_bad_citation_is_reported_at_its_line(written, line, words):
    problem = the_problem(cited(written))
    assert problem.line == line
    for word in words:
        assert word in problem.message


def test_the_header_cited_when_the_bank_has_no_source_is_reported():
    problem = the_problem(
        "title: T\nquestions:\n  - {id: a, type: true_false, prompt: P, answer: true, source: [header]}\n"
    )
    assert problem.line == 3
    assert "cites the header, but the bank has no 'source'" in problem.message


PARAGRAPH_MAP = """\
title: T
source:
  title: An article
  url: https://example.org/a
  header: {summary: Who wrote it and when., opens: Russia Leveraging}
  paragraphs:
    1: {summary: The decision to send troops., opens: "While the rest of the world"}
    2: {summary: How the treaty began.}
    3: The bare summary of the third.
questions:
  - {id: a, type: true_false, prompt: P, answer: true, source: [header, 3]}
"""


def test_paragraphs_may_map_each_number_to_its_summary_and_first_words():
    source = load(PARAGRAPH_MAP).source
    assert source is not None
    assert source.paragraphs == 3
    assert source.passages[1].summary == "The decision to send troops."
    assert source.passages[1].opens == "While the rest of the world"
    assert (source.passages[2].summary, source.passages[2].opens) == ("How the treaty began.", "")
    assert (source.passages[3].summary, source.passages[3].opens) == ("The bare summary of the third.", "")
    assert source.passages["header"].summary == "Who wrote it and when."


def test_a_paragraph_map_sets_how_many_paragraphs_questions_may_cite():
    problem = the_problem(PARAGRAPH_MAP.replace("source: [header, 3]", "source: [header, 4]"))
    assert problem.line == 11
    assert "paragraph 4, but the source has 3" in problem.message


@pytest.mark.parametrize(
    ("paragraphs", "line", "words"),
    [
        ('{1: "One.", 3: "Three."}', 4, ["without gaps", "2 is missing"]),
        ('{2: "Two.", 5: "Five."}', 4, ["1, 3, 4 are missing"]),
        ("{1: [a, b]}", 4, ["paragraph 1 of the source must be its summary", "not a list"]),
        ("{1: {summary: [a, b]}}", 4, ["summary of paragraph 1", "not a list"]),
        ("{1: {opens: Words}}", 4, ["paragraph 1 of the source is missing the required field 'summary'"]),
        ('{1: {summary: S, opens: ""}}', 4, ["'opens' of paragraph 1 of the source is empty"]),
        ("{1: {summary: S, open: Words}}", 4, ["unknown field 'open'", "did you mean 'opens'?"]),
        ('{1: "One.", header: "The byline."}', 4, ["numbered from 1, not 'header'", "'header' field"]),
        ('{0: "Zero.", 1: "One."}', 4, ["numbered from 1, not '0'"]),
        ('{1: "One.", 01: "Again."}', 4, ["paragraph 1 of the source is described twice"]),
        ('{1: ""}', 4, ["summary of paragraph 1 of the source is empty"]),
    ],
)
def test_a_bad_paragraph_map_is_reported(paragraphs, line, words):
    problem = the_problem(cited("1", paragraphs=f"paragraphs: {paragraphs}"))
    assert problem.line == line
    for word in words:
        assert word in problem.message


def test_a_bad_header_summary_is_reported_at_its_line():
    problem = the_problem(cited("header", paragraphs="header: {opens: Russia}"))
    assert problem.line == 4
    assert "the source's header is missing the required field 'summary'" in problem.message


# -- quizzes ------------------------------------------------------------------------------------

QUESTIONS = """\
title: T
questions:
  - {id: capital, type: true_false, prompt: P, answer: true, tags: [geo]}
  - {id: founded, type: numeric, prompt: P, answer: 1992, tags: [history]}
quizzes:
"""


def quiz_problem(quiz: str) -> Problem:
    return the_problem(QUESTIONS + dedent(quiz))


def test_a_quiz_naming_an_unknown_question_is_reported_at_that_item_with_a_hint():
    problem = quiz_problem(
        """\
          - id: q
            title: Q
            questions:
              - founded
              - capitl
        """
    )
    assert problem.line == 10
    assert "unknown question 'capitl'" in problem.message
    assert "did you mean 'capital'" in problem.message


@pytest.mark.parametrize(
    "fields",
    ["questions: [capital]\n    select: {tags: [geo]}", "shuffle: true"],
    ids=["both", "neither"],
)
def test_a_quiz_needs_either_questions_or_select(fields):
    problem = quiz_problem(f"  - id: q\n    title: Q\n    {fields}\n")
    assert problem.line == 6
    assert "either 'questions'" in problem.message
    assert "'select'" in problem.message


def test_an_unknown_grading_policy_is_reported_with_the_policies():
    problem = quiz_problem(
        """\
          - id: q
            title: Q
            questions: [capital]
            grading: best
        """
    )
    assert problem.line == 9
    assert "grading" in problem.message
    assert "highest" in problem.message


@pytest.mark.parametrize("attempts", ["0", "many", "-1", "1.5"])
def test_attempts_must_be_a_whole_number_from_one_or_unlimited(attempts):
    problem = quiz_problem(f"  - id: q\n    title: Q\n    questions: [capital]\n    attempts: {attempts}\n")
    assert problem.line == 9
    assert "attempts" in problem.message
    assert "unlimited" in problem.message


def test_unlimited_attempts_read_as_none():
    bank = load(QUESTIONS + "  - {id: q, title: Q, questions: [capital], attempts: unlimited}\n")
    assert bank.quizzes["q"].attempts is None


def test_selecting_an_unknown_tag_is_reported_at_the_tags_with_a_hint():
    problem = quiz_problem(
        """\
          - id: q
            title: Q
            select:
              tags: [histroy]
        """
    )
    assert problem.line == 9
    assert "tag 'histroy'" in problem.message
    assert "did you mean 'history'" in problem.message


def test_a_select_count_larger_than_its_pool_is_reported_at_the_count():
    problem = quiz_problem(
        """\
          - id: q
            title: Q
            select:
              tags: [geo]
              count: 5
        """
    )
    assert problem.line == 10
    assert "5" in problem.message
    assert "only 1" in problem.message


def test_a_quiz_naming_a_question_that_failed_validation_is_not_also_reported_as_unknown():
    problem = the_problem(
        """\
        title: T
        questions:
          - {id: capital, type: true_false, prompt: P, answer: true}
          - {id: founded, type: numeric, prompt: P, answer: 12:30}
        quizzes:
          - {id: q, title: Q, questions: [capital, founded]}
        """
    )
    assert problem.line == 4
    assert "base 60" in problem.message


def test_an_empty_review_moment_is_reported_not_a_crash():
    problem = the_problem(
        """\
        title: T
        questions:
          - {id: a, type: true_false, prompt: P, answer: true}
        quizzes:
          - {id: q, title: Q, questions: [a], review: {score: ""}}
        """
    )
    assert problem.line == 5
    assert "review of the score in quiz 'q' is empty" in problem.message


# -- every problem at once ----------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_at_once_sorted_by_line():
    problems = problems_of(
        """\
        title: T
        questions:
          - id: a
            type: single
            explantion: E
            choices: [x, y]
            answer: z
          - id: b
            type: true_false
            prompt: P
            answer: yes
        quizzes:
          - id: q
            title: Q
            questions: [a, b]
            attempts: 0
        """
    )
    assert [p.line for p in problems] == [3, 5, 7, 11, 16], [str(p) for p in problems]
    assert "'prompt'" in problems[0].message
    assert "'explantion'" in problems[1].message
    assert "'z'" in problems[2].message
    assert "'yes'" in problems[3].message
    assert "attempts" in problems[4].message


# -- hostile input ------------------------------------------------------------------------------


def laughs(levels: int = 9, width: int = 10) -> str:
    """A flow list of ``width`` ** ``levels`` leaves written in a few hundred bytes."""
    node = "&l0 [" + ", ".join(["lol"] * width) + "]"
    for level in range(1, levels):
        node = f"&l{level} [{node}, " + ", ".join([f"*l{level - 1}"] * (width - 1)) + "]"
    return node


BOMB_PLACES = [
    pytest.param(
        f"title: T\nquestions:\n  - id: a\n    type: single\n    prompt: P\n    answer: lol\n    choices: {laughs()}\n",
        id="as-choices",
    ),
    pytest.param(f"title: T\nquestions: {laughs()}\n", id="as-questions"),
]


@pytest.mark.parametrize("composer", LOADERS)
@pytest.mark.parametrize("text", BOMB_PLACES)
def test_an_alias_bomb_is_refused_quickly(monkeypatch, composer, text):
    monkeypatch.setattr(loader, "YAML_LOADER", composer)
    assert len(text) < 1000
    refused_quickly(text)


@pytest.mark.parametrize("text", BOMB_PLACES)
def test_an_alias_bomb_is_refused_with_a_message_about_aliases(text):
    problems = refused_quickly(text)
    assert any("alias" in p.message for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("composer", LOADERS)
def test_aliases_that_expand_a_file_far_beyond_its_size_are_refused(monkeypatch, composer):
    monkeypatch.setattr(loader, "YAML_LOADER", composer)
    choices = ", ".join(f"c{i}" for i in range(2000))
    text = (
        "title: T\nquestions:\n"
        f"  - &q {{id: a, type: single, prompt: P, answer: c0, choices: [{choices}]}}\n" + "  - *q\n" * 2000
    )
    problems = refused_quickly(text)
    assert any("aliases" in p.message for p in problems), [str(p) for p in problems[-3:]]
    assert len(problems) < 200


@pytest.mark.parametrize("composer", LOADERS)
@pytest.mark.parametrize(
    "questions",
    ["[" * 10_000 + "]" * 10_000, "\n  " + "- " * 10_000 + "x"],
    ids=["flow", "block"],
)
def test_absurdly_deep_nesting_is_refused_without_recursion_error(monkeypatch, composer, questions):
    monkeypatch.setattr(loader, "YAML_LOADER", composer)
    problems = refused_quickly(f"title: T\nquestions: {questions}\n")
    assert any("nest" in p.message for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("composer", LOADERS)
@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("title: T\nquestions: &a [*a]\n", 2, id="as-questions"),
        pytest.param(
            "title: T\nquestions:\n  - id: a\n    type: single\n    prompt: P\n    answer: x\n"
            "    choices: &a [x, *a]\n",
            7,
            id="as-choices",
        ),
        pytest.param(
            "title: T\nquestions:\n  - id: a\n    type: match\n    prompt: P\n    answer: &m {x: y, z: *m}\n",
            6,
            id="as-match-answer",
        ),
        pytest.param(
            "title: T\nquestions:\n  - {id: a, type: true_false, prompt: P, answer: true}\n"
            "quizzes: &q [{id: q, title: Q, questions: *q}]\n",
            4,
            id="as-quiz-questions",
        ),
    ],
)
def test_a_recursive_alias_is_refused_without_hanging(monkeypatch, composer, text, line):
    monkeypatch.setattr(loader, "YAML_LOADER", composer)
    problems = refused_quickly(text)
    assert [p.line for p in problems] == [line], [str(p) for p in problems]


def test_a_file_over_the_size_limit_is_refused_before_parsing(monkeypatch, tmp_path):
    text = EVERY_TYPE.read_text()
    monkeypatch.setattr(loader, "MAX_BYTES", len(text.encode()) - 1)
    problem = the_problem(text)
    assert problem.line == 1
    assert "larger than" in problem.message

    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(BankError) as info:
        load_bank(path, display="big.yaml")
    assert [str(p).split(": ")[0] for p in info.value.problems] == ["big.yaml:1"]
    assert "larger than" in info.value.problems[0].message


def test_a_file_at_the_size_limit_is_read(monkeypatch):
    text = EVERY_TYPE.read_text()
    monkeypatch.setattr(loader, "MAX_BYTES", len(text.encode()))
    assert len(load(text).questions) == 7


def test_invalid_utf8_is_refused():
    problem = the_problem(b"title: Caf\xe9\nquestions: []\n")
    assert problem.line == 1
    assert "UTF-8" in problem.message


def test_a_file_name_that_is_not_a_slug_is_refused():
    problem = the_problem(EVERY_TYPE.read_text(), slug="Bad_Name")
    assert problem.line == 1
    assert "'Bad_Name'" in problem.message
    assert "slug" in problem.message


# -- valid banks --------------------------------------------------------------------------------


def test_the_every_type_bank_loads_with_one_question_of_each_type():
    bank = load_bank(EVERY_TYPE)
    assert bank.slug == "every-type"
    assert len(bank.questions) == 7
    assert sorted(type(q).type for q in bank.questions.values()) == sorted(QUESTION_TYPES)
    assert bank.quizzes["all"].question_ids == tuple(bank.questions)
    review = bank.quizzes["review"]
    assert review.question_ids is None
    assert review.select_count == 3
    assert review.shuffle is True


def test_the_every_type_bank_reads_each_answer_key():
    q = load_bank(EVERY_TYPE).questions
    assert q["single-q"].answer == "Astana"
    assert q["single-q"].feedback_by_choice == {
        "Bishkek": "FEEDBACK-SINGLE-BISHKEK",
        "Astana": "FEEDBACK-SINGLE-ASTANA",
    }
    assert q["multi-q"].answer == ("Russia", "Belarus")
    assert q["tf-q"].answer is True
    assert q["text-q"].answer == ("Zyxwvuts City", "Zyxwvuts")
    assert q["numeric-q"].answer == 98765.4321
    assert q["numeric-q"].tolerance == 0.5
    assert q["order-q"].answer == ("Alpha first", "Bravo second", "Charlie third", "Delta fourth")
    assert q["match-q"].answer == (
        ("Tokayev", "Kazakhstan"),
        ("Lukashenko", "Belarus"),
        ("Pashinyan", "Armenia"),
    )
    assert q["match-q"].distractors == ("Georgia",)


def test_a_bank_records_the_sha256_of_its_file_bytes():
    assert load_bank(EVERY_TYPE).sha256 == hashlib.sha256(EVERY_TYPE.read_bytes()).hexdigest()


def test_a_quiz_without_grading_or_attempts_grades_highest_with_unlimited_attempts():
    quiz = load(QUESTIONS + "  - {id: q, title: Q, questions: [capital]}\n").quizzes["q"]
    assert quiz.grading == "highest"
    assert quiz.attempts is None


def test_anchors_and_aliases_used_legitimately_load():
    bank = load(
        """\
        title: T
        questions:
          - id: a
            type: single
            prompt: Which joined first?
            choices: &countries [Russia, Belarus, Armenia]
            answer: Russia
          - id: b
            type: multi
            prompt: Which are members?
            choices: *countries
            answer: [Belarus, Armenia]
        """
    )
    assert bank.questions["a"].choices == bank.questions["b"].choices == ("Russia", "Belarus", "Armenia")


# -- the shipped bank ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Bank:
    return load_bank(SHIPPED)


def test_the_shipped_bank_loads_with_at_least_45_questions(shipped):
    assert shipped.slug == "csto-2022"
    assert len(shipped.questions) >= 45


def test_every_shipped_question_cites_a_paragraph_and_each_paragraph_is_cited_three_times(shipped):
    assert shipped.source is not None
    assert shipped.source.paragraphs == 8
    assert [q.id for q in shipped.questions.values() if not q.source] == []
    cited = Counter(c for q in shipped.questions.values() for c in q.source)
    assert set(cited) <= {"header", *range(1, 9)}, cited
    assert all(cited[p] >= 3 for p in range(1, 9)), cited


def test_the_shipped_bank_uses_every_type_at_least_three_times(shipped):
    used = Counter(type(q).type for q in shipped.questions.values())
    assert {t: used[t] for t in QUESTION_TYPES if used[t] < 3} == {}


def test_every_shipped_question_has_an_explanation_and_tags(shipped):
    assert [q.id for q in shipped.questions.values() if not q.explanation] == []
    assert [q.id for q in shipped.questions.values() if not q.tags] == []


def test_the_shipped_bank_has_five_quizzes_one_of_which_lists_every_question(shipped):
    assert len(shipped.quizzes) >= 5
    everything = set(shipped.questions)
    assert any(
        q.question_ids is not None and set(q.question_ids) == everything for q in shipped.quizzes.values()
    ), {q.id: q.question_ids for q in shipped.quizzes.values()}


@pytest.mark.parametrize(
    ("question_id", "typed"),
    [
        ("refusal-reason", "internal affair"),
        ("refusal-reason", "domestic matter"),
        ("refusal-reason", "Kyrgyzstan's internal matter"),
        ("karabakh-region", "Artsakh"),
        ("karabakh-region", "Karabagh"),
        ("karabakh-region", "Nagorno Karabakh"),
        ("color-revolutions-term", "coloured revolutions"),
        ("color-revolutions-term", "colour revolutions"),
        ("lions-share-phrase", "lions share"),
        ("lions-share-phrase", "the lion share"),
        ("author-name", "Wes Culp"),
        ("osh-city", "the city of Osh"),
        ("osh-city", "Osh city"),
        ("karabakh-region", "Nagorno-Karabak"),
    ],
)
def test_the_shipped_bank_accepts_the_wordings_learners_type(shipped, question_id, typed):
    assert shipped.questions[question_id].grade(typed).points == 1


@pytest.mark.parametrize(
    ("question_id", "typed"),
    [("regional-police", "policy"), ("refusal-reason", "external matter"), ("osh-city", "Ash")],
)
def test_the_shipped_bank_refuses_a_near_miss_that_means_something_else(shipped, question_id, typed):
    assert shipped.questions[question_id].grade(typed).points == 0


def test_no_quiz_of_the_shipped_bank_shows_one_questions_answer_in_another(shipped):
    assert [str(warning) for warning in shipped.warnings] == []


def test_the_shipped_bank_summarises_the_header_and_every_paragraph_with_their_opening_words(shipped):
    assert shipped.source is not None
    passages = shipped.source.passages
    assert set(passages) == {"header", *range(1, 9)}
    assert all(p.summary and p.opens for p in passages.values())
    assert shipped.source.link(1).endswith("#:~:text=While%20the%20rest%20of%20the%20world")


# -- sizes a database column or a float cannot hold ---------------------------------------------


def test_a_whole_number_too_large_to_store_is_reported_not_crashed_on():
    problem = the_problem(
        f"""\
        title: T
        questions:
          - {{id: a, type: true_false, prompt: P, answer: true}}
        quizzes:
          - {{id: q, title: Q, questions: [a], attempts: {"1" * 5000}}}
        """
    )
    assert problem.line == 5
    assert "attempts" in problem.message


def test_points_beyond_a_thousand_are_refused():
    problem = the_problem(
        """\
        title: T
        questions:
          - {id: a, type: true_false, prompt: P, answer: true, points: 1e308}
        """
    )
    assert problem.line == 3
    assert "at most 1000" in problem.message


def test_a_quiz_title_longer_than_attempts_can_store_is_refused():
    problem = the_problem(
        f"""\
        title: T
        questions:
          - {{id: a, type: true_false, prompt: P, answer: true}}
        quizzes:
          - {{id: q, title: {"x" * 301}, questions: [a]}}
        """
    )
    assert problem.line == 5
    assert "longer than 300" in problem.message


def test_a_bank_name_longer_than_a_hundred_characters_is_refused():
    assert "not a bank slug" in problems_of("title: T\nquestions: []\n", slug="a" * 101)[0].message


@pytest.mark.parametrize("key", ["''", "~", "!!binary aGk=", "!custom left"])
def test_an_empty_or_tagged_key_is_refused(key):
    problem = the_problem(
        f"""\
        title: T
        questions:
          - id: a
            type: match
            prompt: P
            answer: {{{key}: Kazakhstan, Lukashenko: Belarus}}
        """
    )
    assert problem.line == 6
    assert "not plain text" in problem.message


def test_a_tagged_question_type_is_refused():
    problem = the_problem(
        """\
        title: T
        questions:
          - {id: a, type: !weird true_false, prompt: P, answer: true}
        """
    )
    assert problem.line == 3
    assert "tag" in problem.message


def test_text_with_a_lone_surrogate_is_refused_as_not_utf8():
    assert "UTF-8" in problems_of("title: T\ud800\nquestions: []\n")[0].message


def test_a_source_url_must_be_a_web_address():
    problem = the_problem(
        """\
        title: T
        source:
          title: S
          url: javascript:alert(1)
        questions:
          - {id: a, type: true_false, prompt: P, answer: true}
        """
    )
    assert problem.line == 4
    assert "https://" in problem.message
