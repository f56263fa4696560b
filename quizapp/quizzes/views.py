"""The learner's pages: banks and quizzes, attempt a quiz page by page, results, history."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from quizapp import clock
from quizapp.access import ANYONE, SIGNED_IN, allow, may_assign_bank, practice_closed
from quizapp.banks import Bank, Quiz
from quizapp.banks.model import DEFAULT_PER_PAGE
from quizapp.classrooms.operations import ClassError, join_class, student_assignments
from quizapp.extensions import bank_registry, db, rate_limit
from quizapp.forms import EmptyForm, JoinForm, maybe_whole_number, whole_number
from quizapp.models import Attempt
from quizapp.quizzes.disclosure import Disclosure, later_note
from quizapp.quizzes.forms import AttemptForm, StartForm
from quizapp.quizzes.operations import (
    AttemptRefused,
    AttemptState,
    as_form,
    attempt_state,
    bank_listing,
    close_attempt,
    close_overdue,
    draft_target,
    field_name,
    flag_name,
    merged,
    page_drafts,
    page_flags,
    read_answers,
    save_draft,
    standings,
    start_attempt,
    submit_attempt,
    user_attempts,
)

bp = Blueprint("quizzes", __name__, template_folder="templates")


def bank_and_quiz(slug: str, quiz_id: str) -> tuple[Bank, Quiz]:
    bank = bank_registry().get(slug)
    if bank is None or quiz_id not in bank.quizzes:
        abort(404)
    return bank, bank.quizzes[quiz_id]


def own_attempt(attempt_id: int) -> AttemptState:
    """The current learner's attempt; anyone else's is as good as missing."""
    attempt = attempt_state(attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/")
@allow(ANYONE)
def home() -> ResponseReturnValue:
    return home_page()


def home_page(join_form: JoinForm | None = None) -> str:
    signed_in = current_user.is_authenticated
    now = clock.now()
    banks = bank_registry().banks()
    closed = practice_closed(current_user)
    # Only banks open to practice are listed; the others' quizzes show where a class sets them.
    open_banks = [bank for bank in banks if bank.slug not in closed]
    assigned = student_assignments(current_user, now) if signed_in else []
    set_keys = {(a.bank_slug, a.quiz_id) for a, _ in assigned}
    return render_template(
        "quizzes/home.html",
        banks=open_banks,
        listing=bank_listing(open_banks, set_keys),
        set_keys=set_keys,
        bank_map={bank.slug: bank for bank in banks},
        scores=Disclosure(current_user.id).best_scores() if signed_in else {},
        assigned=assigned,
        join_form=join_form or JoinForm(),
        now=now,
    )


@bp.post("/classes/join")
@allow(SIGNED_IN)
@rate_limit("JOIN_RATE_LIMIT")
def join() -> ResponseReturnValue:
    form = JoinForm()
    if form.validate_on_submit():
        try:
            classroom = join_class(current_user, form.code.data)
        except ClassError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(f"You joined {classroom.name}.", "success")
            return redirect(url_for("quizzes.home"))
    return home_page(form), 422


@bp.get("/banks/<slug>/quizzes/<quiz_id>")
@allow(SIGNED_IN)
def quiz(slug: str, quiz_id: str) -> ResponseReturnValue:
    bank, quiz = bank_and_quiz(slug, quiz_id)
    now = clock.now()
    close_overdue(now, user_id=current_user.id)
    attempts = user_attempts(current_user, slug, quiz_id)
    disclosure = Disclosure(current_user.id, now)
    shows = {a.id: disclosure.of_attempt(a) for a in attempts}
    settings = standings(current_user, slug, quiz, attempts, {i for i, s in shows.items() if s.score}, now)
    return render_template(
        "quizzes/quiz.html",
        bank=bank,
        quiz=quiz,
        attempts=attempts,
        settings=settings,
        start_forms={s.setting.key: StartForm(formdata=None, setting=s.setting.key) for s in settings},
        attempt_settings=disclosure.settings_of(attempts),
        shows=shows,
        now=now,
        may_host=may_assign_bank(current_user, slug),
    )


@bp.post("/banks/<slug>/quizzes/<quiz_id>/start")
@allow(SIGNED_IN)
def start(slug: str, quiz_id: str) -> ResponseReturnValue:
    bank, quiz = bank_and_quiz(slug, quiz_id)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = start_attempt(current_user, bank, quiz, setting=form.setting.data or None)
    except AttemptRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("quizzes.quiz", slug=slug, quiz_id=quiz_id))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<id:attempt_id>")
@allow(SIGNED_IN)
def attempt(attempt_id: int) -> ResponseReturnValue:
    attempt = own_attempt(attempt_id)
    if not attempt.submitted:
        if attempt.time_up(clock.now()):
            return closed_at_deadline(attempt)
        return render_take(attempt, page=request.args.get("page", 1, type=whole_number))
    return render_result(attempt_id)


def render_result(attempt_id: int) -> str:
    """A submitted attempt of the learner's, showing what the disclosure rule lets them see now."""
    attempt = db.session.get_one(Attempt, attempt_id, options=[selectinload(Attempt.responses)])
    bank = bank_registry().get(attempt.bank_slug)
    quiz = bank.quizzes.get(attempt.quiz_id) if bank else None
    disclosure = Disclosure(current_user.id)
    shows = disclosure.of_attempt(attempt)
    setting = disclosure.setting(attempt.assignment_id)
    return render_template(
        "quizzes/result.html",
        attempt=attempt,
        bank=bank,
        quiz=quiz,
        setting=setting,
        shows=shows,
        later=later_note(shows, quiz, setting),
    )


def closed_at_deadline(attempt: AttemptState) -> ResponseReturnValue:
    """The attempt's time is up: grade what was saved and show the result."""
    close_attempt(attempt)
    flash("Time is up: your attempt was submitted automatically with the answers saved by then.", "info")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


def pages_of(attempt: AttemptState) -> list[list[int]]:
    """The attempt's question positions, page by page, as its quiz lays them out now."""
    bank = bank_registry().get(attempt.bank_slug)
    quiz = bank.quizzes.get(attempt.quiz_id) if bank else None
    per_page = quiz.per_page if quiz else DEFAULT_PER_PAGE
    positions = [shown.position for shown in attempt.shown]
    return [positions[i : i + per_page] for i in range(0, len(positions), per_page)] or [[]]


def page_of(pages: list[list[int]], position: int) -> int:
    return next((n for n, page in enumerate(pages, start=1) if position in page), 1)


def posted_positions(form: AttemptForm, every: list[int]) -> list[int]:
    """The questions the posted form held, of ``every`` one the attempt shows: its page's
    (``positions``); without that field, every question if answers were sent (a client posting
    the whole quiz at once), else none (the summary's bare "Submit all")."""
    if form.positions.data is None:
        return every if any(name[:1] == "q" for name in request.form) else []
    wanted = {maybe_whole_number(p) for p in form.positions.data.split(",")}
    return [p for p in every if p in wanted]


def posted_attempt(attempt_id: int) -> tuple[AttemptState, AttemptForm]:
    """The learner's own attempt that a page's form was posted to, with the form; a form that does
    not validate is a 400, and an attempt submitted already sends the learner to its result."""
    attempt = own_attempt(attempt_id)
    form = AttemptForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt.submitted:
        flash("This attempt was already submitted; here is its stored result.", "info")
        abort(redirect(url_for("quizzes.attempt", attempt_id=attempt.id)))
    return attempt, form


@bp.post("/attempts/<id:attempt_id>/save")
@allow(SIGNED_IN)
def save(attempt_id: int) -> ResponseReturnValue:
    """Save the page's answers (and flags), then go where the learner asked: another page, a
    question, the summary, or away ("Save and finish later"). The way to page without JavaScript."""
    attempt, form = posted_attempt(attempt_id)
    positions = posted_positions(form, [shown.position for shown in attempt.shown])
    saved = save_draft(attempt.id, page_drafts(positions, request.form), page_flags(positions, request.form))
    if saved is None or attempt.time_up(clock.now()):
        return closed_at_deadline(own_attempt(attempt_id))
    if form.go.data == "later":
        flash("Your answers are saved. Come back to this quiz to finish the attempt.", "success")
        return redirect(url_for("quizzes.quiz", slug=attempt.bank_slug, quiz_id=attempt.quiz_id))
    return redirect(where_to(attempt, form))


def where_to(attempt: AttemptState, form: AttemptForm) -> str:
    """Where the button pressed leads: the summary, a question's page, a page by its number;
    else back to the page posted."""
    go, pages = form.go.data or "", pages_of(attempt)
    if go == "summary":
        return url_for("quizzes.summary", attempt_id=attempt.id)
    position = maybe_whole_number(go[1:]) if go.startswith("q") else None
    if position is not None:
        return url_for("quizzes.attempt", attempt_id=attempt.id, page=page_of(pages, position), _anchor=go)
    number = maybe_whole_number(go[5:]) if go.startswith("page-") else None
    if number is not None:
        return url_for("quizzes.attempt", attempt_id=attempt.id, page=min(max(number, 1), len(pages)))
    page = 1 if form.page.data is None else form.page.data
    return url_for("quizzes.attempt", attempt_id=attempt.id, page=page)


@bp.post("/attempts/<id:attempt_id>/draft")
@allow(SIGNED_IN)
def draft(attempt_id: int) -> ResponseReturnValue:
    """The page's autosave: store the fields sent, answer with the new draft version (JSON)."""
    target = draft_target(attempt_id)
    if target is None or target.user_id != current_user.id:
        abort(404)
    form = AttemptForm()
    if not form.validate_on_submit():
        abort(400)
    positions = posted_positions(form, list(range(target.questions)))
    saved = save_draft(attempt_id, page_drafts(positions, request.form), page_flags(positions, request.form))
    if saved is None:
        return draft_refused(own_attempt(attempt_id))
    return jsonify(saved=True, version=saved, saved_at=clock.now().isoformat(timespec="seconds"))


def draft_refused(attempt: AttemptState) -> ResponseReturnValue:
    """The autosave's answer when the attempt takes no more answers (409, JSON)."""
    if attempt.submitted:
        return jsonify(saved=False, state="submitted", message="This attempt was already submitted."), 409
    message = "Time is up; answers sent now no longer count."
    return jsonify(saved=False, state="time-up", message=message), 409


@bp.get("/attempts/<id:attempt_id>/summary")
@allow(SIGNED_IN)
def summary(attempt_id: int) -> ResponseReturnValue:
    attempt = own_attempt(attempt_id)
    if attempt.submitted:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    if attempt.time_up(clock.now()):
        return closed_at_deadline(attempt)
    return render_template(
        "quizzes/summary.html", attempt=attempt, rows=summary_rows(attempt), form=EmptyForm()
    )


def summary_rows(attempt: AttemptState) -> list[dict[str, Any]]:
    """Each question of the attempt: its number, page, and whether it is answered or flagged."""
    pages = pages_of(attempt)
    drafts = attempt.drafts or {}
    return [
        {
            "number": n,
            "position": shown.position,
            "page": page_of(pages, shown.position),
            "answered": bool(drafts.get(shown.position)),
            "flagged": shown.position in attempt.flagged,
        }
        for n, shown in enumerate(attempt.shown, start=1)
    ]


@bp.post("/attempts/<id:attempt_id>")
@allow(SIGNED_IN)
def submit(attempt_id: int) -> ResponseReturnValue:
    """Submit the attempt: the answers posted with it (a page's, or a whole one-page form) laid
    over those saved before, graded together."""
    attempt, form = posted_attempt(attempt_id)
    positions = posted_positions(form, [shown.position for shown in attempt.shown])
    drafts = merged(attempt, page_drafts(positions, request.form))
    if attempt.too_late(clock.now()):
        return closed_at_deadline(attempt)
    answers, problems = read_answers(attempt.shown, as_form(drafts))
    if problems:
        save_draft(attempt.id, {p: drafts.get(p, {}) for p in positions}, page_flags(positions, request.form))
        return needs_fixing(attempt, problems, as_form(drafts))
    try:
        submit_attempt(attempt, answers, drafts)
    except AttemptRefused:
        return closed_at_deadline(own_attempt(attempt_id))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


def needs_fixing(
    attempt: AttemptState, problems: dict[int, str], values: MultiDict[str, str]
) -> ResponseReturnValue:
    """The attempt not submitted: its first page with a problem, the answers as sent (422)."""
    flash("Some answers need fixing before the quiz can be graded; see the marked questions.", "error")
    first = page_of(pages_of(attempt), min(problems))
    return render_take(own_attempt(attempt.id), page=first, problems=problems, values=values), 422


def render_take(
    attempt: AttemptState,
    page: int = 1,
    problems: dict[int, str] | None = None,
    values: MultiDict[str, str] | None = None,
) -> str:
    """One page of an attempt in progress, filled with the answers saved (or sent back)."""
    now = clock.now()
    pages = pages_of(attempt)
    page = min(max(page, 1), len(pages))
    on_page = set(pages[page - 1])
    drafts = attempt.drafts or {}
    navigator = [
        {
            "number": n,
            "position": s.position,
            "answered": bool(drafts.get(s.position)),
            "flagged": s.position in attempt.flagged,
            "current": s.position in on_page,
        }
        for n, s in enumerate(attempt.shown, start=1)
    ]
    return render_template(
        "quizzes/take.html",
        attempt=attempt,
        shown=[s for s in attempt.shown if s.position in on_page],
        numbers={s.position: n for n, s in enumerate(attempt.shown, start=1)},
        total=len(attempt.shown),
        pages=pages,
        page=page,
        form=AttemptForm(formdata=None, positions=",".join(str(p) for p in pages[page - 1]), page=page),
        navigator=navigator,
        answered=sum(1 for item in navigator if item["answered"]),
        values=values if values is not None else attempt.saved_form(),
        problems=problems or {},
        field_name=field_name,
        flag_name=flag_name,
        now=now.replace(microsecond=0),
        minutes_left=math.ceil((attempt.deadline - now).total_seconds() / 60) if attempt.deadline else None,
    )


@bp.get("/history")
@allow(SIGNED_IN)
def history() -> ResponseReturnValue:
    close_overdue(user_id=current_user.id)
    attempts = list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.user_id == current_user.id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )
    disclosure = Disclosure(current_user.id)
    return render_template(
        "quizzes/history.html",
        attempts=attempts,
        shows={a.id: disclosure.of_attempt(a) for a in attempts},
        settings=disclosure.settings_of(attempts),
    )
