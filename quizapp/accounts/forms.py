"""Registration and login forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Regexp, ValidationError

from quizapp.accounts import operations as accounts
from quizapp.accounts.operations import find_user, password_problem
from quizapp.forms import Printable, Visible, strip

USERNAME_CHARS = Regexp(
    rf"^[{accounts.USERNAME_CHARS}]+\Z", message="Use letters, digits, '.', '-' or '_' only."
)


def no_formula_start(form: FlaskForm, field: StringField) -> None:
    """A new username's first character is not one a spreadsheet reads as the start of a formula."""
    problem = accounts.formula_start_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[strip],
        validators=[DataRequired(), Length(*accounts.USERNAME_LENGTH), no_formula_start, USERNAME_CHARS],
        description=f"{accounts.USERNAME_RULE}. You log in with it.",
    )
    display_name = StringField(
        "Display name",
        filters=[strip],
        validators=[DataRequired(), Length(1, 80), Printable(), Visible()],
        description="How your name appears.",
    )
    password = PasswordField("Password", validators=[InputRequired()])
    confirm = PasswordField(
        "Repeat the password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
    )

    def validate_username(self, field: StringField) -> None:
        if not field.errors and find_user(field.data) is not None:
            raise ValidationError("That username is taken. Choose another.")

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data, self.username.data or "", self.display_name.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[strip],
        validators=[DataRequired(), Length(max=accounts.USERNAME_LENGTH[1]), USERNAME_CHARS],
    )
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])


CHOOSING_HELP = (
    "At least 8 characters; a few unrelated words make a strong one. Common passwords are refused."
)


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired(), Length(max=200)])
    password = PasswordField("New password", validators=[InputRequired()], description=CHOOSING_HELP)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
    )


class EmailForm(FlaskForm):
    email = StringField(
        "E-mail address",
        filters=[strip],
        validators=[Length(max=accounts.EMAIL_LENGTH)],
        description="Optional. Your instructor's grade files carry it, so that Moodle can match you by it."
        " Leave it empty to remove it.",
    )

    def validate_email(self, field: StringField) -> None:
        problem = accounts.email_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)


class ResetForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[strip],
        validators=[DataRequired(), Length(max=accounts.USERNAME_LENGTH[1]), USERNAME_CHARS],
    )
    code = StringField(
        "Reset code",
        filters=[strip],
        validators=[DataRequired(), Length(max=40)],
        description="From your instructor, e.g. ACDE-FGHJ-KMNP.",
    )
    password = PasswordField("New password", validators=[InputRequired()], description=CHOOSING_HELP)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
    )
