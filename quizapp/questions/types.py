"""Question types: how each reads a learner's response from a form and how it grades it.

Each type is a small frozen dataclass registered in ``QUESTION_TYPES`` under the name banks use
(``type: single``). Grading is pure: nothing here imports Flask or touches the database, so a
stored snapshot of a question can be graded, shown and regraded long after its bank changed.
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from quizapp.text import clean_text

#: Longest typed answer kept; anything longer is refused with a message, never cut silently.
MAX_TEXT_ANSWER = 500


class FormData(Protocol):
    """The part of a submitted form a question reads (werkzeug's MultiDict fits)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


class ResponseError(ValueError):
    """A response the learner must fix before the attempt can be graded."""


@dataclass(frozen=True, slots=True)
class Result:
    """The grade of one response."""

    points: float
    max_points: float
    #: One of "correct", "partial", "wrong", "unanswered".
    outcome: str


def normalize_text(text: str) -> str:
    """Fold a typed answer for comparison: case, accents, surrounding punctuation, runs of spaces,
    and characters that show nothing (a zero-width joiner in the key, say, that nobody types)."""
    decomposed = unicodedata.normalize("NFKD", clean_text(text).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_UNMARKED)
    words = " ".join(stripped.split())
    start, end = 0, len(words)
    while start < end and _is_edge_junk(words[start]):
        start += 1
    while end > start and _is_edge_junk(words[end - 1]):
        end -= 1
    return words[start:end]


def _is_edge_junk(ch: str) -> bool:
    # Punctuation only: symbols carry meaning ("C++", "$5").
    return ch.isspace() or unicodedata.category(ch)[0] == "P"


#: Letters whose marks Unicode does not split off, folded as a learner without the key would type them.
_UNMARKED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})


_DIGITS = re.compile(r"[0-9]{1,6}")
#: A decimal number as typed: 1992, -2.5, .5, 1e3 (the bank loader reads numbers the same way).
DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_number(text: str) -> float | None:
    """Read a decimal number as people type it ("1992", "2.5", "2,5", "1,000.5"); None if it is not one."""
    compact = text.strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    if _THOUSANDS.fullmatch(compact):
        compact = compact.replace(",", "")
    elif compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    if not DECIMAL.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def format_number(value: float) -> str:
    """Show a number as typed: 1992 (not 1992.0), 3.14159265, 1234567.5."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.15g}"


def _fraction_result(fraction: float, points: float) -> Result:
    fraction = min(1.0, max(0.0, fraction))
    outcome = "correct" if fraction == 1 else "wrong" if fraction == 0 else "partial"
    return Result(round(points * fraction, 6), points, outcome)


def _pick_index(form: FormData, name: str, options: Sequence[str]) -> str | None:
    raw = form.get(name)
    if raw in (None, ""):
        return None
    index = _index(raw, len(options))
    if index is None:
        raise ResponseError("Choose one of the options shown.")
    return options[index]


def _index(raw: str, size: int) -> int | None:
    """A form's index into a list of ``size`` options, or None if it is not one."""
    return int(raw) if _DIGITS.fullmatch(raw) and int(raw) < size else None


@dataclass(frozen=True, kw_only=True)
class Question(ABC):
    """Fields every question type has; subclasses add their answer key."""

    type: ClassVar[str]

    id: str
    prompt: str
    points: float = 1.0
    explanation: str = ""
    #: Paragraph of the bank's source text that supports this question.
    source: int | None = None
    tags: tuple[str, ...] = ()

    def presented(self, rng: random.Random, shuffle: bool) -> Question:
        """The question as one learner will see it: choices in the order they are shown."""
        return self

    @abstractmethod
    def read_response(self, form: FormData, name: str) -> Any:
        """The learner's response from the submitted form, as JSON-able data (None if unanswered)."""

    @abstractmethod
    def grade(self, response: Any) -> Result:
        """Points earned by a response read by ``read_response``."""

    @abstractmethod
    def answer_text(self) -> str:
        """The correct answer, worded for a result page."""

    @abstractmethod
    def response_text(self, response: Any) -> str:
        """A learner's response, worded for a result page."""

    def feedback(self, response: Any) -> list[str]:
        """Author's feedback on the choices this response picked."""
        return []

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to show and grade this question later, as JSON-able data."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {"type": self.type, **_jsonable(data)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class _Choices(Question):
    choices: tuple[str, ...]
    #: Per-choice feedback, keyed by the choice's text.
    feedback_by_choice: Mapping[str, str] = field(default_factory=dict)
    #: False keeps the authored order even in a shuffled quiz ("None of the above" last).
    shuffle: bool = True

    def presented(self, rng: random.Random, shuffle: bool) -> Question:
        if not (shuffle and self.shuffle):
            return self
        return dataclasses.replace(self, choices=tuple(rng.sample(self.choices, len(self.choices))))

    def feedback(self, response: Any) -> list[str]:
        picked = response if isinstance(response, list) else [response]
        return [self.feedback_by_choice[c] for c in picked if c in self.feedback_by_choice]


@dataclass(frozen=True, kw_only=True)
class SingleChoice(_Choices):
    """One right choice among several."""

    type: ClassVar[str] = "single"
    answer: str

    def read_response(self, form: FormData, name: str) -> str | None:
        return _pick_index(form, name, self.choices)

    def grade(self, response: str | None) -> Result:
        if response is None:
            return Result(0.0, self.points, "unanswered")
        return _fraction_result(1.0 if response == self.answer else 0.0, self.points)

    def answer_text(self) -> str:
        return self.answer

    def response_text(self, response: str | None) -> str:
        return response or ""


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(_Choices):
    """Several right choices. Each right pick earns 1/k of the points and each wrong pick takes
    1/k away (k = number of right choices), never below zero — Canvas's partial-credit rule."""

    type: ClassVar[str] = "multi"
    answer: tuple[str, ...]

    def read_response(self, form: FormData, name: str) -> list[str] | None:
        indexes = {_index(p, len(self.choices)) for p in form.getlist(name)}
        if None in indexes:
            raise ResponseError("Choose among the options shown.")
        return [self.choices[i] for i in sorted(indexes)] or None

    def grade(self, response: list[str] | None) -> Result:
        if not response:
            return Result(0.0, self.points, "unanswered")
        right = sum(1 for c in response if c in self.answer)
        wrong = len(response) - right
        return _fraction_result((right - wrong) / len(self.answer), self.points)

    def answer_text(self) -> str:
        return "; ".join(c for c in self.choices if c in self.answer)

    def response_text(self, response: list[str] | None) -> str:
        return "; ".join(response or [])


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement to judge true or false."""

    type: ClassVar[str] = "true_false"
    answer: bool
    #: Feedback keyed by "true" or "false".
    feedback_by_choice: Mapping[str, str] = field(default_factory=dict)

    def read_response(self, form: FormData, name: str) -> bool | None:
        raw = form.get(name)
        if raw in (None, ""):
            return None
        if raw not in ("true", "false"):
            raise ResponseError("Choose True or False.")
        return raw == "true"

    def grade(self, response: bool | None) -> Result:
        if response is None:
            return Result(0.0, self.points, "unanswered")
        return _fraction_result(1.0 if response == self.answer else 0.0, self.points)

    def answer_text(self) -> str:
        return "True" if self.answer else "False"

    def response_text(self, response: bool | None) -> str:
        return "" if response is None else ("True" if response else "False")

    def feedback(self, response: bool | None) -> list[str]:
        if response is None:
            return []
        text = self.feedback_by_choice.get("true" if response else "false")
        return [text] if text else []


@dataclass(frozen=True, kw_only=True)
class ShortText(Question):
    """A typed answer compared, after ``normalize_text``, with every accepted answer."""

    type: ClassVar[str] = "text"
    answer: tuple[str, ...]

    def read_response(self, form: FormData, name: str) -> str | None:
        text = " ".join(str(form.get(name) or "").split())
        if len(text) > MAX_TEXT_ANSWER:
            raise ResponseError(f"Keep the answer under {MAX_TEXT_ANSWER} characters.")
        return text or None

    def grade(self, response: str | None) -> Result:
        if not response:
            return Result(0.0, self.points, "unanswered")
        accepted = {normalize_text(a) for a in self.answer}
        return _fraction_result(1.0 if normalize_text(response) in accepted else 0.0, self.points)

    def answer_text(self) -> str:
        return self.answer[0] + (
            f" (also accepted: {'; '.join(self.answer[1:])})" if len(self.answer) > 1 else ""
        )

    def response_text(self, response: str | None) -> str:
        return response or ""


@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    """A number, right when within ``tolerance`` of the answer."""

    type: ClassVar[str] = "numeric"
    answer: float
    tolerance: float = 0.0
    #: Shown beside the input ("km", "years"); never part of the answer.
    unit: str = ""

    def read_response(self, form: FormData, name: str) -> float | None:
        raw = str(form.get(name) or "").strip()
        if self.unit and raw.casefold().endswith(self.unit.casefold()):
            raw = raw[: -len(self.unit)]
        if not raw.strip():
            return None
        value = parse_number(raw)
        if value is None:
            raise ResponseError("Enter a number, such as 1992 or 2.5.")
        return value

    def grade(self, response: float | None) -> Result:
        if response is None:
            return Result(0.0, self.points, "unanswered")
        slack = self.tolerance + 1e-9 * max(1.0, abs(self.answer))
        return _fraction_result(1.0 if abs(response - self.answer) <= slack else 0.0, self.points)

    def answer_text(self) -> str:
        text = format_number(self.answer)
        if self.tolerance:
            text += f" (± {format_number(self.tolerance)})"
        return f"{text} {self.unit}".strip()

    def response_text(self, response: float | None) -> str:
        return "" if response is None else f"{format_number(response)} {self.unit}".strip()


@dataclass(frozen=True, kw_only=True)
class Ordering(Question):
    """Items to put in order. Each item in its right place earns an equal share of the points."""

    type: ClassVar[str] = "order"
    #: The items in their correct order.
    answer: tuple[str, ...]
    #: The items in the order they are shown: always a uniform shuffle, so the order shown says
    #: nothing about the key (ruling the right order out would give it away for two items).
    items: tuple[str, ...] = ()

    def presented(self, rng: random.Random, shuffle: bool) -> Question:
        return dataclasses.replace(self, items=tuple(rng.sample(self.answer, len(self.answer))))

    def read_response(self, form: FormData, name: str) -> list[str] | None:
        items = self.items or self.answer
        raw = [str(form.get(f"{name}-{i}") or "") for i in range(len(items))]
        if not any(raw):
            return None
        positions = [(_index(r, len(items) + 1) or 0) for r in raw]
        if sorted(positions) != list(range(1, len(items) + 1)):
            raise ResponseError(f"Give each item a different position from 1 to {len(items)}.")
        return [item for _, item in sorted(zip(positions, items, strict=True))]

    def grade(self, response: list[str] | None) -> Result:
        if not response:
            return Result(0.0, self.points, "unanswered")
        in_place = sum(1 for got, want in zip(response, self.answer, strict=False) if got == want)
        return _fraction_result(in_place / len(self.answer), self.points)

    def answer_text(self) -> str:
        return " → ".join(self.answer)

    def response_text(self, response: list[str] | None) -> str:
        return " → ".join(response or [])


@dataclass(frozen=True, kw_only=True)
class Matching(Question):
    """Left items to pair with right ones. Each right pair earns an equal share of the points."""

    type: ClassVar[str] = "match"
    #: The right pairs, (left, right), in authored order.
    answer: tuple[tuple[str, str], ...]
    #: Extra right-hand options that pair with nothing.
    distractors: tuple[str, ...] = ()
    #: Left items in the order shown.
    lefts: tuple[str, ...] = ()
    #: Right-hand options in the order shown (sorted, so their order says nothing of the key).
    options: tuple[str, ...] = ()

    def presented(self, rng: random.Random, shuffle: bool) -> Question:
        lefts = [left for left, _ in self.answer]
        if shuffle:
            rng.shuffle(lefts)
        options = sorted({right for _, right in self.answer} | set(self.distractors), key=str.casefold)
        return dataclasses.replace(self, lefts=tuple(lefts), options=tuple(options))

    def read_response(self, form: FormData, name: str) -> dict[str, str] | None:
        picked = {left: _pick_index(form, f"{name}-{i}", self.options) for i, left in enumerate(self.lefts)}
        answered = {left: right for left, right in picked.items() if right is not None}
        return answered or None

    def grade(self, response: dict[str, str] | None) -> Result:
        if not response:
            return Result(0.0, self.points, "unanswered")
        right = sum(1 for left, want in self.answer if response.get(left) == want)
        return _fraction_result(right / len(self.answer), self.points)

    def answer_text(self) -> str:
        return "; ".join(f"{left} → {right}" for left, right in self.answer)

    def response_text(self, response: dict[str, str] | None) -> str:
        if not response:
            return ""
        return "; ".join(f"{left} → {response.get(left, '—')}" for left, _ in self.answer)


QUESTION_TYPES: dict[str, type[Question]] = {
    cls.type: cls for cls in (SingleChoice, MultipleChoice, TrueFalse, ShortText, Numeric, Ordering, Matching)
}


def from_snapshot(data: Mapping[str, Any]) -> Question:
    """Rebuild a question from ``Question.snapshot()`` output."""
    fields = {key: tuple(value) if type(value) is list else value for key, value in data.items()}
    cls = QUESTION_TYPES[fields.pop("type")]
    if cls is Matching:
        fields["answer"] = tuple(tuple(pair) for pair in fields["answer"])
    return cls(**fields)


GRADING_POLICIES = ("highest", "last", "first", "average")


def overall_grade(fractions: Sequence[float], policy: str) -> float | None:
    """A learner's grade on a quiz from their submitted attempts' fractions, oldest first."""
    if not fractions:
        return None
    if policy == "highest":
        return max(fractions)
    if policy == "last":
        return fractions[-1]
    if policy == "first":
        return fractions[0]
    if policy == "average":
        return sum(fractions) / len(fractions)
    raise ValueError(f"unknown grading policy {policy!r}")
