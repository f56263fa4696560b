"""What serves banks to the app: the interface its pages and operations use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from quizapp.banks.model import Bank, Problem


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One bank as the app knows it."""

    slug: str
    #: This host's file of the bank.
    path: Path
    #: The version served (the latest that validates), or None if none is.
    bank: Bank | None
    #: Problems of this host's file when it is not what is served; empty when it is.
    problems: list[Problem] = field(default_factory=list)
    #: (mtime, size, inode) of this host's file, (0, 0, 0) if there is none.
    stamp: tuple[int, int, int] = (0, 0, 0)


class BankRegistry(Protocol):
    """The served banks (``quizapp.bankstore.BankStore``: the same on every host)."""

    def entry(self, slug: str) -> BankEntry | None:
        """Bank ``slug`` with its problems, or None."""

    def get(self, slug: str) -> Bank | None:
        """The served version of bank ``slug``, or None."""

    def entries(self) -> list[BankEntry]:
        """Every bank served or with problems, sorted by slug."""

    def banks(self) -> list[Bank]:
        """Every served bank, sorted by slug."""
