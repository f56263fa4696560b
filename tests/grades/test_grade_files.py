"""The reproductions of issue 16's grade files: each column written by its kind (identities never
altered, numbers as numbers, free text guarded), Canvas titles as titled, the Moodle file's check
on grade items, and responses.csv's numbers and UTC date-times."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from quizapp.grades.exports import Kind, Table, neutralise, write_csv, write_xlsx
from tests.factories import scoring, text_of

TITLES = {"eq": "=Sum", "dash": "-Intro", "plus": "+Plus", "at": "@At"}


@pytest.fixture
def titled(seed, instructor, make_bank) -> int:
    """A class setting four quizzes whose titles begin as formulas, each one numeric question
    (-1.5) worth 10; `-dash` answers every one, Ada none."""
    quizzes = "".join(
        f"""
          - id: {quiz_id}
            title: "{title}"
            questions: [how-cold]"""
        for quiz_id, title in TITLES.items()
    )
    make_bank(
        "titles",
        f"""
        title: Titles
        questions:
          - id: how-cold
            type: numeric
            prompt: How cold is it?
            answer: -1.5
            points: 10
        quizzes:{quizzes}
        """,
    )
    dash, ada = seed.user("-dash", "=Dash"), seed.user("ada")
    class_id = seed.classroom("-Class", quizzes=tuple(("titles", q) for q in TITLES), students=(dash, ada))
    for quiz_id in TITLES:
        seed.attempt(dash, {"how-cold": -1.5}, slug="titles", quiz_id=quiz_id)
    return class_id


def rows_of(client, url: str) -> list[list[str]]:
    response = client.get(url)
    data = response.get_data()
    response.close()
    assert response.status_code == 200, url
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_canvas_columns_carry_the_quiz_titles_as_titled_and_the_sis_ids_as_the_username(instructor, titled):
    rows = rows_of(instructor, f"/teach/classes/{titled}/export/grades.canvas")

    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        "=Sum (titles/eq)", "-Intro (titles/dash)", "+Plus (titles/plus)", "@At (titles/at)",
    ]  # fmt: skip
    assert rows[1] == ["Points Possible", "", "", "", "", "10.0", "10.0", "10.0", "10.0"]
    assert rows[2] == ["'=Dash", "", "-dash", "-dash", "'-Class", "10.0", "10.0", "10.0", "10.0"]
    assert rows[3] == ["Ada", "", "ada", "ada", "'-Class", "", "", "", ""]


def test_the_moodle_file_keeps_the_titles_and_the_username_and_guards_the_name(instructor, titled):
    rows = rows_of(instructor, f"/teach/classes/{titled}/export/grades.moodle?items=created")

    assert rows[0][3:] == [
        "=Sum (titles/eq)",
        "-Intro (titles/dash)",
        "+Plus (titles/plus)",
        "@At (titles/at)",
    ]
    assert rows[1] == ["-dash", "'=Dash", "", "10.0", "10.0", "10.0", "10.0"]
    assert rows[2] == ["ada", "Ada", "", "-", "-", "-", "-"]


def test_the_spreadsheet_gradebook_guards_titles_and_names_but_never_the_username(instructor, titled):
    rows = rows_of(instructor, f"/teach/classes/{titled}/export/grades.csv")

    assert rows[0][3:5] == ["'=Sum (titles/eq) %", "'=Sum (titles/eq) attempts"]
    assert rows[1][:4] == ["'=Dash", "-dash", "'-Class", "100.0"]


def test_responses_csv_writes_a_numeric_answer_as_a_number_and_times_in_utc_without_an_offset(
    instructor, titled
):
    rows = rows_of(instructor, f"/teach/classes/{titled}/export/responses.csv")
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))

    assert header[8:10] == ["started_at_utc", "submitted_at_utc"]
    assert first["response"] == "-1.5"
    assert first["username"] == "-dash"
    assert first["quiz_title"] in {"'=Sum", "'-Intro", "'+Plus", "'@At"}  # free text: guarded
    assert first["started_at_utc"] == "2026-03-02T09:00:00"
    assert re.fullmatch(r"2026-03-02T\d\d:\d\d:00", first["submitted_at_utc"]), first["submitted_at_utc"]


def test_a_numeric_answer_keeps_its_digits_and_its_key_stays_text(instructor, seed):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    seed.attempt(ada, scoring(7))
    rows = rows_of(instructor, f"/teach/classes/{class_id}/export/responses.csv")
    numeric = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[12] == "numeric")
    assert numeric["response"] == "98765.4321"
    assert numeric["correct_answer"] == "98765.4321 (± 0.5)"


@pytest.mark.parametrize(
    ("kind", "value", "written"),
    [
        (Kind.IDENTITY, "-dash", "-dash"),
        (Kind.IDENTITY, "=x@example.org", "=x@example.org"),
        (Kind.NUMBER, -1.5, -1.5),
        (Kind.NUMBER, "-1.5", "-1.5"),
        (Kind.NUMBER, "-", "-"),
        (Kind.NUMBER, "-1+2", "'-1+2"),
        (Kind.NUMBER, "=1", "'=1"),
        (Kind.NUMBER, None, None),
        (Kind.TEXT, "-1.5", "'-1.5"),
        (Kind.TEXT, -1.5, -1.5),
        (Kind.TEXT, "=Sum", "'=Sum"),
        (Kind.TEXT, "\rx", "'\rx"),
        (Kind.TEXT, "Ada", "Ada"),
    ],
)
def test_each_kind_of_column_has_its_rule(kind, value, written):
    result = neutralise(value, kind)
    assert result == written
    assert type(result) is type(written)


def test_a_csv_table_applies_each_columns_kind_and_writes_a_verbatim_header_as_given():
    table = Table(
        ["=id", "-n", "@t"],
        iter([["-dash", -1.5, "-x"]]),
        [Kind.IDENTITY, Kind.NUMBER, Kind.TEXT],
        verbatim_header=True,
    )
    assert b"".join(write_csv(table)).decode() == "=id,-n,@t\r\n-dash,-1.5,'-x\r\n"


def test_a_control_character_in_a_title_or_a_name_is_left_out_of_the_spreadsheet_not_a_broken_download():
    table = Table(["Name", "Week\v1 (b/all) %"], iter([["Ada\x07 Lovelace", 100.0]]))

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(write_xlsx(table))))["Grades"]

    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Name", "Week1 (b/all) %"],
        ["Ada Lovelace", 100],
    ]


# --- the Moodle file's grade items ----------------------------------------------------------------


@pytest.fixture
def hundred(seed, make_bank) -> int:
    make_bank(
        "hundred",
        """
        title: Out of a hundred
        questions:
          - id: q
            type: true_false
            prompt: Is it so?
            answer: true
            points: 100
        quizzes:
          - id: big
            title: Big
            questions: [q]
        """,
    )
    ada = seed.user("ada")
    class_id = seed.classroom(quizzes=(("hundred", "big"),), students=(ada,))
    seed.attempt(ada, {"q": True}, slug="hundred", quiz_id="big")
    return class_id


def test_a_moodle_file_of_quizzes_out_of_100_downloads_at_once(instructor, hundred):
    assert rows_of(instructor, f"/teach/classes/{hundred}/export/grades.moodle")[1] == [
        "ada",
        "Ada",
        "",
        "100.0",
    ]


def test_the_moodle_download_of_a_quiz_not_out_of_100_asks_for_its_grade_item_first(instructor, titled):
    page = instructor.get(f"/teach/classes/{titled}/export/grades.moodle")

    assert page.status_code == 409
    assert page.mimetype == "text/html"
    assert "Moodle would mis-scale this file" in page.text
    assert "<td>=Sum</td><td><code>=Sum (titles/eq)</code></td><td>10</td>" in page.text
    assert f'href="/teach/classes/{titled}/export/grades.moodle?items=created"' in page.text


def test_the_gradebook_opens_the_moodle_link_as_a_page_so_its_check_can_show(instructor, titled):
    page = instructor.get(f"/teach/classes/{titled}/gradebook").text
    assert f'href="/teach/classes/{titled}/export/grades.moodle">' in page
    assert f'href="/teach/classes/{titled}/export/grades.canvas" download>' in page


def test_the_moodle_export_command_refuses_until_told_the_items_exist(app, titled, tmp_path):
    path = tmp_path / "moodle.csv"
    refused = app.test_cli_runner().invoke(
        args=["export", "grades", str(titled), "--format", "moodle", "-o", str(path)]
    )

    assert refused.exit_code == 1
    assert "Moodle would mis-scale this file" in refused.output
    assert "=Sum (titles/eq): maximum 10" in refused.output
    assert not path.exists()

    args = ["export", "grades", str(titled), "--format", "moodle", "--items-created", "-o", str(path)]
    done = app.test_cli_runner().invoke(args=args)
    assert done.exit_code == 0, done.output
    assert path.read_text().splitlines()[1] == "-dash,'=Dash,,10.0,10.0,10.0,10.0"


# --- one quiz's Moodle file: only the students with a grade --------------------------------------


@pytest.fixture
def half_graded(seed) -> int:
    """A class setting `all` (7 points), which Ada has taken, and `review`, which nobody has."""
    ada, bob = seed.user("ada"), seed.user("bob")
    class_id = seed.classroom(quizzes=(("every-type", "all"), ("every-type", "review")), students=(ada, bob))
    seed.attempt(ada, scoring(7))
    return class_id


def quiz_url(class_id: int, quiz_id: str) -> str:
    return f"/teach/classes/{class_id}/export/grades.moodle?bank=every-type&quiz={quiz_id}"


def test_one_quizs_moodle_file_downloads_at_once_with_only_the_graded_students(instructor, half_graded):
    response = instructor.get(quiz_url(half_graded, "all"))
    data = response.get_data(as_text=True)
    response.close()

    # A quiz out of 7, yet no page asking for its grade item: the file is for the item that exists.
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="eurasian-history-grades-moodle-every-type-all.csv"'
    )
    assert data.splitlines() == [
        "Username,Full name,Email address,Every type (every-type/all)",
        "ada,Ada,,7.0",
    ]


def test_a_quiz_nobody_has_a_grade_for_gets_a_message_and_no_file(instructor, half_graded):
    response = instructor.get(quiz_url(half_graded, "review"))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/teach/classes/{half_graded}/gradebook"
    page = text_of(instructor.get(response.headers["Location"]))
    assert (
        "Nobody in Eurasian History has a grade for Random review yet, so there is no Moodle file for it"
        in page
    )


def test_the_gradebook_links_each_graded_quizs_moodle_file_and_says_which_have_no_grade(
    instructor, half_graded
):
    page = text_of(instructor.get(f"/teach/classes/{half_graded}/gradebook"))

    assert f'<a href="{quiz_url(half_graded, "all")}" download>Every type</a>' in page
    assert "Random review (no grade yet)" in page
    assert "quiz=review" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/teach/classes/{c}/export/grades.moodle?bank=every-type&quiz=nope",
        "/teach/classes/{c}/export/grades.moodle?bank=other&quiz=all",
        "/teach/classes/{c}/export/grades.moodle?quiz=all",
        "/teach/classes/{c}/export/grades.canvas?bank=every-type&quiz=all",
    ],
)
def test_a_quiz_the_class_does_not_set_or_a_quiz_for_another_format_is_not_found(
    instructor, half_graded, url
):
    response = instructor.get(url.format(c=half_graded))
    response.close()
    assert response.status_code == 404


def test_the_export_command_writes_one_quizs_moodle_file_and_refuses_a_quiz_without_grades(
    app, instructor, half_graded, tmp_path
):
    path = tmp_path / "all.csv"
    args = ["export", "grades", str(half_graded), "--format", "moodle", "-o", str(path)]
    done = app.test_cli_runner().invoke(args=[*args, "--quiz", "every-type/all"])
    assert done.exit_code == 0, done.output
    response = instructor.get(quiz_url(half_graded, "all"))
    assert path.read_bytes() == response.get_data()
    response.close()

    path.unlink()
    for quiz, fmt, message in (
        ("every-type/review", "moodle", "nobody in Eurasian History has a grade for Random review yet"),
        ("every-type/nope", "moodle", "Eurasian History sets no quiz 'every-type/nope'"),
        ("every-type/all", "canvas", "--quiz is for --format moodle"),
    ):
        refused = app.test_cli_runner().invoke(args=[*args[:4], fmt, *args[5:], "--quiz", quiz])
        assert refused.exit_code == 1
        assert message in refused.output
        assert not path.exists()
