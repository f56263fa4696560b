"""Banks in and out of other tools' formats from the bank pages: an uploaded file read and planned
as a new bank or an addition to one (shown first, nothing written), then saved as the editor saves;
a bank written in a registered format, with what that format loses."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from quizapp.access import may_create_bank
from quizapp.bank_editor.operations import (
    SaveConflict,
    SaveInvalid,
    banks_folder,
    open_bank,
    save_bank,
    validate_bank,
)
from quizapp.banks import Bank
from quizapp.banks.files import archived_banks
from quizapp.extensions import bank_registry
from quizapp.interchange import (
    EXPORTERS,
    IMPORTERS,
    Exported,
    Imported,
    LineProblem,
    append_to_bank,
    bank_yaml,
    qti,
)
from quizapp.models import BankRevision
from quizapp.people import Person

#: The largest file the import page reads (the whole request may be 2 MB: MAX_CONTENT_LENGTH).
MAX_IMPORT_BYTES = 1_000_000

#: Each export format's file extension and content type; a format not named here is plain text.
#: QTI is the zip Canvas imports (its manifest and the assessment).
FILE_TYPES = {
    "gift": ("gift.txt", "text/plain"),
    "moodle-xml": ("moodle.xml", "application/xml"),
    "qti": ("qti.zip", "application/zip"),
    "aiken": ("aiken.txt", "text/plain"),
}


class ImportRefused(Exception):
    """The upload cannot be read at all (too big, not UTF-8 text, a format nobody reads)."""


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without a byte order mark, at most
    MAX_IMPORT_BYTES. ImportRefused, saying why, for any other."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            f"The file is {len(data) / 1_000_000:.1f} MB; files of up to "
            f"{MAX_IMPORT_BYTES // 1_000_000} MB can be imported. Split it and import each part."
        )
    if qti.is_package(data):  # a QTI zip: its one assessment document
        document = qti.package_document(data)
        if isinstance(document, LineProblem):
            raise ImportRefused(f"The QTI package cannot be read: {document.message}.")
        return document.replace("\r\n", "\n")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"The file is not UTF-8 text (line {line} has a byte UTF-8 does not allow). "
            "Save it as UTF-8 (in most editors: Save as, encoding UTF-8) and upload it again."
        ) from None
    if "\x00" in text:
        raise ImportRefused("The file is not text (it holds NUL bytes): upload the exported text file.")
    return text.replace("\r\n", "\n")


@dataclass
class ImportPlan:
    """What importing a file would do: the bank ``slug`` it writes (new, or added to), its items,
    and every reason it cannot be written yet."""

    format: str
    imported: Imported
    slug: str
    #: True when the items are added to an existing bank.
    appending: bool
    #: The bank's text once the import is saved; None while there are problems.
    text: str | None = None
    #: Problems of the bank as a whole: id clashes, a bank with no question, validation.
    bank_problems: list[str] = field(default_factory=list)
    #: The hash of the version appended to (a save over a newer one is refused), and of this
    #: host's file when that was what was opened.
    base: str | None = None
    disk: str | None = None

    @property
    def writable(self) -> bool:
        return self.text is not None and not self.imported.problems and not self.bank_problems


def plan_import(
    source: str, fmt: str, slug: str, title: str, appending: bool, origin: str = ""
) -> ImportPlan:
    """Read ``source`` as format ``fmt`` and make the bank text it would save as bank ``slug``:
    new (titled ``title``, or the file's own title) or with its items added, each item with a
    comment naming its line of ``origin`` (the file's name). Writes nothing."""
    if fmt not in IMPORTERS:
        raise ImportRefused(f"quizapp does not read the format '{fmt}'.")
    imported = IMPORTERS[fmt](source)
    plan = ImportPlan(fmt, imported, slug, appending)
    if imported.problems:
        return plan
    if not imported.questions and not imported.cards:
        plan.bank_problems.append("The file holds no questions or cards.")
        return plan
    if appending:
        bank_file = open_bank(slug)
        if bank_file is None:
            raise SaveConflict(None)
        plan.base, plan.disk = bank_file.sha256, bank_file.disk_sha256
        _check_clashes(plan, slug)
        if plan.bank_problems:
            return plan
        try:
            text = append_to_bank(bank_file.text, imported, origin)
        except ValueError as exc:
            plan.bank_problems.append(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return plan
    elif open_bank(slug) is not None:
        plan.bank_problems.append(
            f"A bank called {slug} exists already: choose another name, or add to that bank."
        )
        return plan
    elif not imported.questions:
        plan.bank_problems.append(
            "A bank needs at least one question, and this file holds only cards: "
            "add them to one of your banks instead."
        )
        return plan
    else:
        text = bank_yaml(imported, title or imported.title or slug, origin)
    try:
        validate_bank(slug, text)
    except SaveInvalid as exc:
        plan.bank_problems.extend(f"the bank's line {p.line}: {p.message}" for p in exc.problems)
        return plan
    plan.text = text
    return plan


def _check_clashes(plan: ImportPlan, slug: str) -> None:
    """Refuse items whose ids the bank has already: ids are kept, since scores refer to them."""
    bank = bank_registry().get(slug)
    if bank is None:
        plan.bank_problems.append(f"The bank {slug} has problems: fix it in the editor first.")
        return
    known = set(bank.questions) | {card.id for card in bank.cards}
    for item in (*plan.imported.questions, *plan.imported.cards):
        if item["id"] in known:
            line = plan.imported.lines.get(item["id"])
            plan.bank_problems.append(
                f"'{item['id']}' (from line {line} of the file) is already an id in {slug}: "
                "ids cannot change, so nothing is added. Import into a new bank, or rename it in the file."
            )


def write_import(plan: ImportPlan, author: Person) -> BankRevision:
    """Save a planned import, as the editor saves: a new bank owned by ``author``, or the next
    version of the bank added to. SaveConflict if the name is taken (or the bank changed since
    the preview); SaveInvalid if the text does not validate. Nothing is written then."""
    if not plan.writable or plan.text is None:
        raise ValueError("a plan with problems is never written")
    if plan.appending:
        return save_bank(plan.slug, plan.text, plan.base, author, action="import", disk_sha256=plan.disk)
    archived = any(name == plan.slug for name, _ in archived_banks(banks_folder()))
    if not may_create_bank(author, plan.slug, archived):
        raise SaveConflict(None)
    return save_bank(plan.slug, plan.text, None, author, action="create")


def export_bank(bank: Bank, fmt: str) -> Exported:
    """Bank ``bank`` in format ``fmt`` (one of EXPORTERS), with what it loses."""
    return EXPORTERS[fmt](bank)


def export_file(slug: str, fmt: str) -> tuple[str, str]:
    """The download name and content type of bank ``slug`` exported as ``fmt``."""
    extension, mimetype = FILE_TYPES.get(fmt, (f"{fmt}.txt", "text/plain"))
    return f"{slug}.{extension}", mimetype
