"""The banks every host serves: each bank's latest revision in the database. This host's banks
folder, where instructors edit in their own editor, is kept in step with it both ways.

- A revision saved anywhere (the browser, another host) reaches this host within
  ``BANK_CHECK_SECONDS``: it checks one number, the newest revision's id, not the files.
- A file edited on this host becomes a new revision if it validates and was edited from the
  latest revision. Otherwise it stays on disk, listed with its problems, and is never served.
- A file this host has not edited since it last matched the database is replaced by the latest
  revision (or archived with it); a missing file is written back.

What "edited from the latest revision" means is kept in the folder's ``.synced.json``: for each
bank, the hash of the text this host last had in step with the database.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from quizapp.banks import Bank, BankEntry, BankError, Problem, parse_bank
from quizapp.banks.files import (
    LOCK_FILE,
    archive_bank,
    atomic_write,
    folder_lock,
    read_bank_text,
    sha256_text,
)
from quizapp.banks.loader import SLUG, display_path
from quizapp.database import WRITE, writing
from quizapp.extensions import db
from quizapp.models import BankRevision, utcnow

log = logging.getLogger(__name__)

#: Per bank, the hash of the text this host last had in step with the database.
SYNCED_FILE = ".synced.json"
#: Files of the folder that are the app's own, never banks (git should ignore them too).
OWN_FILES = (LOCK_FILE, SYNCED_FILE)

#: How many older revisions are tried when the newest does not validate (made by older code).
LAST_GOOD_LOOKBACK = 20

_revisions = BankRevision.__table__


class Outrun(Exception):
    """Another save took the revision number first: the caller's base is no longer the latest."""


@dataclass(frozen=True, slots=True)
class Unsaved:
    """This host's file of a bank, as it is, when it is not what is served."""

    text: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Head:
    """A bank's latest revision."""

    id: int
    slug: str
    #: None for a revision saved by code older than migration 0007.
    seq: int | None
    sha256: str
    action: str
    text: str

    @property
    def live(self) -> bool:
        """False once the bank was archived: it is served by no host."""
        return self.action != "archive"


def head_of(slug: str) -> Head | None:
    """The latest revision of bank ``slug``, read now: on a connection of its own, since the
    session's snapshot (SQLite keeps one per transaction) may predate it."""
    query = (
        select(*_HEAD_COLUMNS).where(_revisions.c.bank_slug == slug).order_by(_revisions.c.id.desc()).limit(1)
    )
    with db.engine.connect() as connection:
        row = connection.execute(query).first()
    return Head(*row) if row else None


def append_revision(
    slug: str,
    text: str,
    author_id: int | None,
    action: str,
    after: Head | None,
    connection: Connection | None = None,
) -> int:
    """Add ``text`` as the revision that follows ``after`` (None: the bank's first); returns its id.
    Raises Outrun when another revision followed ``after`` first, on any host."""
    seq = _next_seq(slug, after, connection)
    row = {
        "bank_slug": slug,
        "seq": seq,
        "author_id": author_id,
        "created_at": utcnow(),
        "sha256": sha256_text(text),
        "action": action,
        "text": text,
    }
    try:
        revision_id: int = (
            (connection or db.session)
            .execute(insert(_revisions).returning(_revisions.c.id), row)
            .scalar_one()
        )
        return revision_id
    except IntegrityError as exc:
        raise Outrun(slug) from exc  # the caller's transaction is rolled back as it ends


def _next_seq(slug: str, after: Head | None, connection: Connection | None) -> int:
    if after is None:
        return 1
    if after.seq is not None:
        return after.seq + 1
    # The latest revision came from older code, which numbers none: follow the highest number.
    highest = select(func.max(_revisions.c.seq)).where(_revisions.c.bank_slug == slug)
    return ((connection or db.session).execute(highest).scalar() or 0) + 1


_HEAD_COLUMNS = (
    _revisions.c.id,
    _revisions.c.bank_slug,
    _revisions.c.seq,
    _revisions.c.sha256,
    _revisions.c.action,
    _revisions.c.text,
)
_NEWEST = select(func.max(_revisions.c.id))
_HEADS = select(*_HEAD_COLUMNS).where(
    _revisions.c.id.in_(select(func.max(_revisions.c.id)).group_by(_revisions.c.bank_slug))
)


class BankStore:
    """The served banks, as ``BankRegistry`` offers them (``get``, ``banks``, ``entry``,
    ``entries``), from the database; and this host's folder kept in step with it."""

    def __init__(self, folder: Path | str, check_seconds: float = 2.0):
        self.folder = Path(folder)
        #: How long a host serves what it knows before it checks for a newer revision again.
        self.check_seconds = check_seconds
        self._lock = threading.RLock()
        self._checked = float("-inf")
        #: The newest revision id and the folder's file stamps when the served set was built.
        self._seen: tuple[int | None, dict[str, tuple[int, int, int]]] | None = None
        self._heads: dict[str, Head] = {}
        self._parsed: dict[int, Bank | None] = {}
        self._problems: dict[str, list[Problem]] = {}
        #: This host's files that are not served as they are (problems, or saved over elsewhere).
        self._unsaved: dict[str, Unsaved] = {}
        self._entries: dict[str, BankEntry] = {}

    # -- what the app serves --------------------------------------------------------------------

    def entry(self, slug: str) -> BankEntry | None:
        """Bank ``slug`` as served, with the problems of this host's file; None if there is none."""
        if not SLUG.fullmatch(slug):
            return None
        self.refresh()
        return self._entries.get(slug)

    def get(self, slug: str) -> Bank | None:
        """The served version of bank ``slug``, or None."""
        entry = self.entry(slug)
        return entry.bank if entry else None

    def entries(self) -> list[BankEntry]:
        """Every bank served or found in this host's folder, sorted by slug."""
        self.refresh()
        return [self._entries[slug] for slug in sorted(self._entries)]

    def banks(self) -> list[Bank]:
        """Every served bank, sorted by slug."""
        return [e.bank for e in self.entries() if e.bank is not None]

    def kept(self, slug: str) -> tuple[Bank, bool] | None:
        """Bank ``slug`` as last saved, for the names of one no longer served, and whether that is
        because it was archived; None if no version of it was ever saved that validates."""
        self.refresh()
        head = self._heads.get(slug)
        if head is None:
            return None
        if head.id in self._parsed:
            bank = self._parsed[head.id]
        else:
            with db.engine.connect() as connection:
                bank = self._served(connection, head)
        return (bank, not head.live) if bank is not None else None

    def unsaved(self, slug: str) -> Unsaved | None:
        """This host's file of bank ``slug`` if it holds an edit that is not served: it does not
        validate, or was made while a newer version was saved elsewhere."""
        self.refresh()
        return self._unsaved.get(slug)

    def adopt(self, slug: str, disk_sha256: str) -> None:
        """Replace this host's file of bank ``slug`` by the latest version if the file is still
        the text with hash ``disk_sha256`` (its edit has just been saved through the editor)."""
        path = self.folder / f"{slug}.yaml"
        head = head_of(slug)
        if head is None or not head.live:
            return
        with folder_lock(self.folder):
            try:
                if sha256_text(read_bank_text(path)) != disk_sha256:
                    return  # edited again meanwhile: left for the next check to judge
            except FileNotFoundError:
                pass
            synced = self._read_synced()
            atomic_write(path, head.text)
            synced[slug] = head.sha256
            self._write_synced(synced)

    # -- keeping up ----------------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Check for a newer revision and for edits in this host's folder, at most every
        ``check_seconds`` (``force``: now), and settle them."""
        if not force and time.monotonic() - self._checked < self.check_seconds:
            return
        if writing():
            return  # a lookup inside a write transaction: what is known will do
        # Its own connection: the request's session and transaction are left as they are.
        with self._lock, db.engine.connect() as connection:
            self._checked = time.monotonic()
            seen = seen_before = self._look(connection)
            if seen == self._seen and not force:
                return
            for _ in range(3):  # what one pass writes (a file, a revision) the next one sees
                self._heads = {head.slug: head for head in (Head(*row) for row in connection.execute(_HEADS))}
                changed = self._settle_folder(connection)
                connection.rollback()  # a fresh snapshot for the next look (SQLite keeps one per transaction)
                if changed:
                    seen = self._look(connection)
                else:
                    break
            self._seen = seen
            self._build_entries(connection)
        if self._seen != seen_before and not (db.session.new or db.session.dirty or db.session.deleted):
            # The request's own reads (SQLite keeps a snapshot per transaction) see what changed.
            db.session.rollback()

    def _look(self, connection: Connection) -> tuple[int | None, dict[str, tuple[int, int, int]]]:
        """The two things that change what is served: the newest revision id, the folder's files."""
        return connection.execute(_NEWEST).scalar(), self._stamps()

    def _stamps(self) -> dict[str, tuple[int, int, int]]:
        stamps = {}
        for path in self._files():
            try:
                st = path.stat()
            except OSError:
                continue
            stamps[path.name] = (st.st_mtime_ns, st.st_size, st.st_ino)
        return stamps

    def _files(self) -> list[Path]:
        try:
            return sorted(p for p in self.folder.glob("*.yaml") if p.is_file() or p.is_symlink())
        except OSError:
            return []

    def _settle_folder(self, connection: Connection) -> bool:
        """One pass over the folder and the heads; True if it wrote a file or a revision."""
        if not self.folder.is_dir():
            self._problems = {}
            return False
        changed = False
        with folder_lock(self.folder):
            first = not (self.folder / SYNCED_FILE).exists()
            synced = self._read_synced()
            before = dict(synced)
            problems: dict[str, list[Problem]] = {}
            unsaved: dict[str, Unsaved] = {}
            names = {p.stem for p in self._files()} | set(self._heads)
            for slug in sorted(names):
                path = self.folder / f"{slug}.yaml"
                if not SLUG.fullmatch(slug):
                    problems[slug] = [Problem(display_path(path), 1, _NOT_A_SLUG.format(slug=slug))]
                elif path.is_symlink() and path.resolve().parent != self.folder.resolve():
                    problems[slug] = [Problem(display_path(path), 1, _LINK_OUT)]
                else:
                    changed |= self._settle(connection, slug, path, synced, problems, unsaved, first)
            if synced != before or first:
                self._write_synced(synced)
        self._problems = problems
        self._unsaved = unsaved
        return changed

    def _settle(
        self,
        connection: Connection,
        slug: str,
        path: Path,
        synced: dict[str, str],
        problems: dict[str, list[Problem]],
        unsaved: dict[str, Unsaved],
        first: bool,
    ) -> bool:
        """Bring bank ``slug``'s file and the database in step, as the module says; True if it
        wrote a file or a revision. A file not served as it is goes into ``problems`` and
        ``unsaved``. ``first``: this host has never settled its folder (it was
        serving its files alone until now), so its edits count as made from the latest revision."""
        head = self._heads.get(slug)
        try:
            text = read_bank_text(path)
        except FileNotFoundError:
            text = None
        except OSError as exc:
            problems[slug] = [Problem(display_path(path), 1, f"cannot read the file: {exc.strerror}")]
            return False
        if text is None:
            if head is None or not head.live:
                synced.pop(slug, None)
                return False
            return self._take(slug, path, head, synced)  # a new host, or a file removed by hand
        sha = sha256_text(text)
        if head is not None and sha == head.sha256:
            if head.live:
                synced[slug] = sha
                return False
            return self._take(slug, path, head, synced)
        base = synced.get(slug)
        if sha != base and head is not None and self._known(connection, slug, sha):
            base = sha  # a copy of an older revision: this host was away, or the file was reverted
        if head is not None and sha == base:
            return self._take(slug, path, head, synced)  # untouched here: the database moved on
        # Edited on this host.
        try:
            parse_bank(text.encode("utf-8"), display_path(path), slug)
        except BankError as exc:
            problems[slug], unsaved[slug] = exc.problems, Unsaved(text, sha)
            return False
        if head is not None and not (head.live and (base == head.sha256 or (base is None and first))):
            problems[slug] = [Problem(display_path(path), 1, _CONFLICT if head.live else _ARCHIVED)]
            unsaved[slug] = Unsaved(text, sha)
            return False
        try:
            with db.engine.connect() as writer:
                writer = writer.execution_options(**{WRITE: True})
                with writer.begin():
                    append_revision(slug, text, None, "disk", head, writer)
        except Outrun:
            return True  # another host saved first: the next pass sees its revision
        log.info("bank %s: the edit of %s on this host is now its latest revision", slug, display_path(path))
        synced[slug] = sha
        return True

    def _take(self, slug: str, path: Path, head: Head, synced: dict[str, str]) -> bool:
        """Make this host's file the latest revision: write it, or archive it with the bank."""
        if head.live:
            atomic_write(path, head.text)
            synced[slug] = head.sha256
        else:
            if path.exists():
                archive_bank(self.folder, slug)
            synced.pop(slug, None)
        return True

    def _known(self, connection: Connection, slug: str, sha: str) -> bool:
        query = select(_revisions.c.id).where(_revisions.c.bank_slug == slug, _revisions.c.sha256 == sha)
        return connection.execute(query.limit(1)).first() is not None

    def _write_synced(self, synced: dict[str, str]) -> None:
        atomic_write(self.folder / SYNCED_FILE, json.dumps(synced, indent=1, sort_keys=True) + "\n")

    def _read_synced(self) -> dict[str, str]:
        try:
            found = json.loads((self.folder / SYNCED_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}

    def _build_entries(self, connection: Connection) -> None:
        entries = {}
        for slug in set(self._heads) | set(self._problems):
            head = self._heads.get(slug)
            bank = self._served(connection, head) if head is not None and head.live else None
            path = self.folder / f"{slug}.yaml"
            if bank is None and slug not in self._problems:
                continue
            stamp = self._seen[1].get(path.name, (0, 0, 0)) if self._seen else (0, 0, 0)
            entries[slug] = BankEntry(slug, path, bank, self._problems.get(slug, []), stamp)
        self._entries = entries

    def remember(self, revision_id: int, bank: Bank) -> None:
        """Take ``bank`` as revision ``revision_id``'s, parsed from its text by whoever saved it, so
        that serving the revision does not parse a large bank a second time."""
        self._parsed[revision_id] = bank

    def _served(self, connection: Connection, head: Head) -> Bank | None:
        """The bank of a revision; for one that does not validate (saved by older code), the
        newest of its earlier revisions that does."""
        if head.id not in self._parsed:
            bank: Bank | None
            try:
                bank = parse_bank(head.text.encode("utf-8"), f"{head.slug}.yaml", head.slug)
            except BankError:
                bank = _last_good(connection, head.slug)
            self._parsed[head.id] = bank
        return self._parsed[head.id]


def _last_good(connection: Connection, slug: str) -> Bank | None:
    query = (
        select(_revisions.c.text)
        .where(_revisions.c.bank_slug == slug)
        .order_by(_revisions.c.id.desc())
        .limit(LAST_GOOD_LOOKBACK)
    )
    for text in connection.scalars(query):
        try:
            return parse_bank(text.encode("utf-8"), f"{slug}.yaml", slug)
        except BankError:
            continue
    return None


_NOT_A_SLUG = "file name '{slug}' is not a bank slug: use lowercase letters, digits and hyphens"
_LINK_OUT = "a link to a file outside the banks folder: not served"
_CONFLICT = (
    "this host's copy was edited while a newer version was saved (in the browser or on another "
    "host), so it was not saved over it. Students see the saved version. Copy your change into "
    "the editor and save it there; then delete this file, and the saved version is written back."
)
_ARCHIVED = (
    "this host's copy was edited, but the bank has been archived meanwhile: restore it from the "
    "archive to edit it again."
)
