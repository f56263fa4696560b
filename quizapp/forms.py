"""Forms shared across blueprints."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class EmptyForm(FlaskForm):
    """A bare button: only its CSRF token is checked."""


class JoinForm(FlaskForm):
    code = StringField(
        "Class code",
        validators=[DataRequired(), Length(max=20)],
        description="From your instructor, e.g. ACDE-FGHJ.",
    )
