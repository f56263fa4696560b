"""One question edited through a form and written back into its bank's YAML with ruamel.yaml's
round trip, so the rest of the file (comments, order, quoting, layout) stays as it was."""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from quizapp.banks import Bank
from quizapp.questions import QUESTION_TYPES, Question, form_lines, form_number, format_number

#: Empty choice rows the form offers beyond those filled in, and the fewest rows it shows.
SPARE_ROWS = 2
MIN_ROWS = 4

#: A paragraph number as the Source box takes it (ASCII digits: "²" is a digit to Python).
_PARAGRAPH = re.compile(r"[0-9]{1,9}")


def key_order() -> tuple[str, ...]:
    """Keys in the order a question's mapping is written: each type's own fields in the order it
    declares them, between the common ones."""
    own = (name for t in QUESTION_TYPES.values() for name in (*t.required_fields, *t.optional_fields))
    return ("id", "type", "prompt", *dict.fromkeys(own), "points", "explanation", "source", "tags")


class EditError(Exception):
    """The bank's text cannot take the edit (the question is gone, or the file is not a bank)."""


def form_values(question: Question) -> dict[str, Any]:
    """A validated question as the form's field values."""
    values: dict[str, Any] = {
        "id": question.id,
        "prompt": question.prompt,
        "points": format_number(question.points),
        "explanation": question.explanation,
        "source": ", ".join(map(str, question.source)),
        "tags": ", ".join(question.tags),
    }
    return {**values, **question.to_form()}


def choice_rows(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """A choice type's ``choices`` and ``answer`` (one a line) as the form shows them: a row per
    choice, the right ones ticked (``right``: their numbers), and empty rows for more."""
    choices = form_lines(values.get("choices"))
    right = set(form_lines(values.get("answer")))
    spare = max(SPARE_ROWS, MIN_ROWS - len(choices))
    return {
        "choice_rows": [*choices, *[""] * spare],
        "right": [str(i) for i, choice in enumerate(choices) if choice in right],
    }


def picked_choices(rows: Sequence[str], right: Collection[str], several: bool) -> dict[str, str]:
    """The ``choices`` and ``answer`` (one a line) of the rows filled in and those ticked right.
    Raises EditError, naming the row, for a tick on an empty row, no tick, or several where one
    choice is right."""
    ticked = sorted({int(r) for r in right if r.isdigit() and int(r) < len(rows)})
    if len(ticked) < len(right):
        raise EditError("Tick the right choice among the rows shown.")
    empty = [i + 1 for i in ticked if not rows[i].strip()]
    if empty:
        raise EditError(
            f"Choice {empty[0]} is ticked as right but is empty: type the choice in its row, or tick another."
        )
    if not ticked:
        raise EditError(
            "Tick every right choice in its row." if several else "Tick the right choice in its row."
        )
    if len(ticked) > 1 and not several:
        raise EditError("Tick one right choice only: this type has one.")
    return {
        "choices": "\n".join(row.strip() for row in rows if row.strip()),
        "answer": "\n".join(rows[i].strip() for i in ticked),
    }


def listing_quizzes(bank: Bank | None, qid: str | None = None) -> list[str]:
    """The ids of the bank's quizzes that list their questions (with ``qid``: those listing it)."""
    if bank is None:
        return []
    return [
        quiz.id
        for quiz in bank.quizzes.values()
        if quiz.question_ids is not None and (qid is None or qid in quiz.question_ids)
    ]


def drawing_notes(bank: Bank | None, tags: Collection[str]) -> list[str]:
    """How each of the bank's quizzes that draws its questions (by tag, or from all) takes a
    question with ``tags``."""
    notes = []
    for quiz in bank.quizzes.values() if bank else ():
        if quiz.question_ids is not None:
            continue
        if not quiz.select_tags:
            notes.append(f"{quiz.title} draws from every question of the bank: it includes this one.")
        elif set(quiz.select_tags) & set(tags):
            shared = ", ".join(t for t in quiz.select_tags if t in tags)
            notes.append(f"{quiz.title} draws by tag: this question has the tag {shared}, so it is included.")
        else:
            wanted = " or ".join(quiz.select_tags)
            notes.append(f"{quiz.title} draws by tag: add the tag {wanted} to include this question.")
    return notes


def question_mapping(qtype: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The YAML mapping of a question from the form's values (empty fields left out); the bank
    loader then checks it like any other question."""
    out: dict[str, Any] = {"id": values["id"].strip(), "type": qtype, "prompt": values["prompt"].strip()}
    out.update((key, _written(value)) for key, value in QUESTION_TYPES[qtype].from_form(values).items())
    if form_number(values.get("points")) not in (None, 1):
        out["points"] = form_number(values.get("points"))
    out["explanation"] = (values.get("explanation") or "").strip()
    out["source"] = _citations(values.get("source"))
    out["tags"] = _flow([t.strip() for t in (values.get("tags") or "").split(",") if t.strip()])
    return {
        k: v for k, v in out.items() if v not in ("", None) and not (hasattr(v, "__len__") and len(v) == 0)
    }


def _citations(text: str | None) -> Any:
    """The Source box ("5", "2, 5", "header, 1") as the bank writes it: one citation alone, several
    as a list; what is not a number stays text, for the bank loader to report."""
    cited: list[int | str] = [
        int(c) if _PARAGRAPH.fullmatch(c) else c for c in (c.strip() for c in (text or "").split(",")) if c
    ]
    return cited[0] if len(cited) == 1 else _flow(cited)


def _written(value: Any) -> Any:
    """A type's plain value as ruamel.yaml writes it: a list in flow style when short."""
    if isinstance(value, list):
        return _flow(value)
    return CommentedMap(value) if isinstance(value, dict) else value


def _flow(items: list[Any]) -> CommentedSeq:
    """A list written [a, b, c] when it fits on a line, else one item a line."""
    seq = CommentedSeq(items)
    if sum(len(str(i)) + 2 for i in items) < 70:
        seq.fa.set_flow_style()
    return seq


def apply_question(
    text: str, mapping: dict[str, Any], replacing: str | None, listed_in: Collection[str] | None = None
) -> str:
    """The bank text with question ``replacing`` updated from ``mapping`` in place (or, with None,
    ``mapping`` added as a new question at the end); with ``listed_in``, the question listed in
    those quizzes' ``questions:`` and in no other's. Everything else is written back untouched."""
    data, yaml = _loaded(text)
    if replacing is None:
        data["questions"].append(CommentedMap((k, mapping[k]) for k in key_order() if k in mapping))
    else:
        _update_in_place(_question(data, replacing), mapping)
    if listed_in is not None:
        _list_in(data.get("quizzes"), mapping["id"], set(listed_in))
    return _dumped(data, yaml)


def add_accepted_answer(text: str, question_id: str, answer: str) -> str:
    """The bank text with ``answer`` added to the accepted answers of text question ``question_id``
    (a single answer becomes a list of two); everything else is written back untouched."""
    data, yaml = _loaded(text)
    target = _question(data, question_id)
    accepted = target.get("answer")
    if isinstance(accepted, CommentedSeq):
        accepted.append(answer)
    elif isinstance(accepted, str):
        target["answer"] = _flow([accepted, answer])
    else:
        raise EditError(f"The question '{question_id}' has no accepted answers to add to.")
    return _dumped(data, yaml)


def _loaded(text: str) -> tuple[CommentedMap, YAML]:
    """The bank text's data as ruamel.yaml's round trip reads it, and the YAML that writes it back."""
    try:
        data = _configured(2, 4, 2).load(text)
        yaml = _layout_of(text, data)
    except YAMLError as exc:
        raise EditError(
            f"The bank's YAML has an error ({getattr(exc, 'problem', None) or exc}); fix it in the editor first."
        ) from exc
    if not isinstance(data, CommentedMap) or not isinstance(data.get("questions"), CommentedSeq):
        raise EditError("The bank's text has no list of questions to edit; fix it in the editor first.")
    return data, yaml


def _question(data: CommentedMap, question_id: str) -> CommentedMap:
    target = next(
        (q for q in data["questions"] if isinstance(q, CommentedMap) and q.get("id") == question_id), None
    )
    if target is None:
        raise EditError(f"The bank no longer has a question '{question_id}'.")
    return target


def _dumped(data: CommentedMap, yaml: YAML) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _list_in(quizzes: Any, qid: str, listed_in: set[str]) -> None:
    """Add ``qid`` at the end of the ``questions:`` of each quiz in ``listed_in``, and take it out
    of every other quiz's; quizzes that draw by tag are left alone."""
    for quiz in quizzes if isinstance(quizzes, CommentedSeq) else ():
        ids = quiz.get("questions") if isinstance(quiz, CommentedMap) else None
        if not isinstance(ids, CommentedSeq):
            continue
        if quiz.get("id") in listed_in:
            if qid not in ids:
                ids.append(qid)
        else:
            while qid in ids:
                del ids[ids.index(qid)]


def _update_in_place(target: CommentedMap, mapping: dict[str, Any]) -> None:
    """Set, add and remove keys of an existing question without disturbing its other keys' place."""
    order = key_order()
    for key in [k for k in target if k in order and k not in mapping]:
        del target[key]
    for key in order:
        if key not in mapping:
            continue
        if key in target:
            if target[key] != mapping[key]:
                target[key] = mapping[key]
        else:
            position = sum(1 for k in target if k in order and order.index(k) < order.index(key))
            target.insert(position, key, mapping[key])


def _layout_of(text: str, data: Any) -> YAML:
    """A ruamel.yaml set up to write this text back exactly as it was: its indentation found by
    trying the usual layouts until one reproduces the file."""
    _, sequence, offset = load_yaml_guess_indent(text)
    layouts = [
        (2, sequence or 4, offset or 2),
        (sequence or 2, sequence or 2, offset or 0),
        (2, 4, 2),
        (2, 2, 0),
        (4, 4, 2),
    ]
    for layout in dict.fromkeys(layouts):
        yaml = _configured(*layout)
        out = io.StringIO()
        yaml.dump(data, out)
        if out.getvalue() == text:
            return yaml
    return _configured(*layouts[0])


def _configured(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap lines the author wrapped (or did not)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml
