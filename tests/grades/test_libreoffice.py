"""The grade files as a real LibreOffice Calc opens them (the ``libreoffice`` fixture, headless):
scores are number cells, usernames are text exactly as stored, text that looks like a formula is
never run, and responses.csv's times are date cells. A CSV is opened both as the Text Import dialog
first offers (LibreOffice's defaults) and with every detection on, formulas included.

Every test makes the same files, which the fixture opens only once: two ``soffice`` runs for the
module (the CSVs as opened, with the XLSX; the CSVs with everything on)."""

from __future__ import annotations

import pytest

from tests.factories import RIGHT, scoring

#: The learner with a username only the database can still hold (the username rule refuses it
#: now): 3 of 7 right, a text answer that is a formula, a negative numeric answer.
DASH_ANSWERS = {**scoring(3), "text-q": "=1+1", "numeric-q": -1.5}
EVERYTHING_ON = {"detect_special_numbers": True, "evaluate_formulas": True}
CSV_IMPORTS = pytest.mark.parametrize("settings", [{}, EVERYTHING_ON], ids=["as-opened", "everything-on"])


@pytest.fixture
def exports(seed, instructor) -> dict[str, bytes]:
    """Prof's class: '-dash', named "=1+1" (3 of 7, submitted at 09:07 UTC), and 'ada' (7 of 7,
    submitted at 09:17 UTC); the gradebook as CSV and XLSX and responses.csv, downloaded by Prof."""
    dash, ada = seed.user("-dash", "=1+1"), seed.user("ada", "Ada")
    class_id = seed.classroom(students=(dash, ada))
    seed.attempt(dash, DASH_ANSWERS)
    seed.attempt(ada, RIGHT)
    files = {}
    for name in ("grades.csv", "grades.xlsx", "responses.csv"):
        response = instructor.get(f"/teach/classes/{class_id}/export/{name}")
        files[name] = response.get_data()
        response.close()
        assert response.status_code == 200, name
    return files


#: Cells as no export writes them, opened with the exports: what Calc makes of them shows that the
#: tests below can fail.
CONTROL_CSV = b"""formula,dash,number,iso,spaced,offset
=1+1,-dash,-1.5,2026-03-02T09:07:00,2026-03-02 09:07:00,2026-03-02T09:07:00+00:00
"""


@pytest.fixture
def opened(libreoffice, exports):
    """The three files (and control.csv) as LibreOffice opens them, with the CSV import
    ``settings`` given."""
    return lambda **settings: libreoffice.open({**exports, "control.csv": CONTROL_CSV}, **settings)


def numbers(row: dict, columns: list[str]) -> list[tuple[str | None, float | None]]:
    """Calc's type and number for each of the row's ``columns``."""
    return [(row[c].type, None if row[c].value is None else float(row[c].value)) for c in columns]


def assert_gradebook_scores(records: list[dict]) -> None:
    quiz = next(name for name in records[0] if name.endswith(" %") and name != "Total %")
    columns = [quiz, quiz.removesuffix(" %") + " attempts", "Total points", "Points possible", "Total %"]
    ada, dash = sorted(records, key=lambda row: row["Name"].text != "Ada")

    assert numbers(ada, columns) == [("float", v) for v in (100.0, 1.0, 7.0, 7.0, 100.0)]
    assert numbers(dash, columns) == [("float", v) for v in (42.86, 1.0, 3.0, 7.0, 42.86)]


@CSV_IMPORTS
def test_the_gradebook_csv_opens_with_every_score_a_number_cell(opened, settings):
    assert_gradebook_scores(opened(**settings)["grades.csv"].records())


def test_the_gradebook_xlsx_opens_with_every_score_a_number_cell(opened):
    assert_gradebook_scores(opened()["grades.xlsx"].records())


@CSV_IMPORTS
def test_responses_csv_opens_with_points_and_counts_as_number_cells(opened, settings):
    records = opened(**settings)["responses.csv"].records()
    columns = ["attempt_number", "position", "points", "max_points"]

    assert len(records) == 14
    assert {numbers(row, columns)[0] for row in records} == {("float", 1.0)}
    dash = [row for row in records if row["name"].text != "Ada"]
    assert [numbers(row, columns)[1:] for row in dash] == [
        [("float", float(position)), ("float", points), ("float", 1.0)]
        for position, points in enumerate([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0], start=1)
    ]


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        pytest.param("grades.csv", {}, id="grades.csv-as-opened"),
        pytest.param("grades.csv", EVERYTHING_ON, id="grades.csv-everything-on"),
        pytest.param("grades.xlsx", {}, id="grades.xlsx"),
        pytest.param("responses.csv", {}, id="responses.csv-as-opened"),
        pytest.param("responses.csv", EVERYTHING_ON, id="responses.csv-everything-on"),
    ],
)
def test_usernames_open_as_text_exactly_as_stored(opened, name, settings):
    records = opened(**settings)[name].records()
    column = "Username" if name.startswith("grades") else "username"

    assert {(row[column].type, row[column].text, row[column].formula) for row in records} == {
        ("string", "-dash", None),
        ("string", "ada", None),
    }


@CSV_IMPORTS
@pytest.mark.parametrize(("name", "column"), [("grades.csv", "Name"), ("responses.csv", "name")])
def test_a_name_that_is_a_formula_opens_as_text_and_is_never_run(opened, settings, name, column):
    cells = [row[column] for row in opened(**settings)[name].records() if row[column].text != "Ada"]

    assert cells
    for cell in cells:
        assert cell.type == "string", cell
        assert cell.formula is None, cell
        assert "=1+1" in cell.text, cell


def test_a_name_that_is_a_formula_opens_from_the_xlsx_as_the_text_typed(opened):
    names = [row["Name"] for row in opened()["grades.xlsx"].records()]

    assert {(cell.type, cell.text, cell.formula) for cell in names} == {
        ("string", "=1+1", None),
        ("string", "Ada", None),
    }


@CSV_IMPORTS
def test_a_text_answer_that_is_a_formula_opens_as_text_and_is_never_run(opened, settings):
    records = opened(**settings)["responses.csv"].records()
    (cell,) = [
        row["response"]
        for row in records
        if row["question_id"].text == "text-q" and row["name"].text != "Ada"
    ]

    assert cell.type == "string"
    assert cell.formula is None
    assert "=1+1" in cell.text


@CSV_IMPORTS
def test_a_numeric_answer_opens_as_a_number_cell(opened, settings):
    records = opened(**settings)["responses.csv"].records()
    (cell,) = [
        row["response"]
        for row in records
        if row["question_id"].text == "numeric-q" and row["name"].text != "Ada"
    ]

    assert (cell.type, cell.value) == ("float", "-1.5")


@CSV_IMPORTS
def test_responses_csv_opens_with_its_times_as_utc_date_cells(opened, settings):
    records = opened(**settings)["responses.csv"].records()
    started = next(name for name in records[0] if name.startswith("started_at"))
    submitted = next(name for name in records[0] if name.startswith("submitted_at"))

    times = {
        (
            row["name"].text == "Ada",
            row[started].type,
            row[started].value,
            row[submitted].type,
            row[submitted].value,
        )
        for row in records
    }

    assert times == {
        (False, "date", "2026-03-02T09:00:00", "date", "2026-03-02T09:07:00"),
        (True, "date", "2026-03-02T09:10:00", "date", "2026-03-02T09:17:00"),
    }


def cells(row: dict) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {name: (cell.type, cell.value, cell.formula) for name, cell in row.items()}


def test_calc_as_opened_reads_an_iso_time_with_t_as_a_date_and_runs_no_formula(opened):
    (row,) = opened()["control.csv"].records()

    assert cells(row) == {
        "formula": ("string", None, None),
        "dash": ("string", None, None),
        "number": ("float", "-1.5", None),
        "iso": ("date", "2026-03-02T09:07:00", None),
        "spaced": ("string", None, None),
        "offset": ("string", None, None),
    }


def test_calc_with_everything_on_runs_a_formula_and_reads_a_spaced_time_as_a_date(opened):
    (row,) = opened(**EVERYTHING_ON)["control.csv"].records()

    assert cells(row) == {
        "formula": ("float", "2", "of:=1+1"),
        "dash": ("string", None, None),
        "number": ("float", "-1.5", None),
        "iso": ("date", "2026-03-02T09:07:00", None),
        "spaced": ("date", "2026-03-02T09:07:00", None),
        "offset": ("string", None, None),
    }
