"""What every format module shares: the results of an import and an export, and the registries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from quizapp.banks import Bank


@dataclass(frozen=True, slots=True)
class Loss:
    """Something of a question (or card) that a format cannot carry, by its id: "per-choice
    feedback", "the tolerance", "the source citation", "the question type 'order'"."""

    question_id: str
    what: str

    def __str__(self) -> str:
        return f"{self.question_id}: {self.what}"


@dataclass(frozen=True, slots=True)
class LineProblem:
    """Something in an input file that could not be read, at its line (1-based)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Imported:
    """Questions and cards read from another tool's file, as mappings of the bank's own YAML
    fields (``id``, ``type``, ``prompt``, ``choices``, ``answer`` …, see docs/banks.md), each with
    the input line it came from."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    #: The input line each question or card (by id) starts at.
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[LineProblem] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    #: A title the file itself gives (a GIFT or Moodle category, a QTI assessment), if any.
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Exported:
    """A bank written in another tool's format, and what the format could not carry."""

    text: str
    losses: tuple[Loss, ...] = ()
    #: The file to save when the format is a package rather than text (QTI's zip, whose main
    #: document ``text`` also holds); None when ``text`` is the file.
    data: bytes | None = None


Importer = Callable[[str], Imported]
Exporter = Callable[[Bank], Exported]

#: Format name ("gift", "moodle-xml", "qti", "aiken", "quizlet", "anki-txt") → its reader.
IMPORTERS: dict[str, Importer] = {}
#: Format name → its writer.
EXPORTERS: dict[str, Exporter] = {}


def importer(name: str) -> Callable[[Importer], Importer]:
    """Register the decorated function as the importer of format ``name``."""

    def register(function: Importer) -> Importer:
        IMPORTERS[name] = function
        return function

    return register


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    """Register the decorated function as the exporter of format ``name``."""

    def register(function: Exporter) -> Exporter:
        EXPORTERS[name] = function
        return function

    return register


def bank_yaml(imported: Imported, title: str) -> str:
    """The YAML text of a bank holding ``imported``'s questions and cards (with one quiz of them
    all, when there are questions)."""
    data: dict[str, Any] = {"title": title, "questions": imported.questions}
    if imported.cards:
        data["cards"] = imported.cards
    if imported.questions:
        data["quizzes"] = [{"id": "all", "title": title, "select": {}}]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
