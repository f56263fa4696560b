"""Flashcards as operations: the study queue, reviews scheduled by FSRS, and progress.

Every question of a bank is a card (front: its prompt; back: its answer, explanation and
citation), and a bank may add cards of its own. A card is known by its bank's slug and its id, so
its schedule survives edits of the bank. Questions a learner misses in a graded quiz enter their
queue, due at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from sqlalchemy import bindparam, case, func, select, tuple_

from quizapp.access import practice_closed
from quizapp.banks import Bank, BankRegistry
from quizapp.database import upsert, write_transaction
from quizapp.extensions import db
from quizapp.models import CardReview, CardState
from quizapp.people import Person
from quizapp.questions import Citation, Question
from quizapp.timefmt import school_zone

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


@dataclass(frozen=True, slots=True)
class StudyCard:
    """What a flashcard shows."""

    bank_slug: str
    id: str
    front: str
    back: str
    explanation: str = ""
    #: What the question cites of the bank's source text (paragraph numbers, "header").
    source: tuple[Citation, ...] = ()


def bank_cards(bank: Bank) -> dict[str, StudyCard]:
    """Every card of a bank, questions first, in bank order."""
    cards = {q.id: _question_card(bank, q) for q in bank.questions.values()}
    cards.update((c.id, StudyCard(bank.slug, c.id, c.front, c.back)) for c in bank.cards)
    return cards


def card_of(bank: Bank, card_id: str) -> StudyCard | None:
    """One card of a bank by its id, without building the others."""
    question = bank.questions.get(card_id)
    if question is not None:
        return _question_card(bank, question)
    own = next((c for c in bank.cards if c.id == card_id), None)
    return StudyCard(bank.slug, own.id, own.front, own.back) if own else None


def _question_card(bank: Bank, q: Question) -> StudyCard:
    return StudyCard(bank.slug, q.id, q.prompt, q.answer_text(), q.explanation, q.source)


def scheduler() -> Scheduler:
    """The FSRS scheduler with its default parameters (desired retention 0.9)."""
    return Scheduler(desired_retention=current_app.config.get("STUDY_RETENTION", 0.9))


def _fsrs(state: CardState) -> FsrsCard:
    return FsrsCard(
        card_id=state.id,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def _store(state: CardState, card: FsrsCard) -> None:
    state.state = int(card.state)
    state.step, state.stability, state.difficulty = card.step, card.stability, card.difficulty
    state.due, state.last_review = card.due, card.last_review


def start_of_day(now: datetime, days_later: int = 0) -> datetime:
    """Midnight of ``now``'s day in the school's time zone (or of a later day), as UTC. Days are
    counted on the calendar, not in 24 hours, so a day when the clocks change ends at midnight too."""
    local = now.astimezone(school_zone()).date() + timedelta(days=days_later)
    return datetime.combine(local, time(), tzinfo=school_zone()).astimezone(UTC)


@dataclass(frozen=True)
class Due:
    """The next card to study and its state, or None when there is nothing to study now."""

    card: StudyCard
    state: CardState


#: Cards kept out of a learner's study for now, by bank slug: questions whose correct answer a
#: quiz still keeps from them (``quizapp.quizzes.disclosure.Disclosure.withheld``).
Hidden = Mapping[str, frozenset[str]]


# One condition for every query that leaves the hidden cards out, their (bank, card) pairs bound as
# one expanding parameter: the statement stays the same whatever is hidden, so it is compiled once.
NOT_HIDDEN = tuple_(CardState.bank_slug, CardState.card_id).not_in(bindparam("hidden", expanding=True))


def hidden_pairs(hidden: Hidden | None) -> dict[str, list[tuple[str, str]]]:
    """The parameters of ``NOT_HIDDEN``."""
    return {"hidden": [(slug, card_id) for slug, ids in (hidden or {}).items() for card_id in sorted(ids)]}


# Banks closed to the learner's practice (``quizapp.access.practice_closed``) stay out of their
# study, every card of them, bound as one expanding parameter like ``NOT_HIDDEN``.
NOT_CLOSED = CardState.bank_slug.not_in(bindparam("closed", expanding=True))


def closed_pairs(closed: frozenset[str]) -> dict[str, list[str]]:
    """The parameters of ``NOT_CLOSED``; a query adds it only when some bank is closed (the usual
    case is none, and an expanding parameter costs at every execution)."""
    return {"closed": sorted(closed)} if closed else {}


def closed_banks(user: Person, closed: frozenset[str] | None) -> frozenset[str]:
    """The banks to leave out of ``user``'s study: ``closed`` as the caller read it once for the
    request, or read now when the caller passed none (so no caller can forget the rule)."""
    return practice_closed(user) if closed is None else closed


def next_card(
    user: Person,
    banks: BankRegistry,
    bank_slug: str | None,
    now: datetime,
    hidden: Hidden | None = None,
    closed: frozenset[str] | None = None,
) -> Due | None:
    """The card to study now: the earliest due card, else a new card of the bank (within the
    day's limit of new cards for that bank). Cards that left their bank leave the queue here;
    ``hidden`` cards wait, out of the queue, until their quiz shows its key; banks ``closed`` to
    the learner's practice give no card at all."""
    closed = closed_banks(user, closed)
    if bank_slug in closed:
        return None
    params = {**hidden_pairs(hidden), **closed_pairs(closed)}
    while True:
        query = select(CardState).where(
            CardState.user_id == user.id, CardState.retired.is_(False), CardState.due <= now, NOT_HIDDEN
        )
        if closed:
            query = query.where(NOT_CLOSED)
        if bank_slug is not None:
            query = query.where(CardState.bank_slug == bank_slug)
        state = db.session.scalar(query.order_by(CardState.due, CardState.id).limit(1), params)
        if state is None:
            break
        card = _card(banks, state.bank_slug, state.card_id)
        if card is not None:
            return Due(card, state)
        retire(state)
    slugs = [bank_slug] if bank_slug else [b.slug for b in banks.banks() if b.slug not in closed]
    for slug in slugs:
        introduced = introduce_new(user, banks, slug, now, (hidden or {}).get(slug, frozenset()))
        if introduced is not None:
            return introduced
    return None


def _card(banks: BankRegistry, slug: str, card_id: str) -> StudyCard | None:
    bank = banks.get(slug)
    return card_of(bank, card_id) if bank else None


def retire(state: CardState) -> None:
    with write_transaction():
        db.session.get_one(CardState, state.id).retired = True


def new_cards_left(user: Person, slug: str, now: datetime) -> int:
    limit: int = current_app.config.get("NEW_CARDS_PER_DAY", 20)
    introduced = db.session.scalar(
        select(func.count())
        .select_from(CardState)
        .where(
            CardState.user_id == user.id,
            CardState.bank_slug == slug,
            CardState.origin == "new",
            CardState.created_at >= start_of_day(now),
        )
    )
    return max(0, limit - (introduced or 0))


def introduce_new(
    user: Person, banks: BankRegistry, slug: str, now: datetime, hidden: frozenset[str] = frozenset()
) -> Due | None:
    """Put the bank's next unseen card in the learner's queue, if today's limit allows (never a
    ``hidden`` one)."""
    bank = banks.get(slug)
    if bank is None or new_cards_left(user, slug, now) <= 0:
        return None
    seen = set(
        db.session.scalars(
            select(CardState.card_id).where(CardState.user_id == user.id, CardState.bank_slug == slug)
        )
    )
    card = next((c for c in bank_cards(bank).values() if c.id not in seen and c.id not in hidden), None)
    if card is None:
        return None
    with write_transaction():
        # Another request of the learner's (a second tab) may queue the same card meanwhile: then
        # this one shows that card too.
        new = _new_state_row(user.id, slug, card.id, now, origin="new")
        db.session.execute(upsert(_states).values(new).on_conflict_do_nothing(index_elements=CARD_KEY))
        state = db.session.scalars(
            select(CardState).where(
                CardState.user_id == user.id, CardState.bank_slug == slug, CardState.card_id == card.id
            )
        ).one()
    return Due(card, state)


_states = CardState.__table__
#: The columns that name a learner's card: one row each (``uq_card_states_user_id``).
CARD_KEY = ("user_id", "bank_slug", "card_id")


_FRESH = FsrsCard(card_id=0)


def _new_state_row(user_id: int, slug: str, card_id: str, now: datetime, origin: str) -> dict[str, Any]:
    """The columns of a card never reviewed, due ``now``: FSRS's fresh card."""
    return {
        "user_id": user_id,
        "bank_slug": slug,
        "card_id": card_id,
        "state": int(_FRESH.state),
        "step": _FRESH.step,
        "stability": None,
        "difficulty": None,
        "due": now,
        "last_review": None,
        "reps": 0,
        "origin": origin,
        "created_at": now,
        "retired": False,
    }


def review(
    user: Person,
    state_id: int,
    reps: int,
    rating: int,
    now: datetime,
    duration_ms: int | None = None,
    closed: frozenset[str] | None = None,
) -> bool:
    """Record a rating of a card and schedule it with FSRS. Returns False, changing nothing, if
    the card was rated meanwhile (a double click or a replayed form carries an old ``reps``), or
    is not the learner's to study (someone else's, or of a bank ``closed`` to their practice)."""
    closed = closed_banks(user, closed)
    with write_transaction():
        state = db.session.get(CardState, state_id, with_for_update=True, populate_existing=True)
        if state is None or state.user_id != user.id or state.reps != reps or state.bank_slug in closed:
            return False
        before = state.state
        card, _log = scheduler().review_card(_fsrs(state), Rating(rating), now)
        _store(state, card)
        state.reps += 1
        db.session.add(
            CardReview(
                card_state_id=state.id,
                user_id=user.id,
                rating=rating,
                state_before=before,
                reviewed_at=now,
                duration_ms=duration_ms,
            )
        )
    return True


def interval_hints(state: CardState, now: datetime) -> dict[int, str]:
    """When each rating would bring the card back ("10m", "3d"), for the rating buttons."""
    plain = Scheduler(desired_retention=scheduler().desired_retention, enable_fuzzing=False)
    hints = {}
    for value in RATINGS:
        card, _ = plain.review_card(_fsrs(state), Rating(value), now)
        hints[value] = _span(card.due - now)
    return hints


def _span(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 60 * 24:
        return f"{round(minutes / 60)}h"
    days = round(minutes / (60 * 24))
    return f"{days}d" if days < 60 else f"{days / 30.4:.0f}mo" if days < 365 else f"{days / 365:.1f}y"


def queue_missed(user_id: int, slug: str, question_ids: Iterable[str], now: datetime) -> None:
    """Put questions missed in a quiz in the learner's queue, due now (inside the caller's write
    transaction): cards met before come due now if they were due later; the others are new. One
    statement, so two quizzes submitted at once that missed the same card both count."""
    wanted = sorted(set(question_ids))
    if not wanted:
        return
    insert = upsert(_states)
    missed = insert.on_conflict_do_update(
        index_elements=CARD_KEY,
        set_={
            "due": case((_states.c.due > insert.excluded.due, insert.excluded.due), else_=_states.c.due),
            "retired": False,
        },
    )
    db.session.execute(missed, [_new_state_row(user_id, slug, card_id, now, "missed") for card_id in wanted])


# -- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    due_now: int
    due_today: int
    reviewed_today: int
    #: Share of reviews of learnt cards in the last 30 days not rated Again (None without any).
    retention: float | None
    #: Days in a row with a review, up to today (or yesterday, if none yet today).
    streak: int
    #: Reviews per day in the school's time zone, over the last year.
    per_day: dict[date, int]


def progress(
    user: Person,
    now: datetime,
    bank_slug: str | None = None,
    hidden: Hidden | None = None,
    closed: frozenset[str] | None = None,
) -> Progress:
    """The learner's cards due (none of ``hidden`` cards or ``closed`` banks) and their reviews."""
    today = start_of_day(now)
    due = (
        select(
            func.sum(case((CardState.due <= now, 1), else_=0)),
            func.sum(case((CardState.due < start_of_day(now, days_later=1), 1), else_=0)),
        )
        .select_from(CardState)
        .where(CardState.user_id == user.id, CardState.retired.is_(False), NOT_HIDDEN)
    )
    closed = closed_banks(user, closed)
    if closed:
        due = due.where(NOT_CLOSED)
    if bank_slug:
        due = due.where(CardState.bank_slug == bank_slug)
    params = {**hidden_pairs(hidden), **closed_pairs(closed)}
    due_now, due_today = db.session.execute(due, params).one()
    reviews = select(CardReview.reviewed_at, CardReview.rating, CardReview.state_before).where(
        CardReview.user_id == user.id, CardReview.reviewed_at >= today - timedelta(days=365)
    )
    if bank_slug:
        reviews = reviews.join(CardState, CardState.id == CardReview.card_state_id).where(
            CardState.bank_slug == bank_slug
        )
    rows = db.session.execute(reviews).all()
    zone = school_zone()
    per_day = Counter(at.astimezone(zone).date() for at, _, _ in rows)
    month_ago = now - timedelta(days=30)
    graded = [rating for at, rating, before in rows if at >= month_ago and before == int(State.Review)]
    retention = sum(1 for r in graded if r > 1) / len(graded) if graded else None
    return Progress(
        due_now=due_now or 0,
        due_today=due_today or 0,
        reviewed_today=sum(1 for at, _, _ in rows if at >= today),
        retention=retention,
        streak=streak(per_day, now.astimezone(zone).date()),
        per_day=dict(per_day),
    )


def streak(per_day: dict[date, int], today: date) -> int:
    """Consecutive days with a review, ending today, or yesterday when today has none yet."""
    day = today if per_day.get(today) else today - timedelta(days=1)
    count = 0
    while per_day.get(day):
        count += 1
        day -= timedelta(days=1)
    return count


def due_counts(
    user: Person, slugs: Sequence[str], now: datetime, hidden: Hidden | None = None
) -> dict[str, int]:
    """Cards due now per bank (hidden ones left out)."""
    rows = db.session.execute(
        select(CardState.bank_slug, func.count())
        .where(
            CardState.user_id == user.id,
            CardState.retired.is_(False),
            CardState.due <= now,
            CardState.bank_slug.in_(slugs),
            NOT_HIDDEN,
        )
        .group_by(CardState.bank_slug),
        hidden_pairs(hidden),
    )
    return dict(rows.all())
