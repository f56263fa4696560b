"""The learner's pages: banks and quizzes, taking a quiz page by page, results, history."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp import clock
from quizapp.access import ANYONE, SIGNED_IN, allow, practice_closed
from quizapp.banks import Bank, Quiz
from quizapp.banks.model import DEFAULT_PER_PAGE
from quizapp.banks.review import MOMENT_LABELS, PART_LABELS, PARTS, Shows
from quizapp.classrooms.operations import ClassError, join_class, quiz_settings, student_assignments
from quizapp.extensions import bank_registry, db, rate_limit
from quizapp.forms import JoinForm, maybe_whole_number, whole_number
from quizapp.models import Attempt
from quizapp.quizzes.disclosure import Disclosure, options_for
from quizapp.quizzes.operations import (
    AttemptRefused,
    Sitting,
    as_form,
    close_attempt,
    close_overdue,
    draft_target,
    field_name,
    flag_name,
    in_setting,
    merged,
    page_drafts,
    page_flags,
    quiz_grade,
    read_answers,
    save_draft,
    sitting,
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


def own_sitting(attempt_id: int) -> Sitting:
    """The current learner's attempt; anyone else's is as good as missing."""
    taking = sitting(attempt_id)
    if taking is None or taking.user_id != current_user.id:
        abort(404)
    return taking


@bp.get("/")
@allow(ANYONE)
def home():
    return home_page()


def home_page(join_form: JoinForm | None = None) -> str:
    signed_in = current_user.is_authenticated
    banks = bank_registry().banks()
    closed = practice_closed(current_user)
    return render_template(
        "quizzes/home.html",
        # Only banks open to practice are listed; the others' quizzes show where a class sets them.
        banks=[bank for bank in banks if bank.slug not in closed],
        bank_map={bank.slug: bank for bank in banks},
        scores=best_scores() if signed_in else {},
        assigned=student_assignments(current_user) if signed_in else [],
        join_form=join_form or JoinForm(),
        now=clock.now(),
    )


def best_scores() -> dict[tuple[str, str], float]:
    """The learner's best score on each quiz, among the attempts whose score they may see."""
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.user_id == current_user.id, Attempt.submitted_at.is_not(None))
    )
    disclosure = Disclosure(current_user.id)
    best: dict[tuple[str, str], float] = {}
    for attempt in attempts:
        key = (attempt.bank_slug, attempt.quiz_id)
        if disclosure.of_attempt(attempt).score and attempt.fraction is not None:
            best[key] = max(best.get(key, 0.0), attempt.fraction)
    return best


@bp.post("/classes/join")
@allow(SIGNED_IN)
@rate_limit("JOIN_RATE_LIMIT")
def join():
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
def quiz(slug: str, quiz_id: str):
    bank, quiz = bank_and_quiz(slug, quiz_id)
    now = clock.now()
    close_overdue(now, user_id=current_user.id)
    attempts = user_attempts(current_user, slug, quiz_id)
    disclosure = Disclosure(current_user.id, now)
    shows = {a.id: disclosure.of_attempt(a) for a in attempts}
    settings = []
    for setting in quiz_settings(current_user, slug, quiz_id, quiz.practice):
        mine = in_setting(attempts, setting)
        visible = [a for a in mine if shows[a.id].score]
        settings.append(
            {
                "setting": setting,
                "state": setting.state(now),
                "attempts": mine,
                "unfinished": next((a for a in mine if not a.submitted), None),
                "grade": quiz_grade(visible, quiz.grading),
            }
        )
    return render_template(
        "quizzes/quiz.html",
        bank=bank,
        quiz=quiz,
        attempts=attempts,
        settings=settings,
        attempt_settings=settings_of(attempts, disclosure),
        shows=shows,
        now=now,
    )


def settings_of(attempts: list[Attempt], disclosure: Disclosure) -> dict:
    """Where each of the learner's attempts counts, by assignment id (None: practice)."""
    return {a.assignment_id: disclosure.setting(a.assignment_id) for a in attempts}


@bp.post("/banks/<slug>/quizzes/<quiz_id>/start")
@allow(SIGNED_IN)
def start(slug: str, quiz_id: str):
    bank, quiz = bank_and_quiz(slug, quiz_id)
    try:
        attempt = start_attempt(current_user, bank, quiz, setting=request.form.get("setting") or None)
    except AttemptRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("quizzes.quiz", slug=slug, quiz_id=quiz_id))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<id:attempt_id>")
@allow(SIGNED_IN)
def attempt(attempt_id: int):
    taking = own_sitting(attempt_id)
    if not taking.submitted:
        if taking.time_up(clock.now()):
            return closed_at_deadline(taking)
        return render_take(taking, page=request.args.get("page", 1, type=whole_number))
    attempt = db.session.get(Attempt, attempt_id, options=[selectinload(Attempt.responses)])
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


def later_note(shows: Shows, quiz: Quiz | None, setting) -> str | None:
    """Which parts of a result are hidden now, and when they show: for the result page."""
    if not shows.anything_hidden:
        return None
    if quiz is None or setting is None:
        return "This quiz is no longer served, so its result shows only your answers."
    options = options_for(quiz, setting)
    hidden = [p for p in PARTS if not getattr(shows, p)]
    moments = sorted({m for p in hidden for m in getattr(options, p)}, key=list(MOMENT_LABELS).index)
    what = ", ".join(PART_LABELS[p].lower() for p in hidden)
    if not moments:
        return f"Not shown for this quiz: {what}."
    when = " or ".join(MOMENT_LABELS[m].lower() for m in moments)
    return f"Not shown yet: {what}. They show {when}."


def closed_at_deadline(taking: Sitting):
    """The attempt's time is up: grade what was saved and show the result."""
    close_attempt(taking)
    flash("Time is up: your attempt was submitted automatically with the answers saved by then.", "info")
    return redirect(url_for("quizzes.attempt", attempt_id=taking.id))


def pages_of(taking: Sitting) -> list[list[int]]:
    """The attempt's question positions, page by page, as its quiz lays them out now."""
    bank = bank_registry().get(taking.bank_slug)
    quiz = bank.quizzes.get(taking.quiz_id) if bank else None
    per_page = quiz.per_page if quiz else DEFAULT_PER_PAGE
    positions = [shown.position for shown in taking.shown]
    return [positions[i : i + per_page] for i in range(0, len(positions), per_page)] or [[]]


def page_of(pages: list[list[int]], position: int) -> int:
    return next((n for n, page in enumerate(pages, start=1) if position in page), 1)


def posted_positions(every: list[int]) -> list[int]:
    """The questions the posted form held, of ``every`` one the attempt shows: its page's
    (``positions``); without that field, every question if answers were sent (a client posting
    the whole quiz at once), else none (the summary's bare "Submit all")."""
    raw = request.form.get("positions")
    if raw is None:
        return every if any(name[:1] == "q" for name in request.form) else []
    wanted = {maybe_whole_number(p) for p in raw.split(",")}
    return [p for p in every if p in wanted]


@bp.post("/attempts/<id:attempt_id>/save")
@allow(SIGNED_IN)
def save(attempt_id: int):
    """Save the page's answers (and flags), then go where the learner asked: another page, a
    question, the summary, or away ("Save and finish later"). The way to page without JavaScript."""
    taking = own_sitting(attempt_id)
    if taking.submitted:
        flash("This attempt was already submitted; here is its stored result.", "info")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    positions = posted_positions([shown.position for shown in taking.shown])
    saved = save_draft(taking.id, page_drafts(positions, request.form), page_flags(positions, request.form))
    if saved is None or taking.time_up(clock.now()):
        return closed_at_deadline(sitting(attempt_id))
    go = request.form.get("go", "")
    pages = pages_of(taking)
    if go == "later":
        flash("Your answers are saved. Come back to this quiz to finish the attempt.", "success")
        bank, quiz_id = taking.bank_slug, taking.quiz_id
        return redirect(url_for("quizzes.quiz", slug=bank, quiz_id=quiz_id))
    if go == "summary":
        return redirect(url_for("quizzes.summary", attempt_id=attempt_id))
    position = maybe_whole_number(go[1:]) if go.startswith("q") else None
    if position is not None:
        return redirect(
            url_for("quizzes.attempt", attempt_id=attempt_id, page=page_of(pages, position), _anchor=go)
        )
    number = maybe_whole_number(go[5:]) if go.startswith("page-") else None
    if number is not None:
        return redirect(
            url_for("quizzes.attempt", attempt_id=attempt_id, page=min(max(number, 1), len(pages)))
        )
    return redirect(
        url_for("quizzes.attempt", attempt_id=attempt_id, page=request.form.get("page", 1, type=whole_number))
    )


@bp.post("/attempts/<id:attempt_id>/draft")
@allow(SIGNED_IN)
def draft(attempt_id: int):
    """The page's autosave: store the fields sent, answer with the new draft version (JSON)."""
    target = draft_target(attempt_id)
    if target is None or target.user_id != current_user.id:
        abort(404)
    positions = posted_positions(list(range(target.questions)))
    saved = save_draft(attempt_id, page_drafts(positions, request.form), page_flags(positions, request.form))
    if saved is None:
        taking = sitting(attempt_id)
        state = "submitted" if taking.submitted else "time-up"
        message = (
            "This attempt was already submitted."
            if taking.submitted
            else "Time is up; answers sent now no longer count."
        )
        return jsonify(saved=False, state=state, message=message), 409
    return jsonify(saved=True, version=saved, saved_at=clock.now().isoformat(timespec="seconds"))


@bp.get("/attempts/<id:attempt_id>/summary")
@allow(SIGNED_IN)
def summary(attempt_id: int):
    taking = own_sitting(attempt_id)
    if taking.submitted:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    if taking.time_up(clock.now()):
        return closed_at_deadline(taking)
    pages = pages_of(taking)
    drafts = taking.drafts or {}
    rows = [
        {
            "number": n,
            "position": shown.position,
            "page": page_of(pages, shown.position),
            "answered": bool(drafts.get(shown.position)),
            "flagged": shown.position in taking.flagged,
        }
        for n, shown in enumerate(taking.shown, start=1)
    ]
    return render_template("quizzes/summary.html", attempt=taking, rows=rows)


@bp.post("/attempts/<id:attempt_id>")
@allow(SIGNED_IN)
def submit(attempt_id: int):
    """Submit the attempt: the answers posted with it (a page's, or a whole one-page form) laid
    over those saved before, graded together."""
    taking = own_sitting(attempt_id)
    if taking.submitted:
        flash("This attempt was already submitted; here is its stored result.", "info")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    positions = posted_positions([shown.position for shown in taking.shown])
    drafts = merged(taking, page_drafts(positions, request.form))
    if taking.too_late(clock.now()):
        return closed_at_deadline(taking)
    answers, problems = read_answers(taking.shown, as_form(drafts))
    if problems:
        save_draft(taking.id, {p: drafts.get(p, {}) for p in positions}, page_flags(positions, request.form))
        flash("Some answers need fixing before the quiz can be graded; see the marked questions.", "error")
        pages = pages_of(taking)
        first = page_of(pages, min(problems))
        return render_take(sitting(attempt_id), page=first, problems=problems, values=as_form(drafts)), 422
    try:
        submit_attempt(taking, answers, drafts)
    except AttemptRefused:
        return closed_at_deadline(sitting(attempt_id))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


def render_take(taking: Sitting, page: int = 1, problems: dict[int, str] | None = None, values=None) -> str:
    """One page of an attempt in progress, filled with the answers saved (or sent back)."""
    now = clock.now()
    pages = pages_of(taking)
    page = min(max(page, 1), len(pages))
    on_page = set(pages[page - 1])
    drafts = taking.drafts or {}
    navigator = [
        {
            "number": n,
            "position": s.position,
            "answered": bool(drafts.get(s.position)),
            "flagged": s.position in taking.flagged,
            "current": s.position in on_page,
        }
        for n, s in enumerate(taking.shown, start=1)
    ]
    return render_template(
        "quizzes/take.html",
        attempt=taking,
        shown=[s for s in taking.shown if s.position in on_page],
        numbers={s.position: n for n, s in enumerate(taking.shown, start=1)},
        total=len(taking.shown),
        pages=pages,
        page=page,
        positions=",".join(str(p) for p in pages[page - 1]),
        navigator=navigator,
        answered=sum(1 for item in navigator if item["answered"]),
        values=values if values is not None else taking.saved_form(),
        problems=problems or {},
        field_name=field_name,
        flag_name=flag_name,
        now=now.replace(microsecond=0),
        minutes_left=math.ceil((taking.deadline - now).total_seconds() / 60) if taking.deadline else None,
    )


@bp.get("/history")
@allow(SIGNED_IN)
def history():
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
        settings=settings_of(attempts, disclosure),
    )
