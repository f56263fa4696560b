"""Flashcards as operations: cards from banks, FSRS scheduling, the study queue and progress.

The operations take ``now`` explicitly, so every test here runs at fixed UTC times inside an app
context; only the tests that go through pages use the real clock.
"""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import func, select

from quizapp.accounts.operations import create_account, find_user
from quizapp.banks import BankError
from quizapp.banks.loader import parse_bank
from quizapp.charts import review_calendar
from quizapp.database import write_transaction
from quizapp.extensions import bank_registry, db
from quizapp.models import Attempt, CardReview, CardState, User, utcnow
from quizapp.site_settings import set_school_zone
from quizapp.study import operations as cards
from quizapp.study.operations import (
    next_card,
    progress,
    queue_missed,
    review,
    start_of_day,
    streak,
)
from tests.factories import answer_form, shown_questions, start, submit

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4

THREE_STATEMENTS = """\
    title: Deck
    questions:
      - {id: a, type: true_false, prompt: Statement A, answer: true}
      - {id: b, type: true_false, prompt: Statement B, answer: false}
      - {id: c, type: true_false, prompt: Statement C, answer: true}
"""


@pytest.fixture
def ctx(app):
    """An app context: the operations run in it at fixed times."""
    with app.app_context():
        yield app


def learner(username: str = "ada") -> User:
    return create_account(username, username.title(), "a long password")


def state_of(user: User, slug: str, card_id: str) -> CardState:
    return db.session.scalar(
        select(CardState).where(
            CardState.user_id == user.id, CardState.bank_slug == slug, CardState.card_id == card_id
        )
    )


def rate(user: User, state: CardState, rating: int, at: datetime) -> CardState:
    """Rate a card through ``review`` and return its state as stored afterwards."""
    assert review(user, state.id, state.reps, rating, at)
    return db.session.get(CardState, state.id, populate_existing=True)


def review_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CardReview))


def columns(state: CardState) -> tuple:
    return (
        state.state,
        state.step,
        state.stability,
        state.difficulty,
        state.due,
        state.last_review,
        state.reps,
        state.retired,
    )


# -- cards from banks -------------------------------------------------------------------------


def test_every_question_is_a_card_with_answer_explanation_and_source_then_the_banks_own_cards(ctx, make_bank):
    make_bank(
        "terms",
        """\
        title: Terms
        source: {title: The text, paragraphs: 4}
        questions:
          - {id: capital, type: single, prompt: The capital?, choices: [Astana, Almaty], answer: Astana,
             explanation: It moved in 1997., source: 2}
          - {id: year, type: numeric, prompt: Which year?, answer: 1997}
        cards:
          - {id: acronym, front: What does CIS stand for?, back: Commonwealth of Independent States}
        """,
    )
    deck = cards.bank_cards(bank_registry().get("terms"))

    assert list(deck) == ["capital", "year", "acronym"]
    capital = deck["capital"]
    assert (capital.bank_slug, capital.front, capital.back) == ("terms", "The capital?", "Astana")
    assert (capital.explanation, capital.source) == ("It moved in 1997.", (2,))
    assert (deck["year"].back, deck["year"].explanation, deck["year"].source) == ("1997", "", ())
    acronym = deck["acronym"]
    assert (acronym.front, acronym.back) == ("What does CIS stand for?", "Commonwealth of Independent States")
    assert (acronym.explanation, acronym.source) == ("", ())


def test_the_every_type_bank_gives_seven_cards_whose_backs_are_the_worded_answers(ctx):
    deck = cards.bank_cards(bank_registry().get("every-type"))

    assert list(deck) == ["single-q", "multi-q", "tf-q", "text-q", "numeric-q", "order-q", "match-q"]
    assert deck["single-q"].back == "Astana"
    assert deck["multi-q"].back == "Russia; Belarus"
    assert deck["tf-q"].back == "True"
    assert deck["text-q"].back == "Zyxwvuts City (also accepted: Zyxwvuts)"
    assert deck["single-q"].explanation == "EXPLANATION-SINGLE"
    assert deck["single-q"].source == (1,)


def test_a_bank_card_reusing_a_question_id_is_refused_at_its_line():
    text = textwrap.dedent(
        """\
        title: Clash
        questions:
          - {id: capital, type: true_false, prompt: Astana is the capital., answer: true}
        cards:
          - front: A front
            back: A back
            id: capital
        """
    )
    with pytest.raises(BankError) as raised:
        parse_bank(text, "clash.yaml", "clash")

    [problem] = raised.value.problems
    assert problem.line == 7  # the card's "id: capital"
    assert "capital" in problem.message
    assert "clash.yaml:7:" in str(raised.value)


# -- scheduling -------------------------------------------------------------------------------


def test_a_new_card_rated_good_moves_to_the_second_learning_step_due_in_ten_minutes(ctx):
    ada = learner()
    due = next_card(ada, bank_registry(), "every-type", NOW)

    after = rate(ada, due.state, GOOD, NOW)

    assert after.state == State.Learning
    assert after.step == 1
    assert after.due == NOW + timedelta(minutes=10)
    assert after.last_review == NOW
    assert after.reps == 1


def test_a_card_rated_again_comes_back_within_minutes_on_the_same_school_day(ctx):
    ada = learner()
    due = next_card(ada, bank_registry(), "every-type", NOW)

    after = rate(ada, due.state, AGAIN, NOW)

    assert after.state == State.Learning
    assert after.step == 0
    assert NOW < after.due <= NOW + timedelta(minutes=10)
    assert start_of_day(after.due) == start_of_day(NOW)


def test_good_reviews_at_their_due_times_give_a_review_card_ever_longer_intervals(ctx):
    ada = learner()
    state = next_card(ada, bank_registry(), "every-type", NOW).state
    state = rate(ada, state, GOOD, NOW)  # learning step 1
    state = rate(ada, state, GOOD, state.due)  # graduates
    assert state.state == State.Review

    intervals = []
    for _ in range(3):
        at = state.due
        state = rate(ada, state, GOOD, at)
        assert state.state == State.Review
        intervals.append(state.due - at)

    assert intervals[0] < intervals[1] < intervals[2]
    assert intervals[0] >= timedelta(days=1)


def copies(user: User, source: CardState, count: int) -> list[CardState]:
    """Cards of other ids in the same FSRS state as ``source``."""
    made = [
        CardState(
            user_id=user.id,
            bank_slug=source.bank_slug,
            card_id=f"copy-{source.reps}-{i}",
            state=source.state,
            step=source.step,
            stability=source.stability,
            difficulty=source.difficulty,
            due=source.due,
            last_review=source.last_review,
            reps=source.reps,
            origin="new",
            created_at=source.created_at,
        )
        for i in range(count)
    ]
    with write_transaction():
        db.session.add_all(made)
    return made


def test_easy_schedules_a_card_later_than_good_from_the_same_state(ctx):
    ada = learner()
    fresh = next_card(ada, bank_registry(), "every-type", NOW).state
    good, easy = copies(ada, fresh, 2)
    assert rate(ada, easy, EASY, NOW).due > rate(ada, good, GOOD, NOW).due + timedelta(days=1)

    learnt = rate(ada, fresh, EASY, NOW)
    assert learnt.state == State.Review
    good, easy = copies(ada, learnt, 2)
    at = learnt.due
    good_due = rate(ada, good, GOOD, at).due
    easy_due = rate(ada, easy, EASY, at).due
    assert easy_due > good_due > at


class RecordingScheduler(Scheduler):
    """The app's scheduler, keeping each card it hands back."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[Card] = []

    def review_card(self, card, rating, review_datetime=None, review_duration=None):
        result = super().review_card(card, rating, review_datetime, review_duration)
        self.results.append(result[0])
        return result


def test_the_stored_state_rebuilds_the_very_fsrs_card_the_scheduler_returned(app, monkeypatch):
    recorder = RecordingScheduler()
    monkeypatch.setattr(cards, "scheduler", lambda: recorder)
    at = NOW.replace(microsecond=123456)
    with app.app_context():
        ada = learner()
        state = next_card(ada, bank_registry(), "every-type", at).state
        for rating in (GOOD, GOOD, GOOD, AGAIN, HARD):  # learning, review, relearning
            at = max(at, state.due)
            state = rate(ada, state, rating, at)
        state_id = state.id
    memory = recorder.results[-1]
    assert memory.state == State.Relearning

    with app.app_context():  # a new session: everything comes from the database
        row = db.session.get(CardState, state_id)
        rebuilt = Card(
            card_id=row.id,
            state=State(row.state),
            step=row.step,
            stability=row.stability,
            difficulty=row.difficulty,
            due=row.due,
            last_review=row.last_review,
        )
    assert rebuilt == memory
    assert rebuilt.last_review.microsecond == 123456
    plain = Scheduler(enable_fuzzing=False)
    for rating in Rating:
        for when in (rebuilt.due, rebuilt.due + timedelta(days=3)):
            from_db, _ = plain.review_card(rebuilt, rating, when)
            in_memory, _ = plain.review_card(memory, rating, when)
            assert (from_db.stability, from_db.difficulty, from_db.due, from_db.state, from_db.step) == (
                in_memory.stability,
                in_memory.difficulty,
                in_memory.due,
                in_memory.state,
                in_memory.step,
            )


def test_replaying_a_rating_with_the_same_reps_is_refused_and_records_nothing(ctx):
    ada = learner()
    state = next_card(ada, bank_registry(), "every-type", NOW).state
    assert review(ada, state.id, 0, GOOD, NOW)
    after = columns(db.session.get(CardState, state.id, populate_existing=True))

    assert not review(ada, state.id, 0, AGAIN, NOW + timedelta(seconds=2))

    assert review_count() == 1
    assert columns(db.session.get(CardState, state.id, populate_existing=True)) == after


def test_a_rating_is_recorded_with_the_state_before_it(ctx):
    ada = learner()
    state = next_card(ada, bank_registry(), "every-type", NOW).state
    review(ada, state.id, 0, EASY, NOW, duration_ms=4200)

    [logged] = db.session.scalars(select(CardReview))
    assert (logged.card_state_id, logged.user_id, logged.rating) == (state.id, ada.id, EASY)
    assert (logged.state_before, logged.reviewed_at, logged.duration_ms) == (int(State.Learning), NOW, 4200)


# -- the queue --------------------------------------------------------------------------------


def test_a_due_review_comes_before_unseen_cards(ctx):
    ada = learner()
    first = next_card(ada, bank_registry(), "every-type", NOW).state
    learnt = rate(ada, first, EASY, NOW)  # a review card, due in days; six cards still unseen
    assert learnt.due > NOW + timedelta(days=1)

    due = next_card(ada, bank_registry(), "every-type", learnt.due)

    assert due.state.id == first.id
    assert due.card.id == "single-q"
    assert due.card.front == "Pick the capital of Kazakhstan."


def test_a_card_introduced_comes_back_until_it_is_rated(ctx):
    ada = learner()
    first = next_card(ada, bank_registry(), "every-type", NOW)
    again = next_card(ada, bank_registry(), "every-type", NOW)
    assert again.state.id == first.state.id
    assert db.session.scalar(select(func.count()).select_from(CardState)) == 1


def test_new_cards_come_in_bank_order_up_to_the_daily_limit_and_more_the_next_day(ctx):
    ctx.config["NEW_CARDS_PER_DAY"] = 2
    ada = learner()
    banks = bank_registry()
    shown = []
    for _ in range(2):
        due = next_card(ada, banks, "every-type", NOW)
        assert due.state.origin == "new"
        shown.append(due.card.id)
        rate(ada, due.state, EASY, NOW)  # due again in days

    assert shown == ["single-q", "multi-q"]
    assert next_card(ada, banks, "every-type", NOW + timedelta(hours=14)) is None  # 23:00, same day
    assert cards.new_cards_left(ada, "every-type", NOW) == 0

    tomorrow = start_of_day(NOW) + timedelta(days=1, minutes=1)
    assert cards.new_cards_left(ada, "every-type", tomorrow) == 2
    assert next_card(ada, banks, "every-type", tomorrow).card.id == "tf-q"


def test_the_new_card_limit_counts_for_each_bank_separately(ctx, make_bank):
    ctx.config["NEW_CARDS_PER_DAY"] = 2
    make_bank("deck", THREE_STATEMENTS)
    ada = learner()
    shown = []
    while (due := next_card(ada, bank_registry(), None, NOW)) is not None:
        shown.append((due.state.bank_slug, due.card.id))
        rate(ada, due.state, EASY, NOW)
        assert len(shown) <= 4

    assert shown == [("deck", "a"), ("deck", "b"), ("every-type", "single-q"), ("every-type", "multi-q")]


def test_cards_missed_in_a_quiz_do_not_use_up_the_new_cards(ctx):
    ctx.config["NEW_CARDS_PER_DAY"] = 1
    ada = learner()
    with write_transaction():
        queue_missed(ada.id, "every-type", ["tf-q", "text-q"], NOW)
    assert cards.new_cards_left(ada, "every-type", NOW) == 1


def test_missed_questions_enter_the_queue_due_at_once(app, student):
    path = start(student, "every-type", "all")
    assert submit(student, path, answer_form(shown_questions(app, path), right=False)).status_code == 302

    with app.app_context():
        ada = find_user("ada")
        [attempt] = db.session.scalars(select(Attempt))
        states = list(db.session.scalars(select(CardState).where(CardState.user_id == ada.id)))
        assert {s.card_id for s in states} == {
            "single-q",
            "multi-q",
            "tf-q",
            "text-q",
            "numeric-q",
            "order-q",
            "match-q",
        }
        assert all(s.origin == "missed" and s.bank_slug == "every-type" for s in states)
        assert all(s.due <= attempt.submitted_at for s in states)
        due = next_card(ada, bank_registry(), "every-type", attempt.submitted_at)
        assert due.state.origin == "missed"


def test_only_questions_not_fully_right_enter_the_queue(app, student):
    path = start(student, "every-type", "all")
    questions = shown_questions(app, path)
    form = answer_form(questions, right=True)
    single = next(i for i, q in enumerate(questions) if q["type"] == "single")
    form[f"q{single}"] = str(questions[single]["choices"].index("Bishkek"))
    multi = next(i for i, q in enumerate(questions) if q["type"] == "multi")
    form[f"q{multi}"] = [str(questions[multi]["choices"].index("Russia"))]  # partly right
    submit(student, path, form)

    with app.app_context():
        assert set(db.session.scalars(select(CardState.card_id))) == {"single-q", "multi-q"}


def test_a_quiz_answered_right_adds_no_card(app, student):
    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path), right=True))

    with app.app_context():
        assert db.session.scalar(select(Attempt.score)) == 7
        assert db.session.scalar(select(func.count()).select_from(CardState)) == 0


def test_a_missed_question_already_scheduled_later_is_pulled_forward(app, student):
    with app.app_context():
        ada = find_user("ada")
        first = next_card(ada, bank_registry(), "every-type", utcnow()).state
        assert first.card_id == "single-q"
        first_id = first.id
        assert rate(ada, first, EASY, utcnow()).due > utcnow() + timedelta(days=1)

    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path), right=False))

    with app.app_context():
        submitted = db.session.scalar(select(Attempt.submitted_at))
        state = db.session.get(CardState, first_id)
        assert state.due <= submitted
        assert (state.origin, state.reps, state.state) == ("new", 1, int(State.Review))
        assert db.session.scalar(select(func.count()).select_from(CardState)) == 7


def test_two_learners_queues_never_mix(ctx):
    ada, bob = learner("ada"), learner("bob")
    banks = bank_registry()
    bobs = next_card(bob, banks, "every-type", NOW).state
    before = columns(bobs)

    at = NOW
    for _ in range(5):
        due = next_card(ada, banks, "every-type", at)
        assert due.state.user_id == ada.id
        rate(ada, due.state, GOOD, at)
        at += timedelta(minutes=1)

    assert columns(db.session.get(CardState, bobs.id, populate_existing=True)) == before
    again = next_card(bob, banks, "every-type", at)
    assert (again.state.id, again.card.id, again.state.reps) == (bobs.id, "single-q", 0)
    assert (
        db.session.scalar(select(func.count()).select_from(CardReview).where(CardReview.user_id == bob.id))
        == 0
    )


def test_rating_another_learners_card_is_refused_and_changes_nothing(ctx):
    ada, bob = learner("ada"), learner("bob")
    bobs = next_card(bob, bank_registry(), "every-type", NOW).state
    before = columns(bobs)

    assert not review(ada, bobs.id, 0, EASY, NOW)
    assert not review(ada, 10_000, 0, EASY, NOW)  # no such card

    assert columns(db.session.get(CardState, bobs.id, populate_existing=True)) == before
    assert review_count() == 0


def test_a_card_whose_question_left_its_bank_is_retired_and_skipped(ctx, make_bank):
    bank_file = make_bank("deck", THREE_STATEMENTS)
    ada = learner()
    with write_transaction():
        queue_missed(ada.id, "deck", ["a", "b"], NOW - timedelta(hours=1))
    bank_file.write_text(
        bank_file.read_text().replace(
            "  - {id: a, type: true_false, prompt: Statement A, answer: true}\n", ""
        )
    )
    assert set(cards.bank_cards(bank_registry().get("deck"))) == {"b", "c"}

    due = next_card(ada, bank_registry(), "deck", NOW)

    assert due.card.id == "b"
    assert state_of(ada, "deck", "a").retired
    assert not state_of(ada, "deck", "b").retired


def test_when_every_due_card_left_its_bank_and_no_new_card_is_left_the_queue_is_empty(ctx, make_bank):
    ctx.config["NEW_CARDS_PER_DAY"] = 0
    bank_file = make_bank("deck", THREE_STATEMENTS)
    ada = learner()
    with write_transaction():
        queue_missed(ada.id, "deck", ["a", "b"], NOW - timedelta(hours=1))
    bank_file.write_text(
        textwrap.dedent(THREE_STATEMENTS).replace("id: a,", "id: a2,").replace("id: b,", "id: b2,")
    )

    assert next_card(ada, bank_registry(), "deck", NOW) is None
    assert next_card(ada, bank_registry(), None, NOW) is None
    assert state_of(ada, "deck", "a").retired
    assert state_of(ada, "deck", "b").retired
    assert progress(ada, NOW).due_now == 0


def test_the_study_page_renders_after_the_shown_card_left_its_bank(app, student, make_bank):
    bank_file = make_bank("deck", THREE_STATEMENTS)
    page = student.get("/study/deck").get_data(as_text=True)
    assert "Statement A" in page
    bank_file.write_text(
        bank_file.read_text().replace(
            "  - {id: a, type: true_false, prompt: Statement A, answer: true}\n", ""
        )
    )

    response = student.get("/study/deck")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Statement B" in page
    assert "Statement A" not in page
    assert student.get("/study/due").status_code == 200
    with app.app_context():
        assert state_of(find_user("ada"), "deck", "a").retired


# -- progress ---------------------------------------------------------------------------------


def add_state(user: User, card_id: str, due: datetime, slug: str = "every-type", **fields) -> CardState:
    state = CardState(
        user_id=user.id,
        bank_slug=slug,
        card_id=card_id,
        state=fields.pop("state", int(State.Review)),
        step=None,
        stability=5.0,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=5),
        reps=3,
        origin="new",
        created_at=due - timedelta(days=30),
        **fields,
    )
    db.session.add(state)
    db.session.commit()
    return state


def add_reviews(state: CardState, *reviews: tuple[datetime, int, int]) -> None:
    """``(reviewed_at, rating, state_before)`` rows for one card."""
    db.session.add_all(
        CardReview(
            card_state_id=state.id,
            user_id=state.user_id,
            rating=rating,
            state_before=before,
            reviewed_at=at,
        )
        for at, rating, before in reviews
    )
    db.session.commit()


def test_progress_counts_cards_due_now_due_today_and_reviewed_today(ctx, make_bank):
    make_bank("deck", THREE_STATEMENTS)
    ada, bob = learner("ada"), learner("bob")
    overdue = add_state(ada, "single-q", NOW - timedelta(days=2))
    add_state(ada, "multi-q", NOW - timedelta(minutes=1))
    add_state(ada, "tf-q", NOW + timedelta(hours=2))
    add_state(ada, "text-q", datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    add_state(ada, "numeric-q", datetime(2026, 3, 3, 0, 0, tzinfo=UTC))  # tomorrow
    add_state(ada, "order-q", NOW - timedelta(hours=1), retired=True)
    add_state(ada, "a", NOW - timedelta(hours=1), slug="deck")
    bobs = add_state(bob, "single-q", NOW - timedelta(hours=1))
    add_reviews(bobs, (NOW - timedelta(hours=2), AGAIN, 2))
    add_reviews(
        overdue,
        (datetime(2026, 3, 2, 0, 30, tzinfo=UTC), GOOD, 2),
        (NOW - timedelta(hours=1), AGAIN, 2),
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), GOOD, 2),  # yesterday
    )

    mine = progress(ada, NOW)
    assert (mine.due_now, mine.due_today, mine.reviewed_today) == (3, 5, 2)
    in_bank = progress(ada, NOW, "every-type")
    assert (in_bank.due_now, in_bank.due_today, in_bank.reviewed_today) == (2, 4, 2)
    assert progress(ada, NOW, "deck").reviewed_today == 0
    theirs = progress(bob, NOW)
    assert (theirs.due_now, theirs.reviewed_today, theirs.retention) == (1, 1, 0.0)
    assert mine.retention == pytest.approx(2 / 3)


def test_retention_is_the_share_of_review_state_ratings_in_30_days_not_rated_again(ctx):
    ada = learner()
    state = add_state(ada, "single-q", NOW)
    day = timedelta(days=1)
    add_reviews(
        state,
        # Counted: learnt cards (state before = 2) within 30 days: Good, Again, Easy, Hard, Good.
        (NOW - 1 * day, GOOD, 2),
        (NOW - 2 * day, AGAIN, 2),
        (NOW - 3 * day, EASY, 2),
        (NOW - 10 * day, HARD, 2),
        (NOW - 29 * day, GOOD, 2),
        # Not counted: learning and relearning ratings, and a learnt card's rating 31 days ago.
        (NOW - 1 * day, AGAIN, 1),
        (NOW - 1 * day, AGAIN, 1),
        (NOW - 2 * day, AGAIN, 3),
        (NOW - 31 * day, AGAIN, 2),
    )

    assert progress(ada, NOW).retention == pytest.approx(4 / 5)


def test_retention_is_none_without_reviews_of_learnt_cards(ctx):
    ada = learner()
    state = add_state(ada, "single-q", NOW)
    add_reviews(state, (NOW - timedelta(hours=1), AGAIN, 1))
    assert progress(ada, NOW).retention is None


def test_the_streak_counts_days_in_a_row_ending_today_or_yesterday(ctx):
    ada = learner()
    state = add_state(ada, "single-q", NOW)
    day = timedelta(days=1)
    add_reviews(state, (NOW - day, GOOD, 2), (NOW - 2 * day, GOOD, 2), (NOW - 4 * day, GOOD, 2))

    assert progress(ada, NOW).streak == 2  # none yet today: yesterday and the day before
    add_reviews(state, (NOW - timedelta(hours=8), GOOD, 2))  # 01:00 today
    assert progress(ada, NOW).streak == 3
    add_reviews(state, (NOW - 3 * day, GOOD, 2))  # fills the gap
    assert progress(ada, NOW).streak == 5
    assert progress(ada, NOW + 2 * day).streak == 0  # yesterday had none


def test_a_gap_breaks_the_streak():
    today = date(2026, 3, 2)
    day = timedelta(days=1)
    assert streak({}, today) == 0
    assert streak({today: 1}, today) == 1
    assert streak({today - day: 2, today - 2 * day: 1}, today) == 2
    assert streak({today: 1, today - 2 * day: 5, today - 3 * day: 1}, today) == 1
    assert streak({today - 2 * day: 5}, today) == 0


def test_the_school_day_starts_at_midnight_in_the_schools_time_zone(ctx):
    evening = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)
    assert start_of_day(evening) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)

    set_school_zone("Asia/Almaty")  # UTC+5: 20:30 UTC is 01:30 the next day there
    assert start_of_day(evening) == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    assert start_of_day(datetime(2026, 3, 2, 18, 59, tzinfo=UTC)) == datetime(2026, 3, 1, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "local_day", "reviewed_today"),
    [("UTC", date(2026, 3, 2), 0), ("Asia/Almaty", date(2026, 3, 3), 1)],
)
def test_a_late_evening_review_in_utc_counts_on_the_schools_local_day(ctx, zone, local_day, reviewed_today):
    set_school_zone(zone)
    ada = learner()
    state = add_state(ada, "single-q", NOW)
    add_reviews(state, (datetime(2026, 3, 2, 20, 30, tzinfo=UTC), GOOD, 2))

    mine = progress(ada, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))

    assert mine.reviewed_today == reviewed_today
    assert mine.streak == 1
    assert mine.per_day == {local_day: 1}


def test_due_today_ends_at_the_schools_next_midnight_on_the_day_clocks_change(ctx):
    set_school_zone("Europe/Berlin")
    ada = learner()
    # 29 March 2026: clocks go forward at 02:00, so the local day lasts 23 hours and ends at
    # 22:00 UTC (midnight CEST).
    noon = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    add_state(ada, "single-q", datetime(2026, 3, 29, 21, 30, tzinfo=UTC))  # 23:30 local: today
    add_state(ada, "multi-q", datetime(2026, 3, 29, 22, 30, tzinfo=UTC))  # 00:30 on 30 March
    assert progress(ada, noon).due_today == 1


# -- the calendar -----------------------------------------------------------------------------


def rect_fills(svg: str) -> dict[str, str]:
    """Each day's fill, keyed by its date."""
    return {day: fill for fill, day in re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"><title>([\d-]+):', svg)}


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_calendar_is_an_svg_image_with_a_square_for_every_day_of_26_weeks(ctx):
    today = date(2026, 3, 4)  # a Wednesday
    svg = review_calendar({}, today)

    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title>Reviews per day</title>" in svg
    assert "<script" not in svg.lower()
    days = re.findall(r"<rect [^>]*><title>([\d-]+):", svg)
    assert len(days) == svg.count("<rect") == 25 * 7 + 3  # 25 whole weeks, then Monday to today
    assert days[-1] == "2026-03-04"
    first = date.fromisoformat(days[0])
    assert first.weekday() == 0  # each column is a week from Monday
    assert [date.fromisoformat(d) for d in days] == [first + timedelta(days=i) for i in range(len(days))]


def test_each_days_title_counts_its_reviews_and_the_busiest_day_is_darkest(ctx):
    today = date(2026, 3, 4)
    svg = review_calendar({today: 9, today - timedelta(days=1): 2, today - timedelta(days=10): 1}, today)

    assert "<title>2026-03-04: 9 reviews</title>" in svg
    assert "<title>2026-03-03: 2 reviews</title>" in svg
    assert "<title>2026-02-22: 1 review</title>" in svg
    assert "<title>2026-03-02: 0 reviews</title>" in svg
    assert "12 reviews in the last 26 weeks" in svg
    fills = rect_fills(svg)
    busiest, quiet, empty = (luminance(fills[d]) for d in ("2026-03-04", "2026-03-03", "2026-03-02"))
    assert busiest < quiet < empty
    assert busiest == min(luminance(f) for f in fills.values())


def test_days_older_than_the_calendar_do_not_change_it(ctx):
    today = date(2026, 3, 4)
    shown = {today: 10, today - timedelta(days=3): 4}
    older = {**shown, today - timedelta(days=200): 50}

    assert review_calendar(older, today) == review_calendar(shown, today)


def test_progress_counts_the_reviews_retention_needs_and_when_the_first_learnt_card_comes_due(ctx):
    ada = learner()
    learning = add_state(ada, "single-q", NOW - timedelta(hours=1), state=int(State.Learning))
    add_state(ada, "multi-q", NOW + timedelta(days=4))
    add_state(ada, "tf-q", NOW + timedelta(days=2), retired=True)  # retired: never comes back
    add_reviews(learning, *((NOW - timedelta(minutes=m), AGAIN, 1) for m in (5, 10, 15)))

    before = progress(ada, NOW)

    assert (before.retention, before.recent_reviews, before.retention_reviews) == (None, 3, 0)
    assert before.next_learnt_due == NOW + timedelta(days=4)
    add_reviews(learning, (NOW - timedelta(days=40), GOOD, 2))  # a learnt card's review, too long ago
    assert progress(ada, NOW).retention_reviews == 0
    add_reviews(learning, (NOW - timedelta(days=1), GOOD, 2))
    after = progress(ada, NOW)
    assert (after.retention, after.recent_reviews, after.retention_reviews) == (1.0, 4, 1)


def test_progress_knows_no_learnt_card_when_every_card_is_still_being_learnt(ctx):
    ada = learner()
    add_state(ada, "single-q", NOW + timedelta(minutes=10), state=int(State.Learning))
    add_state(ada, "multi-q", NOW + timedelta(minutes=10), state=int(State.Relearning))

    assert progress(ada, NOW).next_learnt_due is None


def test_the_calendar_names_each_month_over_the_week_of_its_first_day(ctx):
    today = date(2026, 3, 4)  # the calendar opens on Monday 8 September 2025
    svg = review_calendar({}, today)

    months = re.findall(r'<text x="(\d+)" y="20"[^>]*>([A-Z][a-z]{2})</text>', svg)
    assert [name for _, name in months] == ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    week_of = {day: int(x) for x, day in re.findall(r'<rect x="(\d+)" [^>]*><title>([\d-]+):', svg)}
    assert dict(months[1:]) == {
        str(week_of[f"{first}-01"]): name
        for first, name in [
            ("2025-10", "Oct"),
            ("2025-11", "Nov"),
            ("2025-12", "Dec"),
            ("2026-01", "Jan"),
            ("2026-02", "Feb"),
            ("2026-03", "Mar"),
        ]
    }


def test_a_first_week_close_to_the_next_month_leaves_the_name_to_that_month(ctx):
    today = date(2026, 3, 25)  # the calendar opens on Monday 29 September 2025
    names = re.findall(r">([A-Z][a-z]{2})</text>", review_calendar({}, today))
    assert names[:5] == ["Mon", "Wed", "Fri", "Oct", "Nov"]
