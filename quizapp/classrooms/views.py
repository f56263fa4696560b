"""Instructor pages: classes, rosters, assignments and students.

Every POST has had its CSRF token checked (CSRFProtect, for the whole app) before a view runs.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quizapp.access import INSTRUCTOR, allow, every_bank_members, may_assign_bank
from quizapp.accounts.operations import is_locked, make_reset_code, unlock
from quizapp.banks import Quiz
from quizapp.banks.review import (
    MOMENT_LABELS,
    MOMENTS,
    PART_LABELS,
    PARTS,
    ReviewOptions,
    overridden,
)
from quizapp.classrooms.access import own_assignment, own_class
from quizapp.classrooms.forms import AssignForm, ClassForm, ExtraTimeForm, ReviewForm, review_form
from quizapp.classrooms.operations import (
    ClassError,
    assign_quiz,
    class_attempts,
    create_class,
    is_enrolled,
    regenerate_code,
    remove_student,
    set_extra_time,
    set_review,
    unassign,
)
from quizapp.extensions import bank_registry, db
from quizapp.filters import quiz_name
from quizapp.forms import Confirmation, EmptyForm, ask, button_pressed, confirmed
from quizapp.models import Assignment, Classroom, Enrollment, User
from quizapp.quizzes.operations import close_overdue
from quizapp.timefmt import parse_local

bp = Blueprint("classrooms", __name__, url_prefix="/teach", template_folder="templates")


@bp.get("/")
@allow(INSTRUCTOR)
def dashboard() -> ResponseReturnValue:
    return dashboard_page()


def dashboard_page(form: ClassForm | None = None) -> str:
    classes = db.session.scalars(
        select(Classroom).where(Classroom.instructor_id == current_user.id).order_by(Classroom.name)
    )
    return render_template("classrooms/dashboard.html", classes=list(classes), form=form or ClassForm())


@bp.post("/classes")
@allow(INSTRUCTOR)
def new_class() -> ResponseReturnValue:
    form = ClassForm()
    if not form.validate_on_submit():
        return dashboard_page(form), 422
    try:
        classroom = create_class(current_user, form.name.data)
    except ClassError as exc:
        form.name.errors.append(str(exc))
        return dashboard_page(form), 422
    flash(f"Class “{classroom.name}” created. Students join it with the code shown.", "success")
    return redirect(url_for("classrooms.classroom", class_id=classroom.id))


@bp.get("/classes/<id:class_id>")
@allow(INSTRUCTOR)
def classroom(class_id: int) -> ResponseReturnValue:
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
        "classrooms/class.html",
        classroom=classroom,
        roster=list(roster),
        assign_form=form or assign_form(),
        buttons=EmptyForm(),
        banks={b.slug: b for b in bank_registry().banks()},
    )


def assign_form() -> AssignForm:
    """The form to set a quiz, offering (and so accepting) the quizzes of the banks the instructor
    may set: theirs, and the site banks."""
    form = AssignForm()
    everyone = every_bank_members()
    form.quiz.choices = [
        SelectChoice(f"{bank.slug}/{quiz.id}", quiz.title, optgroup=bank.title)
        for bank in bank_registry().banks()
        if may_assign_bank(current_user, bank.slug, everyone.get(bank.slug, {}))
        for quiz in bank.quizzes.values()
    ]
    return form


@bp.post("/classes/<id:class_id>/code")
@allow(INSTRUCTOR)
def new_code(class_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    button_pressed()
    if not confirmed():
        code = f"{classroom.join_code[:4]}-{classroom.join_code[4:]}"
        return ask(
            Confirmation(
                title=f"Make a new join code for {classroom.name}?",
                happens=f"The code {code} stops working at once: anyone who has not joined yet needs "
                "the new one, shown on the class page.",
                kept="Every student already in the class stays in it, with their attempts and scores.",
                button="Make a new code",
                cancel=url_for("classrooms.classroom", class_id=class_id),
            )
        )
    regenerate_code(classroom)
    flash("New join code made; the old one no longer works.", "success")
    return redirect(url_for("classrooms.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/students/<id:user_id>/remove")
@allow(INSTRUCTOR)
def remove(class_id: int, user_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    button_pressed()
    if not confirmed():
        learner = db.session.get(User, user_id)
        if learner is None or not is_enrolled(classroom, learner):
            abort(404)
        return ask(
            Confirmation(
                title=f"Remove {learner.display_name} from {classroom.name}?",
                happens=f"{learner.display_name} ({learner.username}) leaves the class: its quizzes are "
                "no longer set for them, and their row leaves the gradebook and its exports.",
                kept="Their attempts and scores; they can join again with the class's code.",
                button=f"Remove {learner.display_name}",
                cancel=url_for("classrooms.classroom", class_id=class_id),
            )
        )
    remove_student(classroom, user_id)
    flash("Student removed from the class; their scores are kept.", "success")
    return redirect(url_for("classrooms.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/assignments")
@allow(INSTRUCTOR)
def assign(class_id: int) -> ResponseReturnValue:
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
    return redirect(url_for("classrooms.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/assignments/<id:assignment_id>/remove")
@allow(INSTRUCTOR)
def remove_assignment(class_id: int, assignment_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    assignment = own_assignment(classroom, assignment_id)
    button_pressed()
    if not confirmed():
        title = quiz_name(assignment.bank_slug, assignment.quiz_id)
        return ask(
            Confirmation(
                title=f"Take {title} off {classroom.name}?",
                happens="Its students can no longer start it for this class, and its column leaves the "
                "gradebook and its exports.",
                lost="Its times, its review options and its students' extra time for this class.",
                kept="Attempts already made, with their scores, as each student's practice.",
                button="Take the quiz off the class",
                cancel=url_for("classrooms.classroom", class_id=class_id),
            )
        )
    unassign(assignment)
    flash("Quiz taken off the class; attempts already made are kept.", "success")
    return redirect(url_for("classrooms.classroom", class_id=class_id))


@bp.get("/classes/<id:class_id>/assignments/<id:assignment_id>")
@allow(INSTRUCTOR)
def assignment(class_id: int, assignment_id: int) -> ResponseReturnValue:
    return assignment_page(class_id, assignment_id)


def assignment_page(
    class_id: int, assignment_id: int, review: ReviewForm | None = None, extra: ExtraTimeForm | None = None
) -> str:
    """One quiz as set for a class: its window, review options and students' extra time."""
    classroom = own_class(class_id)
    setting = own_assignment(classroom, assignment_id)
    bank = bank_registry().get(setting.bank_slug)
    quiz = bank.quizzes.get(setting.quiz_id) if bank else None
    options = setting_options(setting, quiz)
    return render_template(
        "classrooms/assignment.html",
        classroom=classroom,
        assignment=setting,
        quiz=quiz,
        options=options,
        review_form=review or review_form(options.to_mapping(), use_bank=setting.review is None),
        extra_form=extra or extra_time_form(classroom),
        extra_time=sorted(setting.extra_time, key=lambda e: e.user.display_name.casefold()),
        parts=PARTS,
        moments=MOMENTS,
        part_labels=PART_LABELS,
        moment_labels=MOMENT_LABELS,
    )


def setting_options(setting: Assignment, quiz: Quiz | None) -> ReviewOptions:
    """The review options learners get in this assignment: its own, else the quiz's."""
    return overridden(quiz.review if quiz else ReviewOptions(), setting.review)


def extra_time_form(classroom: Classroom, **kwargs: Any) -> ExtraTimeForm:
    form = ExtraTimeForm(**kwargs)
    roster = db.session.scalars(
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id)
        .order_by(User.display_name)
    )
    form.student.choices = [SelectChoice(u.id, f"{u.display_name} ({u.username})") for u in roster]
    return form


@bp.post("/classes/<id:class_id>/assignments/<id:assignment_id>/review")
@allow(INSTRUCTOR)
def set_assignment_review(class_id: int, assignment_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    setting = own_assignment(classroom, assignment_id)
    form = review_form({})
    if not form.validate_on_submit():
        return assignment_page(class_id, assignment_id, review=form), 422
    if form.use_bank.data:
        set_review(setting, None)
        flash("Review options: the bank's own, again.", "success")
    else:
        chosen = {p: [m for m in MOMENTS if form[f"{p}-{m}"].data] for p in PARTS}
        set_review(setting, chosen)
        flash("Review options saved for this class.", "success")
    return redirect(url_for("classrooms.assignment", class_id=class_id, assignment_id=assignment_id))


@bp.post("/classes/<id:class_id>/assignments/<id:assignment_id>/extra-time")
@allow(INSTRUCTOR)
def set_assignment_extra_time(class_id: int, assignment_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    setting = own_assignment(classroom, assignment_id)
    form = extra_time_form(classroom)
    if not form.validate_on_submit():
        return assignment_page(class_id, assignment_id, extra=form), 422
    set_extra_time(setting, form.student.data, form.minutes.data)
    learner = db.session.get_one(User, form.student.data)
    if form.minutes.data:
        flash(f"{learner.display_name} has {form.minutes.data} extra minutes on this quiz.", "success")
    else:
        flash(f"{learner.display_name} has no extra time on this quiz.", "success")
    return redirect(url_for("classrooms.assignment", class_id=class_id, assignment_id=assignment_id))


@bp.get("/classes/<id:class_id>/students/<id:user_id>")
@allow(INSTRUCTOR)
def student(class_id: int, user_id: int) -> ResponseReturnValue:
    classroom, learner = own_student(class_id, user_id)
    return student_page(classroom, learner)


def student_page(classroom: Classroom, learner: User, reset_code: str | None = None) -> str:
    close_overdue(classroom_id=classroom.id)
    return render_template(
        "classrooms/student.html",
        classroom=classroom,
        learner=learner,
        attempts=class_attempts(classroom, learner),
        locked=is_locked(learner),
        buttons=EmptyForm(),
        reset_code=reset_code,
        reset_hours=current_app.config["PASSWORD_RESET_HOURS"],
    )


def own_student(class_id: int, user_id: int) -> tuple[Classroom, User]:
    """A student of the current instructor's class; anyone else is as good as missing."""
    classroom = own_class(class_id)
    learner = db.session.get(User, user_id)
    if learner is None or not is_enrolled(classroom, learner):
        abort(404)
    return classroom, learner


@bp.post("/classes/<id:class_id>/students/<id:user_id>/reset")
@allow(INSTRUCTOR)
def make_reset(class_id: int, user_id: int) -> ResponseReturnValue:
    """A one-time code for the student to set a new password with, shown once on this page."""
    classroom, learner = own_student(class_id, user_id)
    if learner.role != "student":
        # An instructor's or admin's password is theirs (or the site admin's) to reset, not a class's.
        abort(403)
    button_pressed()
    code = make_reset_code(learner.id, made_by=current_user.id)
    return student_page(classroom, learner, reset_code=code)


@bp.post("/classes/<id:class_id>/students/<id:user_id>/unlock")
@allow(INSTRUCTOR)
def unlock_student(class_id: int, user_id: int) -> ResponseReturnValue:
    classroom, learner = own_student(class_id, user_id)
    button_pressed()
    unlock(learner.id)
    flash(f"{learner.display_name} can log in again.", "success")
    return redirect(url_for("classrooms.student", class_id=classroom.id, user_id=learner.id))
