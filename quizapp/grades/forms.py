"""The grades pages' forms: accepting, rejecting and taking back the rejection of a learner's answer."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from quizapp.forms import InlineForm
from quizapp.questions import MAX_TEXT_ANSWER


class AnswerForm(InlineForm):
    """A button beside one wrong answer of the item analysis (one per answer and action)."""

    question_id = HiddenField(validators=[DataRequired(), Length(max=100)])
    #: The answer as a learner typed it (the group's most frequent spelling).
    answer = HiddenField(validators=[DataRequired(), Length(max=MAX_TEXT_ANSWER)])
    #: Hash of the bank version the page was built from: an accept over a newer one is refused.
    base = HiddenField(validators=[Length(max=64)])
