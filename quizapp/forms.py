"""Forms, validators and request values shared across blueprints."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import abort, render_template, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, Form, StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Length, StopValidation
from wtforms.widgets import HiddenInput

from quizapp.text import has_invisible

#: The largest whole number read from a URL, query string or form (row ids, pages, counts): what
#: a 32-bit INTEGER column holds. A larger one would fail in the database ("too large to convert").
MAX_INT = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(value: str) -> int:
    """``value`` as a whole number from 0 to MAX_INT, in ASCII digits, else ValueError: the
    ``type`` for ``request.args.get`` and ``request.form.get``, which then give their default."""
    if not _DIGITS.fullmatch(value) or int(value) > MAX_INT:
        raise ValueError(f"not a whole number from 0 to {MAX_INT}: {value[:20]!r}")
    return int(value)


def maybe_whole_number(value: str) -> int | None:
    """``value`` as ``whole_number`` reads it, or None."""
    try:
        return whole_number(value)
    except ValueError:
        return None


def as_whole_number(value: object) -> object:
    """A filter for a field holding a whole number: posted text as ``whole_number`` reads it, and
    None for text that is not one (a validator then refuses it, or the view takes its default)."""
    return maybe_whole_number(value) if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    """Drop surrounding spaces (and a pasted line break) from a one-line field."""
    return value.strip() if isinstance(value, str) else value


class Printable:
    """Refuse control characters (a NUL, an escape) in a field; line breaks pass in multi-line fields."""

    def __init__(self, multiline: bool = False):
        self.allowed = "\n\r\t" if multiline else ""

    def __call__(self, form: Form, field: Field) -> None:
        text = field.data or ""
        if any(unicodedata.category(ch) == "Cc" and ch not in self.allowed for ch in text):
            raise StopValidation("Use printable characters only.")


class Visible:
    """Refuse bidirectional controls and zero-width characters in a field: in a name, one is
    never what someone meant, and it lets the name pass for another ("Ada" and "Ada\u200b")."""

    def __call__(self, form: Form, field: Field) -> None:
        if has_invisible(field.data or ""):
            raise StopValidation("Use visible characters only.")


class InlineForm(FlaskForm):
    """A form that appears many times on a page (a button on each row, "Log out" in the header):
    its hidden fields render as ``<input type="hidden" name=… value=…>`` without the id WTForms
    would give each, which would repeat."""

    class Meta(DefaultMeta):
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Markup:
            if isinstance(field.widget, HiddenInput):
                name, value = escape(field.name), escape(field._value())
                return Markup(f'<input type="hidden" name="{name}" value="{value}">')  # noqa: S704 - escaped
            shown: Markup = super().render_field(field, render_kw)
            return shown


class EmptyForm(InlineForm):
    """A bare button's form (remove, unlock, log out): nothing but its CSRF token."""


def button_pressed() -> None:
    """Accept a bare button's POST only with its form's token, or answer 400 (CSRFProtect refuses
    a bad token before any view runs: this keeps each view's own check in Flask-WTF's terms)."""
    if not EmptyForm().validate_on_submit():
        abort(400)


@dataclass(frozen=True)
class Confirmation:
    """What a destructive button will do, asked before it is done: the page ``ask`` shows."""

    #: The question, as the page's heading ("Archive the bank Founding documents?").
    title: str
    #: What happens once confirmed.
    happens: str
    #: The confirming button's words ("Archive the bank").
    button: str
    #: Where Cancel leads: the page the button was on.
    cancel: str
    #: What is lost for good, if anything.
    lost: str = ""
    #: What stays as it is.
    kept: str = ""
    #: The first POST's own fields (a username, a version's base), posted again with the confirmation.
    carry: Mapping[str, str] = field(default_factory=dict)


def confirmed() -> bool:
    """Whether a destructive button's POST is its second, confirmed one; the first only asks (and
    changes nothing). Both carry the form's token, checked before this (CSRFProtect, the view's form)."""
    return request.form.get("confirm") == "yes"


def ask(confirmation: Confirmation) -> str:
    """The page asking to confirm the POST just made: what will happen, what is lost and kept,
    the button that does it (posting the same fields again, with ``confirm``) and a Cancel link."""
    return render_template("confirm.html", confirmation=confirmation, form=EmptyForm(), action=request.path)


class JoinForm(FlaskForm):
    code = StringField(
        "Class code",
        filters=[strip],
        validators=[DataRequired(), Length(max=20), Printable()],
        description="From your instructor, e.g. ACDE-FGHJ.",
    )
