"""Bank editing as operations. Nothing here ever writes invalid text over a bank, or a file that
changed since the editor opened it; every version written is kept as a revision."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quizapp.access import may_create_bank
from quizapp.banks import Bank, BankError, parse_bank
from quizapp.banks.files import (
    archive_bank,
    archived_banks,
    archived_path,
    atomic_write,
    bank_path,
    folder_lock,
    read_bank_text,
    sha256_text,
)
from quizapp.extensions import db, write_transaction
from quizapp.models import BankMember, BankRevision, User

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


#: How many recent versions ``last_good_version`` tries before giving up.
LAST_GOOD_LOOKBACK = 20


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
    """A bank file as the editor opens it."""

    slug: str
    path: Path
    text: str
    #: What the editor sends back, so a save can tell whether the file changed meanwhile.
    sha256: str


def banks_folder() -> Path:
    return Path(current_app.config["BANKS_DIR"])


def open_bank(slug: str) -> BankFile | None:
    """The current text of bank ``slug`` (None if there is no such file). Raises PathRefused."""
    path = bank_path(banks_folder(), slug)
    try:
        text = read_bank_text(path)
    except FileNotFoundError:
        return None
    return BankFile(slug, path, text, sha256_text(text))


def check_text(slug: str, text: str) -> list:
    """Every problem in ``text`` as bank ``slug`` (empty when it validates)."""
    try:
        parse_bank(text.encode("utf-8"), f"{slug}.yaml", slug)
    except BankError as exc:
        return exc.problems
    return []


def save_bank(
    slug: str, text: str, base_sha256: str | None, author: User, action: str = "save"
) -> BankRevision | None:
    """Write ``text`` as bank ``slug`` and keep it as a revision.

    ``base_sha256`` is the hash of the version the author started from (None: the bank must not
    exist yet). Raises SaveInvalid if the text does not validate and SaveConflict if the file is
    no longer that version; in both cases the file is left as it was.
    """
    text = _with_final_newline(text.replace("\r\n", "\n"))
    problems = check_text(slug, text)
    if problems:
        raise SaveInvalid(BankError(problems))
    folder = banks_folder()
    path = bank_path(folder, slug)
    with folder_lock(folder):
        current = read_bank_text(path) if path.exists() else None
        current_sha = sha256_text(current) if current is not None else None
        if current_sha != base_sha256:
            raise SaveConflict(current)
        if current is not None:
            keep_disk_version(slug, current)
            if current == text:
                return latest_revision(slug)  # nothing changed: no new version
        atomic_write(path, text)
        return _record(slug, text, author, action)


def latest_revision(slug: str) -> BankRevision | None:
    query = (
        select(BankRevision).where(BankRevision.bank_slug == slug).order_by(BankRevision.id.desc()).limit(1)
    )
    return db.session.scalar(query)


def keep_disk_version(slug: str, text: str) -> None:
    """Record the file's current text as a revision if no revision has it yet (an edit made in
    another editor or pulled with git), so that no version is lost from the history."""
    sha = sha256_text(text)
    known = db.session.scalar(
        select(BankRevision.id).where(BankRevision.bank_slug == slug, BankRevision.sha256 == sha).limit(1)
    )
    if known is None:
        _record(slug, text, None, "disk")


def last_good_version(slug: str) -> Bank | None:
    """The newest saved version of a bank that validates, for a process that finds the file broken
    before it ever read a good one."""
    query = (
        select(BankRevision.text)
        .where(BankRevision.bank_slug == slug)
        .order_by(BankRevision.id.desc())
        .limit(LAST_GOOD_LOOKBACK)
    )
    for text in db.session.scalars(query):
        try:
            return parse_bank(text.encode("utf-8"), f"{slug}.yaml", slug)
        except BankError:
            continue
    return None


def _record(slug: str, text: str, author: User | None, action: str) -> BankRevision:
    with write_transaction():
        revision = BankRevision(
            bank_slug=slug,
            author_id=author.id if author else None,
            sha256=sha256_text(text),
            action=action,
            text=text,
        )
        db.session.add(revision)
        if action == "create" and author is not None:
            _make_owner(slug, author)
    return revision


def _make_owner(slug: str, author: User) -> None:
    """The creator of a bank owns it, from its first version on (inside the caller's write
    transaction). Someone who is a member of that name already keeps their role: archiving a bank
    and creating one of its name makes no editor an owner."""
    member = db.session.scalar(
        select(BankMember.id).where(BankMember.bank_slug == slug, BankMember.user_id == author.id)
    )
    if member is None:
        db.session.add(BankMember(bank_slug=slug, user_id=author.id, role="owner", granted_by=author.id))


def create_bank(slug: str, title: str, author: User) -> BankRevision:
    """A new bank from the template, owned by ``author``. Raises SaveConflict if the slug is in use,
    or belongs to a bank (archived, or with owners) that ``author`` may not edit."""
    archived = any(name == slug for name, _ in archived_banks(banks_folder()))
    if not may_create_bank(author, slug, archived):
        raise SaveConflict(None)
    text = NEW_BANK_TEMPLATE.format(title=_yaml_text(" ".join(title.split())))
    return save_bank(slug, text, None, author, action="create")


def restore_revision(revision: BankRevision, base_sha256: str | None, author: User) -> BankRevision:
    """Make an old version current again, as a new revision."""
    return save_bank(revision.bank_slug, revision.text, base_sha256, author, action="restore")


def revisions(slug: str) -> list[BankRevision]:
    """The bank's saved versions, newest first."""
    query = select(BankRevision).where(BankRevision.bank_slug == slug).order_by(BankRevision.id.desc())
    return list(db.session.scalars(query))


def archive(slug: str, author: User) -> None:
    """Take a bank out of the served set; it can be restored from the archive."""
    folder = banks_folder()
    with folder_lock(folder):
        current = read_bank_text(bank_path(folder, slug))
        keep_disk_version(slug, current)
        archive_bank(folder, slug)
        _record(slug, current, author, "archive")


def unarchive(name: str, author: User) -> str:
    """Put an archived bank back in the served set; refuses if a bank of that name exists."""
    folder = banks_folder()
    source = archived_path(folder, name)
    slug = name.split(".", 1)[0]
    with folder_lock(folder):
        target = bank_path(folder, slug)
        if target.exists():
            raise SaveConflict(read_bank_text(target))
        text = read_bank_text(source)
        os.replace(source, target)
        _record(slug, text, author, "unarchive")
    return slug


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _yaml_text(value: str) -> str:
    """A one-line string as a double-quoted YAML scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
