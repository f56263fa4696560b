"""Banks in and out of other tools' formats, for ``quizapp banks import``/``export`` and the bank
pages alike: a file decoded, its format told, the import planned as a new bank or an addition to
one (every problem found, nothing written), then saved as the editor saves; a bank written in a
registered format, with what that format loses."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from quizapp.banks.files import PathRefused, archived_banks, bank_path
from quizapp.interchange import (
    EXPORTERS,
    IMPORTERS,
    Exported,
    Imported,
    LineProblem,
    append_to_bank,
    bank_yaml,
    guess_format,
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


class TransferRefused(Exception):
    """A file that cannot be read at all (too big, not UTF-8 text, a format nobody reads), or a
    bank that cannot be exported; nothing was written."""

    def __init__(self, message: str, problems: Sequence[object] = ()):
        super().__init__(message)
        #: Every problem found (the bank validator's ``path:line: message``).
        self.problems = list(problems)


def decode_import(name: str, data: bytes, limit: int | None = None) -> str:
    """The text of the file ``name``: UTF-8, with or without a byte order mark, and no NUL byte (a
    QTI zip package: its one assessment document); at most ``limit`` bytes when one is given.
    TransferRefused, saying why, for any other (a QTI package whose text is over ``limit``, too)."""
    if limit is not None and len(data) > limit:
        raise TransferRefused(
            f"{name} is {len(data) / 1_000_000:.1f} MB; files of up to "
            f"{limit // 1_000_000} MB can be imported. Split it and import each part."
        )
    if qti.is_package(data):
        document = qti.package_document(data)
        if isinstance(document, LineProblem):
            raise TransferRefused(f"{name} cannot be read as a QTI package: {document.message}.")
        # The preview carries the text to its confirm button: the unzipped text is held to the limit.
        size = len(document.encode("utf-8"))
        if limit is not None and size > limit:
            raise TransferRefused(
                f"The questions in {name} are {size / 1_000_000:.1f} MB of text once unzipped; up to "
                f"{limit // 1_000_000} MB can be imported at once. Export them from Canvas in parts."
            )
        return document.replace("\r\n", "\n")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TransferRefused(
            f"{name} is not UTF-8 text (line {line} has a byte UTF-8 does not allow). "
            "Save it as UTF-8 (in most editors: Save as, encoding UTF-8) and import it again."
        ) from None
    if "\x00" in text:
        raise TransferRefused(f"{name} is not text (it holds NUL bytes): import the exported text file.")
    return text.replace("\r\n", "\n")


def import_format(name: str, text: str, fmt: str | None) -> str:
    """The format the file ``name`` is read in: ``fmt`` when given, else guessed from its name and
    text. TransferRefused when it cannot be guessed or quizapp reads no such format."""
    found = fmt or guess_format(name, text)
    if found is None:
        raise TransferRefused(
            f"The format of {name} could not be guessed: choose it ({', '.join(IMPORTERS)})."
        )
    if found not in IMPORTERS:
        raise TransferRefused(f"quizapp does not read the format '{found}'.")
    return found


def slug_for(name: str) -> str:
    """A new bank's slug from an imported file's name: ``CSTO quiz.gift`` → ``csto-quiz``."""
    return "-".join(re.findall(r"[a-z0-9]+", _stem(name).lower()))[:60] or "imported"


def _stem(name: str) -> str:
    """A file's name without its folder and extensions: ``CSTO quiz.qti.zip`` → ``CSTO quiz``."""
    return Path(name).name.split(".", 1)[0]


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
    #: Problems of the bank as a whole: id clashes, a name taken, a bank with no question, validation.
    bank_problems: list[str] = field(default_factory=list)
    #: The hash of the version appended to (a save over a newer one is refused), and of this
    #: host's file when that was what was opened.
    base: str | None = None
    disk: str | None = None
    #: The bank ``text`` makes, validated (saved without validating it again).
    bank: Bank | None = None

    @property
    def writable(self) -> bool:
        return self.text is not None and not self.imported.problems and not self.bank_problems

    @property
    def problems(self) -> list[str]:
        """Every problem, the input's by line first."""
        return [*map(str, self.imported.problems), *self.bank_problems]


def plan_import(
    source: str, fmt: str, slug: str, title: str, appending: bool, origin: str = ""
) -> ImportPlan:
    """Read ``source`` as format ``fmt`` and make the bank text it would save as bank ``slug``:
    new (titled ``title``, else the file's own title, else its name) or with its items added at
    the end, each item with a comment naming its line of ``origin`` (the file's name). Writes
    nothing; TransferRefused for a format quizapp does not read, a bank name that leads nowhere,
    or, when ``appending``, a bank that is not there."""
    if fmt not in IMPORTERS:
        raise TransferRefused(f"quizapp does not read the format '{fmt}'.")
    imported = IMPORTERS[fmt](source)
    plan = ImportPlan(fmt, imported, slug, appending)
    if imported.problems:
        return plan
    if not imported.questions and not imported.cards:
        plan.bank_problems.append("The file holds no question or card quizapp can import.")
        return plan
    try:
        if appending:
            text = _appended(plan, origin)
        elif _name_taken(slug):
            plan.bank_problems.append(
                f"A bank called {slug} exists already (or is archived): "
                "choose another name, or add to that bank."
            )
            return plan
        elif not imported.questions:
            plan.bank_problems.append(
                "A bank needs at least one question, and this file holds only cards: "
                "add them to one of your banks instead."
            )
            return plan
        else:
            text = bank_yaml(imported, title or imported.title or _stem(origin) or slug, origin)
    except PathRefused as exc:
        raise TransferRefused(str(exc)) from None
    if text is None:
        return plan
    try:
        plan.bank = validate_bank(slug, text)
    except SaveInvalid as exc:
        plan.bank_problems.extend(f"the bank's line {p.line}: {p.message}" for p in exc.problems)
        return plan
    plan.text = text
    return plan


def _appended(plan: ImportPlan, origin: str) -> str | None:
    """The text of the bank added to with the plan's items (None, with the problem noted, when
    an item's id is the bank's already: ids never change, since scores refer to them)."""
    bank_file = open_bank(plan.slug)
    if bank_file is None:
        raise TransferRefused(f"There is no bank {plan.slug} to import into.")
    plan.base, plan.disk = bank_file.sha256, bank_file.disk_sha256
    try:
        return append_to_bank(bank_file.text, plan.imported, origin)
    except ValueError as exc:
        plan.bank_problems.append(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        return None


def _name_taken(slug: str) -> bool:
    """Whether a new bank may not be called ``slug``: a bank, its file, or an archived bank has it."""
    return _held_on_disk(slug) or open_bank(slug) is not None


def _held_on_disk(slug: str) -> bool:
    """Whether a file in the banks folder or its archive is called ``slug``."""
    archived = any(name == slug for name, _ in archived_banks(banks_folder()))
    return archived or bank_path(banks_folder(), slug).exists()


def write_import(plan: ImportPlan, author: Person | None) -> BankRevision:
    """Save a planned import, as the editor saves: a new bank owned by ``author`` (None: from the
    command line), or the next version of the bank added to. SaveConflict if the name is taken
    (or the bank changed since the plan); SaveInvalid if the text does not validate. Nothing is
    written then."""
    if not plan.writable or plan.text is None:
        raise ValueError("a plan with problems is never written")
    if plan.appending:
        return save_bank(
            plan.slug, plan.text, plan.base, author, "import", disk_sha256=plan.disk, validated=plan.bank
        )
    # A bank made since the plan is refused by the save itself (it must not exist yet).
    if _held_on_disk(plan.slug) or (author is not None and not may_create_bank(author, plan.slug, False)):
        raise SaveConflict(None)
    return save_bank(plan.slug, plan.text, None, author, "create", validated=plan.bank)


def saved_bank(slug: str) -> Bank:
    """Bank ``slug``'s latest version; TransferRefused if there is no such bank or it has problems."""
    try:
        found = open_bank(slug)
    except PathRefused as exc:
        raise TransferRefused(str(exc)) from None
    if found is None:
        raise TransferRefused(f"There is no bank {slug}.")
    try:
        return validate_bank(slug, found.text)
    except SaveInvalid as exc:
        raise TransferRefused(f"The bank {slug} has problems: fix them first.", exc.problems) from None


def export_bank(bank: Bank, fmt: str) -> Exported:
    """Bank ``bank`` in format ``fmt`` (one of EXPORTERS), with what it loses."""
    return EXPORTERS[fmt](bank)


def export_file(slug: str, fmt: str) -> tuple[str, str]:
    """The download name and content type of bank ``slug`` exported as ``fmt``."""
    extension, mimetype = FILE_TYPES.get(fmt, (f"{fmt}.txt", "text/plain"))
    return f"{slug}.{extension}", mimetype
