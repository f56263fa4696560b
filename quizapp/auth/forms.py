"""Registration and login forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from quizapp.accounts import find_user, password_problem


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired(),
            Length(3, 40),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="Use letters, digits, '.', '-' or '_' only."),
        ],
        description="3–40 letters, digits, '.', '-' or '_'. You log in with it.",
    )
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(1, 80)], description="How your name appears."
    )
    password = PasswordField("Password", validators=[DataRequired()])
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )

    def validate_username(self, field: StringField) -> None:
        if find_user(field.data) is not None:
            raise ValidationError("That username is taken. Choose another.")

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
