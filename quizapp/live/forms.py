"""Forms of the live game's pages: the host's start form and the players' PIN form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Regexp, ValidationError

from quizapp.forms import as_whole_number, strip

#: The shortest and longest time a host may give each question, in seconds.
MIN_SECONDS, MAX_SECONDS = 5, 240


class NewGameForm(FlaskForm):
    """How a live game of one quiz is played: for which class (or open), how fast, and whether it
    counts. ``classroom`` offers the host's own classes; ``set_for`` names those that set the quiz
    (``new_game_form`` fills both)."""

    classroom = SelectField(
        "Who plays",
        validate_choice=False,  # validate_classroom says why in words a host can act on
        description="A class game is for that class's students, by their names; an open game is "
        "for anyone with the PIN, by nickname.",
    )
    seconds = StringField(
        "Seconds per question",
        filters=[strip, as_whole_number],
        validators=[
            InputRequired(message=f"Give the seconds per question, from {MIN_SECONDS} to {MAX_SECONDS}."),
            NumberRange(
                min=MIN_SECONDS,
                max=MAX_SECONDS,
                message=f"Give a whole number of seconds per question, from {MIN_SECONDS} to {MAX_SECONDS}.",
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    auto_advance = BooleanField("Move on by itself when everyone has answered or time is up")
    streak_bonus = BooleanField(
        "Streak bonus: up to 500 extra points for right answers in a row", default=True
    )
    counts = BooleanField(
        "Counts in the class's gradebook",
        description="Each player's answers become a submitted attempt at the quiz, as set for the "
        "class. Only for a class that sets this quiz.",
    )

    #: Ids (as the select's values) of the host's classes that set this quiz.
    set_for: frozenset[str] = frozenset()

    def validate_classroom(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Choose one of your classes, or an open game.")

    def validate_counts(self, field: BooleanField) -> None:
        if not field.data:
            return
        if not self.classroom.data:
            raise ValidationError("Only a class game can count in a gradebook: choose one of your classes.")
        if self.classroom.data not in self.set_for:
            raise ValidationError(
                "This quiz is not set for that class, so the game cannot count in its gradebook. "
                "Set the quiz on the class's page first, or leave this unticked."
            )


def without_spaces(value: str | None) -> str | None:
    """A PIN as typed from the screen, which shows it as "123 456"."""
    return value.replace(" ", "") if isinstance(value, str) else value


class PinForm(FlaskForm):
    """The PIN a player types to join a game (sent by GET: it changes nothing)."""

    class Meta:
        csrf = False

    pin = StringField(
        "Game PIN",
        filters=[strip, without_spaces],
        validators=[
            InputRequired(message="Type the game's PIN, the 6 digits on the host's screen."),
            Regexp(r"^[0-9]{6}$", message="A PIN is 6 digits, as shown on the host's screen."),
        ],
        description="The 6 digits on the host's screen.",
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 7},
    )
