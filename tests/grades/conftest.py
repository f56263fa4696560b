"""The ``libreoffice`` fixture: grade files opened by a real LibreOffice Calc (Debian's
``libreoffice-calc-nogui``, headless), read back cell by cell with the type Calc gave each cell.

Without LibreOffice these tests are skipped, unless CI=true or QUIZAPP_REQUIRE_LIBREOFFICE=1 (as in
.ci/run) makes that a failure."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the files LibreOffice wrote here
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: How long one ``soffice`` run may take, start-up included, before the test fails.
SOFFICE_TIMEOUT = 120

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


@dataclass(frozen=True)
class CsvImport:
    """The choices of Calc's Text Import dialog that decide what a cell becomes. The file is read
    as UTF-8, comma-separated, '"'-quoted, from its first line, with English (USA) as the language
    so that '.' is the decimal point whatever the machine's locale."""

    #: "Detect special numbers": dates, times and scientific notation, not only decimal numbers.
    detect_special_numbers: bool
    #: "Evaluate formulas": a cell starting with '=' becomes a formula.
    evaluate_formulas: bool

    def filter_options(self) -> str:
        """The ``--infilter`` value: the CSV filter's tokens, in the order LibreOffice documents
        them (separator, quote, charset 76 = UTF-8, first line, column formats, language 1033,
        quoted field as text, detect special numbers, three export-only tokens, evaluate formulas)."""
        flag = {True: "true", False: "false"}
        return (
            f"CSV:44,34,76,1,,1033,false,{flag[self.detect_special_numbers]},false,false,false,-1,"
            f"{flag[self.evaluate_formulas]}"
        )


@dataclass(frozen=True)
class Cell:
    #: Calc's type for the cell (``office:value-type``): "float", "string", "date", "percentage",
    #: "boolean"…; None for an empty cell.
    type: str | None
    #: The value behind the cell: the number (``office:value``) or the moment (``office:date-value``).
    value: str | None
    #: What the cell shows.
    text: str
    #: The formula, if Calc made one (``table:formula``).
    formula: str | None


EMPTY = Cell(None, None, "", None)


@dataclass(frozen=True)
class Sheet:
    """The first sheet of an opened file, trailing empty cells and rows left out."""

    rows: list[list[Cell]]

    def records(self) -> list[dict[str, Cell]]:
        """The rows under the header, each as {header text: cell}."""
        header = [cell.text for cell in self.rows[0]]
        return [
            {name: row[i] if i < len(row) else EMPTY for i, name in enumerate(header)}
            for row in self.rows[1:]
        ]


@dataclass
class LibreOffice:
    """Opens files in LibreOffice Calc: the files of one call in one ``soffice`` run for each kind of
    import, and a file already opened the same way (the same bytes) is not opened again."""

    soffice: str
    folder: Path
    opened: dict[tuple[str, CsvImport | None], Sheet] = field(default_factory=dict)
    runs: int = 0

    def open(
        self,
        files: Mapping[str, bytes],
        *,
        detect_special_numbers: bool = False,
        evaluate_formulas: bool = False,
    ) -> dict[str, Sheet]:
        """Each file (name: content) as Calc reads it, by name: a ``.csv`` through the Text Import
        dialog's choices (by default as it opens a CSV the first time: LibreOffice's defaults, its
        registry's CSVImport settings, leave both off), any other file by its type."""
        csv_import = CsvImport(detect_special_numbers, evaluate_formulas)

        def key(name: str, content: bytes) -> tuple[str, CsvImport | None]:
            how = csv_import if name.endswith(".csv") else None
            return f"{Path(name).suffix}:{_content_hash(content)}", how

        new = {name: content for name, content in files.items() if key(name, content) not in self.opened}
        if new:
            for name, sheet in self._convert(new, csv_import).items():
                self.opened[key(name, new[name])] = sheet
        return {name: self.opened[key(name, content)] for name, content in files.items()}

    def _convert(self, files: Mapping[str, bytes], csv_import: CsvImport) -> dict[str, Sheet]:
        self.runs += 1
        run = self.folder / f"run{self.runs}"
        out = run / "out"
        out.mkdir(parents=True)
        # Numbered, since soffice names each output after its input's stem: grades.csv and grades.xlsx
        # would both write grades.fods.
        inputs = {name: run / f"{i}{Path(name).suffix}" for i, name in enumerate(files)}
        for name, content in files.items():
            inputs[name].write_bytes(content)
        command = [
            self.soffice,
            # A profile of its own: parallel test workers' LibreOffices do not share (and lock) one.
            f"-env:UserInstallation={(self.folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            f"--infilter={csv_import.filter_options()}",  # used for the .csv files only
            "--convert-to",
            "fods",
            "--outdir",
            str(out),
            *map(str, inputs.values()),
        ]
        # A session of its own, so that a timeout ends soffice.bin too, not only its launcher.
        process = subprocess.Popen(  # noqa: S603 - a fixed local binary, arguments made here
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            stdout, stderr = process.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"soffice did not finish converting {', '.join(files)} in {SOFFICE_TIMEOUT} s")
        sheets = {}
        for name, path in inputs.items():
            converted = out / f"{path.stem}.fods"
            if not converted.exists():
                pytest.fail(
                    f"soffice did not convert {name} (exit {process.returncode}):\n"
                    f"{stdout.decode(errors='replace')}{stderr.decode(errors='replace')}"
                )
            sheets[name] = read_fods(converted)
        return sheets


def _content_hash(content: bytes) -> str:
    """The file's hash; for a ZIP file (XLSX), of its parts but the one that records when it was
    made, so that the same workbook written a second later is the same."""
    digest = hashlib.sha256()
    if not zipfile.is_zipfile(io.BytesIO(content)):
        digest.update(content)
        return digest.hexdigest()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part in sorted(archive.namelist()):
            if part != "docProps/core.xml":
                digest.update(part.encode() + b"\0" + archive.read(part) + b"\0")
    return digest.hexdigest()


def read_fods(path: Path) -> Sheet:
    """The first sheet of a flat OpenDocument spreadsheet."""
    table = ET.parse(path).getroot().find(f".//{{{TABLE}}}table")  # noqa: S314 - LibreOffice's own output
    assert table is not None, f"{path} has no sheet"
    rows: list[list[Cell]] = []
    for row in table.iter(f"{{{TABLE}}}table-row"):
        cells: list[Cell] = []
        for element in row:
            if element.tag not in (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"):
                continue
            cell = Cell(
                type=element.get(f"{{{OFFICE}}}value-type"),
                value=element.get(f"{{{OFFICE}}}value") or element.get(f"{{{OFFICE}}}date-value"),
                text="\n".join(_text(p) for p in element.findall(f"{{{TEXT}}}p")),
                formula=element.get(f"{{{TABLE}}}formula"),
            )
            cells += [cell] * int(element.get(f"{{{TABLE}}}number-columns-repeated", "1"))
        while cells and cells[-1] == EMPTY:
            cells.pop()
        rows += [cells] * int(row.get(f"{{{TABLE}}}number-rows-repeated", "1"))
    while rows and not rows[-1]:
        rows.pop()
    return Sheet(rows)


def _text(paragraph: ET.Element) -> str:
    """A paragraph's text, with the spaces, tabs and line breaks ODF writes as elements."""
    parts = [paragraph.text or ""]
    for child in paragraph:
        if child.tag == f"{{{TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif child.tag == f"{{{TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> LibreOffice:
    """LibreOffice Calc, headless, with a profile of this test worker's own."""
    soffice = shutil.which("soffice")
    if soffice is None:
        message = "LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI") == "true" or os.environ.get("QUIZAPP_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(message + "; CI=true or QUIZAPP_REQUIRE_LIBREOFFICE=1 makes this an error")
        pytest.skip(message)
    return LibreOffice(soffice, tmp_path_factory.mktemp("libreoffice"))
