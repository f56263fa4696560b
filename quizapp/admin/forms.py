"""The site administrator's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import AnyOf

from quizapp.models import ROLES


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role, role.title()) for role in ROLES],
        # AnyOf rather than the field's own check, for a message that names the roles.
        validate_choice=False,
        validators=[AnyOf(ROLES, message=f"Choose one of: {', '.join(ROLES)}.")],
    )
