"""GIFT, Moodle's plain-text question format, in both directions; written from the "GIFT format"
page of Moodle's documentation.

A file is a list of items separated by blank lines; a line starting ``//`` is a comment. An item is
``$CATEGORY: path`` or an optional ``::title::``, an optional ``[html]``/``[markdown]``/``[plain]``/
``[moodle]`` format, the question text and one answer block in braces: ``{=right ~wrong}`` (one right
choice), ``{~%50%a ~%50%b ~%-100%c}`` (weighted choices), ``{T}``/``{FALSE}``, ``{=a =b}`` (short
answer), ``{#5:0.5}``/``{#4..6}``/``{#=5:0 =%50%5:2}`` (numerical), ``{=a -> 1 =b -> 2}`` (matching),
``{}`` (essay). ``#text`` after an answer is its feedback, ``####text`` the general feedback, and a
backslash escapes ``~ = # { } :`` (``\\n`` is a new line). As in Moodle's reader and writer, the
comment lines of an item may hold its tags and id number: ``// [tag:history] [id:GEO-1]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from quizapp.banks import Bank
from quizapp.banks.loader import IDENT
from quizapp.interchange.fractions import inexact_shares, multi_shares
from quizapp.interchange.ids import make_id
from quizapp.interchange.model import Exported, Imported, LineProblem, Loss, exporter, importer
from quizapp.questions import (
    Matching,
    MultipleChoice,
    Numeric,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
    format_number,
)

#: Escaped characters stand in as private-use code points while an item is parsed, so that no
#: marker search can see them; ``\n`` stands in for a new line the same way.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004"}
_ESCAPES |= {"\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
_UNESCAPE = str.maketrans({v: k[1] for k, v in _ESCAPES.items()} | {"\ue007": "\n"})
_ESCAPE_RE = re.compile(r"\\[\\~=#{}:n]")
_FORMAT_RE = re.compile(r"\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"%(-?[0-9]+(?:\.[0-9]+)?)%")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
#: Moodle's ``[tag:…]`` and ``[id:…]`` in a comment line; ``\]`` and ``\\`` escape within them.
_TAG_RE = re.compile(r"\[tag:((?:\\.|[^\]\\])*)\]")
_IDNUMBER_RE = re.compile(r"\[id:((?:\\.|[^\]\\])*)\]")
#: A weight equal to another within this many percentage points (Moodle writes 33.33333).
_CLOSE = 0.01


class _Problem(Exception):
    """An item that cannot be read, at an offset of its text."""

    def __init__(self, at: int, message: str):
        super().__init__(message)
        self.at = at
        self.message = message


@dataclass
class _Answer:
    marker: str  # "=" or "~"
    text: str
    weight: float | None
    feedback: str
    at: int


@dataclass
class _Item:
    """One item of the file: its text (escapes replaced) and the line each character is on."""

    text: str
    first_line: int
    line_at: list[int]
    #: The item's comment lines, without their ``//``, one a line.
    comments: str = ""

    def line(self, at: int) -> int:
        return self.line_at[min(max(at, 0), len(self.line_at) - 1)] if self.line_at else self.first_line


def _items(text: str) -> list[_Item]:
    """The file's items: runs of lines between blank lines, comment lines kept apart."""
    items: list[_Item] = []
    parts: list[str] = []
    line_at: list[int] = []
    comments: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            comments.append(stripped[2:])
            continue
        if not stripped:
            if parts:
                items.append(_Item("".join(parts), first, line_at, "\n".join(comments)))
                parts, line_at = [], []
            comments = []
            continue
        if not parts:
            first = number
        line = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], raw.rstrip()) + "\n"
        parts.append(line)
        line_at.extend([number] * len(line))
    if parts:
        items.append(_Item("".join(parts), first, line_at, "\n".join(comments)))
    return items


def _unescape_mark(text: str) -> str:
    """The text of a ``[tag:…]`` or ``[id:…]`` mark, its escapes undone as Moodle undoes them."""
    return re.sub(r"\\([\]\\])", r"\1", text).strip()


def _plain(text: str) -> str:
    """Item text as written: line breaks of the file become spaces, escapes their characters."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", text).strip().translate(_UNESCAPE).strip()


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _from_html(text: str) -> str:
    parser = _TextOfHtml()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n\s*\n+", "\n", "".join(parser.parts)).strip()


@importer("gift")
def read_gift(text: str) -> Imported:
    """The questions of a GIFT file; essays and descriptions, which quizapp has no type for, and
    whatever of a question quizapp cannot hold are losses; unreadable items are problems."""
    out = Imported()
    taken: set[str] = set()
    for item in _items(text.lstrip("\ufeff")):
        try:
            _read_item(item, out, taken)
        except _Problem as exc:
            out.problems.append(LineProblem(item.line(exc.at), exc.message))
    return out


def _read_item(item: _Item, out: Imported, taken: set[str]) -> None:
    body = item.text
    category = re.match(r"\s*\$CATEGORY:(.*)", body)
    if category:
        path = category.group(1).strip().replace("//", "\ue008")
        name = _plain(path.split("/")[-1].replace("\ue008", "/"))
        if out.title is None:
            out.title = name or None
        elif name and name != out.title:
            # As the Moodle XML reader says it: quizapp's bank has no categories.
            out.losses.append(
                Loss(f"category {name}", f"a second category: its questions join the bank '{out.title}'")
            )
        body = body[category.end() :]
        if not body.strip():
            return
    at = len(item.text) - len(body)
    title = ""
    lead = len(body) - len(body.lstrip())
    if body.lstrip().startswith("::"):
        start = at + lead + 2
        end = item.text.find("::", start)
        if end < 0:
            raise _Problem(start - 2, "the title opened with '::' is not closed with '::'")
        title = _plain(item.text[start:end])
        at = end + 2
    rest = item.text[at:]
    fmt = "moodle"
    found = _FORMAT_RE.match(rest.lstrip())
    if found:
        fmt = found.group(1).lower()
        at += len(rest) - len(rest.lstrip()) + found.end()
    opening = item.text.find("{", at)
    stray = item.text.find("}", at)
    if stray >= 0 and (opening < 0 or stray < opening):
        raise _Problem(stray, "a '}' closes no answer block (write '\\}' for the character)")
    head = item.text[at : opening if opening >= 0 else len(item.text)]
    if opening < 0:
        prompt = _plain(head)
        qid = make_id(taken, title, prompt)
        out.losses.append(Loss(qid, "a description (text without answers): quizapp has no such item"))
        return
    closing = item.text.find("}", opening + 1)
    nested = item.text.find("{", opening + 1)
    if closing < 0 or (0 <= nested < closing):
        raise _Problem(opening, "the answer block opened with '{' here is not closed with '}'")
    tail = item.text[closing + 1 :]
    if "{" in tail:
        raise _Problem(item.text.find("{", closing), "a second answer block: a GIFT question has one")
    after = tail.strip()
    gap = "" if after[:1] in ".,;:!?" else " "
    prompt_raw = head.rstrip() + (f" _____{gap}{after}" if after else "")
    prompt = _plain(prompt_raw)
    if fmt == "html":
        prompt = _from_html(prompt)
    if not prompt:
        raise _Problem(opening, "the question has no text before its answers")
    losses: list[str] = []
    found_id = _IDNUMBER_RE.search(item.comments)
    idnumber = _unescape_mark(found_id.group(1)) if found_id else ""
    if idnumber and not IDENT.fullmatch(idnumber):
        losses.append(f"its Moodle id number '{idnumber}' (not a quizapp id: letters, digits, - and _)")
        idnumber = ""
    qid = make_id(taken, idnumber or title, prompt)
    question: dict[str, Any] = {"id": qid}
    block = item.text[opening + 1 : closing]
    general = block.find("####")
    explanation = ""
    if general >= 0:
        explanation = _plain(block[general + 4 :])
        block = block[:general]
    answers_at = opening + 1
    kind = _answers(question, block, answers_at, losses)
    if kind is None:
        out.losses.append(Loss(qid, "an essay question: quizapp has no such type"))
        taken.discard(qid)
        return
    question = {"id": qid, "type": kind, "prompt": prompt, **{k: v for k, v in question.items() if k != "id"}}
    if explanation:
        question["explanation"] = explanation
    tags = [_unescape_mark(tag) for tag in _TAG_RE.findall(item.comments)]
    tags = list(dict.fromkeys(tag for tag in tags if tag))
    if tags:
        question["tags"] = tags
    if fmt == "html":
        _each_text(question, _from_html)
        losses.append("its HTML formatting (kept as plain text)")
    elif fmt == "markdown":
        losses.append("its Markdown formatting (shown as written)")
    out.questions.append(question)
    out.lines[qid] = item.first_line
    out.losses.extend(Loss(qid, what) for what in losses)


def _each_text(question: dict[str, Any], change: Callable[[str], str]) -> None:
    """Apply ``change`` to every text of the question but its id, type and prompt."""

    def changed(value: Any) -> Any:
        if isinstance(value, str):
            return change(value)
        if isinstance(value, list):
            return [changed(v) for v in value]
        if isinstance(value, dict):
            return {changed(k): changed(v) for k, v in value.items()}
        return value

    for key in ("choices", "answer", "feedback", "distractors", "explanation"):
        if key in question:
            question[key] = changed(question[key])


def _answers(question: dict[str, Any], block: str, at: int, losses: list[str]) -> str | None:
    """Fill ``question`` from an answer block; its type, or None for an essay."""
    stripped = block.strip()
    if not stripped:
        return None
    lead = at + len(block) - len(block.lstrip())
    if stripped.startswith("#"):
        _numeric(question, block[block.index("#") + 1 :], lead + 1, losses)
        return "numeric"
    truth = stripped.split("#", 1)[0].strip().upper()
    if truth in _TRUE_FALSE:
        _true_false(question, stripped, _TRUE_FALSE[truth], losses)
        return "true_false"
    answers = _split(block, at)
    if "~" in (a.marker for a in answers):
        return _choices(question, answers, losses)
    if any("->" in a.text for a in answers):
        _matching(question, answers, losses)
        return "match"
    _short(question, answers, losses)
    return "text"


def _split(block: str, at: int) -> list[_Answer]:
    """The answers of a block, each from its ``=`` or ``~`` marker to the next."""
    lead = len(block) - len(block.lstrip())
    if block.strip()[0] not in "=~":
        word = block.strip().split()[0][:20]
        raise _Problem(
            at + lead,
            f"unknown answer marker at '{_plain(word)}': start each answer with '=' (right) or '~' (wrong)",
        )
    answers = []
    for match in re.finditer(r"([=~])([^=~]*)", block):
        raw = match.group(2)
        weight = None
        found = _WEIGHT_RE.match(raw.lstrip())
        if found:
            weight = float(found.group(1))
            raw = raw.lstrip()[found.end() :]
        text, _, feedback = raw.partition("#")
        answers.append(_Answer(match.group(1), text, weight, _plain(feedback), at + match.start()))
    return answers


def _choices(question: dict[str, Any], answers: list[_Answer], losses: list[str]) -> str:
    choices = [_plain(a.text) for a in answers]
    for answer, choice in zip(answers, choices, strict=True):
        if not choice:
            raise _Problem(answer.at, "an empty choice")
        if choices.count(choice) > 1:
            raise _Problem(answer.at, f"the choice '{choice}' is written twice")
    weights = [a.weight if a.weight is not None else (100.0 if a.marker == "=" else 0.0) for a in answers]
    right = [c for c, w in zip(choices, weights, strict=True) if w > 0]
    if not right:
        raise _Problem(answers[0].at, "no right answer: mark one with '=' or give it a positive %weight%")
    question["choices"] = choices
    marked = [c for c, a in zip(choices, answers, strict=True) if a.marker == "="]
    # As in Moodle's importer: an answer marked "=" makes the question single-answer, none makes
    # it multiple-answer, whose right choices are those of positive weight.
    if len(marked) == 1:
        question["answer"] = marked[0]
        credited = [
            f"'{c}' ({format_number(w)}%)"
            for c, w in zip(choices, weights, strict=True)
            if w > 0 and c != marked[0]
        ]
        if credited:
            losses.append(f"the credit of {', '.join(credited)} (imported as a wrong choice)")
        if any(w < 0 for w in weights):
            losses.append("the penalties of its wrong choices (a single-choice question scores 0 or all)")
        return _with_feedback(question, choices, answers, "single")
    question["answer"] = right
    if len(marked) > 1:
        losses.append(
            f"its {len(marked)} answers marked '=', each fully right alone in GIFT: quizapp's multiple "
            "choice asks for all of them"
        )
    share = 100 / len(right)
    if not marked and any(abs(w - share) >= _CLOSE if w > 0 else abs(w + share) >= _CLOSE for w in weights):
        given = ", ".join(f"{format_number(w)}%" for w in weights)
        losses.append(
            f"its weights ({given}): quizapp gives each right choice 1/{len(right)} of the points "
            f"and takes 1/{len(right)} away for each wrong one"
        )
    return _with_feedback(question, choices, answers, "multi")


def _with_feedback(question: dict[str, Any], choices: list[str], answers: list[_Answer], kind: str) -> str:
    feedback = {c: a.feedback for c, a in zip(choices, answers, strict=True) if a.feedback}
    if feedback:
        question["feedback"] = feedback
    return kind


def _true_false(question: dict[str, Any], block: str, truth: bool, losses: list[str]) -> None:
    parts = [_plain(p) for p in block.split("#")[1:3]]
    question["answer"] = truth
    # GIFT's first feedback is for a wrong answer, the second for a right one.
    wrong, right = (parts + ["", ""])[:2]
    feedback = {str(not truth).lower(): wrong, str(truth).lower(): right}
    feedback = {k: v for k, v in feedback.items() if v}
    if feedback:
        question["feedback"] = dict(sorted(feedback.items()))


def _short(question: dict[str, Any], answers: list[_Answer], losses: list[str]) -> None:
    accepted = []
    for answer in answers:
        text = _plain(answer.text)
        if not text:
            raise _Problem(answer.at, "an empty answer")
        if answer.weight is not None and abs(answer.weight - 100) >= _CLOSE:
            losses.append(f"the answer '{text}' worth {format_number(answer.weight)}% (not imported)")
        elif text not in accepted:
            accepted.append(text)
        if answer.feedback:
            losses.append(f"the feedback for the answer '{text}'")
    if not accepted:
        raise _Problem(answers[0].at, "no answer is worth full marks")
    question["answer"] = accepted[0] if len(accepted) == 1 else accepted


def _matching(question: dict[str, Any], answers: list[_Answer], losses: list[str]) -> None:
    pairs: dict[str, str] = {}
    distractors = []
    for answer in answers:
        left, arrow, right = answer.text.partition("->")
        if not arrow:
            raise _Problem(answer.at, "a matching question's answers are all 'item -> match'")
        left, right = _plain(left), _plain(right)
        if not right:
            raise _Problem(answer.at, "a pair with nothing after '->'")
        if answer.feedback:
            losses.append(f"the feedback for the pair '{left} -> {right}'")
        if not left:
            distractors.append(right)
        elif left in pairs:
            raise _Problem(answer.at, f"the item '{left}' is paired twice")
        else:
            pairs[left] = right
    if len(pairs) < 2:
        raise _Problem(answers[0].at, "a matching question needs at least 2 pairs")
    question["answer"] = pairs
    if distractors:
        question["distractors"] = distractors


def _numeric(question: dict[str, Any], block: str, at: int, losses: list[str]) -> None:
    if block.strip() and block.strip()[0] in "=~":
        answers = _split(block, at)
    else:
        text, _, feedback = block.partition("#")
        answers = [_Answer("=", text, None, _plain(feedback), at)]
    key: tuple[float, float] | None = None
    for answer in answers:
        value = _number_range(answer)
        weight = answer.weight if answer.weight is not None else (100.0 if answer.marker == "=" else 0.0)
        shown = format_number(value[0]) + (f" ± {format_number(value[1])}" if value[1] else "")
        if key is None and abs(weight - 100) < _CLOSE:
            key = value
        else:
            losses.append(f"the answer {shown} worth {format_number(weight)}% (not imported)")
        if answer.feedback:
            losses.append(f"the feedback for the answer {shown}")
    if key is None:
        raise _Problem(at, "no numerical answer is worth full marks")
    question["answer"] = key[0]
    if key[1]:
        question["tolerance"] = key[1]


def _number_range(answer: _Answer) -> tuple[float, float]:
    """A numerical answer's value and tolerance, from ``value``, ``value:tolerance`` or ``low..high``."""
    text = _plain(answer.text)
    low, dots, high = text.partition("..")
    value, colon, margin = text.partition(":")
    parts = [low, high] if dots else [value, margin] if colon else [value]
    if not all(_NUMBER_RE.fullmatch(p.strip()) for p in parts):
        raise _Problem(
            answer.at, f"'{text}' is not a numerical answer: write 5, 5:0.5 (± 0.5) or 4..6 (a range)"
        )
    numbers = [Decimal(p.strip()) for p in parts]  # decimal: 3.141..3.142 is 3.1415 ± 0.0005 exactly
    if dots:
        if numbers[0] > numbers[1]:
            raise _Problem(answer.at, f"the range '{text}' runs backwards")
        return float((numbers[0] + numbers[1]) / 2), float((numbers[1] - numbers[0]) / 2)
    if len(numbers) == 2 and numbers[1] < 0:
        raise _Problem(answer.at, f"the tolerance in '{text}' is negative")
    return float(numbers[0]), float(numbers[1]) if len(numbers) == 2 else 0.0


def escape(text: str) -> str:
    """Text as GIFT writes it: ``\\ ~ = # { } :`` escaped, line breaks as ``\\n``."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def _feedback(text: str | None) -> str:
    return f"#{escape(text)}" if text else ""


def _weight(value: float) -> str:
    """A percentage as Moodle writes its grade fractions (33.33333)."""
    return format_number(round(value, 5))


@exporter("gift")
def write_gift(bank: Bank) -> Exported:
    """The bank's questions as GIFT, each titled with its id. Ordering questions, cards and
    quizzes, and what GIFT has no place for (points, source citations, tags, a text question's
    wrong answers and typos, a unit, a fixed choice order), are listed as losses."""
    losses: list[Loss] = []
    parts = [f"// {escape(bank.title)}: exported from quizapp (bank {bank.slug})", ""]
    parts += [f"$CATEGORY: $course$/top/{escape(bank.title).replace('/', '//')}", ""]
    for question in bank.questions.values():
        block = _block(question, losses)
        if block is None:
            continue
        losses.extend(Loss(question.id, what) for what in _common_losses(question))
        prompt = escape(question.prompt)
        parts += [*_tag_comment(question), f"::{escape(question.id)}::[plain]{prompt} {{", *block, "}", ""]
    losses.extend(Loss(card.id, "the card: GIFT holds no flashcards") for card in bank.cards)
    losses.extend(Loss(quiz_id, "the quiz: GIFT holds questions only") for quiz_id in bank.quizzes)
    return Exported("\n".join(parts), tuple(losses))


def _common_losses(question: Question) -> list[str]:
    lost = []
    if question.points != 1:
        lost.append(f"its points ({format_number(question.points)}): GIFT has no question weight")
    if question.source:
        lost.append("its source citation")
    broken = [tag for tag in question.tags if "\n" in tag or "\r" in tag]
    if broken:
        lost.append(f"its tags written on more than one line ({', '.join(broken)})")
    if getattr(question, "shuffle", True) is False:
        lost.append("its fixed choice order (shuffle: false)")
    return lost


def _tag_comment(question: Question) -> list[str]:
    """The comment line that carries the question's tags, as Moodle's writer puts them."""
    marks = [
        "[tag:" + tag.replace("\\", "\\\\").replace("]", "\\]") + "]"
        for tag in question.tags
        if "\n" not in tag and "\r" not in tag
    ]
    return [f"// {' '.join(marks)}"] if marks else []


def _right(text: str) -> str:
    """A right choice or answer: ``=`` and the text, with an explicit weight first when the text
    itself starts like one (``%50% off``), which the reader would otherwise take for its weight."""
    return f"=%100%{escape(text)}" if _WEIGHT_RE.match(text.lstrip()) else f"={escape(text)}"


def _wrong(text: str) -> str:
    return f"~%0%{escape(text)}" if _WEIGHT_RE.match(text.lstrip()) else f"~{escape(text)}"


def _block(question: Question, losses: list[Loss]) -> list[str] | None:
    """The lines inside a question's braces (None, with a loss, for a type GIFT cannot hold)."""
    write = _WRITERS.get(type(question))
    if write is None:
        losses.append(Loss(question.id, f"the question: GIFT has no '{question.type}' type"))
        return None
    lines = write(question, losses)
    if lines is None:
        return None
    if question.explanation:
        lines.append(f"\t####{escape(question.explanation)}")
    return lines


def _write_single(question: SingleChoice, losses: list[Loss]) -> list[str]:
    return [
        f"\t{_right(c) if c == question.answer else _wrong(c)}{_feedback(question.feedback_by_choice.get(c))}"
        for c in question.choices
    ]


def _write_multi(question: MultipleChoice, losses: list[Loss]) -> list[str] | None:
    # Moodle reads a GIFT weight as it reads a Moodle XML fraction: one of its allowed grades.
    k = len(question.answer)
    shares = multi_shares(k)
    if shares is None:
        losses.append(
            Loss(question.id, f"the question: Moodle's grades cannot share 100% among {k} right choices")
        )
        return None
    if not shares.exact:
        losses.append(Loss(question.id, inexact_shares(shares)))
    right = iter(shares.right)
    return [
        f"\t~%{_weight(next(right) if c in question.answer else shares.wrong)}%{escape(c)}"
        f"{_feedback(question.feedback_by_choice.get(c))}"
        for c in question.choices
    ]


def _write_true_false(question: TrueFalse, losses: list[Loss]) -> list[str]:
    # GIFT gives the feedback for a wrong answer first, then for a right one.
    right = question.feedback_by_choice.get(str(question.answer).lower(), "")
    wrong = question.feedback_by_choice.get(str(not question.answer).lower(), "")
    marks = f"#{escape(wrong)}#{escape(right)}" if right else _feedback(wrong)
    return [f"\t{'TRUE' if question.answer else 'FALSE'}{marks}"]


def _write_short(question: ShortText, losses: list[Loss]) -> list[str]:
    if question.wrong:
        losses.append(Loss(question.id, f"its known wrong answers ({', '.join(question.wrong)})"))
    if question.typos:
        losses.append(Loss(question.id, f"its forgiven typing slips (typos: {question.typos})"))
    if any("->" in a for a in question.answer):
        losses.append(Loss(question.id, "an answer holding '->', which GIFT reads as a matching pair"))
    return [f"\t{_right(a)}" for a in question.answer]


def _write_numeric(question: Numeric, losses: list[Loss]) -> list[str]:
    if question.unit:
        losses.append(Loss(question.id, f"its unit ({question.unit})"))
    tolerance = f":{format_number(question.tolerance)}" if question.tolerance else ""
    return [f"\t#{format_number(question.answer)}{tolerance}"]


def _write_matching(question: Matching, losses: list[Loss]) -> list[str]:
    if any("->" in text for pair in question.answer for text in pair):
        losses.append(Loss(question.id, "a pair holding '->', which GIFT cannot escape"))
    lines = [f"\t={escape(left)} -> {escape(right)}" for left, right in question.answer]
    return lines + [f"\t= -> {escape(d)}" for d in question.distractors]


#: How GIFT writes each quizapp type it can hold; a type missing here is reported, not written.
_WRITERS: dict[type[Question], Callable[[Any, list[Loss]], list[str] | None]] = {
    SingleChoice: _write_single,
    MultipleChoice: _write_multi,
    TrueFalse: _write_true_false,
    ShortText: _write_short,
    Numeric: _write_numeric,
    Matching: _write_matching,
}


__all__ = ["escape", "read_gift", "write_gift"]
