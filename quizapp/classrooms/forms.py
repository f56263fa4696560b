"""Instructor forms for classes: a new class, an assignment, its review options and extra time."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quizapp.banks.review import MOMENTS, PARTS
from quizapp.forms import Printable, Visible, strip


class ClassForm(FlaskForm):
    name = StringField(
        "Class name", filters=[strip], validators=[DataRequired(), Length(max=120), Printable(), Visible()]
    )


class AssignForm(FlaskForm):
    quiz = SelectField("Quiz", validators=[DataRequired()], description="From the banks that validate.")
    opens_at = DateTimeLocalField("Opens", validators=[Optional()], description="Leave empty to open now.")
    closes_at = DateTimeLocalField(
        "Closes", validators=[Optional()], description="Leave empty for no deadline."
    )


class ReviewForm(FlaskForm):
    """Review options for one assignment: a box for each part at each moment (see
    ``review_form``), or the bank's own options."""

    use_bank = BooleanField("Use the options written in the bank")


def review_form(checked: dict[str, list[str]], **kwargs: Any) -> ReviewForm:
    """A ``ReviewForm`` with a box named ``<part>-<moment>`` for every part and moment."""

    class Boxes(ReviewForm):
        pass

    for part in PARTS:
        for moment in MOMENTS:
            setattr(Boxes, f"{part}-{moment}", BooleanField(default=moment in checked.get(part, ())))
    return Boxes(**kwargs)


class ExtraTimeForm(FlaskForm):
    student = SelectField("Student", coerce=int, validators=[DataRequired()])
    minutes = IntegerField(
        "Extra minutes",
        validators=[
            DataRequired(message="Give a number of minutes (0 takes extra time away)."),
            NumberRange(min=0, max=1440),
        ],
        description="Beyond the quiz's time limit, in this assignment only; 0 takes it away.",
        render_kw={"inputmode": "numeric"},
    )
