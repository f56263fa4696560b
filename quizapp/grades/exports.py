"""Score exports: row builders that stream from the database, and writers for CSV and XLSX.

Every layout is a ``Table`` (a header, the kind of each column and an iterator of rows) built by a
plain function; every format is a writer turning a table into chunks of bytes. ``EXPORTERS`` pairs
them. Each column declares its ``Kind``, and ``neutralise`` applies one rule per kind for every
format: identities (usernames, e-mails) are written exactly as stored, numbers as numbers, and free
text that a spreadsheet would run as a formula is made inert (in CSV by a leading apostrophe; in
XLSX every text is a string cell, which never runs).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import select

from quizapp.banks import BankRegistry
from quizapp.extensions import db
from quizapp.grades import reports
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, Response, User
from quizapp.questions import from_snapshot

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Value = str | float | int | None
#: How a text cell that a spreadsheet would read as a formula or command may begin.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Rows a CSV writer gathers before handing on a chunk.
CHUNK_ROWS = 500
#: Moodle's mark for "no grade" in an imported file: the student is left without a grade. A blank
#: cell would be read as 0 for a new grade item.
NO_GRADE = "-"
#: A text that is a plain number: a spreadsheet reads it as that number, never as a formula.
PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class Kind(Enum):
    """What a column holds, which says how its cells are written in every format."""

    #: Who a row is (username, SIS id, e-mail) and the ids of banks, quizzes and questions: written
    #: exactly as stored, or an importer matching on it would not find the person. Their rules leave
    #: no formula a spreadsheet could run (no parentheses; a leading "-" shows as #NAME? at worst).
    IDENTITY = "identity"
    #: Numbers, written as numbers (``-1.5`` stays ``-1.5``), and Moodle's no-grade mark ``-``.
    NUMBER = "number"
    #: Free text (names, class names, answers): a cell a spreadsheet would run is made inert.
    TEXT = "text"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterable[list[Value]]
    #: The kind of each column, in header order; a table that names none is all text.
    kinds: Sequence[Kind] = ()
    #: Header cells written exactly as given: the quiz titles of a file for Canvas or Moodle, whose
    #: importers take them as the names of grade items (an apostrophe would become part of a name).
    verbatim_header: bool = False

    def kind(self, i: int) -> Kind:
        return self.kinds[i] if self.kinds else Kind.TEXT


def neutralise(value: Value, kind: Kind = Kind.TEXT) -> Value:
    """A cell as it is written to a CSV file: the one rule for every export.

    Identities are never altered; a number column keeps numbers, plain-number texts and the
    no-grade mark as they are; any other text that a spreadsheet would run as a formula (it starts
    with ``=``, ``+``, ``-``, ``@``, a tab or a line break) gets a leading apostrophe."""
    if kind is Kind.IDENTITY or not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if kind is Kind.NUMBER and (value == NO_GRADE or PLAIN_NUMBER.fullmatch(value)):
        return value
    return "'" + value


# -- layouts ----------------------------------------------------------------------------------


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 2)


def _points(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def gradebook_table(classroom: Classroom, banks: BankRegistry) -> Table:
    """Our own layout: per quiz, the grade in percent and the number of attempts; then totals."""
    cols = reports.columns(classroom, banks)
    header = ["Name", "Username", "Class"]
    for col in cols:
        # A quiz not open yet is left out of the totals (``reports.possible_points``): its header says so.
        name = f"{col.title} ({col.bank_slug}/{col.quiz_id}){'' if col.counts else ' not yet open, not in total'}"
        header += [f"{name} %", f"{name} attempts"]
    header += ["Total points", "Points possible", "Total %"]
    kinds = [Kind.TEXT, Kind.IDENTITY, Kind.TEXT, *[Kind.NUMBER] * (len(header) - 3)]
    possible = round(reports.possible_points(cols), 4)

    def rows() -> Iterator[list[Value]]:
        for row in reports.rows(classroom, cols):
            cells: list[Value] = [row.display_name, row.username, classroom.name]
            for cell in row.cells:
                cells += [_percent(cell.fraction), cell.attempts]
            cells += [_points(row.total_points(cols)), possible, _percent(row.total)]
            yield cells

    return Table(header, rows(), kinds)


def canvas_table(classroom: Classroom, banks: BankRegistry) -> Table:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one
    "Title (id)" column of points per quiz, with a "Points Possible" row first."""
    cols = reports.columns(classroom, banks)
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    header += [f"{col.title} ({col.bank_slug}/{col.quiz_id})" for col in cols]
    kinds = [Kind.TEXT, Kind.IDENTITY, Kind.IDENTITY, Kind.IDENTITY, Kind.TEXT, *[Kind.NUMBER] * len(cols)]

    def rows() -> Iterator[list[Value]]:
        yield ["Points Possible", None, None, None, None, *(_points(c.max_points) for c in cols)]
        for row in reports.rows(classroom, cols):
            # ID is Canvas's own number for the student, which quizapp cannot know: left blank,
            # Canvas matches on the SIS columns (the quizapp username) instead.
            yield [
                row.display_name,
                None,
                row.username,
                row.username,
                classroom.name,
                *(_points(cell.points(col)) for cell, col in zip(row.cells, cols, strict=True)),
            ]

    return Table(header, rows(), kinds, verbatim_header=True)


#: The maximum Moodle gives a grade item its CSV import creates ("New grade item").
MOODLE_NEW_ITEM_MAXIMUM = 100.0


def moodle_table(classroom: Classroom, banks: BankRegistry, quiz: reports.Column | None = None) -> Table:
    """Moodle's CSV grade import: identifying columns (map "Username" to username, or "Email
    address" to email address), then one column per quiz of the points earned, as they are entered
    in a grade item whose maximum is the quiz's (``moodle_items_to_create``); ``-`` for no grade.

    With ``quiz`` (one of the class's, from ``moodle_quiz``), its column alone and only the students
    who have a grade in it: Moodle stores a ``-`` mapped onto an existing grade item as "no grade",
    over any grade there, and a student who is not in the file keeps theirs."""
    cols = reports.columns(classroom, banks) if quiz is None else [quiz]
    header = [
        "Username",
        "Full name",
        "Email address",
        *(f"{col.title} ({col.bank_slug}/{col.quiz_id})" for col in cols),
    ]
    kinds = [Kind.IDENTITY, Kind.TEXT, Kind.IDENTITY, *[Kind.NUMBER] * len(cols)]
    # Moodle's import keeps the previous line's student for a line whose identity cell is blank:
    # mapped by e-mail, a student without one would get the grades of the student above. So the
    # addresses are given only when every student has one; an empty column fails such an import.
    emails = _every_student_has_an_email(classroom)

    def rows() -> Iterator[list[Value]]:
        for row in reports.rows(classroom, cols):
            if quiz is not None and row.cells[0].fraction is None:
                continue
            points = (_points(cell.points(col)) for cell, col in zip(row.cells, cols, strict=True))
            email = row.email if emails else None
            yield [row.username, row.display_name, email, *(NO_GRADE if p is None else p for p in points)]

    return Table(header, rows(), kinds, verbatim_header=True)


def _every_student_has_an_email(classroom: Classroom) -> bool:
    missing = (
        select(Enrollment.user_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.classroom_id == classroom.id, User.email.is_(None))
        .limit(1)
    )
    return db.session.scalar(missing) is None


def moodle_quiz(classroom: Classroom, banks: BankRegistry, slug: str, quiz_id: str) -> reports.Column | None:
    """The class's column of the quiz ``slug``/``quiz_id``: None if the class does not set it."""
    return next(
        (c for c in reports.columns(classroom, banks) if (c.bank_slug, c.quiz_id) == (slug, quiz_id)), None
    )


def moodle_items_to_create(classroom: Classroom, banks: BankRegistry) -> list[reports.Column]:
    """The quizzes whose column Moodle would mis-scale if its import made their grade items: those
    whose maximum is not the 100 it gives a new item. Their items are to be made first, each with
    the quiz's maximum, and their columns mapped onto them (docs/exports.md)."""
    return [col for col in reports.columns(classroom, banks) if col.max_points != MOODLE_NEW_ITEM_MAXIMUM]


RESPONSE_HEADER = [
    "class", "username", "name", "bank", "quiz", "quiz_title", "attempt_id", "attempt_number",
    "started_at_utc", "submitted_at_utc", "position", "question_id", "question_type", "response",
    "correct_answer", "points", "max_points", "outcome",
]  # fmt: skip
RESPONSE_KINDS = [
    Kind.TEXT, Kind.IDENTITY, Kind.TEXT, Kind.IDENTITY, Kind.IDENTITY, Kind.TEXT, Kind.NUMBER, Kind.NUMBER,
    Kind.TEXT, Kind.TEXT, Kind.NUMBER, Kind.IDENTITY, Kind.IDENTITY, Kind.TEXT,
    Kind.TEXT, Kind.NUMBER, Kind.NUMBER, Kind.TEXT,
]  # fmt: skip
#: How the responses file writes a moment: UTC, in ISO 8601 without an offset, which LibreOffice's
#: import defaults read as a date and time (not with a space for the "T", nor with "+00:00").
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S"


def responses_table(classroom: Classroom) -> Table:
    """One row per student, attempt and question, for analysis in pandas or R: the attempts made
    for the class's assignments (never practice, nor another class's)."""

    def rows() -> Iterator[list[Value]]:
        query = (
            select(User.username, User.display_name, Attempt, Response)
            .join(Enrollment, Enrollment.user_id == User.id)
            .join(Attempt, Attempt.user_id == User.id)
            .join(Assignment, Assignment.id == Attempt.assignment_id)
            .join(Response, Response.attempt_id == Attempt.id)
            .where(
                Enrollment.classroom_id == classroom.id,
                Assignment.classroom_id == classroom.id,
                Attempt.submitted_at.is_not(None),
            )
            .order_by(User.display_name, User.id, Attempt.id, Response.position)
            .execution_options(yield_per=2000)
        )
        for username, name, attempt, response in db.session.execute(query):
            question = from_snapshot(response.question)
            given = question.response_text(response.answer)
            yield [
                classroom.name, username, name, attempt.bank_slug, attempt.quiz_id, attempt.quiz_title,
                attempt.id, attempt.number, _utc(attempt.started_at), _utc(attempt.submitted_at),
                response.position + 1, response.question_id, response.question_type,
                _number(given) if response.question_type == "numeric" else given, question.answer_text(),
                _points(response.points), _points(response.max_points), response.outcome,
            ]  # fmt: skip

    return Table(RESPONSE_HEADER, rows(), RESPONSE_KINDS)


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime(UTC_FORMAT)


def _number(text: str) -> Value:
    """A numeric answer as a number (``-1.5``), so that no spreadsheet takes it for a formula;
    an answer that is no plain number stays text."""
    if not PLAIN_NUMBER.fullmatch(text):
        return text
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


# -- writers ----------------------------------------------------------------------------------


def write_csv(table: Table, bom: bool = False) -> Iterator[bytes]:
    """UTF-8 CSV in chunks; with ``bom``, the byte-order mark Excel needs to read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(table.header if table.verbatim_header else [neutralise(h) for h in table.header])
    kinds = [table.kind(i) for i in range(len(table.header))]
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([neutralise(v, kind) for v, kind in zip(row, kinds, strict=True)])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(table: Table) -> Iterator[bytes]:
    """An XLSX workbook: numbers as numbers, every text a string cell (never a formula, so nothing
    needs an apostrophe: identities, titles and names read exactly as stored), the header row bold
    and frozen. Rows go to disk as they come; only the finished file is read back."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Grades")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, h, bold) for h in table.header])
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    with tempfile.TemporaryFile() as f:
        workbook.save(f)
        f.seek(0)
        while chunk := f.read(64 * 1024):
            yield chunk


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value, font: Font | None = None) -> Cell:
    if isinstance(value, str):
        # XLSX cannot hold a control character, and openpyxl raises on one part-way through the
        # download; the bank loader refuses them in titles, but a name may still carry one.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
    if font is not None:
        cell.font = font
    return cell


@dataclass(frozen=True)
class Exporter:
    label: str
    extension: str
    mimetype: str
    table: Callable[[Classroom, BankRegistry], Table]
    write: Callable[[Table], Iterator[bytes]]


CSV = "text/csv"  # Werkzeug adds "; charset=utf-8" to text types
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Gradebook formats by name: what ``quizapp export grades --format`` and the download buttons offer.
EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter("CSV", "csv", CSV, gradebook_table, write_csv),
    "excel-csv": Exporter("CSV for Excel", "csv", CSV, gradebook_table, lambda t: write_csv(t, bom=True)),
    "xlsx": Exporter("Excel workbook", "xlsx", XLSX, gradebook_table, write_xlsx),
    "canvas": Exporter("Canvas import", "csv", CSV, canvas_table, write_csv),
    "moodle": Exporter("Moodle import", "csv", CSV, moodle_table, write_csv),
}


def export_filename(classroom: Classroom, what: str, extension: str) -> str:
    # HTTP headers carry Latin-1 only: the file name keeps the class name's ASCII letters and digits.
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in classroom.name.lower())
    safe = "-".join(part for part in safe.split("-") if part) or "class"
    return f"{safe}-{what}.{extension}"
