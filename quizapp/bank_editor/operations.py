"""Bank editing as operations. Nothing here ever saves invalid text as a bank, or saves over a
version newer than the one the editor opened, on any host; every version is kept as a revision,
and the latest is what every host serves (quizapp.bankstore)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quizapp.access import may_create_bank
from quizapp.bank_editor.diffs import unified_diff
from quizapp.banks import Bank, BankError, Problem, parse_bank
from quizapp.banks.files import (
    archived_banks,
    archived_path,
    bank_path,
    folder_lock,
    read_bank_text,
)
from quizapp.bankstore import Head, Outrun, append_revision, head_of
from quizapp.database import upsert, write_transaction
from quizapp.extensions import bank_registry, db
from quizapp.models import BankMember, BankRevision
from quizapp.people import Person

NEW_BANK_TEMPLATE = """\
title: {title}
description: What this bank covers, in a sentence or two.
# source:                 # uncomment to let questions cite paragraphs of a text
#   title: The text's title
#   paragraphs: 8
questions:
  - id: first-question
    type: single
    prompt: Write the question here.
    choices: [The right answer, A wrong answer, Another wrong answer]
    answer: The right answer
    explanation: Say why the right answer is right.
quizzes:
  - id: all
    title: {title}
    select: {{}}
    attempts: unlimited
    grading: highest
"""


class SaveConflict(Exception):
    """The file changed since the editor opened it; nothing was written."""

    def __init__(self, current_text: str | None):
        super().__init__("the bank changed since you opened it")
        #: The file as it is now (None if it was removed).
        self.current_text = current_text


class SaveInvalid(Exception):
    """The text does not validate; nothing was written."""

    def __init__(self, error: BankError):
        super().__init__(str(error))
        self.problems = error.problems


@dataclass(frozen=True)
class BankFile:
    """A bank as the editor opens it: its latest version, or this host's file where that has
    problems (an edit not saved yet), so that the instructor can fix it here."""

    slug: str
    path: Path
    text: str
    #: The latest version's hash ("" if there is none): a save over a newer one is refused.
    sha256: str
    #: The hash of this host's file if ``text`` is that file: once saved, the file follows.
    disk_sha256: str | None = None


def banks_folder() -> Path:
    return Path(current_app.config["BANKS_DIR"])


def open_bank(slug: str) -> BankFile | None:
    """The latest version of bank ``slug``, the one every host serves (None if there is none or
    it is archived); this host's own file edits are taken in first. Raises PathRefused."""
    path = bank_path(banks_folder(), slug)
    store = bank_registry()
    store.refresh(force=True)
    head = head_of(slug)
    current = head if head is not None and head.live else None
    unsaved = store.unsaved(slug)
    if unsaved is not None:
        return BankFile(slug, path, unsaved.text, current.sha256 if current else "", unsaved.sha256)
    if current is None:
        return None
    return BankFile(slug, path, current.text, current.sha256)


def validate_bank(slug: str, text: str) -> Bank:
    """The bank ``text`` makes as bank ``slug`` (the editor's "Validate" and "Preview"); SaveInvalid,
    carrying every problem, if it does not validate."""
    try:
        return parse_bank(text.encode("utf-8"), f"{slug}.yaml", slug)
    except BankError as exc:
        raise SaveInvalid(exc) from None


def check_text(slug: str, text: str) -> list[Problem]:
    """Every problem in ``text`` as bank ``slug``; when it validates, the answer-leak lint's
    warnings (empty when there are none)."""
    try:
        bank = validate_bank(slug, text)
    except SaveInvalid as exc:
        return exc.problems
    return list(bank.warnings)


def save_bank(
    slug: str,
    text: str,
    base_sha256: str | None,
    author: Person | None,
    action: str = "save",
    disk_sha256: str | None = None,
    validated: Bank | None = None,
) -> BankRevision:
    """Save ``text`` as the latest version of bank ``slug``, for every host.

    ``base_sha256`` is the hash of the version the author started from (None: the bank must not
    exist yet). Raises SaveInvalid if the text does not validate and SaveConflict if a newer
    version was saved meanwhile, here or on another host; in both cases nothing is saved. A None
    ``author`` is the command line.
    ``disk_sha256``: the text was opened from this host's file, which is replaced by the saved
    version if it is still that file. ``validated``: the bank ``validate_bank`` made of this very
    text just now (a planned import), not validated again.
    """
    text = _with_final_newline(text.replace("\r\n", "\n"))
    bank = validated or validate_bank(slug, text)
    bank_path(banks_folder(), slug)  # refuses a name or a link that leads out of the folder
    store = bank_registry()
    store.refresh(force=True)  # an edit of this host's file becomes a version first, not lost
    head = head_of(slug)
    current = head if head is not None and head.live else None
    if (current.sha256 if current else None) != (base_sha256 or None):
        raise SaveConflict(current.text if current else None)
    if current is not None and current.text == text:
        return db.session.get_one(BankRevision, current.id)  # nothing changed: no new version
    revision = _record(slug, text, author, action, after=head)
    store.remember(revision.id, bank)
    if disk_sha256:
        store.adopt(slug, disk_sha256)
    store.refresh(force=True)  # written to this host's folder; other hosts follow on their own
    return revision


def latest_revision(slug: str) -> BankRevision | None:
    query = (
        select(BankRevision).where(BankRevision.bank_slug == slug).order_by(BankRevision.id.desc()).limit(1)
    )
    return db.session.scalar(query)


def _record(slug: str, text: str, author: Person | None, action: str, after: Head | None) -> BankRevision:
    """Add ``text`` as the version after ``after``; SaveConflict if another came first."""
    try:
        with write_transaction():
            revision_id = append_revision(slug, text, author.id if author else None, action, after)
            if action == "create" and author is not None:
                _make_owner(slug, author)
    except Outrun:
        head = head_of(slug)
        raise SaveConflict(head.text if head is not None and head.live else None) from None
    return db.session.get_one(BankRevision, revision_id)


def _make_owner(slug: str, author: Person) -> None:
    """The creator of a bank owns it, from its first version on (inside the caller's write
    transaction). Someone who is a member of that name already keeps their role: archiving a bank
    and creating one of its name makes no editor an owner."""
    db.session.execute(
        upsert(BankMember.__table__)
        .values(bank_slug=slug, user_id=author.id, role="owner", granted_by=author.id)
        .on_conflict_do_nothing(index_elements=["bank_slug", "user_id"])
    )


def create_bank(slug: str, title: str, author: Person) -> BankRevision:
    """A new bank from the template, owned by ``author``. Raises SaveConflict if the slug is in use,
    or belongs to a bank (archived, or with owners) that ``author`` may not edit."""
    archived = any(name == slug for name, _ in archived_banks(banks_folder()))
    if not may_create_bank(author, slug, archived):
        raise SaveConflict(None)
    text = NEW_BANK_TEMPLATE.format(title=_yaml_text(" ".join(title.split())))
    return save_bank(slug, text, None, author, action="create")


def restore_revision(revision: BankRevision, base_sha256: str | None, author: Person) -> BankRevision:
    """Make an old version current again, as a new revision."""
    return save_bank(revision.bank_slug, revision.text, base_sha256, author, action="restore")


def revisions(slug: str) -> list[BankRevision]:
    """The bank's saved versions, newest first."""
    query = select(BankRevision).where(BankRevision.bank_slug == slug).order_by(BankRevision.id.desc())
    return list(db.session.scalars(query))


def revision_of(slug: str, revision_id: int | None) -> BankRevision | None:
    """Version ``revision_id`` of bank ``slug``; None if it is no version of that bank."""
    revision = db.session.get(BankRevision, revision_id) if revision_id else None
    return revision if revision is not None and revision.bank_slug == slug else None


@dataclass(frozen=True)
class Comparison:
    """Two versions of a bank as its history page compares them, and the diff from one to the other."""

    older: BankRevision | None
    newer: BankRevision | None
    #: Unified diff lines from ``older`` to ``newer`` (none without both, or when they are the same).
    diff: list[str]


def compare(
    versions: list[BankRevision], newer: BankRevision | None = None, older: BankRevision | None = None
) -> Comparison:
    """The versions the history page compares, of the bank's ``versions`` (newest first): those
    asked for; by default the latest, and the version before the newer one."""
    if newer is None and versions:
        newer = versions[0]
    if older is None and newer is not None:
        older = next((v for v in versions if v.id < newer.id), None)
    diff = unified_diff(older.text, newer.text, f"#{older.id}", f"#{newer.id}") if older and newer else []
    return Comparison(older, newer, diff)


def conflict_diff(current_text: str | None, text: str) -> list[str]:
    """How the editor's ``text``, refused by a SaveConflict, differs from the bank as it is now."""
    return unified_diff(current_text or "", text, "the file now", "your text")


def archive(slug: str, author: Person | None) -> None:
    """Take a bank out of the served set, on every host; it can be restored from the archive.
    Raises SaveConflict if there is no such bank (any more)."""
    store = bank_registry()
    store.refresh(force=True)
    head = head_of(slug)
    if head is None or not head.live:
        raise SaveConflict(None)
    _record(slug, head.text, author, "archive", after=head)
    store.refresh(force=True)  # this host's file moves into the archive, as every host's does


def unarchive(name: str, author: Person) -> str:
    """Put an archived bank back in the served set; refuses if a bank of that name exists."""
    folder = banks_folder()
    source = archived_path(folder, name)
    slug = name.split(".", 1)[0]
    store = bank_registry()
    store.refresh(force=True)
    head = head_of(slug)
    target = bank_path(folder, slug)
    if (head is not None and head.live) or target.exists():
        raise SaveConflict(head.text if head is not None and head.live else read_bank_text(target))
    _record(slug, read_bank_text(source), author, "unarchive", after=head)
    with folder_lock(folder):
        os.replace(source, target)
    store.refresh(force=True)
    return slug


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _yaml_text(value: str) -> str:
    """A one-line string as a double-quoted YAML scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
