"""`quizapp export grades|responses`: the same files as the gradebook's download buttons."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from quizapp.classrooms.operations import show_code
from quizapp.extensions import db
from quizapp.models import Classroom
from tests.factories import REVIEW, scoring


@pytest.fixture
def klass(seed, instructor) -> int:
    """Prof's class with two quizzes set and three students: one with attempts at both, one at one,
    one at neither."""
    ada, bob, cy = seed.user("ada"), seed.user("bob", "Bob Zoë"), seed.user("cy")
    class_id = seed.classroom(
        quizzes=(("every-type", "all"), ("every-type", "review")), students=(ada, bob, cy)
    )
    seed.attempt(ada, scoring(7))
    seed.attempt(ada, scoring(2))
    seed.attempt(ada, scoring(1, REVIEW), quiz_id="review")
    seed.attempt(bob, scoring(4))
    return class_id


def downloaded(client, url: str) -> bytes:
    response = client.get(url)
    data = response.get_data()
    response.close()
    assert response.status_code == 200, url
    return data


def export(app, *args: str):
    return app.test_cli_runner().invoke(args=["export", *args])


def join_code_of(app, class_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Classroom.join_code).where(Classroom.id == class_id))


@pytest.mark.parametrize("fmt", ["canvas", "csv", "excel-csv", "moodle"])
def test_export_grades_writes_the_same_bytes_as_the_download(app, instructor, klass, tmp_path, fmt):
    path = tmp_path / f"grades-{fmt}.csv"
    moodle = fmt == "moodle"  # its quizzes are not out of 100: their grade items are made first
    result = export(
        app, "grades", str(klass), "--format", fmt, "-o", str(path), *["--items-created"] * moodle
    )

    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in result.output
    expected = downloaded(
        instructor, f"/teach/classes/{klass}/export/grades.{fmt}{'?items=created' * moodle}"
    )
    assert path.read_bytes() == expected
    assert b"Bob Zo\xc3\xab" in expected


def test_export_grades_finds_the_class_by_its_join_code_however_it_is_typed(app, instructor, klass, tmp_path):
    expected = downloaded(instructor, f"/teach/classes/{klass}/export/grades.canvas")
    code = join_code_of(app, klass)
    for typed in (code, show_code(code).lower(), f" {show_code(code)} "):
        path = tmp_path / "canvas.csv"
        result = export(app, "grades", typed, "--format", "canvas", "-o", str(path))
        assert result.exit_code == 0, (typed, result.output)
        assert path.read_bytes() == expected, typed


def test_export_grades_as_xlsx_holds_the_same_cells_as_the_download(app, instructor, klass, tmp_path):
    path = tmp_path / "grades.xlsx"
    result = export(app, "grades", str(klass), "--format", "xlsx", "-o", str(path))
    assert result.exit_code == 0, result.output

    def cells(data: bytes) -> list[list[object]]:
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Grades"]
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    expected = cells(downloaded(instructor, f"/teach/classes/{klass}/export/grades.xlsx"))
    assert cells(path.read_bytes()) == expected
    assert expected[1][:4] == ["Ada", "ada", "Eurasian History", 100]


def test_export_grades_without_a_file_writes_csv_to_standard_output(app, instructor, klass):
    result = export(app, "grades", str(klass))
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == downloaded(instructor, f"/teach/classes/{klass}/export/grades.csv")


def test_export_responses_writes_the_same_bytes_as_the_download(app, instructor, klass, tmp_path):
    path = tmp_path / "responses.csv"
    result = export(app, "responses", join_code_of(app, klass), "-o", str(path))

    assert result.exit_code == 0, result.output
    expected = downloaded(instructor, f"/teach/classes/{klass}/export/responses.csv")
    assert path.read_bytes() == expected
    assert expected.count(b"\r\n") == 1 + 7 + 7 + 3 + 7


def test_export_responses_by_class_number_to_standard_output(app, instructor, klass):
    result = export(app, "responses", str(klass))
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == downloaded(instructor, f"/teach/classes/{klass}/export/responses.csv")


@pytest.mark.parametrize("command", ["grades", "responses"])
@pytest.mark.parametrize("ref", ["999", "NOPE-NOPE", "²", "99999999999999999999"])
def test_an_unknown_class_exits_non_zero_with_a_message_and_writes_no_file(
    app, instructor, klass, tmp_path, command, ref
):
    path = tmp_path / "out.csv"
    result = export(app, command, ref, "-o", str(path))

    assert result.exit_code != 0
    assert f"no class '{ref}'" in result.output
    assert not isinstance(result.exception, ValueError | OverflowError), repr(result.exception)
    assert not path.exists()


def test_an_unknown_format_is_a_usage_error_that_lists_the_formats(app, klass, tmp_path):
    path = tmp_path / "out.pdf"
    result = export(app, "grades", str(klass), "--format", "pdf", "-o", str(path))

    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output
    for fmt in ("csv", "excel-csv", "xlsx", "canvas", "moodle"):
        assert f"'{fmt}'" in result.output
    assert not Path(path).exists()
