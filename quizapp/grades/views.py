"""Instructor pages on a class's grades: the gradebook, a student's attempt, exports, and each
quiz's item analysis and regrade."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup, escape

from quizapp import charts
from quizapp.access import INSTRUCTOR, allow, may_assign_bank, may_edit_bank
from quizapp.bank_editor.answers import (
    AlreadyAccepted,
    AnswerConflict,
    AnswerRefused,
    accept_answer,
    reject_answer,
    unreject_answer,
)
from quizapp.banks import Bank
from quizapp.banks.review import (
    EVERYTHING,
)
from quizapp.classrooms.access import own_class
from quizapp.classrooms.operations import (
    class_attempts,
    setting_of,
)
from quizapp.downloads import download
from quizapp.extensions import bank_registry, db, rate_limit
from quizapp.filters import percent, quiz_name
from quizapp.forms import Confirmation, EmptyForm, ask, button_pressed, confirmed
from quizapp.grades import regrade, reports, stats
from quizapp.grades.exports import (
    EXPORTERS,
    export_filename,
    moodle_items_to_create,
    moodle_quiz,
    moodle_table,
    responses_table,
    write_csv,
)
from quizapp.grades.forms import AnswerForm
from quizapp.models import Assignment, Attempt, Classroom
from quizapp.quizzes.operations import close_overdue

bp = Blueprint("grades", __name__, url_prefix="/teach", template_folder="templates")


@bp.get("/classes/<id:class_id>/gradebook")
@allow(INSTRUCTOR)
def gradebook(class_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    close_overdue(classroom_id=classroom.id)
    book = reports.gradebook(classroom, bank_registry())
    key = request.args.get("sort", "name")
    if not reports.valid_sort_key(key, book):
        key = "name"
    descending = request.args.get("order") == "desc"
    return render_template(
        "grades/gradebook.html",
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
    user_id, username, name, _email, cells, total = row
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
    return f'<td class="num">{percent(fraction)} <span class="meta">({attempts} attempt{plural})</span></td>'


@bp.get("/classes/<id:class_id>/attempts/<id:attempt_id>")
@allow(INSTRUCTOR)
def attempt(class_id: int, attempt_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt not in class_attempts(classroom, attempt.user) or not attempt.submitted:
        abort(404)
    bank = bank_registry().get(attempt.bank_slug)
    return render_template(
        "quizzes/result.html",
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
def export_grades(class_id: int, fmt: str) -> ResponseReturnValue:
    classroom = own_class(class_id)
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        abort(404)
    close_overdue(classroom_id=classroom.id)
    if "quiz" in request.args:
        return moodle_quiz_file(classroom, fmt)
    if fmt == "moodle" and request.args.get("items") != "created":
        # Moodle's import makes a grade item out of 100: a quiz out of anything else needs its
        # item made first, with its maximum; the page says which, then offers the file.
        needed = moodle_items_to_create(classroom, bank_registry())
        if needed:
            return render_template("grades/moodle_items.html", classroom=classroom, needed=needed), 409
    chunks = exporter.write(exporter.table(classroom, bank_registry()))
    return download(
        chunks, exporter.mimetype, export_filename(classroom, f"grades-{fmt}", exporter.extension)
    )


def moodle_quiz_file(classroom: Classroom, fmt: str) -> ResponseReturnValue:
    """One quiz's Moodle file (``?bank=SLUG&quiz=ID``), holding only the students with a grade in
    it, to update the quiz's grade item in Moodle without erasing a grade there. That item exists
    already, with its maximum, so the file needs no page asking for items to be made first."""
    registry = bank_registry()
    quiz = moodle_quiz(classroom, registry, request.args.get("bank", ""), request.args.get("quiz", ""))
    if fmt != "moodle" or quiz is None:
        abort(404)
    if not reports.has_grades(classroom, quiz):
        flash(
            f"Nobody in {classroom.name} has a grade for {quiz.title} yet, so there is no Moodle file for it: "
            "it holds only the students with a grade, and is offered once one has submitted an attempt.",
            "error",
        )
        return redirect(url_for("grades.gradebook", class_id=classroom.id))
    exporter = EXPORTERS[fmt]
    chunks = exporter.write(moodle_table(classroom, registry, quiz))
    name = export_filename(classroom, f"grades-moodle-{quiz.bank_slug}-{quiz.quiz_id}", exporter.extension)
    return download(chunks, exporter.mimetype, name)


@bp.get("/classes/<id:class_id>/export/responses.csv")
@allow(INSTRUCTOR)
def export_responses(class_id: int) -> ResponseReturnValue:
    classroom = own_class(class_id)
    close_overdue(classroom_id=classroom.id)
    chunks = write_csv(responses_table(classroom))
    return download(chunks, "text/csv", export_filename(classroom, "responses", "csv"))


def assignment_with_bank(classroom: Classroom, slug: str, quiz_id: str) -> tuple[Assignment, Bank | None]:
    """The class's assignment of a quiz, and the bank serving it now (None if it is gone)."""
    assignment = next(
        (a for a in classroom.assignments if a.bank_slug == slug and a.quiz_id == quiz_id), None
    )
    if assignment is None:
        abort(404)
    return assignment, bank_registry().get(slug)


@bp.get("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/analysis")
@allow(INSTRUCTOR)
def analysis(class_id: int, slug: str, quiz_id: str) -> ResponseReturnValue:
    classroom = own_class(class_id)
    assignment, bank = assignment_with_bank(classroom, slug, quiz_id)
    close_overdue(classroom_id=classroom.id)
    data = reports.quiz_responses(classroom, slug, quiz_id)
    quiz_stats = stats.quiz_statistics(data.attempts)
    title = bank.quizzes[quiz_id].title if bank and quiz_id in bank.quizzes else quiz_name(slug, quiz_id)
    coverage = None
    if bank and bank.source:
        coverage = stats.source_coverage(bank.source.paragraphs, [q.source for q in bank.questions.values()])
    may_regrade = may_assign_bank(current_user, slug)
    changes = None
    if bank and may_regrade and request.args.get("regrade"):
        changes = [c for c in regrade.plan(assignment, bank) if c.score_changed]
    return render_template(
        "grades/analysis.html",
        classroom=classroom,
        slug=slug,
        quiz_id=quiz_id,
        title=title,
        bank=bank,
        data=data,
        items=stats.item_statistics(data.attempts, data.picks, data.choices),
        quiz_stats=quiz_stats,
        chart=charts.score_histogram(quiz_stats.bins, f"Scores on {title}"),
        coverage=coverage,
        changes=changes,
        may_regrade=may_regrade,
        buttons=EmptyForm(),
        no_regrade=NO_REGRADE,
        assignment=assignment,
        regrades=regrade.history(assignment),
        wrong_answers=reports.wrong_answers(assignment, bank) if bank else None,
        may_edit=may_edit_bank(current_user, slug),
    )


#: Why an assignment of a bank the instructor may no longer set (its owners took them off it) is
#: not regraded: its key is no longer theirs to apply.
NO_REGRADE = (
    "You may no longer set this bank's quizzes, so you cannot regrade with its key. "
    "Its gradebook and analysis stay yours; ask one of the bank's owners to share it with you."
)


@bp.post("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/regrade")
@allow(INSTRUCTOR)
def apply_regrade(class_id: int, slug: str, quiz_id: str) -> ResponseReturnValue:
    classroom = own_class(class_id)
    assignment, bank = assignment_with_bank(classroom, slug, quiz_id)
    button_pressed()
    if not may_assign_bank(current_user, slug):
        flash(NO_REGRADE, "error")
    elif bank is None or quiz_id not in bank.quizzes:
        flash("The quiz is no longer in a bank that validates, so there is no key to regrade with.", "error")
    elif not confirmed():
        changed = sum(1 for c in regrade.plan(assignment, bank) if c.score_changed)
        return ask(
            Confirmation(
                title=f"Regrade {bank.quizzes[quiz_id].title} for {classroom.name}?",
                happens=f"{changed} stored score{'' if changed == 1 else 's'} of this class's attempts "
                "change to what the bank's key gives now; students see the new scores.",
                kept="Every answer given; the regrade log records each score before and after.",
                button="Apply the regrade",
                cancel=url_for("grades.analysis", class_id=class_id, slug=slug, quiz_id=quiz_id, regrade=1),
            )
        )
    else:
        close_overdue(classroom_id=classroom.id)
        log = regrade.apply(assignment, bank, current_user)
        flash(f"Regraded: {len(log.changes)} score{'' if len(log.changes) == 1 else 's'} changed.", "success")
    return redirect(url_for("grades.analysis", class_id=class_id, slug=slug, quiz_id=quiz_id))


# --- accepting and rejecting learners' answers to text questions ---------------------------------


def answer_posted(classroom: Classroom, slug: str, quiz_id: str) -> AnswerForm:
    """The answer a button of the item analysis posted, once the instructor may judge it: 404 for
    another's class or a quiz it does not set, 403 for a bank they may not edit, 400 for a form
    that is not the page's."""
    assignment_with_bank(classroom, slug, quiz_id)
    if not may_edit_bank(current_user, slug):
        abort(403, NOT_EDITOR.format(slug=slug))
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    return form


#: Why an instructor who may set a bank but not edit it cannot judge its answers.
NOT_EDITOR = (
    "Only the owners and editors of the bank '{slug}' may accept or reject answers to its questions: "
    "ask one of them to, or to make you an editor."
)


def quoted(answer: str) -> str:
    """A learner's answer as a message quotes it: a long one by its start (a message travels in the
    session cookie, which holds 4 kB)."""
    return f"“{answer[:80]}…”" if len(answer) > 80 else f"“{answer}”"


def to_answers(class_id: int, slug: str, quiz_id: str, dry_run: bool = False) -> ResponseReturnValue:
    """Back to the analysis's wrong answers; or, with ``dry_run``, to what a regrade would change."""
    if dry_run:
        url = url_for("grades.analysis", class_id=class_id, slug=slug, quiz_id=quiz_id, regrade=1)
        return redirect(f"{url}#regrade-heading")
    url = url_for("grades.analysis", class_id=class_id, slug=slug, quiz_id=quiz_id)
    return redirect(f"{url}#answers-heading")


@bp.post("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/answers/accept")
@allow(INSTRUCTOR)
@rate_limit("BANK_SAVE_RATE_LIMIT")  # each accept saves a version of the bank, as the editor's Save does
def accept(class_id: int, slug: str, quiz_id: str) -> ResponseReturnValue:
    form = answer_posted(own_class(class_id), slug, quiz_id)
    question_id, answer = form.question_id.data, form.answer.data
    try:
        revision = accept_answer(slug, question_id, answer, form.base.data, current_user)
    except AnswerConflict:
        flash(
            f"The bank '{slug}' changed since this page was shown (a save, or an edit of its file), so "
            f"{quoted(answer)} was not added and nothing was written. The list below is built from the bank "
            "as it is now: accept the answer again if it is still wrong there.",
            "error",
        )
        return to_answers(class_id, slug, quiz_id)
    except AnswerRefused as exc:
        flash(str(exc), "error")
        return to_answers(class_id, slug, quiz_id)
    except AlreadyAccepted:
        flash(f"{quoted(answer)} is already accepted for {question_id}; nothing was added.", "info")
        return to_answers(class_id, slug, quiz_id, dry_run=True)
    flash(
        f"Added {quoted(answer)} to the accepted answers of {question_id} (version {revision.seq or revision.id} "
        f"of {slug}). Below is what a regrade would change; nothing changes until you apply it.",
        "success",
    )
    return to_answers(class_id, slug, quiz_id, dry_run=True)


@bp.post("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/answers/reject")
@allow(INSTRUCTOR)
def reject(class_id: int, slug: str, quiz_id: str) -> ResponseReturnValue:
    form = answer_posted(own_class(class_id), slug, quiz_id)
    try:
        reject_answer(slug, form.question_id.data, form.answer.data, current_user)
    except AnswerRefused as exc:
        flash(str(exc), "error")
    else:
        flash(
            f"{quoted(form.answer.data)} rejected for {form.question_id.data}: no class that sets {slug} "
            "is offered it any more.",
            "success",
        )
    return to_answers(class_id, slug, quiz_id)


@bp.post("/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/answers/unreject")
@allow(INSTRUCTOR)
def unreject(class_id: int, slug: str, quiz_id: str) -> ResponseReturnValue:
    form = answer_posted(own_class(class_id), slug, quiz_id)
    if unreject_answer(slug, form.question_id.data, form.answer.data):
        flash(f"{quoted(form.answer.data)} is offered again for {form.question_id.data}.", "success")
    else:
        flash(f"{quoted(form.answer.data)} was not rejected for {form.question_id.data}.", "info")
    return to_answers(class_id, slug, quiz_id)
