"""Which classes and assignments an instructor's pages may show: their own (see quizapp.access)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from quizapp.extensions import db
from quizapp.models import Assignment, Classroom


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
