"""Who may see instructor pages, and which of the objects behind them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from quizapp.extensions import db
from quizapp.models import Assignment, Classroom


def instructor_required(view: Callable) -> Callable:
    """Log in first; then anyone but an instructor gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def own_class(class_id: int) -> Classroom:
    """The current instructor's class; another instructor's is as good as missing."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or classroom.instructor_id != current_user.id:
        abort(404)
    return classroom


def own_assignment(classroom: Classroom, assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.classroom_id != classroom.id:
        abort(404)
    return assignment
