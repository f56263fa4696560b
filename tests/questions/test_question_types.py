"""The question-type registry is the one place a type is described: a type registered here, with
its macro and nothing else, is read from banks, taken, graded, shown and edited.

The type is the worked example of docs/question-types.md, taken from that page (its class, its
macro and its bank), so the page stays true to the code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from quizapp.accounts.operations import account_named
from quizapp.bank_editor.forms import QuestionForm
from quizapp.bank_editor.questionform import form_values, question_mapping
from quizapp.bank_editor.sharing import grant
from quizapp.banks import BankError, load_bank, parse_bank
from quizapp.questions import QUESTION_TYPES, Question, from_snapshot, register
from quizapp.questions import types as question_types
from tests.factories import ROOT, csrf_token, form_with, start, text_of

DOC = (ROOT / "docs" / "question-types.md").read_text()
INPUTS = ROOT / "quizapp" / "templates" / "questions" / "inputs.html"


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


YEAR_CLASS, YEAR_TEST = fenced("python")
(YEAR_MACRO,) = fenced("jinja")
(YEAR_BANK,) = fenced("yaml")


@pytest.fixture
def year_type() -> Iterator[type[Question]]:
    """The docs' Year class, defined in the question types' module and registered by its
    ``@register``; unregistered when the test ends."""
    namespace = dict(vars(question_types))
    exec(YEAR_CLASS, namespace)  # noqa: S102 - the docs' own example, run as the docs say to add it
    yield namespace["Year"]
    del QUESTION_TYPES["year"]


@pytest.fixture
def year_app(app, year_type, banks_dir):
    """The app with the docs' macro added to inputs.html and the docs' bank in its folder."""
    source = INPUTS.read_text() + "\n" + YEAR_MACRO
    app.jinja_env.loader = ChoiceLoader([DictLoader({"questions/inputs.html": source}), app.jinja_env.loader])
    (banks_dir / "dates.yaml").write_text(YEAR_BANK)
    return app


# -- the registry is the one source ----------------------------------------------------------------


def test_every_registered_type_names_an_input_macro_that_inputs_html_defines():
    templates = Environment(loader=FileSystemLoader(INPUTS.parent.parent), autoescape=True)
    module = templates.get_template("questions/inputs.html").module
    missing = [t for t, cls in QUESTION_TYPES.items() if not callable(getattr(module, cls.input_macro, None))]
    assert missing == []


def test_every_type_writes_from_the_editor_only_fields_the_loader_accepts():
    editor_inputs = {name for name, value in vars(QuestionForm).items() if isinstance(value, UnboundField)}
    for name, cls in QUESTION_TYPES.items():
        own = (*cls.required_fields, *cls.optional_fields)
        assert set(cls.from_form(MultiDict())) <= set(own), name
        assert set(cls.form_fields) <= editor_inputs, name


#: A switch on a question's type: an isinstance against a type's class, a comparison with a
#: type's name, or a table keyed by the names.
SWITCHES = re.compile(
    r"isinstance\([^)]*\b(?:SingleChoice|MultipleChoice|TrueFalse|ShortText|Numeric|Ordering|Matching)\b"
    r"|\b(?:q|question|qtype|kind)(?:\.type)?\s*==\s*['\"]"
    r"|['\"](?:single|multi|true_false|text|numeric|order|match)['\"]\s*:\s*[(\[{'\"]"
)


#: Where switching on a type is the job: the types themselves, and the other tools' formats, each
#: of which maps quizapp's types onto its own and lists what it cannot carry of the others.
TYPE_AWARE = ("questions", "interchange")


def test_no_code_outside_the_question_types_switches_on_a_type():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "quizapp").rglob("*"))
        if path.suffix in (".py", ".html") and path.parent.name not in TYPE_AWARE
        for match in SWITCHES.finditer(path.read_text())
    ]
    assert found == []


def test_the_switch_check_finds_the_switches_the_registry_replaced():
    assert SWITCHES.search('{%- if q.type == "single" %}')
    assert SWITCHES.search("if isinstance(question, SingleChoice | MultipleChoice):")
    assert SWITCHES.search('    "numeric": ("answer", "tolerance", "unit"),')
    assert not SWITCHES.search('request.args.get("order") == "desc"')


def test_register_refuses_a_name_taken_and_a_class_that_declares_too_little(year_type):
    with pytest.raises(ValueError, match="'year' is registered already"):
        register(year_type)

    class Half(Question):
        type = "half"

    with pytest.raises(TypeError, match="lacks required_fields, input_macro, form_fields"):
        register(Half)
    assert "half" not in QUESTION_TYPES


# -- a type added in one module, its macro and its tests -------------------------------------------


def test_a_type_not_registered_is_unknown_to_banks():
    with pytest.raises(BankError) as caught:
        parse_bank(YEAR_BANK, "dates.yaml", "dates")
    assert "unknown question type 'year'" in caught.value.problems[0].message


def test_a_registered_type_is_read_from_banks_by_its_own_declarations(year_type):
    bank = parse_bank(YEAR_BANK, "dates.yaml", "dates")
    assert bank.questions["caesar"] == year_type(
        id="caesar", prompt=bank.questions["caesar"].prompt, answer=-44
    )
    assert bank.questions["hastings"].within == 1

    broken = YEAR_BANK.replace("answer: 1066", "answer: 1066.5").replace("within: 1", "withn: 1")
    with pytest.raises(BankError) as caught:
        parse_bank(broken, "dates.yaml", "dates")
    assert [str(p) for p in caught.value.problems] == [
        "dates.yaml:10: the answer of question 'hastings' must be a whole number of years",
        "dates.yaml:11: unknown field 'withn' in question 'hastings' (did you mean 'within'?)",
    ]


def test_a_registered_type_keeps_its_snapshot_picks_and_key_fields(year_type):
    question = year_type(id="hastings", prompt="When?", answer=1066, within=1)
    assert from_snapshot(question.snapshot()) == question
    assert question.offered() == []
    assert question.picks(1067) == ["1067"]
    assert "within" in question.key_fields


def test_a_year_bc_typed_as_bc_is_right(year_type):
    question = year_type(id="caesar", prompt="Killed in?", answer=-44)
    response = question.read_response(MultiDict({"q0": "44 BC"}), "q0")
    assert response == -44
    assert question.grade(response).outcome == "correct"
    assert question.response_text(response) == "44 BC"


def test_the_docs_show_a_test_of_this_file():
    assert YEAR_TEST in Path(__file__).read_text()


def test_a_registered_type_is_taken_through_its_own_macro_and_graded(year_app, student):
    path = start(student, "dates", "dates")
    page = student.get(path).get_data(as_text=True)
    assert page.count('class="year"') == 2
    assert "A year BC ends in BC" in page

    token = csrf_token(page)
    response = student.post(path, data={"csrf_token": token, "q0": "44 BC", "q1": "soon"})
    assert response.status_code == 422  # sent back: "soon" is no year
    assert "Enter a year, such as 1066 or 44 BC." in text_of(response)
    assert 'value="soon"' in response.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="q1-error"' in response.get_data(as_text=True)

    response = student.post(path, data={"csrf_token": token, "q0": "44 BC", "q1": "AD 1067"})
    assert response.status_code == 302
    result = text_of(student.get(response.headers["Location"]))
    assert "2 / 2" in result
    assert "44 BC" in result


def test_a_registered_type_round_trips_through_the_question_editor(year_app, instructor, banks_dir):
    with year_app.app_context():
        grant("dates", account_named("prof"), "owner", granted_by=None)
    new = "/teach/banks/dates/questions/new?type=year"
    page = instructor.get(new).get_data(as_text=True)
    assert "a year BC is negative (-44 for 44 BC)" in page
    fields = form_with(page, field="prompt")
    assert {"answer", "tolerance"} <= set(fields)
    assert not {"choices", "truth", "unit"} & set(fields)
    fields.update({"id": "bastille", "prompt": "The storming of the Bastille?", "answer": "1789"})
    assert instructor.post(new, data=fields).status_code == 302

    edit = "/teach/banks/dates/questions/hastings/edit"
    fields = form_with(instructor.get(edit).get_data(as_text=True), field="prompt")
    assert (fields["answer"], fields["tolerance"]) == ("1066", "1")
    fields["prompt"] = "When did William land?"
    assert instructor.post(edit, data=fields).status_code == 302

    bank = load_bank(banks_dir / "dates.yaml")
    assert (bank.questions["bastille"].answer, bank.questions["bastille"].within) == (1789, 0)
    assert (bank.questions["hastings"].answer, bank.questions["hastings"].within) == (1066, 1)
    assert bank.questions["hastings"].prompt == "When did William land?"
    assert question_mapping("year", {**form_values(bank.questions["hastings"]), "shuffle": True}) == {
        "id": "hastings",
        "type": "year",
        "prompt": "When did William land?",
        "answer": 1066,
        "within": 1,
    }
