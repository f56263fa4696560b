"""The site administrator's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length

from quizapp.models import ROLES


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role, role.title()) for role in ROLES],
        # AnyOf rather than the field's own check, for a message that names the roles.
        validate_choice=False,
        validators=[AnyOf(ROLES, message=f"Choose one of: {', '.join(ROLES)}.")],
    )


class SiteSettingsForm(FlaskForm):
    timezone = StringField(
        "School's time zone",
        # Its name is checked by the operation (set_school_zone), which the CLI shares.
        validators=[InputRequired(message="Name a time zone."), Length(max=64)],
        description="An IANA name such as Europe/Paris or Asia/Almaty. Every host shows quiz times in it.",
    )
