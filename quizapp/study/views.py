"""Flashcard study: one card at a time, rated Again / Hard / Good / Easy, scheduled by FSRS."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quizapp import charts
from quizapp.access import SIGNED_IN, allow, practice_closed
from quizapp.banks import Bank
from quizapp.downloads import no_store
from quizapp.extensions import bank_registry
from quizapp.models import utcnow
from quizapp.quizzes.disclosure import Disclosure
from quizapp.study import operations as cards
from quizapp.study.anki import deck_file
from quizapp.study.forms import CHOOSE, RatingForm
from quizapp.timefmt import school_zone

bp = Blueprint("study", __name__, url_prefix="/study", template_folder="templates")


def hidden_cards(now: datetime, banks: list[Bank]) -> cards.Hidden:
    """The cards this learner may not see the back of yet, by bank (the one rule: disclosure)."""
    return Disclosure(current_user.id, now).withheld_by_bank(banks)


@bp.get("/")
@allow(SIGNED_IN)
def overview() -> ResponseReturnValue:
    now = utcnow()
    closed = practice_closed(current_user)
    banks = [bank for bank in bank_registry().banks() if bank.slug not in closed]
    hidden = hidden_cards(now, banks)
    progress = cards.progress(current_user, now, hidden=hidden, closed=closed)
    return render_template(
        "study/overview.html",
        banks=banks,
        hidden={slug: len(ids) for slug, ids in hidden.items()},
        due=cards.due_counts(current_user, [b.slug for b in banks], now, hidden),
        progress=progress,
        heatmap=charts.review_calendar(progress.per_day, now.astimezone(school_zone()).date()),
    )


def scope_slug(scope: str, closed: frozenset[str]) -> str | None:
    """None for every bank's due cards ("due"), else a bank's slug (404 if it is not served, or
    ``closed`` to the learner's practice)."""
    if scope == "due":
        return None
    if bank_registry().get(scope) is None or scope in closed:
        abort(404)
    return scope


@bp.get("/<scope>")
@allow(SIGNED_IN)
def card(scope: str) -> ResponseReturnValue:
    closed = practice_closed(current_user)
    slug = scope_slug(scope, closed)
    now = utcnow()
    registry = bank_registry()
    bank = registry.get(slug) if slug else None
    banks = [bank] if bank else [b for b in registry.banks() if b.slug not in closed]
    hidden = hidden_cards(now, banks)
    due = cards.next_card(current_user, registry, slug, now, hidden, closed)
    revealed = due is not None and request.args.get("show") == str(due.state.id)
    return render_template(
        "study/card.html",
        scope=scope,
        bank=bank,
        due=due,
        revealed=revealed,
        hints=cards.interval_hints(due.state, now) if due and revealed else {},
        ratings=cards.RATINGS,
        form=RatingForm(formdata=None, card=due.state.id, reps=due.state.reps) if due and revealed else None,
        progress=cards.progress(current_user, now, slug, hidden, closed),
        hidden=sum(len(ids) for ids in hidden.values()),
    )


@bp.post("/<scope>/review")
@allow(SIGNED_IN)
def rate(scope: str) -> ResponseReturnValue:
    closed = practice_closed(current_user)
    scope_slug(scope, closed)
    form = RatingForm()
    if not form.validate_on_submit():
        flash(CHOOSE, "error")
        return redirect(url_for("study.card", scope=scope))
    if not cards.review(
        current_user, form.card.data, form.reps.data, form.rating.data, utcnow(), closed=closed
    ):
        flash("That card was already rated; here is the next one.", "info")
    return redirect(url_for("study.card", scope=scope))


@bp.get("/<scope>/anki.apkg")
@allow(SIGNED_IN)
def anki(scope: str) -> ResponseReturnValue:
    slug = scope_slug(scope, practice_closed(current_user))
    if slug is None:
        abort(404)
    bank = bank_registry().get(slug)
    if bank is None:
        abort(404)
    return no_store(
        send_file(
            deck_file(bank, utcnow(), Disclosure(current_user.id).withheld(bank)),
            mimetype="application/apkg",
            as_attachment=True,
            download_name=f"{slug}.apkg",
        )
    )
