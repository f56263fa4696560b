"""Forms and validators shared across blueprints."""

from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from wtforms import Field, Form, StringField
from wtforms.validators import DataRequired, Length, StopValidation


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


class JoinForm(FlaskForm):
    code = StringField(
        "Class code",
        filters=[strip],
        validators=[DataRequired(), Length(max=20), Printable()],
        description="From your instructor, e.g. ACDE-FGHJ.",
    )
