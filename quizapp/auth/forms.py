"""Registration and login forms."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from quizapp.extensions import db
from quizapp.models import User


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
        taken = db.session.scalar(select(User.id).where(User.username == field.data.lower()))
        if taken is not None:
            raise ValidationError("That username is taken. Choose another.")

    def validate_password(self, field: PasswordField) -> None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(field.data) < minimum:
            raise ValidationError(f"Use at least {minimum} characters.")
        if len(field.data) > 200:
            raise ValidationError("Use at most 200 characters.")


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
