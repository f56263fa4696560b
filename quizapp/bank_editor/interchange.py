"""Banks brought in from other tools' files and taken out to them (``quizapp.interchange`` reads
and writes the formats). An import is saved like an edit, as a revision every host serves: as a
new bank, or added at the end of an existing one; nothing is saved when the file has a problem."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quizapp.bank_editor.operations import (
    SaveConflict,
    SaveInvalid,
    banks_folder,
    open_bank,
    save_bank,
    validate_bank,
)
from quizapp.banks.files import PathRefused, archived_banks, bank_path
from quizapp.interchange import (
    EXPORTERS,
    IMPORTERS,
    Exported,
    Imported,
    append_to_bank,
    bank_yaml,
    guess_format,
    qti,
)
from quizapp.models import BankRevision
from quizapp.people import Person


class InterchangeRefused(Exception):
    """An import or export that cannot be done, and why; nothing was written."""

    def __init__(self, message: str, problems: Sequence[object] = ()):
        super().__init__(message)
        #: Every problem found (input lines, or the bank validator's ``path:line: message``).
        self.problems = list(problems)


@dataclass(frozen=True)
class ImportDone:
    """A saved import: the bank, whether the import made it, and the revision it is now."""

    slug: str
    created: bool
    revision: BankRevision


def read_import(name: str, data: bytes, fmt: str | None = None) -> tuple[str, Imported]:
    """The format (``fmt``, else guessed from the file's name and text) and what its importer reads
    in ``data`` (a QTI zip package: its assessment). Raises InterchangeRefused for a file that is
    not UTF-8 or whose format is unknown."""
    if qti.is_package(data) and fmt in (None, "qti"):
        return "qti", qti.read_package(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterchangeRefused(f"{name} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    fmt = fmt or guess_format(name, text)
    if fmt is None:
        raise InterchangeRefused(f"cannot tell the format of {name}: give it with --format")
    if fmt not in IMPORTERS:
        raise InterchangeRefused(f"this quizapp cannot import {fmt} files")
    return fmt, IMPORTERS[fmt](text.replace("\r\n", "\n"))


def slug_for(name: str) -> str:
    """A new bank's slug from an imported file's name: ``CSTO quiz.gift`` → ``csto-quiz``."""
    stem = Path(name).name.split(".", 1)[0]
    return "-".join(re.findall(r"[a-z0-9]+", stem.lower()))[:60] or "imported"


def import_bank(
    imported: Imported, origin: str, author: Person | None, slug: str, into: bool, title: str
) -> ImportDone:
    """Save ``imported`` (read from the file named ``origin``) as the new bank ``slug`` titled
    ``title``, or with ``into``, at the end of the existing bank ``slug``'s questions and cards.
    Raises InterchangeRefused when the file had problems, the bank exists (or, with ``into``, does
    not), an id is taken, or the result would not validate: nothing is saved then."""
    if imported.problems:
        raise InterchangeRefused(f"{origin} has problems: nothing was imported", imported.problems)
    if not imported.questions and not imported.cards:
        raise InterchangeRefused(f"{origin} holds no question or card quizapp can import")
    try:
        current = open_bank(slug)
        if into:
            if current is None:
                raise InterchangeRefused(f"there is no bank '{slug}' to import into")
            try:
                text = append_to_bank(current.text, imported, origin)
            except ValueError as exc:
                raise InterchangeRefused(f"cannot add to '{slug}': {exc}") from None
            revision = save_bank(slug, text, current.sha256, author, disk_sha256=current.disk_sha256)
            return ImportDone(slug, False, revision)
        if not imported.questions:
            raise InterchangeRefused(
                f"{origin} holds only cards, and a bank needs a question: add them to a bank with --into SLUG"
            )
        archived = any(name == slug for name, _ in archived_banks(banks_folder()))
        if current is not None or archived or bank_path(banks_folder(), slug).exists():
            raise InterchangeRefused(
                f"a bank '{slug}' exists already: add to it with --into {slug}, or rename the file"
            )
        revision = save_bank(slug, bank_yaml(imported, title, origin), None, author, action="create")
    except SaveInvalid as exc:
        raise InterchangeRefused(
            "the imported bank would not validate: nothing was saved", exc.problems
        ) from None
    except SaveConflict:
        raise InterchangeRefused(
            f"the bank '{slug}' changed meanwhile: nothing was saved; try again"
        ) from None
    except PathRefused as exc:
        raise InterchangeRefused(str(exc)) from None
    return ImportDone(slug, True, revision)


def export_bank(slug: str, fmt: str) -> Exported:
    """Bank ``slug``'s latest version in format ``fmt``, with what the format could not carry.
    Raises InterchangeRefused if there is no such bank, it has problems, or no such exporter."""
    if fmt not in EXPORTERS:
        raise InterchangeRefused(f"this quizapp cannot export {fmt} files")
    try:
        found = open_bank(slug)
    except PathRefused as exc:
        raise InterchangeRefused(str(exc)) from None
    if found is None:
        raise InterchangeRefused(f"there is no bank '{slug}'")
    try:
        bank = validate_bank(slug, found.text)
    except SaveInvalid as exc:
        raise InterchangeRefused(f"the bank '{slug}' has problems: fix them first", exc.problems) from None
    return EXPORTERS[fmt](bank)
