"""Moodle's Aiken format: single-choice questions as plain text.

As Moodle's documentation of the format has it: the question on one line; then its options, one a
line, each a capital letter, ``.`` or ``)``, a space and the text; then ``ANSWER: X``, the letter of
the right option. Questions are separated by blank lines. Nothing else is carried (no feedback,
explanation, points or tags), so an export lists each of those as lost, and every question that is
not single-choice, and every card.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from quizapp.banks import Bank
from quizapp.interchange.ids import make_id
from quizapp.interchange.model import Exported, Imported, LineProblem, Loss, exporter, importer
from quizapp.questions.types import SingleChoice

_OPTION = re.compile(r"([A-Z])[.)][ \t]+(\S.*)")
# Moodle's reader (qformat_aiken) takes a line for the answer only when it starts with "ANSWER" in
# capitals and a colon ("ANSWER\s?:\s?"), so a question may begin "Answer the following: ...".
_ANSWER = re.compile(r"ANSWER\s?:\s?(.*)")


@dataclass
class _Open:
    """The question being read: its text lines and options so far."""

    line: int
    text: list[str]
    options: dict[str, tuple[str, int]] = field(default_factory=dict)


@importer("aiken")
def read_aiken(text: str) -> Imported:
    """The questions of an Aiken file; each problem at its line, its question left out."""
    out = Imported()
    taken: set[str] = set()
    current: _Open | None = None
    after_answer = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current is not None and current.options:
                out.problems.append(_unanswered(current))
                current = None
            after_answer = False
            continue
        option = _OPTION.fullmatch(line)
        answer = _ANSWER.fullmatch(line)
        if answer:
            if current is None:
                out.problems.append(LineProblem(number, "an ANSWER line with no question before it"))
            else:
                _finish(current, answer.group(1).strip(), number, out, taken)
            current, after_answer = None, True
        elif option and (current is not None or after_answer):
            if current is None:
                out.problems.append(
                    LineProblem(number, "an option after the ANSWER line: options come before it")
                )
                continue
            letter, choice = option.groups()
            if letter in current.options:
                out.problems.append(
                    LineProblem(
                        number, f"a second option {letter} (first at line {current.options[letter][1]})"
                    )
                )
            current.options[letter] = (choice.strip(), number)
        elif current is not None and current.options:
            out.problems.append(_unanswered(current))
            current, after_answer = _Open(number, [line]), False
        elif current is not None:
            current.text.append(line)
        else:
            current, after_answer = _Open(number, [line]), False
    if current is not None:
        out.problems.append(_unanswered(current))
    out.problems.sort(key=lambda p: p.line)
    return out


def _unanswered(question: _Open) -> LineProblem:
    return LineProblem(
        question.line, "this question has no ANSWER line (write ANSWER: and its right option's letter)"
    )


def _finish(question: _Open, letter: str, line: int, out: Imported, taken: set[str]) -> None:
    """Add the question read, ended by ``ANSWER: letter`` at ``line``, or say why it cannot be."""
    letters = ", ".join(question.options) or "none"
    if not question.options:
        out.problems.append(LineProblem(line, "this question has no options (A. … B. … before ANSWER)"))
    elif len(question.options) < 2:
        out.problems.append(LineProblem(line, "this question has one option: a question needs two or more"))
    elif not re.fullmatch(r"[A-Z]", letter):
        out.problems.append(
            LineProblem(line, f"ANSWER must be one option's letter ({letters}), not '{letter}'")
        )
    elif letter not in question.options:
        out.problems.append(LineProblem(line, f"ANSWER {letter} names no option (the options are {letters})"))
    else:
        choices = [choice for choice, _ in question.options.values()]
        seen: dict[str, int] = {}
        for choice, at in question.options.values():
            if choice in seen:
                out.problems.append(LineProblem(at, f"the option '{choice}' is also at line {seen[choice]}"))
                return
            seen[choice] = at
        prompt = " ".join(question.text)
        qid = make_id(taken, "", prompt)
        item: dict[str, Any] = {
            "id": qid,
            "type": "single",
            "prompt": prompt,
            "choices": choices,
            "answer": question.options[letter][0],
        }
        out.questions.append(item)
        out.lines[qid] = question.line


@exporter("aiken")
def write_aiken(bank: Bank) -> Exported:
    """The bank's single-choice questions as Aiken; everything else listed as lost."""
    blocks: list[str] = []
    losses: list[Loss] = []
    for question in bank.questions.values():
        if not isinstance(question, SingleChoice):
            losses.append(
                Loss(question.id, f"the question type '{question.type}' (Aiken holds single choice only)")
            )
            continue
        if len(question.choices) > len(string.ascii_uppercase):
            losses.append(Loss(question.id, "the question: Aiken holds at most 26 options"))
            continue
        prompt = " ".join(question.prompt.split())
        if _OPTION.fullmatch(prompt) or _ANSWER.fullmatch(prompt):
            losses.append(
                Loss(question.id, "the question: its prompt would read as an option or an ANSWER line")
            )
            continue
        losses.extend(_single_losses(question))
        lines = [prompt]
        lines.extend(
            f"{letter}. {' '.join(choice.split())}"
            for letter, choice in zip(string.ascii_uppercase, question.choices, strict=False)
        )
        lines.append(f"ANSWER: {string.ascii_uppercase[question.choices.index(question.answer)]}")
        blocks.append("\n".join(lines))
    losses.extend(Loss(card.id, "the flashcard (Aiken holds questions only)") for card in bank.cards)
    return Exported("\n\n".join(blocks) + "\n" if blocks else "", tuple(losses))


def _single_losses(question: SingleChoice) -> list[Loss]:
    """What of a single-choice question Aiken cannot carry."""
    lost = [
        ("the line breaks of the prompt", "\n" in question.prompt.strip()),
        ("the line breaks of a choice", any("\n" in c.strip() for c in question.choices)),
        ("per-choice feedback", bool(question.feedback_by_choice)),
        ("the explanation", bool(question.explanation)),
        ("the source citation", bool(question.source)),
        ("the tags", bool(question.tags)),
        (f"the points ({question.points:g})", question.points != 1),
        ("the fixed choice order (shuffle: false)", not question.shuffle),
    ]
    return [Loss(question.id, what) for what, is_lost in lost if is_lost]
