"""One question edited through a form and written back into its bank's YAML with ruamel.yaml's
round trip, so the rest of the file (comments, order, quoting, layout) stays as it was."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

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

#: The form's fields for each type, beyond id, prompt, points, explanation, source and tags.
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "single": ("choices", "answer", "feedback", "shuffle"),
    "multi": ("choices", "answer", "feedback", "shuffle"),
    "true_false": ("truth", "feedback"),
    "text": ("answer",),
    "numeric": ("answer", "tolerance", "unit"),
    "order": ("answer",),
    "match": ("answer", "distractors"),
}

#: Keys in the order a question's mapping is written.
KEY_ORDER = (
    "id", "type", "prompt", "choices", "answer", "tolerance", "unit", "distractors",
    "feedback", "shuffle", "points", "explanation", "source", "tags",
)  # fmt: skip


class EditError(Exception):
    """The bank's text cannot take the edit (the question is gone, or the file is not a bank)."""


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def pairs(text: str, separator: str = "=") -> list[tuple[str, str]]:
    """'left = right' lines as pairs; a line without the separator pairs with ''."""
    out = []
    for line in lines(text):
        left, _, right = line.partition(separator)
        out.append((left.strip(), right.strip()))
    return out


def form_values(question: Question) -> dict[str, Any]:
    """A validated question as the form's field values."""
    values: dict[str, Any] = {
        "id": question.id,
        "prompt": question.prompt,
        "points": format_number(question.points),
        "explanation": question.explanation,
        "source": question.source,
        "tags": ", ".join(question.tags),
    }
    if isinstance(question, SingleChoice | MultipleChoice):
        values["choices"] = "\n".join(question.choices)
        values["answer"] = (
            question.answer if isinstance(question, SingleChoice) else "\n".join(question.answer)
        )
        values["feedback"] = "\n".join(f"{k} = {v}" for k, v in question.feedback_by_choice.items())
        values["shuffle"] = question.shuffle
    elif isinstance(question, TrueFalse):
        values["truth"] = "true" if question.answer else "false"
        values["feedback"] = "\n".join(f"{k} = {v}" for k, v in question.feedback_by_choice.items())
    elif isinstance(question, ShortText | Ordering):
        values["answer"] = "\n".join(question.answer)
    elif isinstance(question, Numeric):
        values["answer"] = format_number(question.answer)
        values["tolerance"] = format_number(question.tolerance)
        values["unit"] = question.unit
    elif isinstance(question, Matching):
        values["answer"] = "\n".join(f"{left} = {right}" for left, right in question.answer)
        values["distractors"] = "\n".join(question.distractors)
    return values


def question_mapping(qtype: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The YAML mapping of a question from the form's values (empty fields left out); the bank
    loader then checks it like any other question."""
    out: dict[str, Any] = {"id": values["id"].strip(), "type": qtype, "prompt": values["prompt"].strip()}
    fields = TYPE_FIELDS[qtype]
    if "choices" in fields:
        out["choices"] = _flow(lines(values.get("choices", "")))
    if qtype == "single":
        out["answer"] = (values.get("answer") or "").strip()
    elif qtype in ("multi", "text", "order"):
        out["answer"] = _flow(lines(values.get("answer", "")))
    elif qtype == "true_false":
        out["answer"] = values.get("truth") == "true"
    elif qtype == "numeric":
        out["answer"] = _number(values.get("answer"))
        if _number(values.get("tolerance")):
            out["tolerance"] = _number(values.get("tolerance"))
        out["unit"] = (values.get("unit") or "").strip()
    elif qtype == "match":
        out["answer"] = CommentedMap(pairs(values.get("answer", "")))
        out["distractors"] = _flow(lines(values.get("distractors", "")))
    if "feedback" in fields:
        out["feedback"] = CommentedMap((k, v) for k, v in pairs(values.get("feedback", "")) if k)
    if "shuffle" in fields and not values.get("shuffle"):  # an unticked box is not sent
        out["shuffle"] = False
    if _number(values.get("points")) not in (None, 1):
        out["points"] = _number(values.get("points"))
    out["explanation"] = (values.get("explanation") or "").strip()
    if values.get("source") not in (None, ""):
        out["source"] = int(values["source"])
    out["tags"] = _flow([t.strip() for t in (values.get("tags") or "").split(",") if t.strip()])
    return {
        k: v for k, v in out.items() if v not in ("", None) and not (hasattr(v, "__len__") and len(v) == 0)
    }


def _number(text: Any) -> int | float | str | None:
    """A typed number as an int or float; text that is not one is kept, for the loader to report."""
    raw = str(text or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() else value


def _flow(items: list[str]) -> CommentedSeq:
    """A list written [a, b, c] when it fits on a line, else one item a line."""
    seq = CommentedSeq(items)
    if sum(len(i) + 2 for i in items) < 70:
        seq.fa.set_flow_style()
    return seq


def apply_question(text: str, mapping: dict[str, Any], replacing: str | None) -> str:
    """The bank text with question ``replacing`` updated from ``mapping`` in place (or, with None,
    ``mapping`` added as a new question at the end). Everything else is written back untouched."""
    try:
        data = _configured(2, 4, 2).load(text)
        yaml = _layout_of(text, data)
    except YAMLError as exc:
        raise EditError(
            f"The bank's YAML has an error ({exc.problem or exc}); fix it in the editor first."
        ) from exc
    if not isinstance(data, CommentedMap) or not isinstance(data.get("questions"), CommentedSeq):
        raise EditError("The bank's text has no list of questions to edit; fix it in the editor first.")
    questions = data["questions"]
    if replacing is None:
        questions.append(CommentedMap((k, mapping[k]) for k in KEY_ORDER if k in mapping))
    else:
        target = next(
            (q for q in questions if isinstance(q, CommentedMap) and q.get("id") == replacing), None
        )
        if target is None:
            raise EditError(f"The bank no longer has a question '{replacing}'.")
        _update_in_place(target, mapping)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _update_in_place(target: CommentedMap, mapping: dict[str, Any]) -> None:
    """Set, add and remove keys of an existing question without disturbing its other keys' place."""
    for key in [k for k in target if k in KEY_ORDER and k not in mapping]:
        del target[key]
    for key in KEY_ORDER:
        if key not in mapping:
            continue
        if key in target:
            if target[key] != mapping[key]:
                target[key] = mapping[key]
        else:
            position = sum(1 for k in target if k in KEY_ORDER and KEY_ORDER.index(k) < KEY_ORDER.index(key))
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
