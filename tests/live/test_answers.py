"""Answers in a live game: timed by the server's clock on arrival, late ones scoring nothing, one
answer per question, and answers a question cannot read refused with a message, keeping nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import clock
from quizapp.extensions import db
from quizapp.live import operations as live
from quizapp.live.operations import LiveRefused
from quizapp.models import LiveAnswer, LiveGame, LivePlayer

#: Positions of the every-type quiz's played questions.
SINGLE, MULTI, TF, TEXT, NUMERIC = range(5)
#: A right answer to each, as a phone sends it (single: Astana is choice 0; multi: Russia, Belarus).
RIGHT = {SINGLE: 0, MULTI: [0, 1], TF: True, TEXT: "zyxwvuts city", NUMERIC: "98765.5"}
WRONG = {SINGLE: 1, MULTI: [2, 3], TF: False, TEXT: "Paris", NUMERIC: 12}


def started(host, bank, *nicknames: str, **settings) -> tuple[LiveGame, list[LivePlayer]]:
    """An open game of the every-type quiz (choices in the bank's order), its first question open now."""
    game = live.create_game(host, bank, bank.quizzes["all"], None, settings, None)
    players = [live.join(game, None, name, clock.now()) for name in nicknames or ("Ada",)]
    return live.advance(game, game.version, clock.now()), players


def to_question(game: LiveGame, position: int) -> LiveGame:
    """Close the open question and open the one at ``position``, now."""
    while game.position < position:
        if game.state == "question":
            game = live.advance(game, game.version, clock.now())
        game = live.advance(game, game.version, clock.now())
    return game


def close(game: LiveGame) -> LiveGame:
    return live.advance(game, game.version, clock.now())


def score(player: LivePlayer) -> int:
    return db.session.get_one(LivePlayer, player.id, populate_existing=True).score


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(LiveAnswer)) or 0


# --- timing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("after", "points"), [(0.0, 1000), (0.5, 1000), (5, 875), (10, 750), (20, 500)])
def test_an_answer_scores_by_how_long_after_the_opening_the_server_received_it(
    host, bank, stopped, after, points
):
    game, [ada] = started(host, bank)
    stopped.tick(after)

    sent = live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())

    assert (sent.outcome, sent.points, sent.elapsed_ms) == ("correct", points, after * 1000)
    assert sent.received_at == clock.now()
    close(game)
    assert score(ada) == points


def test_an_answer_after_the_question_closed_is_kept_as_late_and_scores_nothing(host, bank, stopped):
    game, [ada] = started(host, bank)
    stopped.tick(20.001)

    sent = live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())

    assert (sent.outcome, sent.points) == ("late", 0)
    close(game)
    assert score(ada) == 0


def test_once_the_host_closes_a_question_early_answers_to_it_are_late(host, bank, stopped):
    game, [ada, bob] = started(host, bank, "Ada", "Bob")
    stopped.tick(3)
    live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())
    game = close(game)
    stopped.tick(1)  # well within the 20 seconds, but the question is closed

    sent = live.answer(bob, SINGLE, RIGHT[SINGLE], clock.now())

    assert (sent.outcome, sent.points) == ("late", 0)
    assert game.closes_at == clock.now() - timedelta(seconds=1)
    assert score(bob) == 0


def test_an_answer_to_a_question_shown_before_is_late(host, bank, stopped):
    game, [ada] = started(host, bank)
    game = to_question(game, TF)

    sent = live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())

    assert (sent.outcome, sent.points) == ("late", 0)


def test_an_answer_to_a_question_not_shown_yet_or_in_the_lobby_is_refused_and_kept_nowhere(
    host, bank, stopped
):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    ada = live.join(game, None, "Ada", clock.now())
    with pytest.raises(LiveRefused, match="not open"):
        live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())
    live.advance(game, game.version, clock.now())

    for position in (MULTI, 99, -1):
        with pytest.raises(LiveRefused, match="not open"):
            live.answer(ada, position, RIGHT.get(position, 0), clock.now())
    assert stored() == 0


def test_the_first_answer_counts_and_a_second_is_refused(host, bank, stopped):
    game, [ada] = started(host, bank)
    stopped.tick(2)
    live.answer(ada, SINGLE, WRONG[SINGLE], clock.now())

    with pytest.raises(LiveRefused, match="answered this question already: your first answer counts"):
        live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())

    [kept] = db.session.scalars(select(LiveAnswer)).all()
    assert (kept.outcome, kept.answer) == ("wrong", "Bishkek")
    close(game)
    assert score(ada) == 0


def test_a_kicked_player_cannot_answer(host, bank, stopped):
    game, [ada] = started(host, bank)
    live.kick(game, ada.id)
    db.session.refresh(ada)

    with pytest.raises(LiveRefused, match="took you out"):
        live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now())


# --- grading by the question's type --------------------------------------------------------------


@pytest.mark.parametrize("position", [SINGLE, MULTI, TF, TEXT, NUMERIC])
def test_every_played_type_grades_a_right_and_a_wrong_answer(host, bank, stopped, position):
    game, [ada, bob] = started(host, bank, "Ada", "Bob")
    game = to_question(game, position)

    right = live.answer(ada, position, RIGHT[position], clock.now())
    wrong = live.answer(bob, position, WRONG[position], clock.now())

    assert (right.outcome, right.points) == ("correct", 1000)
    assert (wrong.outcome, wrong.points) == ("wrong", 0)


def test_stored_answers_are_what_the_question_reads_choices_by_their_text(host, bank, stopped):
    game, [ada] = started(host, bank)
    sent = {}
    for position in (SINGLE, MULTI, TF, TEXT, NUMERIC):
        game = to_question(game, position)
        sent[position] = live.answer(ada, position, RIGHT[position], clock.now()).answer

    assert sent == {
        SINGLE: "Astana",
        MULTI: ["Russia", "Belarus"],
        TF: True,
        TEXT: "zyxwvuts city",
        NUMERIC: 98765.5,
    }


def test_a_multi_answer_with_one_of_two_right_choices_earns_half_the_points_for_its_speed(
    host, bank, stopped
):
    game, [ada, bob] = started(host, bank, "Ada", "Bob")
    game = to_question(game, MULTI)
    stopped.tick(10)

    half = live.answer(ada, MULTI, [0], clock.now())
    cancelled = live.answer(bob, MULTI, [0, 2], clock.now())  # a right pick and a wrong one

    assert (half.outcome, half.points) == ("partial", 375)  # 0.75 * 1000 * 1/2
    assert (cancelled.outcome, cancelled.points) == ("wrong", 0)


@pytest.mark.parametrize(
    ("position", "raw", "message"),
    [
        (SINGLE, "0", "Choose one of the answers shown"),
        (SINGLE, None, "Choose one of the answers shown"),
        (SINGLE, True, "Choose one of the answers shown"),
        (SINGLE, -1, "Choose one of the answers shown"),
        (SINGLE, 4, "Choose one of the options shown"),
        (SINGLE, 0.0, "Choose one of the answers shown"),
        (MULTI, [], "Choose one or more of the answers shown"),
        (MULTI, 0, "Choose one or more of the answers shown"),
        (MULTI, [0, 0], "each once"),
        (MULTI, [0, "1"], "Choose one or more of the answers shown"),
        (MULTI, [0, 7], "Choose among the options shown"),
        (TF, "true", "Choose True or False"),
        (TF, 1, "Choose True or False"),
        (TF, None, "Choose True or False"),
        (TEXT, None, "Type your answer"),
        (TEXT, 42, "Type your answer"),
        (TEXT, "   ", "Type your answer before sending it"),
        (TEXT, "x" * 501, "under 500 characters"),
        (NUMERIC, "abc", "Enter a number, such as 1992 or 2.5"),
        (NUMERIC, "5 or 6", "Enter a number on its own"),
        (NUMERIC, "", "Type your answer before sending it"),
        (NUMERIC, [5], "Type your answer"),
        (NUMERIC, True, "Type your answer"),
    ],
)
def test_an_answer_the_question_cannot_read_is_refused_with_what_to_fix_and_the_next_try_counts(
    host, bank, stopped, position, raw, message
):
    game, [ada] = started(host, bank)
    game = to_question(game, position)

    with pytest.raises(LiveRefused, match=message):
        live.answer(ada, position, raw, clock.now())
    assert stored() == 0

    assert live.answer(ada, position, RIGHT[position], clock.now()).outcome == "correct"


def test_a_numeric_answer_may_come_as_a_number(host, bank, stopped):
    game, [ada] = started(host, bank)
    game = to_question(game, NUMERIC)

    assert live.answer(ada, NUMERIC, 98765.4321, clock.now()).outcome == "correct"


# --- streaks -------------------------------------------------------------------------------------


def test_right_answers_in_a_row_earn_the_streak_bonus_and_a_miss_ends_the_streak(host, bank, stopped):
    game, [ada] = started(host, bank)
    earned = []
    for position, raw in [(SINGLE, 0), (MULTI, [0, 1]), (TF, True), (TEXT, "wrong"), (NUMERIC, 98765.4321)]:
        game = to_question(game, position)
        earned.append(live.answer(ada, position, raw, clock.now()).points)
    close(game)

    assert earned == [1000, 1100, 1200, 0, 1000]
    assert score(ada) == sum(earned)


def test_without_the_streak_bonus_right_answers_in_a_row_earn_their_points_only(host, bank, stopped):
    game, [ada] = started(host, bank, streak_bonus=False)
    earned = []
    for position in (SINGLE, MULTI, TF):
        game = to_question(game, position)
        earned.append(live.answer(ada, position, RIGHT[position], clock.now()).points)

    assert earned == [1000, 1000, 1000]


def test_a_question_partly_right_or_left_unanswered_ends_the_streak(host, bank, stopped):
    game, [ada] = started(host, bank)
    earned = [live.answer(ada, SINGLE, RIGHT[SINGLE], clock.now()).points]
    game = to_question(game, MULTI)
    earned.append(live.answer(ada, MULTI, [0], clock.now()).points)  # one of two right
    game = to_question(game, TF)
    earned.append(live.answer(ada, TF, True, clock.now()).points)
    game = to_question(game, NUMERIC)  # TEXT left unanswered
    earned.append(live.answer(ada, NUMERIC, RIGHT[NUMERIC], clock.now()).points)
    close(game)

    assert earned == [1000, 500, 1000, 1000]  # no bonus after either break
    assert db.session.get_one(LivePlayer, ada.id, populate_existing=True).streak == 1
