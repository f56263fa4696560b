"""Forms shared across blueprints."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A bare button: only its CSRF token is checked."""
