"""The flashcard's rating form."""

from __future__ import annotations

from wtforms import ButtonField, HiddenField
from wtforms.validators import AnyOf, NumberRange

from quizapp.forms import InlineForm, as_whole_number
from quizapp.study.operations import RATINGS

#: The one message for every rating that cannot be recorded.
CHOOSE = "Choose Again, Hard, Good or Easy."


class RatingForm(InlineForm):
    """How well a revealed card was remembered: one of the four buttons, for the card shown at the
    review count it had then (a replayed rating is refused by ``review``)."""

    card = HiddenField(filters=[as_whole_number], validators=[NumberRange(min=1, message=CHOOSE)])
    reps = HiddenField(filters=[as_whole_number], validators=[NumberRange(min=0, message=CHOOSE)])
    rating = ButtonField(filters=[as_whole_number], validators=[AnyOf(list(RATINGS), message=CHOOSE)])
