"""Instructor pages: classes, rosters and assignments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quizapp.classes import ClassError, assign_quiz, create_class, regenerate_code, remove_student, unassign
from quizapp.extensions import bank_registry, db
from quizapp.forms import EmptyForm
from quizapp.models import Classroom, Enrollment, User
from quizapp.teach.access import instructor_required, own_assignment, own_class
from quizapp.teach.forms import AssignForm, ClassForm
from quizapp.timefmt import parse_local

bp = Blueprint("teach", __name__, url_prefix="/teach")


@bp.get("/")
@instructor_required
def dashboard():
    return dashboard_page()


def dashboard_page(form: ClassForm | None = None) -> str:
    classes = db.session.scalars(
        select(Classroom).where(Classroom.instructor_id == current_user.id).order_by(Classroom.name)
    )
    return render_template("teach/dashboard.html", classes=list(classes), form=form or ClassForm())


@bp.post("/classes")
@instructor_required
def new_class():
    form = ClassForm()
    if not form.validate_on_submit():
        return dashboard_page(form), 422
    try:
        classroom = create_class(current_user, form.name.data)
    except ClassError as exc:
        form.name.errors.append(str(exc))
        return dashboard_page(form), 422
    flash(f"Class “{classroom.name}” created. Students join it with the code shown.", "success")
    return redirect(url_for("teach.classroom", class_id=classroom.id))


@bp.get("/classes/<id:class_id>")
@instructor_required
def classroom(class_id: int):
    return classroom_page(class_id)


def classroom_page(class_id: int, form: AssignForm | None = None) -> str:
    classroom = own_class(class_id)
    roster = db.session.scalars(
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id)
        .order_by(User.display_name)
    )
    return render_template(
        "teach/class.html",
        classroom=classroom,
        roster=list(roster),
        assign_form=form or assign_form(),
        form=EmptyForm(),
        banks={b.slug: b for b in bank_registry().banks()},
    )


def assign_form() -> AssignForm:
    form = AssignForm()
    form.quiz.choices = [
        SelectChoice(f"{bank.slug}/{quiz.id}", quiz.title, optgroup=bank.title)
        for bank in bank_registry().banks()
        for quiz in bank.quizzes.values()
    ]
    return form


@bp.post("/classes/<id:class_id>/code")
@instructor_required
def new_code(class_id: int):
    classroom = own_class(class_id)
    if EmptyForm().validate_on_submit():
        regenerate_code(classroom)
        flash("New join code made; the old one no longer works.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/students/<id:user_id>/remove")
@instructor_required
def remove(class_id: int, user_id: int):
    classroom = own_class(class_id)
    if EmptyForm().validate_on_submit():
        remove_student(classroom, user_id)
        flash("Student removed from the class; their scores are kept.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/assignments")
@instructor_required
def assign(class_id: int):
    classroom = own_class(class_id)
    form = assign_form()
    if not form.validate_on_submit():
        return classroom_page(class_id, form), 422
    slug, quiz_id = form.quiz.data.split("/", 1)
    try:
        assign_quiz(
            classroom, slug, quiz_id, parse_local(form.opens_at.data), parse_local(form.closes_at.data)
        )
    except ClassError as exc:
        form.closes_at.errors = [*form.closes_at.errors, str(exc)]
        return classroom_page(class_id, form), 422
    flash("Quiz assigned.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/assignments/<id:assignment_id>/remove")
@instructor_required
def remove_assignment(class_id: int, assignment_id: int):
    classroom = own_class(class_id)
    assignment = own_assignment(classroom, assignment_id)
    if EmptyForm().validate_on_submit():
        unassign(assignment)
        flash("Quiz taken off the class; attempts already made are kept.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))
