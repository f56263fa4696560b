"""Question types: the registry, the one place a type is described.

Each type is a small frozen dataclass that ``@register`` adds to ``QUESTION_TYPES`` under the name
banks use (``type: single``). It declares its bank fields and reads them, names its input macro in
templates/questions/inputs.html, reads a response, grades it, words its key, and fills and reads
the question editor's form: the loader, the quiz form, the editor and the reports ask the type
rather than switch on its name (docs/question-types.md). Everything here is pure: nothing imports
Flask or touches the database, so a stored snapshot of a question can be graded, shown and
regraded long after its bank changed.
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal, Protocol, TypeVar

from rapidfuzz.distance import OSA

from quizapp.text import clean_text, plain_punctuation

#: Longest typed answer kept; anything longer is refused with a message, never cut silently.
MAX_TEXT_ANSWER = 500

#: What a question cites of its bank's source: a paragraph number, or the article's header.
Citation = int | Literal["header"]
#: The citation of the header: the byline, the date and the standfirst.
HEADER: Final = "header"


class FormData(Protocol):
    """The part of a submitted form a question reads (werkzeug's MultiDict fits)."""

    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Iterable[str]: ...


class BankReader(Protocol):
    """What a type reads its bank fields with (the bank loader's reader). Each reading method
    notes a problem at the node's line and returns None when the value is unusable. Nodes are
    opaque here: a type never sees YAML."""

    def error(self, node: Any, message: str) -> None: ...

    def warn(self, node: Any, message: str) -> None:
        """Note a warning at the node's line: the bank is still served."""
        ...

    def hint(self, word: str, options: Iterable[str]) -> str:
        """A " (did you mean 'x'?)" for the option closest to ``word``, or ""."""
        ...

    def quote(self, value: str) -> str:
        """A value as a problem quotes it: a long one by its start."""
        ...

    def text(self, node: Any, what: str) -> str | None: ...

    def texts(self, node: Any, what: str, min_items: int = 1) -> tuple[str, ...] | None: ...

    def number(self, node: Any, what: str) -> float | None: ...

    def boolean(self, node: Any, what: str) -> bool | None: ...

    def fields(
        self, node: Any, what: str, required: Iterable[str] = (), allowed: Collection[str] | None = None
    ) -> dict[str, Any] | None: ...

    def feedback(self, node: Any, what: str, keys: Collection[str]) -> dict[str, str | None]:
        """A mapping from some of ``keys`` to feedback texts."""
        ...

    def items_of(self, node: Any) -> list[Any] | None:
        """The item nodes of a list; None, and no problem, when the node is not a list."""
        ...

    def pair_count(self, node: Any) -> int | None:
        """How many ``key: value`` pairs a mapping holds; None when the node is not a mapping."""
        ...


class ResponseError(ValueError):
    """A response the learner must fix before the attempt can be graded."""


@dataclass(frozen=True, slots=True)
class Result:
    """The grade of one response."""

    points: float
    max_points: float
    #: One of "correct", "partial", "wrong", "unanswered".
    outcome: str


@dataclass(frozen=True, slots=True)
class Shown:
    """A list a learner reads beside a question's prompt before answering, as a flashcard's front
    shows it."""

    #: What the texts are, for styling: "choices", "items", "options" or "order".
    kind: str
    texts: tuple[str, ...]
    #: What to do with them, said before the list ("" when the prompt says it all).
    hint: str = ""


def normalize_text(text: str) -> str:
    """Fold a typed answer for comparison: case, accents, surrounding punctuation, runs of spaces,
    characters that show nothing (a zero-width joiner in the key, say, that nobody types),
    typographic quotes, dashes and ellipses (as ASCII), the dots of an abbreviation ("U.S.A." is
    "USA"; "2.5" keeps its point) and a leading "the", "a" or "an"."""
    typed = plain_punctuation(clean_text(text)).casefold()
    decomposed = unicodedata.normalize("NFKD", typed)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_UNMARKED)
    words = _trim(" ".join(stripped.split()))
    article, _, rest = words.partition(" ")
    if article in _ARTICLES and _trim(rest):
        words = _trim(rest)
    return _ABBREVIATION.sub(lambda found: found[0].replace(".", ""), words)


#: Words that may open an answer without changing it: "the Kremlin" is "Kremlin".
_ARTICLES = ("the", "a", "an")
#: Single letters joined by dots, with or without a last dot: "u.s.", "u.s", "e.g.", not "med.vedev".
_ABBREVIATION = re.compile(r"(?<![^\W_])[^\W\d_](?:\.[^\W\d_])+\.?(?![^\W_])")


def _trim(words: str) -> str:
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
#: Thousands set apart by spaces or underscores: "1 000", "1_000_000.5".
_SPACED = re.compile(r"[+-]?\d{1,3}(?:[ _]\d{3})+(?:[.,]\d+)?")


def parse_number(text: str) -> float | None:
    """Read one number as people type it: in digits ("1992", "2.5", "2,5", "1,000.5", "−3"), in
    words ("six", "twenty-one", "one thousand nine hundred and ninety-two"), as an ordinal ("6th",
    "sixth", "twenty-first"), or with a scale word ("6 thousand", "2.5 million"). None when the
    text is not exactly one number."""
    typed = " ".join(plain_punctuation(text).split())
    value = _decimal(typed)
    if value is None:
        value = _ordinal_digits(typed)
    if value is None:
        value = _spelled(typed.casefold())
    return value if value is not None and math.isfinite(value) else None


def _decimal(text: str) -> float | None:
    if _SPACED.fullmatch(text):
        text = text.replace(" ", "").replace("_", "")
    elif " " in text or "_" in text:
        return None  # "5 6" is two numbers, not 56
    compact = text
    if _THOUSANDS.fullmatch(compact):
        compact = compact.replace(",", "")
    elif compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    return float(compact) if DECIMAL.fullmatch(compact) else None


_ORDINAL_DIGITS = re.compile(r"(\d{1,15})(?:st|nd|rd|th)", re.IGNORECASE)


def _ordinal_digits(text: str) -> float | None:
    match = _ORDINAL_DIGITS.fullmatch(text)
    return float(match[1]) if match else None


_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen")
_SMALL = {word: n for n, word in enumerate((*_ONES, *_TEENS, "nineteen"))}
_TENS = {
    word: 10 * n
    for n, word in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2
    )
}
#: Scale words: part of the number they follow ("6 thousand" is 6000), never a unit.
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_IRREGULAR_ORDINALS = {
    "first": "one",
    "second": "two",
    "third": "three",
    "fifth": "five",
    "eighth": "eight",
    "ninth": "nine",
    "twelfth": "twelve",
}
#: Each ordinal word, by the cardinal it stands for: "sixth" six, "twentieth" twenty.
_ORDINALS = {
    **{
        (word[:-1] + "ieth" if word.endswith("y") else word + "th"): word
        for word in (*_SMALL, *_TENS, "hundred", *_SCALES)
        if word not in _IRREGULAR_ORDINALS.values() and word != "zero"
    },
    **_IRREGULAR_ORDINALS,
}
#: Every word that is (part of) a number, which a unit never is.
NUMBER_WORDS = frozenset({*_SMALL, *_TENS, "hundred", *_SCALES, *_ORDINALS, "zeroth"})


def _spelled(text: str) -> float | None:
    """A number in words or a decimal with a scale word ("2.5 million"); None if it is not one."""
    words = [w for w in re.split(r"[\s-]+", text) if w]
    if len(words) == 2 and words[1] in {"hundred", *_SCALES}:
        head = _decimal(words[0])
        if head is not None:
            return head * (100 if words[1] == "hundred" else _SCALES[words[1]])
    if words and words[-1] in _ORDINALS:
        if words[0] == "a":
            return None  # "a third", "a hundredth": fractions
        words[-1] = _ORDINALS[words[-1]]
    if words == ["zero"]:
        return 0.0
    total, at, below = 0, 0, math.inf
    while at < len(words):
        group = _below_thousand(words, at)
        if group is None:
            return None
        value, at = group
        scale = _SCALES.get(words[at]) if at < len(words) else None
        if scale is None:
            return float(total + value) if at == len(words) else None
        if scale >= below:
            return None  # "two thousand three thousand"
        total, below, at = total + value * scale, scale, at + 1
        if at < len(words) - 1 and words[at] == "and":
            at += 1
    return float(total) if words else None


def _below_hundred(words: list[str], at: int) -> tuple[int, int] | None:
    word = words[at] if at < len(words) else ""
    if word in _SMALL and word != "zero":
        return _SMALL[word], at + 1
    if word in _TENS:
        following = words[at + 1] if at + 1 < len(words) else ""
        if 1 <= _SMALL.get(following, 0) <= 9:
            return _TENS[word] + _SMALL[following], at + 2
        return _TENS[word], at + 1
    return None


def _below_thousand(words: list[str], at: int) -> tuple[int, int] | None:
    """1 to 999 in words from ``words[at]`` ("a hundred", "nineteen hundred and five"), and where
    it ends."""
    if words[at] == "a" and at + 1 < len(words) and words[at + 1] in {"hundred", *_SCALES}:
        head: tuple[int, int] | None = (1, at + 1)
    else:
        head = _below_hundred(words, at)
    if head is None:
        return None
    value, at = head
    if at < len(words) and words[at] == "hundred":
        value, at = value * 100, at + 1
        after_and = at + 1 if at < len(words) - 1 and words[at] == "and" else at
        tail = _below_hundred(words, after_and)
        if tail is not None:
            value, at = value + tail[0], tail[1]
    return value, at


#: What a number typed with words after it may not be followed by: words that join a second number
#: ("5 or 6", "6 to 7"), change the number ("6 thousands", "6k", "44 BC", "6 and a half") or hedge it.
_NOT_UNITS = frozenset(
    {
        *NUMBER_WORDS,
        *(scale + "s" for scale in ("hundred", *_SCALES)),
        *("a", "an", "and", "or", "nor", "to", "till", "until", "through", "than", "by", "per", "point"),
        *("plus", "minus", "times", "half", "halves", "quarter", "quarters", "dozen", "dozens", "score"),
        *("k", "m", "b", "bn", "mn", "bc", "bce", "ago", "percent", "cent", "less", "more", "fewer"),
        *("over", "under", "least", "most", "about", "around", "approximately", "roughly", "nearly"),
        "almost",
    }
)
#: A unit word learners type after a number on a question with no unit: "10 years", "6 troops".
_UNIT_WORD = re.compile(r"[^\W\d_]+(?:['.-][^\W\d_]+)*\.?")
#: Where digits meet letters ("10years"), read as a space; "6th" is read as an ordinal before.
_DIGITS_LETTERS = re.compile(r"(?<=\d)(?=[^\W\d_])")
NOT_A_NUMBER = "Enter a number, such as 1992 or 2.5."
NOT_ONE_NUMBER = (
    "Enter a number on its own, such as 6 or six, with nothing before it and at most a unit after "
    "it: a range (6-7) or a choice (5 or 6) cannot be marked."
)


def read_amount(text: str, unit: str = "") -> float | None:
    """The number a learner typed for a question measured in ``unit`` (None if they typed none),
    read by ``parse_number``. A unit may follow it: ``unit`` in the singular or the plural, or,
    when the question has none, a word or three ("10 years"). A number is read only when it comes
    first and alone: "6-7", "5 or 6" and "about 6" raise ``ResponseError``, as does text with no
    number in it."""
    typed = " ".join(plain_punctuation(text).split())
    if not typed:
        return None
    typed = typed.rstrip(".!?;, ") or typed
    if unit:
        for form in _unit_forms(unit):
            if typed.casefold().endswith(form):
                head = typed[: len(typed) - len(form)].strip()
                if not head:
                    return None  # only the unit, as the input shows it
                value = parse_number(head)
                if value is not None:
                    return value
    value = parse_number(typed)
    if value is not None:
        return value
    words = _DIGITS_LETTERS.sub(" ", typed).split()
    for split in range(len(words) - 1, max(0, len(words) - 4), -1):  # at most three unit words
        if parse_number(" ".join(words[:split])) is None:
            continue
        if not _are_unit_words(words[split:]):
            break
        if unit:
            raise ResponseError(
                f"Enter a number of {unit}, such as 6 or 6 {unit}: another unit cannot be marked."
            )
        return parse_number(" ".join(words[:split]))
    has_number = any(ch.isdigit() for ch in typed) or any(
        word in NUMBER_WORDS for word in re.split(r"[\s-]+", typed.casefold())
    )
    raise ResponseError(NOT_ONE_NUMBER if has_number else NOT_A_NUMBER)


def _unit_forms(unit: str) -> list[str]:
    """A unit in the singular and the plural ("troops", "troop"), longest first."""
    unit = " ".join(plain_punctuation(unit).casefold().split())
    forms = {unit}
    if unit[-1:].isalpha():
        forms |= {unit + "s", unit + "es"}
        if unit.endswith("s"):
            forms.add(unit[:-1])
        if unit.endswith("es"):
            forms.add(unit[:-2])
        if unit.endswith("ies"):
            forms.add(unit[:-3] + "y")
        if unit.endswith("y"):
            forms.add(unit[:-1] + "ies")
    return sorted(forms - {""}, key=len, reverse=True)


def _are_unit_words(words: list[str]) -> bool:
    return len(words) <= 3 and all(
        _UNIT_WORD.fullmatch(word) and word.casefold().rstrip(".") not in _NOT_UNITS for word in words
    )


def format_number(value: float) -> str:
    """Show a number as typed: 1992 (not 1992.0), 3.14159265, 1234567.5."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.15g}"


def _fraction_result(fraction: float, points: float) -> Result:
    fraction = min(1.0, max(0.0, fraction))
    outcome = "correct" if fraction == 1 else "wrong" if fraction == 0 else "partial"
    return Result(round(points * fraction, 6), points, outcome)


class _Sent:
    """A phone's answer in a live game as a form of one field, ``LIVE``, for ``read_response``."""

    def __init__(self, *values: str) -> None:
        self.values = list(values)

    def get(self, key: str) -> str | None:
        return self.values[0] if key == LIVE and self.values else None

    def getlist(self, key: str) -> list[str]:
        return list(self.values) if key == LIVE else []

    def keys(self) -> Iterable[str]:
        return [LIVE]


#: The field name a live answer is read under.
LIVE = "live"


def _is_index(raw: Any) -> bool:
    """Whether a live answer's value is an index into the options shown (JSON: a whole number)."""
    return isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0


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


def form_lines(text: str | None) -> list[str]:
    """An editor's text box, one item a line, as its non-blank lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def form_pairs(text: str | None, separator: str = "=") -> list[tuple[str, str]]:
    """'left = right' lines as pairs; a line without the separator pairs with ''."""
    out = []
    for line in form_lines(text):
        left, _, right = line.partition(separator)
        out.append((left.strip(), right.strip()))
    return out


def form_number(text: Any) -> int | float | str | None:
    """A typed number as an int or float; text that is not one is kept, for the loader to report."""
    raw = str(text or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() else value


@dataclass(frozen=True, kw_only=True)
class Question(ABC):
    """Fields every question type has; subclasses add their answer key and declare, as class
    attributes and methods, all the rest of the app needs to know of them."""

    #: The name banks give the type (``type: single``): its key in ``QUESTION_TYPES``.
    type: ClassVar[str]
    #: The type's name as people read it ("Single choice"), wherever a page names the type
    #: (empty: pages show ``type``).
    label: ClassVar[str] = ""
    #: The bank fields this type must have beyond the common ones, then those it may have, in the
    #: order the question editor writes them.
    required_fields: ClassVar[tuple[str, ...]]
    optional_fields: ClassVar[tuple[str, ...]] = ()
    #: The macro of templates/questions/inputs.html that renders its inputs on the quiz form.
    input_macro: ClassVar[str]
    #: The question editor's inputs it uses, beyond id, prompt, points, explanation, source, tags.
    form_fields: ClassVar[tuple[str, ...]]
    #: What the editor's Answer box holds for this type.
    answer_help: ClassVar[str] = ""
    #: What a fixed key may change in a question an attempt already showed (a regrade).
    key_fields: ClassVar[tuple[str, ...]] = ("answer", "explanation", "points")
    #: Whether its key is a list of typed wordings that a learner's answer can be added to (the item
    #: analysis offers the wrong ones for acceptance).
    accepts_wordings: ClassVar[bool] = False
    #: The bank fields, beside the prompt, whose texts a learner reads before answering.
    shown_fields: ClassVar[tuple[str, ...]] = ()

    id: str
    prompt: str
    points: float = 1.0
    explanation: str = ""
    #: The paragraphs (and perhaps the header) of the bank's source text that support this question.
    source: tuple[Citation, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    @abstractmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        """This type's own fields from a bank's question (``f``: its nodes by key, every required
        one there) as keyword arguments for the class; ``what`` names the question in problems."""

    @classmethod
    def restore(cls, fields: dict[str, Any]) -> Question:
        """The question from its snapshot's fields, lists already made tuples."""
        return cls(**fields)

    @abstractmethod
    def to_form(self) -> dict[str, Any]:
        """This type's own fields as the question editor's values (a text box, one item a line)."""

    @classmethod
    @abstractmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """This type's own bank fields from the editor's values, in plain lists and dicts (the
        empty ones are left out later; the bank loader then checks the question)."""

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

    def front(self) -> tuple[Shown, ...]:
        """What a flashcard's front shows beside the prompt, of the question as ``presented``
        shows it: the lists a learner reads before answering (none for most types)."""
        return ()

    @abstractmethod
    def response_text(self, response: Any) -> str:
        """A learner's response, worded for a result page."""

    def feedback(self, response: Any) -> list[str]:
        """Author's feedback on the choices this response picked."""
        return []

    def keys(self) -> tuple[str, ...]:
        """The answers as written, which would give this question away if another question of
        the same quiz showed them (the bank's answer-leak lint)."""
        return ()

    def offered(self) -> list[str]:
        """The options a learner picks among, for the item analysis's unpicked distractors."""
        return []

    def clashes(self, offered: Mapping[str, str]) -> list[tuple[str, str]]:
        """What in this question's key lets it accept the options other questions of its bank
        offer (``offered``: each option's text and the id of a question offering it), as pairs of
        the bank field at fault and the problem, for the bank loader to report."""
        return []

    def picks(self, response: Any) -> list[str]:
        """An answered response as the item analysis counts it: the options it picked, or its
        wording when the type has no options."""
        return [self.response_text(response)]

    #: Whether live games play this type: one tap, a few taps or one typed line answer it.
    played_live: ClassVar[bool] = False

    def live_shown(self) -> dict[str, Any]:
        """What a phone shows of this question in a live game beside its prompt while it is open
        (the options to tap, a unit): never anything of its key."""
        return {}

    def right_options(self) -> list[str]:
        """Which of ``offered()`` are right, for a chart of how the answers split."""
        return []

    def live_response(self, raw: Any) -> Any:
        """A phone's answer in a live game, as JSON sent it, read as ``read_response`` reads a
        form: ``ResponseError`` says what to fix; None when it holds no answer."""
        raise ResponseError("Live games do not play this kind of question.")

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to show and grade this question later, as JSON-able data."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {"type": self.type, **_jsonable(data)}


QuestionType = TypeVar("QuestionType", bound="type[Question]")

#: Every question type by the name banks give it, in the order registered.
QUESTION_TYPES: dict[str, type[Question]] = {}

_DECLARED = ("type", "required_fields", "input_macro", "form_fields")


def register(cls: QuestionType) -> QuestionType:
    """Add a question type to ``QUESTION_TYPES``: banks, the quiz form, the question editor and
    the reports then know it."""
    missing = [name for name in _DECLARED if not hasattr(cls, name)] + sorted(cls.__abstractmethods__)
    if missing:
        raise TypeError(f"question type {cls.__name__} lacks {', '.join(missing)}")
    if cls.type in QUESTION_TYPES:
        raise ValueError(f"a question type '{cls.type}' is registered already")
    QUESTION_TYPES[cls.type] = cls
    return cls


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def _check_choice(
    read: BankReader, node: Any, value: str | None, choices: tuple[str, ...] | None, what: str
) -> None:
    if value is not None and choices is not None and value not in choices:
        read.error(
            node,
            f"the answer '{read.quote(value)}' of {what} is not one of its choices{read.hint(value, choices)}",
        )


def _feedback_lines(feedback: Mapping[str, str]) -> str:
    return "\n".join(f"{key} = {text}" for key, text in feedback.items())


def _feedback_mapping(text: str | None) -> dict[str, str]:
    return {key: text for key, text in form_pairs(text) if key}


@dataclass(frozen=True, kw_only=True)
class _Choices(Question):
    required_fields = ("choices", "answer")
    optional_fields = ("feedback", "shuffle")
    form_fields = ("choices", "answer", "feedback", "shuffle")
    key_fields = (*Question.key_fields, "feedback_by_choice")
    #: Whether the editor lets several choices be ticked right, or one.
    several_right: ClassVar[bool] = False
    #: What a flashcard's front says before the choices.
    choose_hint: ClassVar[str] = ""
    shown_fields = ("choices",)

    choices: tuple[str, ...]
    #: Per-choice feedback, keyed by the choice's text.
    feedback_by_choice: Mapping[str, str] = field(default_factory=dict)
    #: False keeps the authored order even in a shuffled quiz ("None of the above" last).
    shuffle: bool = True

    @classmethod
    def _load_choices(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        out: dict[str, Any] = {"choices": read.texts(f["choices"], f"the choices of {what}", min_items=2)}
        if "shuffle" in f:
            out["shuffle"] = read.boolean(f["shuffle"], f"shuffle in {what}")
        if "feedback" in f and out["choices"]:
            out["feedback_by_choice"] = read.feedback(f["feedback"], what, out["choices"])
        return out

    def to_form(self) -> dict[str, Any]:
        return {
            "choices": "\n".join(self.choices),
            "feedback": _feedback_lines(self.feedback_by_choice),
            "shuffle": self.shuffle,
        }

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "choices": form_lines(values.get("choices")),
            "feedback": _feedback_mapping(values.get("feedback")),
            "shuffle": None if values.get("shuffle") else False,  # written only when unticked
        }

    def presented(self, rng: random.Random, shuffle: bool) -> Question:
        if not (shuffle and self.shuffle):
            return self
        return dataclasses.replace(self, choices=tuple(rng.sample(self.choices, len(self.choices))))

    def front(self) -> tuple[Shown, ...]:
        return (Shown("choices", self.choices, self.choose_hint),)

    def feedback(self, response: Any) -> list[str]:
        picked = response if isinstance(response, list) else [response]
        return [self.feedback_by_choice[c] for c in picked if c in self.feedback_by_choice]

    def offered(self) -> list[str]:
        return list(self.choices)

    played_live = True

    def live_shown(self) -> dict[str, Any]:
        return {"choices": list(self.choices), "several": self.several_right}

    def right_options(self) -> list[str]:
        return [c for c in self.choices if c in self.keys()]


@register
@dataclass(frozen=True, kw_only=True)
class SingleChoice(_Choices):
    """One right choice among several."""

    type: ClassVar[str] = "single"
    label = "Single choice"
    input_macro = "single_choice"
    answer_help = "Type each choice in a row and tick the right one."
    answer: str

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        out = cls._load_choices(read, f, what)
        out["answer"] = read.text(f["answer"], f"the answer of {what}")
        _check_choice(read, f["answer"], out["answer"], out["choices"], what)
        return out

    def to_form(self) -> dict[str, Any]:
        return {**super().to_form(), "answer": self.answer}

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().from_form(values), "answer": (values.get("answer") or "").strip()}

    def read_response(self, form: FormData, name: str) -> str | None:
        return _pick_index(form, name, self.choices)

    def grade(self, response: str | None) -> Result:
        if response is None:
            return Result(0.0, self.points, "unanswered")
        return _fraction_result(1.0 if response == self.answer else 0.0, self.points)

    def answer_text(self) -> str:
        return self.answer

    def keys(self) -> tuple[str, ...]:
        return (self.answer,)

    def response_text(self, response: str | None) -> str:
        return response or ""

    def live_response(self, raw: Any) -> str | None:
        if not _is_index(raw):
            raise ResponseError("Choose one of the answers shown.")
        return self.read_response(_Sent(str(raw)), LIVE)


@register
@dataclass(frozen=True, kw_only=True)
class MultipleChoice(_Choices):
    """Several right choices. Each right pick earns 1/k of the points and each wrong pick takes
    1/k away (k = number of right choices), never below zero — Canvas's partial-credit rule."""

    type: ClassVar[str] = "multi"
    label = "Multiple choice"
    input_macro = "multiple_choice"
    several_right = True
    choose_hint = "Select every right answer."
    answer_help = "Type each choice in a row and tick every right one."
    answer: tuple[str, ...]

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        out = cls._load_choices(read, f, what)
        node = f["answer"]
        nodes = read.items_of(node)
        answers: tuple[str | None, ...]
        if nodes is None:
            nodes, answers = [node], (read.text(node, f"the answer of {what}"),)
        else:
            answers = read.texts(node, f"the answers of {what}") or ()
        out["answer"] = answers
        for item, answer in zip(nodes, answers, strict=False):
            _check_choice(read, item, answer, out["choices"], what)
        return out

    def to_form(self) -> dict[str, Any]:
        return {**super().to_form(), "answer": "\n".join(self.answer)}

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().from_form(values), "answer": form_lines(values.get("answer"))}

    def picks(self, response: list[str]) -> list[str]:
        return list(response)

    def read_response(self, form: FormData, name: str) -> list[str] | None:
        indexes = {_index(p, len(self.choices)) for p in form.getlist(name)}
        picked = sorted(i for i in indexes if i is not None)
        if len(picked) < len(indexes):
            raise ResponseError("Choose among the options shown.")
        return [self.choices[i] for i in picked] or None

    def grade(self, response: list[str] | None) -> Result:
        if not response:
            return Result(0.0, self.points, "unanswered")
        right = sum(1 for c in response if c in self.answer)
        wrong = len(response) - right
        return _fraction_result((right - wrong) / len(self.answer), self.points)

    def answer_text(self) -> str:
        return "; ".join(c for c in self.choices if c in self.answer)

    def keys(self) -> tuple[str, ...]:
        return self.answer

    def response_text(self, response: list[str] | None) -> str:
        return "; ".join(response or [])

    def live_response(self, raw: Any) -> list[str] | None:
        if (
            not isinstance(raw, list)
            or not raw
            or not all(_is_index(i) for i in raw)
            or len(set(raw)) < len(raw)
        ):
            raise ResponseError("Choose one or more of the answers shown, each once.")
        return self.read_response(_Sent(*map(str, raw)), LIVE)


@register
@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement to judge true or false."""

    type: ClassVar[str] = "true_false"
    label = "True / false"
    required_fields = ("answer",)
    optional_fields = ("feedback",)
    input_macro = "true_false"
    form_fields = ("truth", "feedback")
    key_fields = (*Question.key_fields, "feedback_by_choice")
    answer: bool
    #: Feedback keyed by "true" or "false".
    feedback_by_choice: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": read.boolean(f["answer"], f"the answer of {what}")}
        if "feedback" in f:
            out["feedback_by_choice"] = read.feedback(f["feedback"], what, ("true", "false"))
        return out

    def to_form(self) -> dict[str, Any]:
        return {
            "truth": "true" if self.answer else "false",
            "feedback": _feedback_lines(self.feedback_by_choice),
        }

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "answer": values.get("truth") == "true",
            "feedback": _feedback_mapping(values.get("feedback")),
        }

    def offered(self) -> list[str]:
        return ["True", "False"]

    played_live = True

    def live_shown(self) -> dict[str, Any]:
        return {"choices": self.offered(), "several": False}

    def right_options(self) -> list[str]:
        return [self.answer_text()]

    def live_response(self, raw: Any) -> bool | None:
        if not isinstance(raw, bool):
            raise ResponseError("Choose True or False.")
        return self.read_response(_Sent("true" if raw else "false"), LIVE)

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


#: Typing slips a text question may forgive (``typos``): 0, the default, needs the exact answer.
TYPOS = (0, 1, 2)
#: Accepted answers this short (once normalised) never forgive a slip: "Osh" is not "Ash".
TYPO_MIN_LENGTH = 4
_NUMBERS_IN_TEXT = re.compile(r"\d+")


def edits_between(typed: str, answer: str, limit: int) -> int:
    """The typing slips between two normalised texts (a letter added, dropped, changed, or two
    swapped: the optimal string alignment distance), or ``limit`` + 1 when there are more."""
    return int(OSA.distance(typed, answer, score_cutoff=limit))


@register
@dataclass(frozen=True, kw_only=True)
class ShortText(Question):
    """A typed answer compared, after ``normalize_text``, with every accepted answer; with
    ``typos``, within that many slips of one, unless a listed wrong answer is as close."""

    type: ClassVar[str] = "text"
    label = "Short text"
    required_fields = ("answer",)
    optional_fields = ("wrong", "typos")
    accepts_wordings = True
    input_macro = "short_text"
    form_fields = ("answer", "wrong", "typos")
    answer_help = (
        "Every accepted answer, one a line. Case, accents, typographic quotes and dashes, dots in "
        "abbreviations, a leading 'the' and surrounding punctuation are ignored."
    )
    key_fields = (*Question.key_fields, "wrong", "typos")
    answer: tuple[str, ...]
    #: Known wrong answers: never accepted, nor anything as close to one as to an accepted answer.
    wrong: tuple[str, ...] = ()
    #: Typing slips forgiven in answers longer than ``TYPO_MIN_LENGTH`` characters (0 to 2).
    typos: int = 0

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        answers = cls._load_texts(read, f["answer"], "accepted answer", what)
        accepted = {normalize_text(a) for a in answers if a is not None} - {""}
        out: dict[str, Any] = {"answer": answers}
        if "wrong" in f:
            out["wrong"] = cls._load_texts(read, f["wrong"], "wrong answer", what)
            for item, wrong in zip(read.items_of(f["wrong"]) or [f["wrong"]], out["wrong"], strict=False):
                if wrong is not None and normalize_text(wrong) in accepted:
                    read.error(
                        item,
                        f"'{read.quote(wrong)}' is a wrong answer of {what} and also one of its accepted "
                        "answers (once case, accents and punctuation are ignored)",
                    )
        if "typos" in f:
            typed = read.text(f["typos"], f"typos in {what}")
            if typed is not None and typed not in {str(n) for n in TYPOS}:
                read.error(
                    f["typos"],
                    f"typos in {what} must be 0, 1 or 2 (the typing slips an answer may have), "
                    f"not '{read.quote(typed)}'",
                )
            elif typed is not None:
                out["typos"] = int(typed)
                if out["typos"] and not any(len(a) > TYPO_MIN_LENGTH for a in accepted):
                    read.error(
                        f["typos"],
                        f"typos in {what} would change nothing: slips are never forgiven in answers of "
                        f"{TYPO_MIN_LENGTH} characters or fewer",
                    )
        return out

    @staticmethod
    def _load_texts(read: BankReader, node: Any, noun: str, what: str) -> tuple[str | None, ...]:
        """One text or a list of them, each checked not to be empty once punctuation is ignored."""
        nodes = read.items_of(node)
        texts: tuple[str | None, ...]
        if nodes is None:
            nodes, texts = [node], (read.text(node, f"the {noun.split()[-1]} of {what}"),)
        else:
            texts = read.texts(node, f"the {noun}s of {what}") or ()
        first: dict[str, str] = {}
        for item, text in zip(nodes, texts, strict=False):
            folded = normalize_text(text) if text is not None else None
            if text is not None and not folded:
                read.error(
                    item, f"the {noun} '{read.quote(text)}' of {what} is empty once punctuation is ignored"
                )
            elif folded and folded in first:
                read.warn(
                    item,
                    f"the {noun} '{read.quote(text or '')}' of {what} adds nothing: learners' answers are "
                    f"compared as '{read.quote(first[folded])}' already is (case, quotes, dots, a leading "
                    "'the'); drop it",
                )
            elif folded:
                first[folded] = text or ""
        return texts

    def clashes(self, offered: Mapping[str, str]) -> list[tuple[str, str]]:
        if not self.typos:
            return []
        accepted = {normalize_text(a): a for a in self.answer}
        guarded = {normalize_text(w) for w in self.wrong}
        out = []
        for option, offered_by in offered.items():
            near = normalize_text(option)
            if near in accepted or near in guarded:
                continue
            for key, answer in accepted.items():
                # Within twice the typos, a response could be as close to the option as to the key.
                edits = edits_between(near, key, 2 * self.typos)
                if len(key) > TYPO_MIN_LENGTH and edits <= 2 * self.typos:
                    out.append(
                        (
                            "typos",
                            f"with typos: {self.typos}, question '{self.id}' could accept an answer as close "
                            f"to '{option}' (a choice of question '{offered_by}') as to its answer "
                            f"'{answer}', {edits} slip{'s' if edits > 1 else ''} apart: list '{option}' "
                            "under its wrong answers (wrong:), or lower typos",
                        )
                    )
                    break
        return out

    def to_form(self) -> dict[str, Any]:
        return {"answer": "\n".join(self.answer), "wrong": "\n".join(self.wrong), "typos": str(self.typos)}

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "answer": form_lines(values.get("answer")),
            "wrong": form_lines(values.get("wrong")),
            "typos": form_number(values.get("typos")) or None,  # 0, exact, is the default
        }

    def read_response(self, form: FormData, name: str) -> str | None:
        text = " ".join(str(form.get(name) or "").split())
        if len(text) > MAX_TEXT_ANSWER:
            raise ResponseError(f"Keep the answer under {MAX_TEXT_ANSWER} characters.")
        return text or None

    def matched(self, response: str | None) -> tuple[str, bool] | None:
        """The accepted answer a response matches, and whether only within ``typos`` slips of it;
        None when it matches none."""
        typed = normalize_text(response or "")
        if not typed:
            return None
        accepted = {normalize_text(a): a for a in self.answer}
        if typed in accepted:
            return accepted[typed], False
        wrong = {normalize_text(w) for w in self.wrong}
        if not self.typos or typed in wrong:
            return None
        numbers = _NUMBERS_IN_TEXT.findall(typed)
        close = sorted(
            (edits_between(typed, key, self.typos), answer)
            for key, answer in accepted.items()
            # A slip never changes a number: "1993" is not close to "1992".
            if len(key) > TYPO_MIN_LENGTH and _NUMBERS_IN_TEXT.findall(key) == numbers
        )
        if not close or close[0][0] > self.typos:
            return None
        edits, answer = close[0]
        if any(edits_between(typed, w, edits) <= edits for w in wrong):
            return None
        return answer, True

    def grade(self, response: str | None) -> Result:
        if not response:
            return Result(0.0, self.points, "unanswered")
        return _fraction_result(1.0 if self.matched(response) else 0.0, self.points)

    def answer_text(self) -> str:
        return self.answer[0] + (
            f" (also accepted: {'; '.join(self.answer[1:])})" if len(self.answer) > 1 else ""
        )

    def keys(self) -> tuple[str, ...]:
        return self.answer

    def response_text(self, response: str | None) -> str:
        return response or ""

    def feedback(self, response: str | None) -> list[str]:
        match = self.matched(response)
        return [f"Accepted: close to '{match[0]}'"] if match and match[1] else []

    played_live = True

    def live_response(self, raw: Any) -> str | None:
        if not isinstance(raw, str):
            raise ResponseError("Type your answer.")
        return self.read_response(_Sent(raw), LIVE)


@register
@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    """A number, right when within ``tolerance`` of the answer."""

    type: ClassVar[str] = "numeric"
    label = "Numeric"
    required_fields = ("answer",)
    optional_fields = ("tolerance", "unit")
    input_macro = "numeric"
    form_fields = ("answer", "tolerance", "unit")
    answer_help = "The number."
    key_fields = (*Question.key_fields, "tolerance", "unit")
    answer: float
    tolerance: float = 0.0
    #: Shown beside the input ("km", "years"); never part of the answer.
    unit: str = ""

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": read.number(f["answer"], f"the answer of {what}")}
        if "tolerance" in f:
            out["tolerance"] = tolerance = read.number(f["tolerance"], f"the tolerance of {what}")
            if tolerance is not None and tolerance < 0:
                read.error(f["tolerance"], f"the tolerance of {what} cannot be negative")
        if "unit" in f:
            out["unit"] = read.text(f["unit"], f"the unit of {what}")
        return out

    def to_form(self) -> dict[str, Any]:
        return {
            "answer": format_number(self.answer),
            "tolerance": format_number(self.tolerance),
            "unit": self.unit,
        }

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "answer": form_number(values.get("answer")),
            "tolerance": form_number(values.get("tolerance")) or None,  # 0, exact, is the default
            "unit": (values.get("unit") or "").strip(),
        }

    def read_response(self, form: FormData, name: str) -> float | None:
        return read_amount(str(form.get(name) or ""), self.unit)

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

    def keys(self) -> tuple[str, ...]:
        return (format_number(self.answer),)

    def response_text(self, response: float | None) -> str:
        return "" if response is None else f"{format_number(response)} {self.unit}".strip()

    played_live = True

    def live_shown(self) -> dict[str, Any]:
        return {"unit": self.unit}

    def live_response(self, raw: Any) -> float | None:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return self.read_response(_Sent(format_number(raw)), LIVE)
        if not isinstance(raw, str):
            raise ResponseError("Type your answer.")
        return self.read_response(_Sent(raw), LIVE)


@register
@dataclass(frozen=True, kw_only=True)
class Ordering(Question):
    """Items to put in order. Each item in its right place earns an equal share of the points."""

    type: ClassVar[str] = "order"
    label = "Ordering"
    required_fields = ("answer",)
    input_macro = "ordering"
    form_fields = ("answer",)
    shown_fields = ("answer",)
    answer_help = "The items in their right order, one a line. Learners see them shuffled."
    #: The items in their correct order.
    answer: tuple[str, ...]
    #: The items in the order they are shown: always a uniform shuffle, so the order shown says
    #: nothing about the key (ruling the right order out would give it away for two items).
    items: tuple[str, ...] = ()

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        return {"answer": read.texts(f["answer"], f"the answer of {what}", min_items=2)}

    def to_form(self) -> dict[str, Any]:
        return {"answer": "\n".join(self.answer)}

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {"answer": form_lines(values.get("answer"))}

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

    def front(self) -> tuple[Shown, ...]:
        # A flashcard shows the same order at every review: a shuffle that drew the right order
        # would give the answer away for good, so it moves on by one.
        items = self.items or self.answer
        return (Shown("order", items[1:] + items[:1] if items == self.answer else items),)

    def response_text(self, response: list[str] | None) -> str:
        return " → ".join(response or [])


@register
@dataclass(frozen=True, kw_only=True)
class Matching(Question):
    """Left items to pair with right ones. Each right pair earns an equal share of the points."""

    type: ClassVar[str] = "match"
    label = "Matching"
    required_fields = ("answer",)
    optional_fields = ("distractors",)
    input_macro = "matching"
    form_fields = ("answer", "distractors")
    shown_fields = ("answer", "distractors")
    answer_help = "One pair a line: left item = its match."
    #: The right pairs, (left, right), in authored order.
    answer: tuple[tuple[str, str], ...]
    #: Extra right-hand options that pair with nothing.
    distractors: tuple[str, ...] = ()
    #: Left items in the order shown.
    lefts: tuple[str, ...] = ()
    #: Right-hand options in the order shown (sorted, so their order says nothing of the key).
    options: tuple[str, ...] = ()

    @classmethod
    def load(cls, read: BankReader, f: Mapping[str, Any], what: str) -> dict[str, Any]:
        pairs = read.fields(f["answer"], f"the answer of {what}") or {}
        count = read.pair_count(f["answer"])
        if count is not None and count < 2:
            read.error(f["answer"], f"the answer of {what} needs at least 2 pairs")
        answer = tuple(
            (left, read.text(right, f"the match for '{left}' in {what}")) for left, right in pairs.items()
        )
        out: dict[str, Any] = {"answer": answer}
        if "distractors" in f:
            out["distractors"] = distractors = (
                read.texts(f["distractors"], f"the distractors of {what}") or ()
            )
            rights = {right for _, right in answer}
            for item, value in zip(read.items_of(f["distractors"]) or (), distractors, strict=False):
                if value in rights:
                    read.error(
                        item, f"'{read.quote(value)}' is a distractor of {what} and also a right match"
                    )
        return out

    @classmethod
    def restore(cls, fields: dict[str, Any]) -> Question:
        return cls(**{**fields, "answer": tuple(tuple(pair) for pair in fields["answer"])})

    def to_form(self) -> dict[str, Any]:
        return {
            "answer": "\n".join(f"{left} = {right}" for left, right in self.answer),
            "distractors": "\n".join(self.distractors),
        }

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "answer": dict(form_pairs(values.get("answer"))),
            "distractors": form_lines(values.get("distractors")),
        }

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

    def front(self) -> tuple[Shown, ...]:
        return (Shown("items", self.lefts), Shown("options", self.options, "Match each with one of:"))

    def response_text(self, response: dict[str, str] | None) -> str:
        if not response:
            return ""
        return "; ".join(f"{left} → {response.get(left, '—')}" for left, _ in self.answer)


def from_snapshot(data: Mapping[str, Any]) -> Question:
    """Rebuild a question from ``Question.snapshot()`` output."""
    fields: dict[str, Any] = {
        key: tuple(value) if type(value) is list else value for key, value in data.items()
    }
    if not isinstance(fields.get("source", ()), tuple):
        # Snapshots from before multi-paragraph citations hold one paragraph number, or None.
        fields["source"] = () if fields["source"] is None else (fields["source"],)
    return QUESTION_TYPES[fields.pop("type")].restore(fields)


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
