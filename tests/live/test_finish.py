"""The record of a finished game: a counted class game's attempts in the gradebook, missed questions
in the players' flashcard queues, and the results as a CSV file."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from quizapp import clock
from quizapp.extensions import db
from quizapp.grades.exports import write_csv
from quizapp.live import operations as live
from quizapp.live.operations import LiveRefused
from quizapp.models import Assignment, Attempt, CardState, Classroom, LiveGame, LivePlayer, User
from tests.factories import login, table_rows, text

#: Right answers to the five questions played, as phones send them, in the order played.
RIGHT = [0, [0, 1], True, "Zyxwvuts", "98765.4"]
PLAYED = ["single-q", "multi-q", "tf-q", "text-q", "numeric-q"]


def account(username: str) -> User:
    db.session.commit()  # end the read transaction: the seed wrote the account from another session
    return db.session.scalars(select(User).where(User.username == username)).one()


def class_game(host, bank, class_id: int, counts: bool) -> LiveGame:
    db.session.commit()  # the seed wrote the class from another session
    classroom = db.session.get_one(Classroom, class_id)
    assignment = db.session.scalar(select(Assignment).where(Assignment.classroom_id == class_id))
    return live.create_game(host, bank, bank.quizzes["all"], classroom, {"counts": counts}, assignment)


def play(game: LiveGame, answers: dict[LivePlayer, dict[int, object]]) -> LiveGame:
    """Play the game to its end: at each question, each player sends the answer given for it."""
    game = live.advance(game, game.version, clock.now())
    for position in range(len(game.questions)):
        for player, theirs in answers.items():
            if position in theirs:
                live.answer(player, position, theirs[position], clock.now())
        game = live.advance(game, game.version, clock.now())  # reveal
        game = live.advance(game, game.version, clock.now())  # next question, or the podium
    assert game.state == "podium"
    return live.finish(game, clock.now())


def attempts() -> list[Attempt]:
    db.session.commit()
    return list(db.session.scalars(select(Attempt).order_by(Attempt.user_id)))


def queued(user_id: int) -> set[str]:
    db.session.commit()
    return set(
        db.session.scalars(
            select(CardState.card_id).where(CardState.user_id == user_id, CardState.origin == "missed")
        )
    )


def test_a_counted_class_game_adds_one_submitted_attempt_per_player_to_the_class_gradebook(
    app, client, host, bank, seed, stopped
):
    ada, bob, cy = seed.user("ada"), seed.user("bob"), seed.user("cy")
    class_id = seed.classroom(students=(ada, bob, cy))
    game = class_game(host, bank, class_id, counts=True)
    ada_player = live.join(game, account("ada"), None, clock.now())
    bob_player = live.join(game, account("bob"), None, clock.now())

    play(
        game,
        {
            ada_player: dict(enumerate(RIGHT)),
            bob_player: {0: 0, 1: [0], 2: False},  # right, half right, wrong, then nothing
        },
    )

    made = attempts()
    assert [(a.user_id, a.score, a.max_score, a.submitted, a.assignment_id) for a in made] == [
        (ada, 5.0, 5.0, True, game.assignment_id),
        (bob, 1.5, 5.0, True, game.assignment_id),
    ]
    assert [r.outcome for r in made[1].responses] == [
        "correct",
        "partial",
        "wrong",
        "unanswered",
        "unanswered",
    ]
    assert [r.question_id for r in made[0].responses] == PLAYED
    assert made[0].quiz_title == "Every type"

    assert login(client, "prof").status_code == 302
    rows = table_rows(text(client.get(f"/teach/classes/{class_id}/gradebook")))
    assert [row[:2] for row in rows] == [
        ["Ada ada", "100% (1 attempt)"],
        ["Bob bob", "30% (1 attempt)"],
        ["Cy cy", ""],
    ]


def test_a_late_answer_counts_as_unanswered_in_the_attempt(host, bank, seed, stopped):
    ada = seed.user("ada")
    game = class_game(host, bank, seed.classroom(students=(ada,)), counts=True)
    player = live.join(game, account("ada"), None, clock.now())
    game = live.advance(game, game.version, clock.now())
    stopped.tick(21)
    assert live.answer(player, 0, 0, clock.now()).outcome == "late"
    while game.state != "podium":
        game = live.advance(game, game.version, clock.now())

    live.finish(game, clock.now())

    [attempt] = attempts()
    assert (attempt.responses[0].outcome, attempt.responses[0].answer, attempt.score) == (
        "unanswered",
        None,
        0,
    )


def test_a_kicked_player_gets_no_attempt(host, bank, seed, stopped):
    ada, bob = seed.user("ada"), seed.user("bob")
    game = class_game(host, bank, seed.classroom(students=(ada, bob)), counts=True)
    live.join(game, account("ada"), None, clock.now())
    bob_player = live.join(game, account("bob"), None, clock.now())
    live.kick(game, bob_player.id)

    play(game, {})

    assert [a.user_id for a in attempts()] == [ada]


def test_a_class_game_that_does_not_count_adds_no_attempt(host, bank, seed, stopped):
    ada = seed.user("ada")
    game = class_game(host, bank, seed.classroom(students=(ada,)), counts=False)
    player = live.join(game, account("ada"), None, clock.now())

    play(game, {player: dict(enumerate(RIGHT))})

    assert attempts() == []


def test_an_open_game_adds_no_attempt_even_for_players_with_accounts(host, bank, seed, stopped):
    seed.user("ada")
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    player = live.join(game, account("ada"), "Ada", clock.now())

    play(game, {player: dict(enumerate(RIGHT))})

    assert attempts() == []


def test_missed_questions_go_to_the_flashcard_queue_of_players_with_accounts(host, bank, seed, stopped):
    ada, bob = seed.user("ada"), seed.user("bob")
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    ada_player = live.join(game, account("ada"), "Ada", clock.now())
    bob_player = live.join(game, account("bob"), "Bob", clock.now())
    anonymous = live.join(game, None, "Cy", clock.now())

    play(
        game,
        {
            ada_player: {0: 0, 1: [0], 2: False, 4: "98765.4"},  # right, partial, wrong, none, right
            bob_player: dict(enumerate(RIGHT)),
            anonymous: {0: 1},
        },
    )

    assert queued(ada) == {"multi-q", "tf-q", "text-q"}
    assert queued(bob) == set()
    db.session.commit()
    assert db.session.scalars(select(CardState.user_id).distinct()).all() == [ada]


def test_a_player_who_joined_late_is_not_sent_the_questions_shown_before_they_joined(
    host, bank, seed, stopped
):
    ada = seed.user("ada")
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    game = live.advance(game, game.version, clock.now())
    game = live.advance(game, game.version, clock.now())
    game = live.advance(game, game.version, clock.now())  # the second question open
    player = live.join(game, account("ada"), "Ada", clock.now())
    live.answer(player, 1, [0, 1], clock.now())
    while game.state != "podium":
        game = live.advance(game, game.version, clock.now())

    live.finish(game, clock.now())

    assert queued(ada) == {"tf-q", "text-q", "numeric-q"}  # not single-q, shown before they came


def test_a_class_game_records_misses_whether_it_counts_or_not(host, bank, seed, stopped):
    ada = seed.user("ada")
    game = class_game(host, bank, seed.classroom(students=(ada,)), counts=False)
    player = live.join(game, account("ada"), None, clock.now())

    play(game, {player: {0: 1, 1: [0, 1], 2: True, 3: "Zyxwvuts", 4: 1}})

    assert queued(ada) == {"single-q", "numeric-q"}


def test_a_game_ends_from_its_podium_only_and_frees_its_pin(host, bank, stopped):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    with pytest.raises(LiveRefused, match="from its podium"):
        live.finish(game, clock.now())
    pin = game.pin

    game = play(game, {})

    assert (game.state, game.pin) == ("finished", None)
    assert live.game_by_pin(pin or "") is None


# --- the results file ----------------------------------------------------------------------------


def test_the_results_file_has_a_row_per_player_and_question_numbers_as_numbers_and_nicknames_made_inert(
    host, bank, seed, stopped
):
    seed.user("ada")
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    formula = live.join(game, None, "=1+1", clock.now())
    ada = live.join(game, account("ada"), "Ada", clock.now())
    game = live.advance(game, game.version, clock.now())
    stopped.tick(10)
    live.answer(ada, 0, 0, clock.now())
    live.answer(formula, 0, 1, clock.now())
    game = live.advance(game, game.version, clock.now())
    game = live.advance(game, game.version, clock.now())
    live.answer(formula, 1, [0, 1], clock.now())

    data = b"".join(write_csv(live.results_table(game))).decode()
    rows = list(csv.reader(io.StringIO(data)))

    assert rows[0] == [
        "Rank",
        "Nickname",
        "Username",
        "Score",
        "Question",
        "Question id",
        "Prompt",
        "Answer",
        "Outcome",
        "Points",
        "Seconds",
    ]
    # The questions opened so far (two of five), each player's row for each.
    assert len(rows) == 1 + 2 * 2
    assert rows[1] == [
        "1",
        "Ada",
        "ada",
        "750",
        "1",
        "single-q",
        "Pick the capital of Kazakhstan.",
        "Astana",
        "correct",
        "750",
        "10.0",
    ]
    assert rows[2][7:] == ["", "none", "0", ""]
    assert rows[3][:5] == ["2", "'=1+1", "", "0", "1"]
    assert rows[3][7:10] == ["Bishkek", "wrong", "0"]
    # the open question's answer is in the record, its points not yet in the score
    assert rows[4][7:10] == ["Russia; Belarus", "correct", "1000"]


# -- ending early: the bell rings, or the host leaves ----------------------------------------------


def test_a_game_called_off_in_its_lobby_frees_its_pin_and_records_nothing(host, bank, seed, stopped):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    game = class_game(host, bank, class_id, counts=True)
    live.join(game, account("ada"), None, clock.now())
    pin = game.pin

    game = live.end(game, game.version, clock.now())

    assert (game.state, game.pin, game.finished_at) == ("finished", None, clock.now())
    assert live.game_by_pin(pin) is None
    assert attempts() == []
    assert queued(ada) == set()


def test_a_game_ended_after_two_questions_records_those_two_alone(host, bank, seed, stopped):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    game = class_game(host, bank, class_id, counts=True)
    player = live.join(game, account("ada"), None, clock.now())
    game = live.advance(game, game.version, clock.now())
    live.answer(player, 0, RIGHT[0], clock.now())
    game = live.advance(game, game.version, clock.now())  # reveal 1
    game = live.advance(game, game.version, clock.now())  # question 2
    live.answer(player, 1, [0], clock.now())  # half right
    game = live.advance(game, game.version, clock.now())  # reveal 2

    game = live.end(game, game.version, clock.now())
    assert game.state == "podium"
    assert [row["position"] for row in live.summary(game)] == [0, 1]
    game = live.finish(game, clock.now())

    [attempt] = attempts()
    assert [r.question_id for r in attempt.responses] == PLAYED[:2]
    assert attempt.max_score == 2
    assert attempt.score == 1.5
    assert queued(ada) == {"multi-q"}  # the questions never played are not "missed"
    assert len(list(csv.reader(io.StringIO(b"".join(write_csv(live.results_table(game))).decode())))) == 1 + 2


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        (1, "Close the question first: its answers are still arriving."),
        (11, "The game is at its podium: finish it to keep its results."),
        (12, "This game is over."),
    ],
    ids=["question-open", "podium", "finished"],
)
def test_a_game_is_ended_early_only_from_its_lobby_or_a_reveal(host, bank, stopped, moves, message):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    for _ in range(moves):
        game = live.advance(game, game.version, clock.now())
    before = game.version

    with pytest.raises(LiveRefused, match=message):
        live.end(game, game.version, clock.now())

    db.session.refresh(game)
    assert game.version == before


def test_ending_a_game_another_window_moved_on_is_refused(host, bank, stopped):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    seen = game.version
    live.advance(game, seen, clock.now())

    with pytest.raises(LiveRefused, match="The game has moved on"):
        live.end(game, seen, clock.now())


def test_games_left_untouched_for_hours_are_ended_keeping_what_was_played(host, bank, seed, stopped):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    lobby = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    midway = class_game(host, bank, class_id, counts=True)
    player = live.join(midway, account("ada"), None, clock.now())
    midway = live.advance(midway, midway.version, clock.now())
    live.answer(player, 0, RIGHT[0], clock.now())
    midway = live.advance(midway, midway.version, clock.now())  # reveal 1, and the host leaves
    stopped.tick(11 * 3600)
    recent = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    pins = {lobby.pin, midway.pin}

    assert live.end_abandoned(clock.now(), hours=12) == []
    stopped.tick(3600 + 1)
    assert sorted(live.end_abandoned(clock.now(), hours=12)) == sorted([lobby.id, midway.id])

    db.session.commit()
    states = {g.id: (g.state, g.pin) for g in db.session.scalars(select(LiveGame))}
    assert states[lobby.id] == states[midway.id] == ("finished", None)
    assert states[recent.id] == ("lobby", recent.pin)
    assert all(live.game_by_pin(pin) is None for pin in pins)
    [attempt] = attempts()  # the class game's one question, as played
    assert ([r.question_id for r in attempt.responses], attempt.score) == (["single-q"], 1)
    assert live.end_abandoned(clock.now(), hours=12) == []
