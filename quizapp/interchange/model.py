"""What every format module shares: the results of an import and an export, and the registries."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

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


#: The fields of a question in the order a bank writes them (the question editor's order).
_KEY_ORDER = (
    "id",
    "type",
    "prompt",
    "choices",
    "answer",
    "feedback",
    "shuffle",
    "wrong",
    "typos",
    "tolerance",
    "unit",
    "distractors",
    "points",
    "explanation",
    "source",
    "tags",
    "front",
    "back",
)
#: A list is written on one line ``[a, b, c]`` when its items take fewer characters than this.
_FLOW_WIDTH = 70


def bank_yaml(imported: Imported, title: str, origin: str = "") -> str:
    """The YAML text of a bank holding ``imported``'s questions and cards (with one quiz of them
    all, when there are questions); each item carries a ``# from line N of ORIGIN`` comment.

    Each item is written by libyaml (PyYAML's C emitter), the comments between them: ruamel.yaml's
    emitter, in Python, takes several times as long as the validator on a large import."""
    parts = [
        _scalar_line("title", title),
        "questions:",
        _list_text(imported.questions, imported.lines, origin),
    ]
    if imported.cards:
        parts += ["cards:", _list_text(imported.cards, imported.lines, origin)]
    if imported.questions:
        parts += ["quizzes:", "  - id: all", "    " + _scalar_line("title", title), "    select: {}"]
    return "\n".join(parts) + "\n"


class _Flow(list[Any]):
    """A list written on one line: ``[a, b, c]``."""


class _Literal(str):
    """A text of several lines, written as a block: ``|-`` and its lines below."""


class _Dumper(yaml.CSafeDumper):
    """libyaml's safe emitter, with short lists on one line and texts of several lines as blocks."""


_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)
_Dumper.add_representer(
    _Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")
)


def _plain_data(value: Any) -> Any:
    """A question's value in the types ``_Dumper`` writes as the bank's layout wants."""
    if isinstance(value, str):
        return _Literal(value) if "\n" in value else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        items = [_plain_data(v) for v in value]
        short = sum(len(str(v)) + 2 for v in value) < _FLOW_WIDTH and not any(
            isinstance(v, _Literal) for v in items
        )
        return _Flow(items) if short else items
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    return value


def _list_text(items: list[dict[str, Any]], lines: dict[str, int], origin: str) -> str:
    """Questions or cards as the items of a list (in one call to libyaml: a call each costs more
    than the writing), each below its origin comment."""
    data = [
        {
            key: _plain_data(item[key])
            for key in [k for k in _KEY_ORDER if k in item] + [k for k in item if k not in _KEY_ORDER]
        }
        for item in items
    ]
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    comments = iter(f"  # {_origin_comment(lines, item['id'], origin)}\n" if origin else "" for item in items)
    # Block style puts each item's "- " at the start of a line, and nothing else there.
    return "".join(
        (next(comments) if line.startswith("- ") else "") + ("  " + line if line.strip() else line)
        for line in text.splitlines(keepends=True)
    ).rstrip("\n")


def _scalar_line(key: str, value: str) -> str:
    return yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, width=4096).rstrip("\n")


def append_to_bank(text: str, imported: Imported, origin: str = "") -> str:
    """The bank ``text`` with ``imported``'s questions and cards added at the end of its lists
    (each with its ``# from line N`` comment), the rest of the file written back as it was. Raises
    ValueError if an imported id is already a question or card id of the bank."""
    first = YAML()
    first.preserve_quotes = True
    data = first.load(text)
    if not isinstance(data, CommentedMap) or not isinstance(data.get("questions"), CommentedSeq):
        raise ValueError("the bank has no list of questions to add to")
    existing = {
        str(item.get("id"))
        for key in ("questions", "cards")
        for item in data.get(key) or ()
        if isinstance(item, CommentedMap)
    }
    clashes = [i["id"] for i in (*imported.questions, *imported.cards) if i["id"] in existing]
    if clashes:
        raise ValueError(
            f"the bank already has {'an item' if len(clashes) == 1 else 'items'} with the id "
            + ", ".join(f"'{c}' (line {imported.lines.get(c, '?')})" for c in clashes)
            + ": ids never change, since scores refer to them, so rename them in the file being "
            "imported, or import it as a new bank"
        )
    _, sequence, offset = load_yaml_guess_indent(text)
    writer = _writer(sequence or 4, offset if offset is not None else 2)
    writer.width = 4096  # never re-wrap the lines the bank's author wrapped (or did not)
    for key, items in (("questions", imported.questions), ("cards", imported.cards)):
        if not items:
            continue
        if not isinstance(data.get(key), CommentedSeq):
            data[key] = CommentedSeq()
        start = len(data[key])
        for i, item in enumerate(_items(items, imported.lines, origin)):
            data[key].append(item)
            if origin:
                data[key].yaml_set_comment_before_after_key(
                    start + i, before=_origin_comment(imported.lines, item["id"], origin), indent=2
                )
    return _dump(data, writer)


def _items(items: list[dict[str, Any]], lines: dict[str, int], origin: str) -> CommentedSeq:
    seq = CommentedSeq(_written_item(item) for item in items)
    for i, item in enumerate(items):
        if origin and item["id"] in lines:
            seq.yaml_set_comment_before_after_key(
                i, before=_origin_comment(lines, item["id"], origin), indent=2
            )
    return seq


def _origin_comment(lines: dict[str, int], item_id: str, origin: str) -> str:
    return f"from line {lines[item_id]} of {origin}" if item_id in lines else f"from {origin}"


def _written_item(item: dict[str, Any]) -> CommentedMap:
    """A question or card with its keys in the bank's order, short lists on one line and long or
    multi-line texts as block strings."""
    ordered = [k for k in _KEY_ORDER if k in item] + [k for k in item if k not in _KEY_ORDER]
    return CommentedMap((key, _written(item[key])) for key in ordered)


def _written(value: Any) -> Any:
    if isinstance(value, str):
        return LiteralScalarString(value) if "\n" in value else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_written(v) for v in value)
        if sum(len(str(v)) + 2 for v in value) < _FLOW_WIDTH and not any("\n" in str(v) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):
        return CommentedMap((str(k), _written(v)) for k, v in value.items())
    return value


def _writer(sequence: int = 4, offset: int = 2) -> YAML:
    yaml = YAML()
    yaml.width = 100  # long texts wrap onto indented lines, which read back as the same text
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    return yaml


def _dump(data: CommentedMap, yaml: YAML) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


#: The extension each format's files usually have, for the import's guess and the export's file.
EXTENSIONS = {"gift": ".gift", "moodle-xml": ".xml", "qti": ".qti.zip", "aiken": ".txt"}


def guess_format(name: str, text: str) -> str | None:
    """The format of a file from its name and text (None when it cannot be told): ``.gift`` is
    GIFT, XML is QTI when its root is ``questestinterop`` and Moodle XML when ``quiz``; a text file
    is Aiken when it has ``ANSWER: X`` lines, Anki text with Anki's ``#separator:`` or ``#html:``
    headers, Quizlet with a tab on every line, GIFT with answer braces."""
    lower = name.lower()
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if lower.endswith(".gift"):
        return "gift"
    if lower.endswith(".xml") or head.startswith("<"):
        if re.search(r"<questestinterop\b", head):
            return "qti"
        return "moodle-xml" if re.search(r"<quiz\b", head) else None
    if re.search(r"^ANSWER:\s*[A-Za-z]\s*$", text, re.MULTILINE):
        return "aiken"
    if re.match(r"#(separator|html|columns|notetype|deck|tags column):", head):
        return "anki-txt"
    # A tab on every line is the stronger sign: a Quizlet set about sets or code has braces too.
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all("\t" in line for line in lines):
        return "quizlet"
    if re.search(r"(?<!\\)\{[^{}]*(?<!\\)\}", text):
        return "gift"
    return None
