"""Instructor pages: classes, rosters and assignments.

Every POST has had its CSRF token checked (CSRFProtect, for the whole app) before a view runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import SelectChoice

from quizapp import no_store, regrade, reports, stats
from quizapp.access import INSTRUCTOR, allow, every_bank_members, may_assign_bank
from quizapp.accounts import is_locked, make_reset_code, unlock
from quizapp.attempts import close_overdue
from quizapp.banks import Bank
from quizapp.classes import (
    ClassError,
    assign_quiz,
    class_attempts,
    create_class,
    is_enrolled,
    regenerate_code,
    remove_student,
    set_extra_time,
    set_review,
    setting_of,
    unassign,
)
from quizapp.exports import EXPORTERS, export_filename, responses_table, write_csv
from quizapp.extensions import bank_registry, db
from quizapp.filters import percent
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, User
from quizapp.review import EVERYTHING, MOMENT_LABELS, MOMENTS, PART_LABELS, PARTS, ReviewOptions, overridden
from quizapp.teach.access import own_assignment, own_class
from quizapp.teach.forms import AssignForm, ClassForm, ExtraTimeForm, ReviewForm, review_form
from quizapp.timefmt import parse_local

bp = Blueprint("teach", __name__, url_prefix="/teach")


@bp.get("/")
@allow(INSTRUCTOR)
def dashboard():
    return dashboard_page()


def dashboard_page(form: ClassForm | None = None) -> str:
    classes = db.session.scalars(
        select(Classroom).where(Classroom.instructor_id == current_user.id).order_by(Classroom.name)
    )
    return render_template("teach/dashboard.html", classes=list(classes), form=form or ClassForm())


@bp.post("/classes")
@allow(INSTRUCTOR)
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
@allow(INSTRUCTOR)
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
def new_code(class_id: int):
    classroom = own_class(class_id)
    regenerate_code(classroom)
    flash("New join code made; the old one no longer works.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/students/<id:user_id>/remove")
@allow(INSTRUCTOR)
def remove(class_id: int, user_id: int):
    classroom = own_class(class_id)
    remove_student(classroom, user_id)
    flash("Student removed from the class; their scores are kept.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))


@bp.post("/classes/<id:class_id>/assignments")
@allow(INSTRUCTOR)
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
@allow(INSTRUCTOR)
def remove_assignment(class_id: int, assignment_id: int):
    classroom = own_class(class_id)
    assignment = own_assignment(classroom, assignment_id)
    unassign(assignment)
    flash("Quiz taken off the class; attempts already made are kept.", "success")
    return redirect(url_for("teach.classroom", class_id=class_id))


@bp.get("/classes/<id:class_id>/assignments/<id:assignment_id>")
@allow(INSTRUCTOR)
def assignment(class_id: int, assignment_id: int):
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
        "teach/assignment.html",
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


def setting_options(setting: Assignment, quiz) -> ReviewOptions:
    """The review options learners get in this assignment: its own, else the quiz's."""
    return overridden(quiz.review if quiz else ReviewOptions(), setting.review)


def extra_time_form(classroom: Classroom, **kwargs) -> ExtraTimeForm:
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
def set_assignment_review(class_id: int, assignment_id: int):
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
    return redirect(url_for("teach.assignment", class_id=class_id, assignment_id=assignment_id))


@bp.post("/classes/<id:class_id>/assignments/<id:assignment_id>/extra-time")
@allow(INSTRUCTOR)
def set_assignment_extra_time(class_id: int, assignment_id: int):
    classroom = own_class(class_id)
    setting = own_assignment(classroom, assignment_id)
    form = extra_time_form(classroom)
    if not form.validate_on_submit():
        return assignment_page(class_id, assignment_id, extra=form), 422
    set_extra_time(setting, form.student.data, form.minutes.data)
    learner = db.session.get(User, form.student.data)
    if form.minutes.data:
        flash(f"{learner.display_name} has {form.minutes.data} extra minutes on this quiz.", "success")
    else:
        flash(f"{learner.display_name} has no extra time on this quiz.", "success")
    return redirect(url_for("teach.assignment", class_id=class_id, assignment_id=assignment_id))


@bp.get("/classes/<id:class_id>/gradebook")
@allow(INSTRUCTOR)
def gradebook(class_id: int):
    classroom = own_class(class_id)
    close_overdue(classroom_id=classroom.id)
    book = reports.gradebook(classroom, bank_registry())
    key = request.args.get("sort", "name")
    if not reports.valid_sort_key(key, book):
        key = "name"
    descending = request.args.get("order") == "desc"
    return render_template(
        "teach/gradebook.html",
        classroom=classroom,
        book=book,
        rows=reports.sort_rows(book, key, descending),
        sort=key,
        descending=descending,
        exporters=EXPORTERS,
    )


# The gradebook's rows are built here rather than in its template, like the rows of Django admin's
# change lists: a class has hundreds of students and thousands of cells, and every template
# expression costs more than a whole cell built with an f-string (the page took twice as long).
@bp.app_template_filter()
def gradebook_row(row: reports.Row) -> Markup:
    """One student's row of the gradebook page: their name, linked to their page in this class
    (relative to the gradebook's address), a cell per quiz, and the total."""
    user_id, username, name, cells, total = row
    grades = "".join([_grade_cell(fraction, attempts) for fraction, attempts in cells])
    return Markup(  # noqa: S704 - the names are escaped; the rest is digits and fixed text
        f'<tr><th scope="row"><a href="students/{user_id:d}">{escape(name)}</a>'
        f' <span class="meta">{escape(username)}</span></th>{grades}'
        f'<td class="num">{percent(total)}</td></tr>\n'
    )


def _grade_cell(fraction: float | None, attempts: int) -> str:
    """The grade and how many attempts it comes from; blank without one."""
    if fraction is None:
        return '<td class="num"></td>'
    plural = "" if attempts == 1 else "s"
    return (
        f'<td class="num">{fraction * 100:.0f}% <span class="meta">({attempts} attempt{plural})</span></td>'
    )


@bp.get("/classes/<id:class_id>/students/<id:user_id>")
@allow(INSTRUCTOR)
def student(class_id: int, user_id: int):
    classroom, learner = own_student(class_id, user_id)
    return student_page(classroom, learner)


def student_page(classroom: Classroom, learner: User, reset_code: str | None = None) -> str:
    close_overdue(classroom_id=classroom.id)
    return render_template(
        "teach/student.html",
        classroom=classroom,
        learner=learner,
        attempts=class_attempts(classroom, learner),
        locked=is_locked(learner),
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
def make_reset(class_id: int, user_id: int):
    """A one-time code for the student to set a new password with, shown once on this page."""
    classroom, learner = own_student(class_id, user_id)
    if learner.role != "student":
        # An instructor's or admin's password is theirs (or the site admin's) to reset, not a class's.
        abort(403)
    code = make_reset_code(learner.id, made_by=current_user.id)
    return student_page(classroom, learner, reset_code=code)


@bp.post("/classes/<id:class_id>/students/<id:user_id>/unlock")
@allow(INSTRUCTOR)
def unlock_student(class_id: int, user_id: int):
    classroom, learner = own_student(class_id, user_id)
    unlock(learner.id)
    flash(f"{learner.display_name} can log in again.", "success")
    return redirect(url_for("teach.student", class_id=classroom.id, user_id=learner.id))


@bp.get("/classes/<id:class_id>/attempts/<id:attempt_id>")
@allow(INSTRUCTOR)
def attempt(class_id: int, attempt_id: int):
    classroom = own_class(class_id)
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt not in class_attempts(classroom, attempt.user) or not attempt.submitted:
        abort(404)
    bank = bank_registry().get(attempt.bank_slug)
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        bank=bank,
        quiz=bank.quizzes.get(attempt.quiz_id) if bank else None,
        shows=EVERYTHING,  # an instructor sees the whole of their class's results
        learner=attempt.user,
        classroom=classroom,
        setting=setting_of(attempt.user_id, attempt.assignment_id),
    )


@bp.get("/classes/<id:class_id>/export/grades.<fmt>")
@allow(INSTRUCTOR)
def export_grades(class_id: int, fmt: str):
    classroom = own_class(class_id)
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        abort(404)
    close_overdue(classroom_id=classroom.id)
    chunks = exporter.write(exporter.table(classroom, bank_registry()))
    return download(
        chunks, exporter.mimetype, export_filename(classroom, f"grades-{fmt}", exporter.extension)
    )


@bp.get("/classes/<id:class_id>/export/responses.csv")
@allow(INSTRUCTOR)
def export_responses(class_id: int):
    classroom = own_class(class_id)
    close_overdue(classroom_id=classroom.id)
    chunks = write_csv(responses_table(classroom))
    return download(chunks, "text/csv", export_filename(classroom, "responses", "csv"))


def download(chunks: Iterator[bytes], mimetype: str, filename: str) -> Response:
    """Stream a file to the browser as a download, the database session kept open while it runs."""
    return no_store(
        Response(
            stream_with_context(chunks),
            mimetype=mimetype,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )
    )


def assigned_quiz(classroom: Classroom, slug: str, quiz_id: str) -> tuple[Assignment, Bank | None]:
    """The class's assignment of a quiz, and the bank serving it now (None if it is gone)."""
    assignment = next(
        (a for a in classroom.assignments if a.bank_slug == slug and a.quiz_id == quiz_id), None
    )
    if assignment is None:
        abort(404)
    return assignment, bank_registry().get(slug)


@bp.get("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/analysis")
@allow(INSTRUCTOR)
def analysis(class_id: int, slug: str, quiz_id: str):
    classroom = own_class(class_id)
    assignment, bank = assigned_quiz(classroom, slug, quiz_id)
    close_overdue(classroom_id=classroom.id)
    data = reports.quiz_responses(classroom, slug, quiz_id)
    quiz_stats = stats.quiz_statistics(data.attempts)
    title = bank.quizzes[quiz_id].title if bank and quiz_id in bank.quizzes else quiz_id
    coverage = None
    if bank and bank.source:
        coverage = stats.source_coverage(bank.source.paragraphs, [q.source for q in bank.questions.values()])
    may_regrade = may_assign_bank(current_user, slug)
    changes = None
    if bank and may_regrade and request.args.get("regrade"):
        changes = [c for c in regrade.plan(assignment, bank) if c.score_changed]
    return render_template(
        "teach/analysis.html",
        classroom=classroom,
        slug=slug,
        quiz_id=quiz_id,
        title=title,
        bank=bank,
        data=data,
        items=stats.item_statistics(data.attempts, data.picks, data.choices),
        quiz_stats=quiz_stats,
        # Our own SVG: every text in it is escaped where it is drawn (stats.histogram_svg).
        chart=Markup(stats.histogram_svg(quiz_stats.bins, f"Scores on {title}")),  # noqa: S704
        coverage=coverage,
        changes=changes,
        may_regrade=may_regrade,
        no_regrade=NO_REGRADE,
        assignment=assignment,
        regrades=regrade.history(assignment),
    )


#: Why an assignment of a bank the instructor may no longer set (its owners took them off it) is
#: not regraded: its key is no longer theirs to apply.
NO_REGRADE = (
    "You may no longer set this bank's quizzes, so you cannot regrade with its key. "
    "Its gradebook and analysis stay yours; ask one of the bank's owners to share it with you."
)


@bp.post("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/regrade")
@allow(INSTRUCTOR)
def apply_regrade(class_id: int, slug: str, quiz_id: str):
    classroom = own_class(class_id)
    assignment, bank = assigned_quiz(classroom, slug, quiz_id)
    if not may_assign_bank(current_user, slug):
        flash(NO_REGRADE, "error")
    elif bank is None or quiz_id not in bank.quizzes:
        flash("The quiz is no longer in a bank that validates, so there is no key to regrade with.", "error")
    else:
        close_overdue(classroom_id=classroom.id)
        log = regrade.apply(assignment, bank, current_user)
        flash(f"Regraded: {len(log.changes)} score{'' if len(log.changes) == 1 else 's'} changed.", "success")
    return redirect(url_for("teach.analysis", class_id=class_id, slug=slug, quiz_id=quiz_id))
