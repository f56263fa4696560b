"""Moodle XML (``moodle-xml``): the question bank format of Moodle's Question bank > Import and
Export, read and written after Moodle's documentation of it and its ``question/format/xml``
(docs/interchange.md lists what each type keeps and loses).

Texts are HTML in Moodle and plain in quizapp: an import shows the text a browser would show
(tags dropped by nh3, entities decoded), an export escapes it. Grades are percentages
(``fraction="100"``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - builds the export; imports parse through defusedxml
from collections.abc import Callable
from typing import Any

from quizapp.banks import Bank
from quizapp.interchange.fractions import inexact_shares, multi_shares
from quizapp.interchange.ids import make_id
from quizapp.interchange.model import Exported, Imported, LineProblem, Loss, exporter, importer
from quizapp.interchange.xmltext import (
    XmlDocument,
    XmlRefused,
    bank_losses,
    child_text,
    citation_loss,
    html_to_text,
    lost_markup,
    number_value,
    parse_xml,
    sub,
    text_to_html,
    to_xml,
    white_space_loss,
)
from quizapp.questions import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
    format_number,
)

FORMAT = "moodle-xml"
#: Moodle types quizapp has none of, as Moodle's question type chooser names them.
_OTHER_TYPES = {
    "description": "a description (text with no question)",
    "essay": "an essay",
    "cloze": "an embedded answers (Cloze) question",
    "multianswer": "an embedded answers (Cloze) question",
    "calculated": "a calculated question",
    "calculatedsimple": "a simple calculated question",
    "calculatedmulti": "a calculated multichoice question",
    "ddwtos": "a drag and drop into text question",
    "ddimageortext": "a drag and drop onto image question",
    "ddmarker": "a drag and drop markers question",
    "gapselect": "a select missing words question",
    "randomsamatch": "a random short-answer matching question",
    "random": "a random question",
}
#: How close a fraction must be to the share quizapp's rule gives to count as it (Moodle writes
#: thirds as 33.33333).
_CLOSE = 0.01


# ---------------------------------------------------------------------------------------------
# Import


@importer(FORMAT)
def import_moodle_xml(text: str) -> Imported:
    """Read a Moodle XML file: every question of a type quizapp has, as bank fields; the first
    category's name as the title; what cannot be carried as losses, and what cannot be read as
    problems at its line."""
    imported = Imported()
    try:
        document = parse_xml(text)
    except XmlRefused as refused:
        imported.problems.append(refused.problem)
        return imported
    root = document.root
    if root.tag != "quiz":
        imported.problems.append(
            LineProblem(document.line(root), f"a Moodle XML file starts with <quiz>, not <{root.tag}>")
        )
        return imported
    reading = _Reading(document, imported)
    for element in root:
        if element.tag == "question":
            reading.question(element)
        else:
            imported.problems.append(
                LineProblem(document.line(element), f"<{element.tag}> is not a Moodle question: skipped")
            )
    if not imported.questions and not imported.problems:
        imported.problems.append(LineProblem(document.line(root), "the file holds no question"))
    return imported


class _Reading:
    """One import: the document, what it found, and the ids made so far."""

    def __init__(self, document: XmlDocument, imported: Imported):
        self.document = document
        self.imported = imported
        self.ids: set[str] = set()

    def question(self, element: ET.Element) -> None:
        moodle_type = element.get("type", "")
        line = self.document.line(element)
        if moodle_type == "category":
            self.category(element)
            return
        name = child_text(element, "name/text")
        read = _READERS.get(moodle_type)
        if read is None:
            what = _OTHER_TYPES.get(moodle_type, f"a question of the type '{moodle_type}'")
            label = name or f"line {line}"
            self.imported.losses.append(Loss(label, f"{what} has no quizapp type: not imported"))
            return
        plain = self.text_of(element.find("questiontext"), None, "")
        if not plain:
            named = f"question '{name}'" if name else "a question"
            self.imported.problems.append(LineProblem(line, f"{named} has no question text"))
            return
        qid = make_id(self.ids, name, plain)
        problems_before, losses_before = len(self.imported.problems), len(self.imported.losses)
        prompt = self.text_of(element.find("questiontext"), qid, "the question text")
        fields: dict[str, Any] = {"id": qid, "type": "", "prompt": prompt}
        own = read(self, element, qid)
        if own is None or len(self.imported.problems) > problems_before:
            # Not imported: its problem says so, and what it would have lost no longer matters.
            del self.imported.losses[losses_before:]
            self.ids.discard(qid)
            return
        fields.update(own)
        points = number_value(child_text(element, "defaultgrade"))
        if points is not None and points != 1:
            fields["points"] = points
        explanation = self.text_of(element.find("generalfeedback"), qid, "the general feedback")
        if explanation:
            fields["explanation"] = explanation
        tags = [t for t in (child_text(tag, "text") for tag in element.findall("tags/tag")) if t]
        if tags:
            fields["tags"] = tags
        for part in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            if self.text_of(element.find(part), qid, part):
                self.lose(
                    qid, f"the {part.replace('feedback', '')} feedback (quizapp has per-choice feedback)"
                )
        if element.findall("hint"):
            self.lose(qid, "the hints (quizapp shows none during an attempt)")
        self.imported.questions.append(fields)
        self.imported.lines[qid] = self.document.line(element)

    def category(self, element: ET.Element) -> None:
        path = child_text(element, "category/text")
        # Moodle separates a category path with "/" and writes a "/" inside a name as "//".
        names = [n.replace("//", "/") for n in re.split(r"(?<!/)/(?!/)", path) if n]
        names = [n for n in names if not n.startswith("$") and n != "top"]
        if not names:
            return
        if self.imported.title is None:
            self.imported.title = names[-1]
        elif names[-1] != self.imported.title:
            self.lose(
                f"category {'/'.join(names)}",
                f"a second category: its questions join the bank '{self.imported.title}'",
            )

    def lose(self, qid: str, what: str) -> None:
        self.imported.losses.append(Loss(qid, what))

    def text_of(self, element: ET.Element | None, qid: str | None, what: str) -> str:
        """The plain text of a Moodle text element (``<x format="html"><text>…</text></x>``); the
        formatting it loses is reported for question ``qid`` (when known)."""
        if element is None:
            return ""
        raw = child_text(element, "text")
        if element.get("format", "html") != "html":
            return raw
        markup = lost_markup(raw)
        if qid is None:
            return html_to_text(raw)
        if markup:
            tags = ", ".join(f"<{tag}>" for tag in markup)
            self.lose(qid, f"the formatting of {what} ({tags}): imported as plain text")
        if element.findall("file"):
            self.lose(qid, f"the files embedded in {what}")
        return html_to_text(raw)

    def answers(
        self, element: ET.Element, qid: str, plain: bool = False
    ) -> list[tuple[str, float, str, ET.Element]]:
        """Each ``<answer>``: its text, its fraction (a percentage), its feedback, the element.
        ``plain`` answers are typed ones, which Moodle's importer (``import_answer`` without answer
        files) takes as written, whatever their format says: ``&lt;br&gt;`` is the answer ``<br>``."""
        out = []
        for answer in element.findall("answer"):
            fraction = number_value(answer.get("fraction", "0"))
            if fraction is None:
                self.problem(answer, f"the fraction '{answer.get('fraction')}' is not a number")
                continue
            text = child_text(answer, "text") if plain else self.text_of(answer, qid, "a choice")
            feedback = self.text_of(answer.find("feedback"), qid, "a choice's feedback")
            out.append((text, fraction, feedback, answer))
        return out

    def problem(self, element: ET.Element, message: str) -> None:
        self.imported.problems.append(LineProblem(self.document.line(element), message))

    def flag(self, element: ET.Element, tag: str, default: bool) -> bool:
        """A yes/no setting as Moodle's importer reads it: "false", "0" and empty are no, any
        other text yes, and an absent element ``default``."""
        found = element.find(tag)
        if found is None:
            return default
        return (found.text or "").strip() not in {"", "0", "false"}


def _read_choices(reading: _Reading, element: ET.Element, qid: str) -> dict[str, Any] | None:
    answers = reading.answers(element, qid)
    choices = [text for text, *_ in answers]
    for text, _, _, answer in answers:
        if not text:
            reading.problem(answer, f"question '{qid}' has a choice with no text")
        elif choices.count(text) > 1:
            reading.problem(answer, f"question '{qid}' has the choice '{text}' twice")
            return None
    if len(answers) < 2:
        reading.problem(element, f"question '{qid}' needs at least two choices")
        return None
    fields: dict[str, Any] = {"choices": choices}
    if reading.flag(element, "single", True):
        fields.update(_single_key(reading, element, qid, answers))
    else:
        fields.update(_multi_key(reading, element, qid, answers))
    feedback = {text: said for text, _, said, _ in answers if said}
    if feedback:
        fields["feedback"] = feedback
    # Moodle's importer leaves a multichoice's answers unshuffled unless the file says otherwise.
    if not reading.flag(element, "shuffleanswers", False):
        fields["shuffle"] = False
    return fields


def _single_key(
    reading: _Reading, element: ET.Element, qid: str, answers: list[tuple[str, float, str, ET.Element]]
) -> dict[str, Any]:
    right = [text for text, fraction, _, _ in answers if fraction >= 100 - _CLOSE]
    if len(right) != 1:
        reading.problem(
            element,
            f"question '{qid}' is a one-answer multichoice with {len(right)} choices worth 100%: "
            "quizapp's single choice needs exactly one",
        )
        return {}
    for text, fraction, _, _ in answers:
        if 0 < fraction < 100 - _CLOSE:
            reading.lose(qid, f"the partial credit of '{text}' ({format_number(fraction)}%): it now earns 0")
        elif fraction < 0:
            reading.lose(qid, f"the penalty of '{text}' ({format_number(fraction)}%): it now earns 0")
    return {"type": "single", "answer": right[0]}


def _multi_key(
    reading: _Reading, element: ET.Element, qid: str, answers: list[tuple[str, float, str, ET.Element]]
) -> dict[str, Any]:
    right = [(text, fraction) for text, fraction, _, _ in answers if fraction > 0]
    if not right:
        reading.problem(element, f"question '{qid}' has no choice worth a positive fraction")
        return {}
    share = 100 / len(right)
    if any(abs(fraction - share) > _CLOSE for _, fraction in right):
        weights = ", ".join(f"'{t}' {format_number(f)}%" for t, f in right)
        reading.lose(qid, f"the weights of the right choices ({weights}): each now earns an equal share")
    wrong = [(text, fraction) for text, fraction, _, _ in answers if fraction <= 0]
    if any(abs(fraction + share) > _CLOSE for _, fraction in wrong):
        reading.lose(
            qid,
            "the penalties of the wrong choices: each wrong choice ticked now takes away one right "
            f"choice's share ({format_number(round(share, 5))}%)",
        )
    return {"type": "multi", "answer": [text for text, _ in right]}


def _read_truefalse(reading: _Reading, element: ET.Element, qid: str) -> dict[str, Any] | None:
    answers = reading.answers(element, qid)
    if len(answers) != 2:
        reading.problem(element, f"question '{qid}' is true/false but has {len(answers)} answers, not 2")
        return None
    truth = False
    feedback = {}
    for position, (text, fraction, said, _) in enumerate(answers):
        value = text.casefold()
        if value not in {"true", "false"}:
            # Old Moodle files name the answers in the site's language: Moodle reads them in order.
            value = "false" if position else "true"
            reading.lose(qid, f"the answer '{text}' is read as '{value}', by its place, as Moodle reads it")
        right = fraction >= 100 - _CLOSE
        truth = right if value == "true" else not right
        if said:
            feedback[value] = said
    fields: dict[str, Any] = {"type": "true_false", "answer": truth}
    if feedback:
        fields["feedback"] = feedback
    return fields


def _read_shortanswer(reading: _Reading, element: ET.Element, qid: str) -> dict[str, Any] | None:
    accepted, wrong = [], []
    for text, fraction, said, _ in reading.answers(element, qid, plain=True):
        if text == "*":
            reading.lose(qid, "the catch-all answer '*' and its feedback")
            continue
        if "*" in text:
            reading.lose(qid, f"the wildcard in '{text}': '*' is now matched as itself")
        if said:
            reading.lose(qid, f"the feedback of the answer '{text}'")
        if fraction >= 100 - _CLOSE:
            accepted.append(text)
        elif fraction <= 0:
            wrong.append(text)
        else:
            reading.lose(qid, f"the partial credit of '{text}' ({format_number(fraction)}%): it now earns 0")
    if not accepted:
        reading.problem(element, f"question '{qid}' has no answer worth 100%")
        return None
    if reading.flag(element, "usecase", False):
        reading.lose(qid, "case-sensitive matching: quizapp ignores case")
    fields: dict[str, Any] = {"type": "text", "answer": accepted}
    if wrong:
        fields["wrong"] = wrong
    return fields


def _read_numerical(reading: _Reading, element: ET.Element, qid: str) -> dict[str, Any] | None:
    right: list[tuple[float, float]] = []
    for text, fraction, said, answer in reading.answers(element, qid, plain=True):
        if text == "*":
            reading.lose(qid, "the catch-all answer '*' and its feedback")
            continue
        value = number_value(text)
        tolerance = number_value(child_text(answer, "tolerance", "0"))
        if value is None or tolerance is None:
            reading.problem(answer, f"the answer '{text}' of question '{qid}' is not a number")
            return None
        if said:
            reading.lose(qid, f"the feedback of the answer {text}")
        if fraction >= 100 - _CLOSE:
            right.append((value, abs(tolerance)))
        else:
            reading.lose(qid, f"the answer {text} worth {format_number(fraction)}%")
    if not right:
        reading.problem(element, f"question '{qid}' has no answer worth 100%")
        return None
    for value, _ in right[1:]:
        reading.lose(qid, f"the second right answer {format_number(value)}: quizapp keeps one")
    fields: dict[str, Any] = {"type": "numeric", "answer": right[0][0]}
    if right[0][1]:
        fields["tolerance"] = right[0][1]
    units = [
        (child_text(unit, "unit_name"), number_value(child_text(unit, "multiplier", "1")))
        for unit in element.findall("units/unit")
    ]
    base = [name for name, multiplier in units if multiplier == 1 and name]
    if base:
        fields["unit"] = base[0]
    for name, _ in units:
        if name and name not in base[:1]:
            reading.lose(qid, f"the unit '{name}' and its multiplier: quizapp shows one unit")
    return fields


def _read_matching(reading: _Reading, element: ET.Element, qid: str) -> dict[str, Any] | None:
    pairs: dict[str, str] = {}
    distractors: list[str] = []
    for sub_question in element.findall("subquestion"):
        left = reading.text_of(sub_question, qid, "a subquestion")
        right = child_text(sub_question, "answer/text")
        if not right:
            reading.problem(sub_question, f"a subquestion of '{qid}' has no answer")
            return None
        if not left:
            distractors.append(right)
        elif left in pairs:
            reading.problem(sub_question, f"question '{qid}' has the subquestion '{left}' twice")
            return None
        else:
            pairs[left] = right
    if len(pairs) < 2:
        reading.problem(element, f"question '{qid}' needs at least two subquestions")
        return None
    fields: dict[str, Any] = {"type": "match", "answer": pairs}
    extra = [d for d in dict.fromkeys(distractors) if d not in pairs.values()]
    if extra:
        fields["distractors"] = extra
    return fields


def _read_ordering(reading: _Reading, element: ET.Element, qid: str) -> dict[str, Any] | None:
    answers = reading.answers(element, qid)
    items = [text for text, *_ in sorted(answers, key=lambda answer: answer[1])]
    if len(items) < 2 or len(set(items)) != len(items) or not all(items):
        reading.problem(element, f"question '{qid}' needs at least two different items to order")
        return None
    grading = child_text(element, "gradingtype", "ABSOLUTE_POSITION").upper()
    if grading != "ABSOLUTE_POSITION":
        reading.lose(
            qid, f"Moodle's grading '{grading}': quizapp gives a share for each item in its right place"
        )
    if child_text(element, "selecttype", "ALL").upper() != "ALL":
        reading.lose(qid, "showing only some of the items: quizapp shows them all")
    return {"type": "order", "answer": items}


_READERS: dict[str, Callable[[_Reading, ET.Element, str], dict[str, Any] | None]] = {
    "multichoice": _read_choices,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
    "matching": _read_matching,
    "ordering": _read_ordering,
}


# ---------------------------------------------------------------------------------------------
# Export


@exporter(FORMAT)
def export_moodle_xml(bank: Bank) -> Exported:
    """Write a bank as Moodle XML: one category named after the bank, then every question (order
    questions as the ``ordering`` type, in Moodle since 4.4 and a plugin before); what Moodle
    cannot hold is listed as losses."""
    losses = bank_losses(bank, "Moodle XML")
    quiz = ET.Element("quiz")
    category = sub(quiz, "question", type="category")
    sub(sub(category, "category"), "text", "$course$/top/" + bank.title.replace("/", "//"))
    sub(sub(category, "info", format="html"), "text", text_to_html(bank.description))
    for question in bank.questions.values():
        before = len(losses)
        losses.extend(loss for loss in (citation_loss(question), white_space_loss(question)) if loss)
        try:
            quiz.append(_question_element(question, losses))
        except _Unwritable as unwritable:
            # The whole question is the loss: what else it would have lost no longer matters.
            del losses[before:]
            losses.append(Loss(question.id, f"the whole question: {unwritable}"))
    return Exported(to_xml(quiz), tuple(losses))


class _Unwritable(Exception):
    """A question Moodle cannot hold at all; the message says why."""


def _question_element(question: Question, losses: list[Loss]) -> ET.Element:
    moodle_type, write = _WRITERS[type(question)]
    element = ET.Element("question", type=moodle_type)
    sub(sub(element, "name"), "text", question.id)
    _html(element, "questiontext", question.prompt)
    _html(element, "generalfeedback", question.explanation)
    sub(element, "defaultgrade", format_number(question.points))
    sub(element, "penalty", "0")
    sub(element, "hidden", "0")
    sub(element, "idnumber", question.id)
    write(element, question, losses)
    if question.tags:
        tags = sub(element, "tags")
        for tag in question.tags:
            sub(sub(tags, "tag"), "text", tag)
    return element


def _html(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = sub(parent, tag, format="html")
    sub(element, "text", text_to_html(text))
    return element


def _answer(
    parent: ET.Element, text: str, fraction: float, feedback: str = "", html: bool = True
) -> ET.Element:
    shown = f"{fraction:.5f}".rstrip("0").rstrip(".")
    answer = sub(parent, "answer", fraction=shown, format="html" if html else "moodle_auto_format")
    sub(answer, "text", text_to_html(text) if html else text)
    _html(answer, "feedback", feedback)
    return answer


def _write_single(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    _write_choices(element, question, {question.answer: 100.0}, 0.0, several=False)


def _write_multi(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    k = len(question.answer)
    shares = multi_shares(k)
    if shares is None:
        raise _Unwritable(f"Moodle's grades cannot share 100% among {k} right choices (20 at most)")
    if not shares.exact:
        losses.append(Loss(question.id, inexact_shares(shares)))
    # quizapp's rule for several right choices: each wrong one ticked takes a share away.
    in_order = [choice for choice in question.choices if choice in question.answer]
    right = dict(zip(in_order, shares.right, strict=True))
    _write_choices(element, question, right, shares.wrong, several=True)


def _write_choices(
    element: ET.Element, question: Any, right: dict[str, float], wrong: float, several: bool
) -> None:
    sub(element, "single", "false" if several else "true")
    sub(element, "shuffleanswers", "true" if question.shuffle else "false")
    sub(element, "answernumbering", "abc")
    for choice in question.choices:
        fraction = right.get(choice, wrong)
        _answer(element, choice, fraction, question.feedback_by_choice.get(choice, ""))


def _write_truefalse(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    for value in ("true", "false"):
        right = (value == "true") == question.answer
        _answer(element, value, 100 if right else 0, question.feedback_by_choice.get(value, ""), html=False)


def _write_shortanswer(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    if question.typos:
        losses.append(Loss(question.id, f"typos: {question.typos} (Moodle matches exactly)"))
    sub(element, "usecase", "0")
    for accepted in question.answer:
        _answer(element, accepted, 100, html=False)
    for wrong in question.wrong:
        _answer(element, wrong, 0, html=False)


def _write_numerical(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    answer = _answer(element, format_number(question.answer), 100, html=False)
    sub(answer, "tolerance", format_number(question.tolerance))
    if question.unit:
        unit = sub(sub(element, "units"), "unit")
        sub(unit, "multiplier", "1")
        sub(unit, "unit_name", question.unit)
    # Units shown but not graded (0: optional; 3: no units), as quizapp reads them.
    sub(element, "unitgradingtype", "0")
    sub(element, "unitpenalty", "0")
    sub(element, "showunits", "0" if question.unit else "3")
    sub(element, "unitsleft", "0")


def _write_matching(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    sub(element, "shuffleanswers", "true")
    for left, right in question.answer:
        pair = sub(element, "subquestion", format="html")
        sub(pair, "text", text_to_html(left))
        sub(sub(pair, "answer"), "text", right)
    for distractor in question.distractors:
        # A subquestion with no text is how Moodle writes an extra answer.
        extra = sub(element, "subquestion", format="html")
        sub(extra, "text", "")
        sub(sub(extra, "answer"), "text", distractor)


def _write_ordering(element: ET.Element, question: Any, losses: list[Loss]) -> None:
    sub(element, "layouttype", "VERTICAL")
    sub(element, "selecttype", "ALL")
    sub(element, "selectcount", "0")
    sub(element, "gradingtype", "ABSOLUTE_POSITION")
    sub(element, "showgrading", "SHOW")
    sub(element, "numberingstyle", "none")
    for position, item in enumerate(question.answer, 1):
        # The ordering type keeps each item's right position in its answer's fraction.
        _answer(element, item, position)


#: Each quizapp type's Moodle type and writer, which notes what Moodle cannot hold of it.
_WRITERS: dict[type[Question], tuple[str, Callable[[ET.Element, Any, list[Loss]], None]]] = {
    SingleChoice: ("multichoice", _write_single),
    MultipleChoice: ("multichoice", _write_multi),
    TrueFalse: ("truefalse", _write_truefalse),
    ShortText: ("shortanswer", _write_shortanswer),
    Numeric: ("numerical", _write_numerical),
    Matching: ("matching", _write_matching),
    Ordering: ("ordering", _write_ordering),
}
