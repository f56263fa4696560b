"""Score exports: every layout and format reopened and read cell by cell, formula injection,
streaming, and the download responses."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from quizapp.grades.exports import (
    CHUNK_ROWS,
    RESPONSE_HEADER,
    XLSX,
    Table,
    neutralise,
    write_csv,
)
from tests.factories import REVIEW, RIGHT, T0, scoring

BOM = b"\xef\xbb\xbf"
CSV_FORMATS = ["csv", "excel-csv", "canvas", "moodle"]
ALL_TITLE = "Every type (every-type/all)"
REVIEW_TITLE = "Random review (every-type/review)"

#: Ada's second attempt at `all`: wrong, partly right, right, unanswered, right within the
#: tolerance, wrong, right: 3.5 of 7.
MIXED = {
    "single-q": "Bishkek",
    "multi-q": ["Russia"],
    "tf-q": True,
    "text-q": None,
    "numeric-q": 98765.0,
    "order-q": ["Delta fourth", "Charlie third", "Bravo second", "Alpha first"],
    "match-q": RIGHT["match-q"],
}


@pytest.fixture
def klass(seed, instructor) -> dict[str, int]:
    """Prof's "Eurasian History" sets `all` (7 points) and `review` (3). Ada: `all` 7/7 then 3.5/7,
    `review` 1/3. Bob: `all` 4/7, and an unsubmitted `review`. Cy: nothing."""
    ada, bob, cy = seed.user("ada"), seed.user("bob"), seed.user("cy")
    class_id = seed.classroom(
        quizzes=(("every-type", "all"), ("every-type", "review")), students=(ada, bob, cy)
    )
    return {
        "class": class_id,
        "ada_1": seed.attempt(ada, scoring(7)),
        "ada_2": seed.attempt(ada, MIXED),
        "ada_review": seed.attempt(ada, scoring(1, REVIEW), quiz_id="review"),
        "bob_1": seed.attempt(bob, scoring(4)),
        "bob_running": seed.attempt(bob, scoring(3, REVIEW), quiz_id="review", submitted=False),
    }


def download(client, class_id: int, fmt: str):
    name = "responses.csv" if fmt == "responses" else f"grades.{fmt}"
    # (The Moodle file of quizzes not out of 100 is for grade items made first: say they are.)
    query = "?items=created" if fmt == "moodle" else ""
    response = client.get(f"/teach/classes/{class_id}/export/{name}{query}")
    # Read the whole stream and close it: a streamed response left open keeps its request
    # context pushed, and a later test would run in this one's app.
    response.get_data()
    response.close()
    assert response.status_code == 200, fmt
    return response


def read_csv(data: bytes) -> list[list[str]]:
    assert not data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def read_xlsx(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Grades"]
    return workbook["Grades"]


# --- the gradebook layout ------------------------------------------------------------------------

GRADEBOOK_HEADER = [
    "Name",
    "Username",
    "Class",
    f"{ALL_TITLE} %",
    f"{ALL_TITLE} attempts",
    f"{REVIEW_TITLE} %",
    f"{REVIEW_TITLE} attempts",
    "Total points",
    "Points possible",
    "Total %",
]


def test_the_csv_gradebook_has_the_documented_header_and_plain_numbers_with_blanks_left_empty(
    instructor, klass
):
    rows = read_csv(download(instructor, klass["class"], "csv").data)

    assert rows == [
        GRADEBOOK_HEADER,
        # Ada: highest of 7/7 and 3.5/7; review 1/3; (7 + 1) of 10.
        ["Ada", "ada", "Eurasian History", "100.0", "2", "33.33", "1", "8.0", "10.0", "80.0"],
        # Bob's unsubmitted review counts nothing.
        ["Bob", "bob", "Eurasian History", "57.14", "1", "", "0", "4.0", "10.0", "40.0"],
        ["Cy", "cy", "Eurasian History", "", "0", "", "0", "0.0", "10.0", "0.0"],
    ]


def test_the_excel_csv_is_the_csv_with_a_utf8_byte_order_mark_first(instructor, seed, klass):
    seed.enrol(klass["class"], seed.user("zoe", "Zoë Ångström"))
    plain = download(instructor, klass["class"], "csv").data
    excel = download(instructor, klass["class"], "excel-csv").data

    assert excel.startswith(BOM)
    assert excel[len(BOM) :] == plain
    assert excel.count(BOM) == 1
    assert excel.decode("utf-8-sig").splitlines()[-1].startswith("Zoë Ångström,zoe,")


def test_the_xlsx_gradebook_has_number_cells_and_a_bold_frozen_header(instructor, klass):
    sheet = read_xlsx(download(instructor, klass["class"], "xlsx").data)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows == [
        GRADEBOOK_HEADER,
        ["Ada", "ada", "Eurasian History", 100, 2, 33.33, 1, 8, 10, 80],
        ["Bob", "bob", "Eurasian History", 57.14, 1, None, 0, 4, 10, 40],
        ["Cy", "cy", "Eurasian History", None, 0, None, 0, 0, 10, 0],
    ]
    for row in sheet.iter_rows(min_row=2):
        for cell in row[3:]:
            assert cell.value is None or (type(cell.value) in (int, float) and cell.data_type == "n"), cell
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])


# --- Canvas and Moodle ---------------------------------------------------------------------------


def test_the_canvas_file_has_canvas_columns_a_points_possible_row_and_points(instructor, klass):
    rows = read_csv(download(instructor, klass["class"], "canvas").data)

    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ALL_TITLE, REVIEW_TITLE],
        ["Points Possible", "", "", "", "", "7.0", "3.0"],
        ["Ada", "", "ada", "ada", "Eurasian History", "7.0", "1.0"],
        ["Bob", "", "bob", "bob", "Eurasian History", "4.0", ""],
        ["Cy", "", "cy", "cy", "Eurasian History", "", ""],
    ]


def test_the_canvas_file_gives_points_not_percentages_for_a_partly_right_best(instructor, seed, klass):
    dee = seed.user("dee")
    seed.enrol(klass["class"], dee)
    seed.attempt(dee, MIXED)  # 3.5 of 7
    rows = read_csv(download(instructor, klass["class"], "canvas").data)
    assert rows[-1] == ["Dee", "", "dee", "dee", "Eurasian History", "3.5", ""]


def test_the_moodle_file_has_username_full_name_email_then_one_column_of_points_per_quiz(instructor, klass):
    rows = read_csv(download(instructor, klass["class"], "moodle").data)

    assert rows == [
        ["Username", "Full name", "Email address", ALL_TITLE, REVIEW_TITLE],
        ["ada", "Ada", "", "7.0", "1.0"],
        ["bob", "Bob", "", "4.0", "-"],
        ["cy", "Cy", "", "-", "-"],
    ]


# --- every response ------------------------------------------------------------------------------

DOCUMENTED_RESPONSE_COLUMNS = [
    "class",
    "username",
    "name",
    "bank",
    "quiz",
    "quiz_title",
    "attempt_id",
    "attempt_number",
    "started_at_utc",
    "submitted_at_utc",
    "position",
    "question_id",
    "question_type",
    "response",
    "correct_answer",
    "points",
    "max_points",
    "outcome",
]


def test_the_responses_csv_has_one_row_per_student_attempt_and_question_of_submitted_attempts(
    instructor, klass
):
    data = download(instructor, klass["class"], "responses").data
    assert RESPONSE_HEADER == DOCUMENTED_RESPONSE_COLUMNS
    assert read_csv(data)[0] == DOCUMENTED_RESPONSE_COLUMNS
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))

    # Ada: 7 + 7 + 3 questions; Bob: 7 (his unsubmitted review is left out); Cy: none.
    assert [(r["username"], int(r["attempt_id"])) for r in rows] == (
        [("ada", klass["ada_1"])] * 7
        + [("ada", klass["ada_2"])] * 7
        + [("ada", klass["ada_review"])] * 3
        + [("bob", klass["bob_1"])] * 7
    )
    assert {r["class"] for r in rows} == {"Eurasian History"}
    assert [r["position"] for r in rows[14:17]] == ["1", "2", "3"]
    assert [r["quiz"] for r in rows[14:17]] == ["review"] * 3
    assert {r["attempt_number"] for r in rows if r["username"] == "bob"} == {"1"}


def test_the_responses_csv_words_a_hand_made_attempt_as_its_result_page_does(instructor, klass):
    data = download(instructor, klass["class"], "responses").data
    rows = [r for r in csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))]
    second = [r for r in rows if r["attempt_id"] == str(klass["ada_2"])]

    started = T0 + timedelta(minutes=10)  # the second attempt seeded
    common = {
        "class": "Eurasian History",
        "username": "ada",
        "name": "Ada",
        "bank": "every-type",
        "quiz": "all",
        "quiz_title": "Every type",
        "attempt_id": str(klass["ada_2"]),
        "attempt_number": "2",
        "started_at_utc": "2026-03-02T09:10:00",
        "submitted_at_utc": "2026-03-02T09:17:00",
        "max_points": "1.0",
    }
    expected = [
        ("single-q", "single", "Bishkek", "Astana", "0.0", "wrong"),
        ("multi-q", "multi", "Russia", "Russia; Belarus", "0.5", "partial"),
        ("tf-q", "true_false", "True", "True", "1.0", "correct"),
        ("text-q", "text", "", "Zyxwvuts City (also accepted: Zyxwvuts)", "0.0", "unanswered"),
        ("numeric-q", "numeric", "98765", "98765.4321 (± 0.5)", "1.0", "correct"),
        (
            "order-q",
            "order",
            "Delta fourth → Charlie third → Bravo second → Alpha first",
            "Alpha first → Bravo second → Charlie third → Delta fourth",
            "0.0",
            "wrong",
        ),
        (
            "match-q",
            "match",
            "Tokayev → Kazakhstan; Lukashenko → Belarus; Pashinyan → Armenia",
            "Tokayev → Kazakhstan; Lukashenko → Belarus; Pashinyan → Armenia",
            "1.0",
            "correct",
        ),
    ]
    assert len(second) == len(expected)
    for position, (row, (qid, kind, given, key, points, outcome)) in enumerate(
        zip(second, expected, strict=True), start=1
    ):
        assert row == {
            **common,
            "position": str(position),
            "question_id": qid,
            "question_type": kind,
            "response": given,
            "correct_answer": key,
            "points": points,
            "outcome": outcome,
        }
    assert datetime.fromisoformat(second[0]["started_at_utc"]).replace(tzinfo=UTC) == started
    assert datetime.fromisoformat(second[0]["submitted_at_utc"]).replace(tzinfo=UTC) == started + timedelta(
        minutes=7
    )


def test_the_responses_csv_of_a_class_with_no_quiz_set_is_just_the_header(instructor, seed):
    ada = seed.user("ada")
    class_id = seed.classroom(quizzes=(), students=(ada,))
    seed.attempt(ada, scoring(7))
    assert read_csv(download(instructor, class_id, "responses").data) == [RESPONSE_HEADER]


# --- formula injection ---------------------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://example.com","x")', "@SUM(1+1)", "+1", "-2", "\tTab"]
HOSTILE_CLASS = "=cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@pytest.fixture
def hostile(seed, instructor) -> int:
    users = [seed.user(f"user{i}", name) for i, name in enumerate(HOSTILE_NAMES)]
    class_id = seed.classroom(HOSTILE_CLASS, students=tuple(users))
    for i, user in enumerate(users):
        seed.attempt(user, scoring(i))
    return class_id


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("fmt", [*CSV_FORMATS, "responses"])
def test_every_csv_format_prefixes_text_a_spreadsheet_would_run_with_an_apostrophe(instructor, hostile, fmt):
    data = download(instructor, hostile, fmt).data
    if fmt == "excel-csv":
        data = data.removeprefix(BOM)
    cells = [cell for row in read_csv(data) for cell in row]

    for cell in cells:
        no_grade = fmt == "moodle" and cell == "-"
        assert not cell.startswith(FORMULA_STARTS) or is_number(cell) or no_grade, repr(cell)
    for typed in [*HOSTILE_NAMES, HOSTILE_CLASS]:
        if fmt == "moodle" and typed == HOSTILE_CLASS:
            continue  # Moodle's layout has no class column
        assert "'" + typed in cells, typed
        assert typed not in cells, typed
    apostrophed = [cell for cell in cells if cell.startswith("'")]
    assert all(cell[1:].startswith(FORMULA_STARTS) for cell in apostrophed), apostrophed


def test_the_xlsx_holds_no_formula_and_the_names_read_exactly_as_typed(instructor, hostile):
    sheet = read_xlsx(download(instructor, hostile, "xlsx").data)
    cells = [cell for row in sheet.iter_rows() for cell in row]

    assert [cell.data_type for cell in cells if cell.data_type == "f"] == []
    assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == sorted(HOSTILE_NAMES)
    assert {row[2].value for row in sheet.iter_rows(min_row=2)} == {HOSTILE_CLASS}
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (0, 0),
        (12.5, 12.5),
        (-2, -2),
        (-0.25, -0.25),
        ("", ""),
        ("Ada", "Ada"),
        ("a=b", "a=b"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tTab", "'\tTab"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("'=quoted", "'=quoted"),
    ],
)
def test_neutralise_prefixes_formula_text_and_leaves_numbers_and_plain_text_alone(value, expected):
    result = neutralise(value)
    assert result == expected
    assert type(result) is type(expected)


# --- streaming -----------------------------------------------------------------------------------


def test_write_csv_streams_1200_rows_in_chunks_of_500_that_join_into_the_one_shot_csv():
    assert CHUNK_ROWS == 500
    header = ["name", "number", "fraction"]
    data = [[f"student {i}", i, i / 8] for i in range(1200)]
    consumed: list[int] = []

    def rows():
        for i, row in enumerate(data):
            consumed.append(i)
            yield row

    chunks = write_csv(Table(header, rows()))
    first = next(chunks)
    assert len(consumed) == 500  # nothing read ahead of the first chunk
    rest = list(chunks)

    assert len(rest) >= 2
    assert first.count(b"\r\n") == 1 + 500
    assert [chunk.count(b"\r\n") for chunk in rest] == [500, 200]
    one_shot = io.StringIO()
    writer = csv.writer(one_shot, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(data)
    assert b"".join([first, *rest]) == one_shot.getvalue().encode("utf-8")


def test_write_csv_with_a_bom_writes_it_once_at_the_start_of_a_streamed_file():
    table = Table(["name"], ([f"Zoë {i}"] for i in range(1200)))
    chunks = list(write_csv(table, bom=True))
    assert len(chunks) > 1
    joined = b"".join(chunks)
    assert joined.startswith(BOM)
    assert joined.count(BOM) == 1
    assert joined.decode("utf-8-sig").splitlines()[1200] == "Zoë 1199"


# --- the download responses ----------------------------------------------------------------------


DOWNLOADS = [
    ("csv", "eurasian-history-grades-csv.csv", "text/csv; charset=utf-8"),
    ("excel-csv", "eurasian-history-grades-excel-csv.csv", "text/csv; charset=utf-8"),
    ("xlsx", "eurasian-history-grades-xlsx.xlsx", XLSX),
    ("canvas", "eurasian-history-grades-canvas.csv", "text/csv; charset=utf-8"),
    ("moodle", "eurasian-history-grades-moodle.csv", "text/csv; charset=utf-8"),
    ("responses", "eurasian-history-responses.csv", "text/csv; charset=utf-8"),
]


@pytest.mark.parametrize(("fmt", "filename", "content_type"), DOWNLOADS)
def test_each_download_is_an_attachment_with_a_sane_filename_and_its_mimetype(
    instructor, klass, fmt, filename, content_type
):
    response = download(instructor, klass["class"], fmt)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.mimetype == content_type.split(";")[0]


@pytest.mark.parametrize(("fmt", "filename", "content_type"), DOWNLOADS)
def test_each_download_names_its_content_type_with_one_charset_parameter_at_most(
    instructor, klass, fmt, filename, content_type
):
    response = download(instructor, klass["class"], fmt)
    assert response.headers["Content-Type"] == content_type


@pytest.mark.parametrize(("fmt", "filename", "content_type"), DOWNLOADS)
def test_no_download_is_kept_in_a_browser_or_proxy_cache(instructor, klass, fmt, filename, content_type):
    assert download(instructor, klass["class"], fmt).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("fmt", ["grades.csv", "grades.xlsx", "responses.csv"])
def test_downloads_are_streamed(instructor, klass, fmt):
    response = instructor.get(f"/teach/classes/{klass['class']}/export/{fmt}")
    try:
        assert response.is_streamed
    finally:
        response.get_data()
        response.close()


def test_an_unknown_export_format_is_404(instructor, klass):
    assert instructor.get(f"/teach/classes/{klass['class']}/export/grades.pdf").status_code == 404


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ('Eurasian "History" / 2026', "eurasian-history-2026-grades-csv.csv"),
        ("!!!", "class-grades-csv.csv"),
        ("../../etc/passwd", "etc-passwd-grades-csv.csv"),
    ],
)
def test_a_class_name_with_quotes_slashes_or_only_punctuation_gives_a_sane_filename(
    instructor, seed, name, filename
):
    class_id = seed.classroom(name)
    disposition = download(instructor, class_id, "csv").headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{filename}"'


def test_a_class_named_in_cyrillic_gets_a_download_header_a_wsgi_server_can_send(instructor, seed):
    # PEP 3333: header values must be latin-1; a real server (werkzeug's, gunicorn) fails to send
    # anything else. The plain filename= parameter should be ASCII (a filename*= may carry UTF-8).
    class_id = seed.classroom("История 1")
    response = download(instructor, class_id, "csv")
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")
    match = re.search(r'filename="([^"]*)"', disposition)
    assert match, disposition
    assert match.group(1).isascii(), disposition
    assert match.group(1).endswith(".csv")


def test_a_download_includes_an_attempt_submitted_since_the_last_download(instructor, seed, klass):
    before = download(instructor, klass["class"], "csv").data
    seed.attempt(seed.user_id("cy"), scoring(7))
    after = download(instructor, klass["class"], "csv").data
    assert before != after
    assert read_csv(after)[3] == [
        "Cy",
        "cy",
        "Eurasian History",
        "100.0",
        "1",
        "",
        "0",
        "7.0",
        "10.0",
        "70.0",
    ]
