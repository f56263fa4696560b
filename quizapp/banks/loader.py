"""YAML bank files to validated ``Bank`` objects, with every problem reported at its line.

The file is composed (not constructed) by libyaml when it is present, so every value keeps its
line mark and the exact text the author typed: YAML 1.1's implicit typing never turns an answer
written ``no`` into False, ``010`` into 8 or ``12:30`` into 750. Fields are then read from the node
tree by schema, which is also what keeps anchors and aliases from expanding without bound.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quizapp.banks.lint import Shown, answer_leaks
from quizapp.banks.model import PRACTICE, Bank, BankError, Card, Passage, Problem, Quiz, Source
from quizapp.banks.review import AFTER_EACH_ATTEMPT, ANSWERS_SETTINGS, MOMENTS, PARTS, ReviewOptions
from quizapp.questions import DECIMAL, GRADING_POLICIES, HEADER, QUESTION_TYPES, Citation, Question

#: libyaml's composer when PyYAML was built with it (about 7x faster), else the pure-Python one.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Larger files are refused before parsing; a 10,000-question bank is about 6 MB.
MAX_BYTES = 32 * 1024 * 1024
_TOO_LARGE = f"the file is larger than {MAX_BYTES // 2**20} MB"
MAX_POINTS = 1000
#: Longest quiz title (what attempts store).
MAX_TITLE = 300
#: Reading stops after this many problems: past it, a list helps nobody.
MAX_PROBLEMS = 200
#: "Did you mean" compares strings pairwise, in time that grows with the product of their lengths:
#: only strings this short are compared, and one file's hints together compare at most
#: HINT_BUDGET pairs of characters (about a third of a second). A hostile 100,000-character
#: answer took seconds a hint, and a quiz naming many unknown ids in a large bank, minutes.
HINT_MAX_LENGTH = 60
HINT_BUDGET = 10_000_000
#: Longest value a problem quotes whole; a longer one is quoted by its start.
QUOTED_LENGTH = 60

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _MAP, _SEQ = (_TAG + t for t in ("str", "null", "map", "seq"))
_KEY_TAGS = {_TAG + t for t in ("str", "bool", "int", "float", "timestamp", "null")}
_PLAIN_TAGS = {_TAG + t for t in ("str", "bool", "int", "float", "timestamp")}
#: An anchor (&name) outside quotes could start one; without any, no alias can expand the file.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s]", re.MULTILINE)
_EXPANSION_LIMIT = 5_000_000
_INTEGER = re.compile(r"[+-]?\d{1,9}")
#: C0 and C1 control characters but tab and newline: no page shows them and XML 1.0 and XLSX
#: cannot hold most of them, so an export would be a file nothing reads.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SEXAGESIMAL = re.compile(r"[+-]?\d+(?::[0-5]?\d)+(?:\.\d*)?")
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}

#: The fields of every question; each type declares its own (``Question.required_fields``).
_COMMON_FIELDS = ("id", "type", "prompt", "points", "explanation", "source", "tags")
_BANK_FIELDS = ("title", "description", "source", "questions", "quizzes", "cards")
_SOURCE_FIELDS = ("title", "author", "published", "url", "paragraphs", "header")
_PASSAGE_FIELDS = ("summary", "opens")
_QUIZ_FIELDS = (
    "id",
    "title",
    "description",
    "questions",
    "select",
    "shuffle",
    "attempts",
    "grading",
    "answers",
    "review",
    "practice",
    "time_limit",
    "per_page",
)
ANSWERS_SHOWN = tuple(ANSWERS_SETTINGS)
#: A time limit as written: "20m", "1h30m", "90s", or a number of minutes.
_DURATION = re.compile(r"(?:(\d{1,3})h)?\s*(?:(\d{1,4})m(?:in)?)?\s*(?:(\d{1,6})s)?")
#: The longest time limit: a day.
MAX_TIME_LIMIT = 24 * 3600
_CARD_FIELDS = ("id", "front", "back", "tags")


class _Stop(Exception):
    """Reading cannot usefully go on; the problems so far are the report."""


def load_bank(path: Path | str, display: str | None = None) -> Bank:
    """Read and validate one bank file; raise ``BankError`` with every problem in it."""
    path = Path(path)
    shown = display or str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BankError([Problem(shown, 1, _TOO_LARGE)])
        data = path.read_bytes()
    except OSError as exc:
        raise BankError([Problem(shown, 1, f"cannot read the file: {exc.strerror}")]) from exc
    return parse_bank(data, shown, path.stem)


def display_path(path: Path) -> str:
    """How reports name a file: relative to the working folder when it lies below it."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(relative)


def parse_bank(data: bytes | str, path: str, slug: str) -> Bank:
    """Validate a bank's text; ``path`` is how problems name the file, ``slug`` the bank's name."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    reader = _Reader(path)
    if len(raw) > MAX_BYTES:
        reader.fail(None, _TOO_LARGE)
    if not SLUG.fullmatch(slug):
        reader.fail(None, f"file name '{slug}' is not a bank slug: use lowercase letters, digits and hyphens")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reader.fail(None, f"the file is not UTF-8 text (byte {exc.start})")
    root = _compose(text, reader)
    if _ANCHOR.search(text):
        _check_expansion(root, reader)
    # YAML refuses control characters written as they are: only an escape ("\v") makes one.
    if "\\" in text:
        _check_controls(root, reader)
    try:
        bank = reader.bank(root, slug, hashlib.sha256(raw).hexdigest())
        stopped = False
    except _Stop:
        bank, stopped = None, True
    if reader.problems or bank is None:
        raise BankError(sorted(reader.problems, key=lambda p: p.line) if not stopped else reader.problems)
    return bank


def _compose(text: str, reader: _Reader) -> Node:
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(str(exc.problem or exc).split())
        if "nesting depth" in message:
            message += " (a bank never nests this deep)"
        reader.fail(line, f"YAML syntax: {message}")
    except yaml.YAMLError as exc:
        reader.fail(None, f"YAML: {' '.join(str(exc).split())}")
    except RecursionError:
        reader.fail(None, "YAML: the document is nested too deeply")
    if root is None:
        reader.fail(None, "the file is empty")
    return root


def _check_expansion(root: Node, reader: _Reader) -> None:
    """Refuse a tree whose aliases make it expand far beyond the file (a "billion laughs")."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a node met again while being measured: a recursive alias
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        sizes[id(node)] = min(total, _EXPANSION_LIMIT)
        return sizes[id(node)]

    try:
        expanded = size(root)
    except RecursionError:
        reader.fail(None, "YAML: the document is nested too deeply")
    if expanded >= _EXPANSION_LIMIT or expanded > 10 * len(sizes) + 10_000:
        reader.fail(
            None,
            f"anchors and aliases (&name, *name) expand this file to over {expanded:,} values, "
            f"from {len(sizes):,} written: refused",
        )


def _check_controls(root: Node, reader: _Reader) -> None:
    """Refuse each text holding a control character other than tab and newline, at its line."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            found = _CONTROL.search(node.value)
            if found:
                shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", _shown(node.value))
                reader.error(
                    node,
                    f"the text '{shown}' holds the control character U+{ord(found.group()):04X}, "
                    "which no page shows and exported files cannot hold: remove it "
                    "(a line break is a new line of a | block)",
                )
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "text"


def _scalars(node: Node | None) -> list[ScalarNode]:
    """The scalars a list or mapping holds (keys too), or the node itself."""
    if isinstance(node, ScalarNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [s for item in node.value for s in _scalars(item)]
    if isinstance(node, MappingNode):
        return [s for key, value in node.value for s in (*_scalars(key), *_scalars(value))]
    return []


def _shown(value: str) -> str:
    """A value as a problem quotes it: a message quoting 100,000 characters helps nobody."""
    return value if len(value) <= QUOTED_LENGTH else value[: QUOTED_LENGTH - 10] + "…"


class _Reader:
    """Reads typed fields from YAML nodes, collecting problems instead of stopping at the first."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        #: Warnings noted while reading (the answer-leak lint adds its own at the end).
        self.warnings: list[Problem] = []
        #: Ids of questions that failed to validate: quizzes naming them are not also "unknown".
        self.broken_ids: set[str] = set()
        #: What "did you mean" hints may still compare, in pairs of characters.
        self.hint_budget = HINT_BUDGET
        #: The prompts and choices of the questions read, at their lines, for the answer-leak lint.
        self.shown: list[Shown] = []

    # -- reporting ----------------------------------------------------------------------------

    @staticmethod
    def _line(where: Node | int | None) -> int:
        return where if isinstance(where, int) else where.start_mark.line + 1 if where is not None else 1

    def _problem(self, where: Node | int | None, message: str) -> None:
        self.problems.append(Problem(self.path, self._line(where), message))

    def error(self, where: Node | int | None, message: str) -> None:
        """Note a problem and read on."""
        self._problem(where, message)
        if len(self.problems) >= MAX_PROBLEMS:
            self._problem(where, f"stopped after {MAX_PROBLEMS} problems")
            raise _Stop

    def warn(self, where: Node | int | None, message: str) -> None:
        """Note a warning and read on: the bank is still served."""
        self.warnings.append(Problem(self.path, self._line(where), message, "warning"))

    def fail(self, where: Node | int | None, message: str) -> NoReturn:
        """Note a problem that leaves nothing further to read."""
        self._problem(where, message)
        raise BankError(self.problems)

    def hint(self, word: str, options: Iterable[str]) -> str:
        """A "did you mean" for the option closest to ``word``, if one is close; nothing when the
        strings are too long to compare, or the file's hints have compared enough already."""
        if len(word) > HINT_MAX_LENGTH:
            return ""
        candidates = [option for option in options if len(option) <= HINT_MAX_LENGTH]
        cost = len(word) * sum(len(option) for option in candidates)
        if cost > self.hint_budget:
            return ""
        self.hint_budget -= cost
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""

    def _check_tag(self, node: MappingNode | SequenceNode) -> None:
        if node.tag != _MAP and node.tag != _SEQ:
            self.error(node, f"the YAML tag '{node.tag}' is not used in banks")

    # -- structure ----------------------------------------------------------------------------

    def fields(
        self, node: Node, what: str, required: Iterable[str] = (), allowed: Collection[str] | None = None
    ) -> dict[str, Node] | None:
        """A mapping's values by key (any key when ``allowed`` is None); duplicate, unknown and
        missing keys are problems."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping of fields (key: value), not {_kind(node)}")
            return None
        self._check_tag(node)
        out: dict[str, Node] = {}
        seen: dict[str, int] = {}
        for key_node, value in node.value:
            key = key_node.value.strip() if isinstance(key_node, ScalarNode) else None
            if not key or key_node.tag not in _KEY_TAGS or (key_node.tag == _NULL and key == "~"):
                self.error(key_node, f"{what} has a key that is not plain text")
            elif key in seen:
                self.error(key_node, f"duplicate key '{_shown(key)}' in {what} (first at line {seen[key]})")
            else:
                seen[key] = key_node.start_mark.line + 1
                if allowed is None or key in allowed:
                    out[key] = value
                else:
                    self.error(key_node, f"unknown field '{_shown(key)}' in {what}{self.hint(key, allowed)}")
        for name in required:
            if name not in seen:
                self.error(node, f"{what} is missing the required field '{name}'")
        return out

    def items(self, node: Node, what: str, min_items: int = 1) -> list[Node] | None:
        """A list's item nodes."""
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list, not {_kind(node)}")
            return None
        self._check_tag(node)
        if len(node.value) < min_items:
            self.error(node, f"{what} needs at least {min_items} item{'s' if min_items > 1 else ''}")
            return None
        items: list[Node] = node.value
        return items

    # -- scalars ------------------------------------------------------------------------------

    def _scalar(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.error(node, f"{what} must be a single value, not {_kind(node)}")
            return None
        if node.tag != _STR and node.tag not in _PLAIN_TAGS and node.tag != _NULL:
            self.error(node, f"{what} has the YAML tag '{node.tag}', which banks do not use")
            return None
        value: str = node.value
        return value.strip()

    def text(self, node: Node, what: str) -> str | None:
        """Text exactly as typed: ``no``, ``010`` and ``12:30`` stay text."""
        value: str | None
        if node.__class__ is ScalarNode and node.tag == _STR:
            value = node.value.strip()
        else:
            value = self._scalar(node, what)
            if value is None:
                return None
            if node.tag == _NULL and isinstance(node, ScalarNode) and not node.style and value == "~":
                value = ""  # YAML's shorthand for nothing; the word null stays text
        if not value:
            self.error(node, f"{what} is empty")
            return None
        return value

    def texts(self, node: Node, what: str, min_items: int = 1) -> tuple[str, ...] | None:
        """A list of distinct texts."""
        items = self.items(node, what, min_items)
        if items is None:
            return None
        out: list[str] = []
        seen: set[str] = set()
        for item in items:
            value = self.text(item, f"an item of {what}")
            if value is None:
                continue
            if value in seen:
                self.error(item, f"'{_shown(value)}' is listed twice in {what}")
            seen.add(value)
            out.append(value)
        return tuple(out) if len(out) == len(items) else None

    def number(self, node: Node, what: str) -> float | None:
        """A decimal number as typed (``010`` is ten); YAML 1.1's other number forms are refused."""
        value = self._scalar(node, what)
        if value is None:
            return None
        if DECIMAL.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return number
        if _SEXAGESIMAL.fullmatch(value):
            self.error(
                node,
                f"{what} is '{_shown(value)}', which is not a number: YAML 1.1 would read it in base 60. "
                "Write a decimal such as 12.5, or ask a text question if the answer is a time",
            )
        elif value[:2].lower() in ("0x", "0o", "0b") or value.lower().lstrip("+-").startswith("0x"):
            self.error(node, f"{what} is '{_shown(value)}': write numbers in decimal")
        else:
            self.error(node, f"{what} must be a number, not '{_shown(value)}'")
        return None

    def integer(self, node: Node, what: str, minimum: int) -> int | None:
        value = self._scalar(node, what)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            shown = value if len(value) <= 20 else value[:20] + "…"
            self.error(node, f"{what} must be a whole number under a billion, not '{shown}'")
            return None
        number = int(value, 10)
        if number < minimum:
            self.error(node, f"{what} must be at least {minimum}")
            return None
        return number

    def boolean(self, node: Node, what: str) -> bool | None:
        value = self._scalar(node, what)
        if value is None:
            return None
        lowered = value.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in _YAML11_BOOLS:
            self.error(
                node,
                f"{what} is '{_shown(value)}', which YAML 1.1 reads as a boolean and YAML 1.2 as text: write true or false",
            )
        else:
            self.error(node, f"{what} must be true or false, not '{_shown(value)}'")
        return None

    def tags(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if isinstance(node, ScalarNode):
            value = self.text(node, f"tags of {what}")
            return (value,) if value else ()
        return self.texts(node, f"tags of {what}") or ()

    # -- the bank -----------------------------------------------------------------------------

    def bank(self, root: Node, slug: str, sha256: str) -> Bank | None:
        top = self.fields(root, "the bank", ("title", "questions"), _BANK_FIELDS)
        if top is None:
            return None
        title = self.text(top["title"], "the bank's title") if "title" in top else None
        description = self.text(top["description"], "the bank's description") if "description" in top else ""
        source = self.source(top["source"]) if "source" in top else None
        questions = self.questions(top.get("questions"), source, "source" in top)
        quizzes = self.quizzes(top["quizzes"], questions) if "quizzes" in top else {}
        cards = self.cards(top["cards"], questions) if "cards" in top else ()
        if title is None or self.problems:
            return None
        return Bank(
            slug=slug,
            title=title,
            description=description or "",
            source=source,
            questions=questions,
            quizzes=quizzes,
            cards=cards,
            sha256=sha256,
            warnings=(*self.warnings, *answer_leaks(self.path, questions, quizzes, self.shown)),
        )

    def source(self, node: Node) -> Source | None:
        f = self.fields(node, "the bank's source", ("title",), _SOURCE_FIELDS)
        if f is None or "title" not in f:
            return None
        title = self.text(f["title"], "the source's title")
        optional = {
            k: self.text(f[k], f"the source's {k}") or "" for k in ("author", "published", "url") if k in f
        }
        paragraphs: int | None = None
        passages: dict[Citation, Passage] = {}
        listed = f.get("paragraphs")
        if isinstance(listed, MappingNode):
            passages.update(self.paragraphs(listed))
            paragraphs = max((p for p in passages if isinstance(p, int)), default=None)
        elif "paragraphs" in f:
            paragraphs = self.integer(f["paragraphs"], "the source's paragraphs", 1)
        if "header" in f:
            header = self.passage(f["header"], "the source's header")
            if header is not None:
                passages[HEADER] = header
        if optional.get("url") and not optional["url"].startswith(("https://", "http://")):
            self.error(f["url"], "the source's url must start with https:// or http://")
        return Source(title=title or "", paragraphs=paragraphs, passages=passages, **optional)

    def paragraphs(self, node: MappingNode) -> dict[Citation, Passage]:
        """``paragraphs`` as a mapping: each paragraph's number, 1..N without gaps, to its passage."""
        out: dict[Citation, Passage] = {}
        numbers: set[int] = set()
        for key, value in (self.fields(node, "the source's paragraphs") or {}).items():
            if not _INTEGER.fullmatch(key) or int(key) < 1:
                header = (
                    " (the header's summary goes in the source's 'header' field)" if key == HEADER else ""
                )
                self.error(value, f"the source's paragraphs are numbered from 1, not '{_shown(key)}'{header}")
                continue
            if int(key) in numbers:
                self.error(value, f"paragraph {int(key)} of the source is described twice")
                continue
            numbers.add(int(key))
            passage = self.passage(value, f"paragraph {int(key)} of the source")
            if passage is not None:
                out[int(key)] = passage
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - numbers)
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
            self.error(
                node,
                f"the source's paragraphs must run from 1 without gaps, but {shown} {'is' if len(missing) == 1 else 'are'} missing",
            )
        return out

    def passage(self, node: Node, what: str) -> Passage | None:
        """A passage's summary, written alone or as ``{summary: ..., opens: ...}``."""
        if isinstance(node, ScalarNode):
            summary = self.text(node, f"the summary of {what}")
            return Passage(summary) if summary is not None else None
        if not isinstance(node, MappingNode):
            self.error(
                node, f"{what} must be its summary, or {{summary: ..., opens: ...}}, not {_kind(node)}"
            )
            return None
        f = self.fields(node, what, ("summary",), _PASSAGE_FIELDS)
        if f is None or "summary" not in f:
            return None
        summary = self.text(f["summary"], f"the summary of {what}")
        opens = self.text(f["opens"], f"'opens' of {what}") if "opens" in f else ""
        if summary is None or opens is None:
            return None
        return Passage(summary, opens)

    def questions(self, node: Node | None, source: Source | None, has_source: bool) -> dict[str, Question]:
        out: dict[str, Question] = {}
        if node is None:
            return out
        items = self.items(node, "questions")
        first_line: dict[str, int] = {}
        nodes: dict[str, Node] = {}
        for index, item in enumerate(items or (), start=1):
            question = self.question(item, index, source, has_source)
            if question is None:
                if isinstance(item, MappingNode):
                    self.broken_ids.update(
                        v.value for k, v in item.value if k.value == "id" and isinstance(v, ScalarNode)
                    )
                continue
            if question.id in first_line:
                self.error(
                    item, f"duplicate question id '{question.id}' (first at line {first_line[question.id]})"
                )
                continue
            first_line[question.id] = item.start_mark.line + 1
            out[question.id] = question
            nodes[question.id] = item
            self.shown.extend(self.shown_texts(item, question))
        self.clashes(out, nodes)
        return out

    def shown_texts(self, node: Node, question: Question) -> list[Shown]:
        """The question's prompt, and the texts of the fields its type shows before an answer."""
        f = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
        out = [Shown(question.id, "prompt", f["prompt"].start_mark.line + 1, question.prompt)]
        for name in question.shown_fields:
            out.extend(
                Shown(question.id, name, scalar.start_mark.line + 1, scalar.value.strip())
                for scalar in _scalars(f.get(name))
            )
        return out

    def clashes(self, questions: dict[str, Question], nodes: dict[str, Node]) -> None:
        """Report each question whose key would accept an option that another question of the
        bank offers (a text question forgiving typos, say, one slip from a wrong choice)."""
        offered: dict[str, str] = {}
        for question in questions.values():
            for option in question.offered():
                offered.setdefault(option, question.id)
        for qid, question in questions.items():
            for name, message in question.clashes(offered):
                field = next(
                    (k for k, _ in nodes[qid].value if getattr(k, "value", None) == name), nodes[qid]
                )
                self.error(field, message)

    def question(self, node: Node, index: int, source: Source | None, has_source: bool) -> Question | None:
        if not isinstance(node, MappingNode):
            self.error(node, f"question {index} must be a mapping of fields, not {_kind(node)}")
            return None
        before = len(self.problems)
        raw = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
        qid = raw["id"].value if isinstance(raw.get("id"), ScalarNode) and raw["id"].value else None
        what = f"question '{_shown(qid)}'" if qid else f"question {index}"
        type_node = raw.get("type")
        qtype = self._scalar(type_node, f"the type of {what}") if type_node is not None else None
        cls = QUESTION_TYPES.get(qtype) if qtype is not None else None
        allowed: Collection[str]
        if cls is not None:
            required = cls.required_fields
            allowed = (*_COMMON_FIELDS, *required, *cls.optional_fields)
        else:
            if isinstance(type_node, ScalarNode) and qtype is not None:
                self.error(
                    type_node,
                    f"unknown question type '{_shown(qtype)}' in {what}{self.hint(qtype, QUESTION_TYPES)}; "
                    f"the types are {', '.join(QUESTION_TYPES)}",
                )
            required = ()
            allowed = frozenset(_COMMON_FIELDS).union(
                *(t.required_fields + t.optional_fields for t in QUESTION_TYPES.values())
            )
        # Fields only other types have, and which: "'typos' is a field of text questions".
        elsewhere: dict[str, list[str]] = {}
        for other in QUESTION_TYPES.values():
            for name in (*other.required_fields, *other.optional_fields):
                if name not in allowed:
                    elsewhere.setdefault(name, []).append(other.type)
        f = self.fields(node, what, ("id", "type", "prompt", *required), {*allowed, *elsewhere})
        if f is None or cls is None:
            return None
        for name in [name for name in f if name in elsewhere]:
            value = f.pop(name)
            key = next(k for k, v in node.value if v is value)
            self.error(
                key,
                f"'{name}' is a field of {' and '.join(elsewhere[name])} questions, not of {qtype} ones ({what})",
            )
        common = self.common(f, what, source, has_source)
        if any(name not in f for name in required):
            return None  # reported as missing; the type's reader needs them
        specific = cls.load(self, f, what)
        if len(self.problems) > before:
            return None
        return cls(**common, **specific)

    def common(
        self, f: dict[str, Node], what: str, source: Source | None, has_source: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"tags": self.tags(f.get("tags"), what)}
        if "id" in f:
            out["id"] = qid = self.text(f["id"], f"the id of {what}")
            if qid is not None and not IDENT.fullmatch(qid):
                self.error(
                    f["id"], f"the id '{_shown(qid)}' must be letters, digits, '-' or '_' (at most 100)"
                )
        if "prompt" in f:
            out["prompt"] = self.text(f["prompt"], f"the prompt of {what}")
        if "points" in f:
            out["points"] = points = self.number(f["points"], f"the points of {what}")
            if points is not None and not 0 < points <= MAX_POINTS:
                self.error(f["points"], f"the points of {what} must be more than 0 and at most {MAX_POINTS}")
        if "explanation" in f:
            out["explanation"] = self.text(f["explanation"], f"the explanation of {what}")
        if "source" in f:
            out["source"] = self.citations(f["source"], what, source, has_source)
        return out

    def citations(
        self, node: Node, what: str, source: Source | None, has_source: bool
    ) -> tuple[Citation, ...]:
        """A question's ``source``: one paragraph number or ``header``, or a list of them."""
        if isinstance(node, SequenceNode):
            self._check_tag(node)
            if not node.value:
                self.error(node, f"the source of {what} is an empty list: cite a paragraph, or leave it out")
        items: list[Node] = node.value if isinstance(node, SequenceNode) else [node]
        out: list[Citation] = []
        for item in items:
            value = self._scalar(item, f"a citation in the source of {what}")
            if value is None:
                continue
            citation: Citation
            if value == HEADER:
                citation, named = HEADER, "the header"
            elif _INTEGER.fullmatch(value) and int(value) >= 1:
                citation = int(value)
                named = f"paragraph {citation}"
            else:
                self.error(
                    item,
                    f"the source of {what} cites '{_shown(value)}'{self.hint(value, (HEADER,))}: "
                    "cite a paragraph number from 1, or header",
                )
                continue
            if citation in out:
                self.error(item, f"{what} cites {named} twice")
            elif not has_source:
                self.error(item, f"{what} cites {named}, but the bank has no 'source'")
            elif isinstance(citation, int) and source and source.paragraphs and citation > source.paragraphs:
                self.error(item, f"{what} cites {named}, but the source has {source.paragraphs}")
            out.append(citation)
        return tuple(out)

    # -- what question types read their own fields with (``BankReader``) -----------------------

    def feedback(self, node: Node, what: str, keys: Collection[str]) -> dict[str, str | None]:
        entries = self.fields(node, f"the feedback of {what}", (), keys) or {}
        return {
            key: self.text(value, f"the feedback on '{_shown(key)}' in {what}")
            for key, value in entries.items()
        }

    def quote(self, value: str) -> str:
        return _shown(value)

    def items_of(self, node: Node) -> list[Node] | None:
        return node.value if isinstance(node, SequenceNode) else None

    def pair_count(self, node: Node) -> int | None:
        return len(node.value) if isinstance(node, MappingNode) else None

    # -- quizzes and cards --------------------------------------------------------------------

    def quizzes(self, node: Node, questions: dict[str, Question]) -> dict[str, Quiz]:
        out: dict[str, Quiz] = {}
        first_line: dict[str, int] = {}
        for index, item in enumerate(self.items(node, "quizzes") or (), start=1):
            quiz = self.quiz(item, index, questions)
            if quiz is None:
                continue
            if quiz.id in first_line:
                self.error(item, f"duplicate quiz id '{quiz.id}' (first at line {first_line[quiz.id]})")
                continue
            first_line[quiz.id] = item.start_mark.line + 1
            out[quiz.id] = quiz
        return out

    def quiz(self, node: Node, index: int, questions: dict[str, Question]) -> Quiz | None:
        before = len(self.problems)
        f = self.fields(node, f"quiz {index}", ("id", "title"), _QUIZ_FIELDS)
        if f is None or "id" not in f:
            return None
        qid = self.text(f["id"], f"the id of quiz {index}")
        if qid is not None and not IDENT.fullmatch(qid):
            self.error(
                f["id"], f"the quiz id '{_shown(qid)}' must be letters, digits, '-' or '_' (at most 100)"
            )
        what = f"quiz '{_shown(qid)}'" if qid else f"quiz {index}"
        out: dict[str, Any] = {"id": qid}
        if "title" in f:
            out["title"] = title = self.text(f["title"], f"the title of {what}")
            if title is not None and len(title) > MAX_TITLE:
                self.error(f["title"], f"the title of {what} is longer than {MAX_TITLE} characters")
        if "description" in f:
            out["description"] = self.text(f["description"], f"the description of {what}")
        if "shuffle" in f:
            out["shuffle"] = self.boolean(f["shuffle"], f"shuffle in {what}")
        if "grading" in f:
            out["grading"] = grading = self.text(f["grading"], f"the grading of {what}")
            if grading is not None and grading not in GRADING_POLICIES:
                self.error(
                    f["grading"], f"the grading of {what} must be one of {', '.join(GRADING_POLICIES)}"
                )
        if "attempts" in f:
            out["attempts"] = self.attempts(f["attempts"], what)
        if "answers" in f:
            out["answers"] = answers = self.text(f["answers"], f"answers in {what}")
            if answers is not None and answers not in ANSWERS_SHOWN:
                self.error(f["answers"], f"answers in {what} must be one of {', '.join(ANSWERS_SHOWN)}")
            elif answers == "after-last-attempt" and out.get("attempts") is None:
                self.error(
                    f["answers"],
                    f"{what} shows answers after the last attempt, so it needs an attempts limit",
                )
        review = ANSWERS_SETTINGS.get(out.get("answers") or "after-each-attempt", AFTER_EACH_ATTEMPT)
        if "review" in f:
            review = self.review(f["review"], what, review)
        out["review"] = review
        if "practice" in f:
            out["practice"] = practice = self.text(f["practice"], f"practice in {what}")
            if practice is not None and practice not in PRACTICE:
                self.error(f["practice"], f"practice in {what} must be one of {', '.join(PRACTICE)}")
        if "time_limit" in f:
            out["time_limit"] = self.duration(f["time_limit"], f"the time limit of {what}")
        if "per_page" in f:
            out["per_page"] = self.integer(f["per_page"], f"per_page in {what}", 1)
        if ("questions" in f) == ("select" in f):
            self.error(
                node, f"{what} needs either 'questions' (a list of ids) or 'select' (by tags), not both"
            )
        elif "questions" in f:
            out["question_ids"] = self.quiz_questions(f["questions"], what, questions)
        else:
            out.update(self.select(f["select"], what, questions))
        return Quiz(**out) if len(self.problems) == before else None

    def review(self, node: Node, what: str, base: ReviewOptions) -> ReviewOptions:
        """Review options: for each part named, the moments it shows at ("always", "never", one
        moment or a list); parts not named keep ``base`` (what ``answers`` says)."""
        f = self.fields(node, f"review in {what}", (), PARTS) or {}
        chosen: dict[str, tuple[str, ...]] = {}
        for part, value in f.items():
            where = f"review of the {part} in {what}"
            moments: tuple[str, ...]
            if isinstance(value, ScalarNode):
                word = self.text(value, where)
                # None: the problem is reported already.
                moments = MOMENTS if word == "always" else () if word in (None, "never") else (word,)
            else:
                moments = self.texts(value, where, min_items=0) or ()
            for moment in moments:
                if moment not in MOMENTS:
                    self.error(
                        value,
                        f"{where}: '{_shown(moment)}' is not a moment; use always, never or any of {', '.join(MOMENTS)}",
                    )
            chosen[part] = tuple(moments)
        return ReviewOptions.from_mapping(chosen, base)

    def duration(self, node: Node, what: str) -> int | None:
        """Seconds, from "20m", "1h30m", "90s" or a whole number of minutes."""
        value = self._scalar(node, what)
        if value is None:
            return None
        # The pattern backtracks over a long run of spaces for as long as the run squared.
        match = _DURATION.fullmatch(value.lower()) if len(value) <= 20 else None
        if _INTEGER.fullmatch(value):
            seconds = int(value) * 60
        elif value and match and any(match.groups()):
            hours, minutes, secs = (int(g or 0) for g in match.groups())
            seconds = hours * 3600 + minutes * 60 + secs
        else:
            self.error(node, f"{what} must be a duration such as 20m, 1h30m or 90s, not '{_shown(value)}'")
            return None
        if not 60 <= seconds <= MAX_TIME_LIMIT:
            self.error(node, f"{what} must be between one minute and 24 hours")
            return None
        return seconds

    def attempts(self, node: Node, what: str) -> int | None:
        """A positive whole number, or None for 'unlimited'."""
        value = self._scalar(node, f"attempts in {what}")
        if value == "unlimited":
            return None
        if value is not None and _INTEGER.fullmatch(value) and int(value) >= 1:
            return int(value)
        self.error(node, f"attempts in {what} must be a whole number from 1, or 'unlimited'")
        return None

    def quiz_questions(self, node: Node, what: str, questions: dict[str, Question]) -> tuple[str, ...] | None:
        ids = self.texts(node, f"the questions of {what}")
        if ids is None:
            return None
        for item, qid in zip(node.value, ids, strict=True):
            if qid not in questions and qid not in self.broken_ids:
                self.error(
                    item, f"{what} names the unknown question '{_shown(qid)}'{self.hint(qid, questions)}"
                )
        return ids

    def select(self, node: Node, what: str, questions: dict[str, Question]) -> dict[str, Any]:
        f = self.fields(node, f"select in {what}", (), ("tags", "count")) or {}
        tags = self.tags(f.get("tags"), f"select in {what}")
        known = {t for q in questions.values() for t in q.tags}
        for tag in tags:
            if tag not in known:
                self.error(
                    f["tags"],
                    f"{what} selects the tag '{_shown(tag)}', which no question has{self.hint(tag, known)}",
                )
        out: dict[str, Any] = {"select_tags": tags, "question_ids": None}
        if "count" in f:
            out["select_count"] = count = self.integer(f["count"], f"the count of {what}", 1)
            pool = sum(1 for q in questions.values() if not tags or set(tags) & set(q.tags))
            if count is not None and count > pool and questions:
                self.error(f["count"], f"{what} draws {count} questions but only {pool} match its select")
        return out

    def cards(self, node: Node, questions: dict[str, Question]) -> tuple[Card, ...]:
        out: list[Card] = []
        first_line: dict[str, int] = {}
        for index, item in enumerate(self.items(node, "cards") or (), start=1):
            f = self.fields(item, f"card {index}", _CARD_FIELDS[:3], _CARD_FIELDS)
            if f is None or not all(k in f for k in _CARD_FIELDS[:3]):
                continue
            cid, front, back = (self.text(f[k], f"the {k} of card {index}") for k in _CARD_FIELDS[:3])
            if cid in first_line:
                self.error(item, f"duplicate card id '{cid}' (first at line {first_line[cid]})")
            elif cid and not IDENT.fullmatch(cid):
                self.error(f["id"], f"card id '{cid}' must be letters, digits, '-' or '_' (at most 100)")
            elif cid in questions or cid in self.broken_ids:
                self.error(
                    f["id"], f"card id '{cid}' is also a question's id: every question is a card already"
                )
            elif cid and front and back:
                first_line[cid] = item.start_mark.line + 1
                out.append(Card(cid, front, back, self.tags(f.get("tags"), f"card '{cid}'")))
        return tuple(out)
