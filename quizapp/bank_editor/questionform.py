"""One question edited through a form and written back into its bank's YAML with ruamel.yaml's
round trip, so the rest of the file (comments, order, quoting, layout) stays as it was."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from quizapp.questions import QUESTION_TYPES, Question, form_number, format_number

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


def apply_question(text: str, mapping: dict[str, Any], replacing: str | None) -> str:
    """The bank text with question ``replacing`` updated from ``mapping`` in place (or, with None,
    ``mapping`` added as a new question at the end). Everything else is written back untouched."""
    try:
        data = _configured(2, 4, 2).load(text)
        yaml = _layout_of(text, data)
    except YAMLError as exc:
        raise EditError(
            f"The bank's YAML has an error ({getattr(exc, 'problem', None) or exc}); fix it in the editor first."
        ) from exc
    if not isinstance(data, CommentedMap) or not isinstance(data.get("questions"), CommentedSeq):
        raise EditError("The bank's text has no list of questions to edit; fix it in the editor first.")
    questions = data["questions"]
    if replacing is None:
        questions.append(CommentedMap((k, mapping[k]) for k in key_order() if k in mapping))
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
