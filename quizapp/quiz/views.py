"""The learner's pages: banks and quizzes, taking a quiz, results, history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.attempts import (
    AttemptRefused,
    Sitting,
    best_scores,
    field_name,
    quiz_grade,
    read_answers,
    sitting,
    start_attempt,
    submit_attempt,
    user_attempts,
)
from quizapp.banks import Bank, Quiz
from quizapp.classes import ClassError, join_class, student_assignments
from quizapp.extensions import bank_registry, db
from quizapp.forms import JoinForm
from quizapp.models import Attempt, utcnow

bp = Blueprint("quiz", __name__)


def bank_and_quiz(slug: str, quiz_id: str) -> tuple[Bank, Quiz]:
    bank = bank_registry().get(slug)
    if bank is None or quiz_id not in bank.quizzes:
        abort(404)
    return bank, bank.quizzes[quiz_id]


def own_sitting(attempt_id: int) -> Sitting:
    """The current learner's attempt; anyone else's is as good as missing."""
    taking = sitting(attempt_id)
    if taking is None or taking.user_id != current_user.id:
        abort(404)
    return taking


@bp.get("/")
def home():
    return home_page()


def home_page(join_form: JoinForm | None = None) -> str:
    signed_in = current_user.is_authenticated
    banks = bank_registry().banks()
    return render_template(
        "quiz/home.html",
        banks=banks,
        bank_map={bank.slug: bank for bank in banks},
        scores=best_scores(current_user) if signed_in else {},
        assigned=student_assignments(current_user) if signed_in else [],
        join_form=join_form or JoinForm(),
        now=utcnow(),
    )


@bp.post("/classes/join")
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        try:
            classroom = join_class(current_user, form.code.data)
        except ClassError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(f"You joined {classroom.name}.", "success")
            return redirect(url_for("quiz.home"))
    return home_page(form), 422


@bp.get("/banks/<slug>/quizzes/<quiz_id>")
@login_required
def quiz(slug: str, quiz_id: str):
    bank, quiz = bank_and_quiz(slug, quiz_id)
    attempts = user_attempts(current_user, slug, quiz_id)
    return render_template(
        "quiz/quiz.html",
        bank=bank,
        quiz=quiz,
        attempts=attempts,
        grade=quiz_grade(attempts, quiz.grading),
    )


@bp.post("/banks/<slug>/quizzes/<quiz_id>/start")
@login_required
def start(slug: str, quiz_id: str):
    bank, quiz = bank_and_quiz(slug, quiz_id)
    try:
        attempt = start_attempt(current_user, bank, quiz)
    except AttemptRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("quiz.quiz", slug=slug, quiz_id=quiz_id))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int):
    taking = own_sitting(attempt_id)
    if not taking.submitted:
        return render_take(taking)
    attempt = db.session.get(Attempt, attempt_id, options=[selectinload(Attempt.responses)])
    bank = bank_registry().get(attempt.bank_slug)
    quiz = bank.quizzes.get(attempt.quiz_id) if bank else None
    reveal = reveals_key(attempt, quiz)
    return render_template("quiz/result.html", attempt=attempt, bank=bank, quiz=quiz, reveal=reveal)


@bp.post("/attempts/<id:attempt_id>")
@login_required
def submit(attempt_id: int):
    taking = own_sitting(attempt_id)
    if not taking.submitted:
        answers, problems = read_answers(taking.shown, request.form)
        if problems:
            flash(
                "Some answers need fixing before the quiz can be graded; see the marked questions.", "error"
            )
            return render_take(taking, problems), 422
        try:
            if submit_attempt(taking, answers):
                return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
        except AttemptRefused as exc:
            flash(f"{exc} Your answers are still below, but they were not graded.", "error")
            return render_take(taking), 403
    flash("This attempt was already submitted; here is its stored result.", "info")
    return redirect(url_for("quiz.attempt", attempt_id=attempt_id))


def reveals_key(attempt: Attempt, quiz: Quiz | None) -> bool:
    """Whether the result page may show correct answers, explanations and feedback."""
    if quiz is None or quiz.answers == "after-each-attempt" or quiz.attempts is None:
        return True
    return len(user_attempts(current_user, attempt.bank_slug, attempt.quiz_id)) >= quiz.attempts


def render_take(taking: Sitting, problems: dict[int, str] | None = None) -> str:
    """The quiz form of an attempt in progress, filled with what was sent if it is sent back."""
    return render_template(
        "quiz/take.html",
        attempt=taking,
        shown=taking.shown,
        values=request.form,
        problems=problems or {},
        field_name=field_name,
    )


@bp.get("/history")
@login_required
def history():
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == current_user.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    return render_template("quiz/history.html", attempts=list(attempts))
