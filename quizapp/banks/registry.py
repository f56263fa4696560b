"""The banks folder, parsed once and served from memory until a file changes on disk."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.banks.loader import SLUG, display_path, load_bank
from quizapp.banks.model import Bank, BankError, Problem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One bank file as the app knows it."""

    slug: str
    path: Path
    #: The version served: the file as it is now if it validates, else the last version that did.
    bank: Bank | None
    #: Problems in the file as it is now; empty when it validates.
    problems: list[Problem] = field(default_factory=list)
    #: (mtime, size, inode) when the file was read; a cheap stat tells whether to read it again.
    stamp: tuple[int, int, int] = (0, 0, 0)


class BankRegistry:
    """Every ``*.yaml`` bank in a folder. Each lookup stats the file and re-reads it only when it
    changed, so edits made in an editor or by ``git pull`` show without a restart."""

    def __init__(self, folder: Path | str, last_good: Callable[[str], Bank | None] | None = None):
        self.folder = Path(folder)
        #: Where to find a servable version of a bank that is broken when this process first
        #: reads it (another process may have been serving its last good version all along).
        self.last_good = last_good
        self._entries: dict[str, BankEntry] = {}
        self._lock = threading.Lock()

    def entry(self, slug: str) -> BankEntry | None:
        """The bank called ``slug``, or None if there is no such file."""
        if not SLUG.fullmatch(slug):
            return None
        return self._refresh(slug, self.folder / f"{slug}.yaml")

    def get(self, slug: str) -> Bank | None:
        """The servable version of bank ``slug``, or None."""
        entry = self.entry(slug)
        return entry.bank if entry else None

    def entries(self) -> list[BankEntry]:
        """Every bank file in the folder, sorted by slug, valid or not."""
        try:
            paths = sorted(p for p in self.folder.glob("*.yaml") if p.is_file())
        except OSError:
            paths = []
        found = [self._refresh(p.stem, p) for p in paths]
        for gone in set(self._entries) - {p.stem for p in paths}:
            self._entries.pop(gone, None)
        return [e for e in found if e is not None]

    def banks(self) -> list[Bank]:
        """Every servable bank, sorted by slug."""
        return [e.bank for e in self.entries() if e.bank is not None]

    def _refresh(self, slug: str, path: Path) -> BankEntry | None:
        try:
            st = path.stat()
        except OSError:
            self._entries.pop(slug, None)
            return None
        if path.is_symlink() and path.resolve().parent != self.folder.resolve():
            refused = Problem(display_path(path), 1, "a link to a file outside the banks folder: not served")
            return BankEntry(slug, path, None, [refused], (st.st_mtime_ns, st.st_size, st.st_ino))
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        entry = self._entries.get(slug)
        if entry is not None and entry.stamp == stamp:
            return entry
        with self._lock:
            entry = self._entries.get(slug)
            if entry is not None and entry.stamp == stamp:
                return entry
            try:
                bank, problems = load_bank(path, display=display_path(path)), []
            except BankError as exc:
                bank = entry.bank if entry else self.last_good(slug) if self.last_good else None
                problems = exc.problems
                serving = "the last good version" if bank else "nothing"
                log.warning("bank %s has %d problem(s); serving %s:\n%s", slug, len(problems), serving, exc)
            entry = BankEntry(slug, path, bank, problems, stamp)
            self._entries[slug] = entry
            return entry
