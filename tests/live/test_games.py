"""Starting a live game and joining it: who may host, the settings, the questions played, the PIN,
who may join a class game, the nicknames of an open game, and a player's token."""

from __future__ import annotations

import random
import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from quizapp import clock
from quizapp.extensions import bank_registry, db
from quizapp.live import operations as live
from quizapp.live.operations import LiveNotFound, LiveRefused
from quizapp.models import Assignment, Classroom, LiveGame, LivePlayer, User
from tests.live.conftest import START

PLAYED = ["single-q", "multi-q", "tf-q", "text-q", "numeric-q"]


def open_game(host, bank, **settings) -> LiveGame:
    return live.create_game(host, bank, bank.quizzes["all"], None, settings, None)


def class_game(host, bank, class_id: int, counts: bool = False) -> LiveGame:
    db.session.commit()  # end the read transaction: the seed wrote the class from another session
    classroom = db.session.get_one(Classroom, class_id)
    assignment = db.session.scalar(select(Assignment).where(Assignment.classroom_id == class_id))
    return live.create_game(host, bank, bank.quizzes["all"], classroom, {"counts": counts}, assignment)


def account(username: str) -> User:
    db.session.commit()  # end the read transaction: the seed wrote the account from another session
    return db.session.scalars(select(User).where(User.username == username)).one()


def players_in(game: LiveGame) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LivePlayer).where(LivePlayer.game_id == game.id)
    )


# --- starting a game -----------------------------------------------------------------------------


def test_live_mode_plays_the_quizs_single_multi_true_false_text_and_numeric_questions_and_names_the_rest(
    bank,
):
    played, left_out = live.playable(bank.quizzes["all"], bank)

    assert [q.id for q in played] == PLAYED
    assert [q.id for q in left_out] == ["order-q", "match-q"]


def test_a_new_game_waits_in_its_lobby_with_a_six_digit_pin_and_the_played_questions_with_their_keys(
    host, bank, stopped
):
    game = open_game(host, bank)

    assert re.fullmatch(r"[1-9][0-9]{5}", game.pin or "")
    assert (game.state, game.position, game.version) == ("lobby", -1, 0)
    assert [q["id"] for q in game.questions] == PLAYED
    assert game.questions[0]["answer"] == "Astana"  # kept on the server, for grading
    assert game.settings == {"seconds": 20, "auto_advance": False, "streak_bonus": True, "counts": False}
    assert (game.quiz_title, game.bank_sha256) == ("Every type", bank.sha256)
    assert game.created_at == START


def test_a_quiz_that_draws_at_random_draws_from_the_played_questions_and_shuffles_their_choices(host, bank):
    # `review` draws 3 of the 7 questions, shuffled; two of the 7 are never played live.
    games = [
        live.create_game(host, bank, bank.quizzes["review"], None, {}, None, rng=random.Random(seed))  # noqa: S311 - a repeatable draw
        for seed in range(12)
    ]

    assert all(len(game.questions) == 3 for game in games)
    assert {q["type"] for game in games for q in game.questions} == set(live.LIVE_TYPES)
    orders = {tuple(q["choices"]) for game in games for q in game.questions if q["id"] == "single-q"}
    assert len(orders) > 1  # the choices were shuffled, once per game
    assert all(sorted(order) == sorted(bank.questions["single-q"].choices) for order in orders)


@pytest.mark.parametrize("seconds", [4, 241, "20", True, 7.5])
def test_a_question_time_outside_5_to_240_whole_seconds_is_refused(host, bank, seconds):
    with pytest.raises(LiveRefused, match="between 5 and 240 seconds"):
        open_game(host, bank, seconds=seconds)
    assert db.session.scalar(select(func.count()).select_from(LiveGame)) == 0


@pytest.mark.parametrize("seconds", [5, 240])
def test_the_limits_of_the_question_time_are_allowed(host, bank, seconds):
    assert open_game(host, bank, seconds=seconds).settings["seconds"] == seconds


def test_a_quiz_with_no_question_live_mode_plays_is_refused(host, make_bank, ctx):
    make_bank(
        "orders",
        """\
        title: Orders only
        questions:
          - id: o1
            type: order
            prompt: Put in order.
            answer: [One, Two]
        quizzes:
          - id: q
            title: Order quiz
            questions: [o1]
        """,
    )
    bank = bank_registry().get("orders")
    assert bank is not None
    with pytest.raises(LiveRefused, match="no question live mode can play"):
        live.create_game(host, bank, bank.quizzes["q"], None, {}, None)


def test_a_student_cannot_host_a_game(bank, seed, ctx):
    seed.user("ada")
    with pytest.raises(LiveNotFound):
        live.create_game(account("ada"), bank, bank.quizzes["all"], None, {}, None)


def test_an_instructor_hosts_class_games_for_their_own_classes_only(host, bank, seed, app):
    from tests.factories import make_instructor

    make_instructor(app, "other")
    theirs = seed.classroom(instructor="other")

    with pytest.raises(LiveRefused, match="your own classes"):
        class_game(host, bank, theirs)


def test_a_game_counts_in_the_gradebook_only_for_a_class_that_has_the_quiz_set(host, bank, seed):
    with_quiz = seed.classroom()
    without = seed.classroom(name="Other", quizzes=())
    db.session.commit()
    stray = db.session.scalar(select(Assignment).where(Assignment.classroom_id == with_quiz))

    with pytest.raises(LiveRefused, match="counts in the gradebook only"):
        live.create_game(host, bank, bank.quizzes["all"], None, {"counts": True}, stray)
    with pytest.raises(LiveRefused, match="counts in the gradebook only"):
        live.create_game(
            host, bank, bank.quizzes["all"], db.session.get(Classroom, without), {"counts": True}, stray
        )
    counted = class_game(host, bank, with_quiz, counts=True)
    assert (counted.assignment_id, counted.settings["counts"]) == (stray.id, True)
    uncounted = class_game(host, bank, with_quiz, counts=False)
    assert uncounted.assignment_id is None


def test_the_host_finds_their_game_and_nobody_else_does(host, bank, app):
    from tests.factories import make_instructor

    game = open_game(host, bank)
    make_instructor(app, "other")

    assert live.host_game(host, game.id).id == game.id
    with pytest.raises(LiveNotFound):
        live.host_game(account("other"), game.id)
    with pytest.raises(LiveNotFound):
        live.host_game(host, game.id + 1)


def test_a_game_is_found_by_its_pin_as_people_type_it(host, bank):
    game = open_game(host, bank)
    pin = game.pin or ""

    assert live.game_by_pin(pin).id == game.id
    assert live.game_by_pin(f" {pin[:3]} {pin[3:]} ").id == game.id
    assert live.game_by_pin("12345") is None
    assert live.game_by_pin("abcdef") is None
    other = "100000" if pin != "100000" else "100001"
    assert live.game_by_pin(other) is None


# --- class games ---------------------------------------------------------------------------------


def test_a_class_game_takes_its_students_under_their_names_and_refuses_everyone_else(host, bank, seed):
    ada, _bob = seed.user("ada", "Ada Lovelace"), seed.user("bob")
    game = class_game(host, bank, seed.classroom(students=(ada,)))

    player = live.join(game, account("ada"), "ignored nickname", START)
    assert (player.nickname, player.user_id) == ("Ada Lovelace", ada)

    with pytest.raises(LiveRefused, match="for the students of Eurasian History, and you are not one"):
        live.join(game, account("bob"), None, START)
    with pytest.raises(LiveRefused, match="log in to join it"):
        live.join(game, None, "Bob", START)
    assert players_in(game) == 1


def test_a_student_who_joins_again_gets_their_own_player_back(host, bank, seed):
    ada = seed.user("ada")
    game = class_game(host, bank, seed.classroom(students=(ada,)))
    first = live.join(game, account("ada"), None, START)

    again = live.join(game, account("ada"), None, START)

    assert again.id == first.id
    assert players_in(game) == 1


def test_two_students_with_one_name_both_play(host, bank, seed):
    ada, other = seed.user("ada", "Ada"), seed.user("ada2", "Ada")
    game = class_game(host, bank, seed.classroom(students=(ada, other)))

    assert live.join(game, account("ada"), None, START).id != live.join(game, account("ada2"), None, START).id


def test_a_long_name_is_shortened_to_twenty_characters_on_the_board(host, bank, seed):
    ada = seed.user("ada", "Augusta Ada King, Countess of Lovelace")
    game = class_game(host, bank, seed.classroom(students=(ada,)))

    assert live.join(game, account("ada"), None, START).nickname == "Augusta Ada King, C…"


# --- open games: nicknames -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Choose a nickname"),
        ("   ", "Choose a nickname"),
        (None, "Choose a nickname"),
        ("x" * 21, "20 characters or fewer"),
        ("Ada\x07", "does not show"),
        ("Ad\ta", "does not show"),
        ("A\u200bda", "does not show"),  # a zero-width space
        ("\u202eadA", "does not show"),  # right-to-left override
    ],
)
def test_a_nickname_that_is_empty_too_long_or_holds_hidden_characters_is_refused(host, bank, typed, message):
    game = open_game(host, bank)

    with pytest.raises(LiveRefused, match=message):
        live.join(game, None, typed, START)
    assert players_in(game) == 0
    assert live.join(game, None, "Ada", START).nickname == "Ada"  # the next try goes through


def test_a_nickname_of_twenty_characters_with_spaces_around_it_is_taken_trimmed(host, bank):
    game = open_game(host, bank)

    assert live.join(game, None, "  " + "y" * 20 + "  ", START).nickname == "y" * 20
    assert live.join(game, None, "Ada   Byron", START).nickname == "Ada Byron"


@pytest.mark.parametrize(
    "typed",
    ["Badword", "BADWORD", "bádwörd", "The Badword 7", "x-BADWORD-x", "TheBadWordKid", "ｂａｄｗｏｒｄ"],
)
def test_a_blocklisted_word_in_any_case_or_accents_is_refused_as_a_word_or_inside_a_nickname_of_letters(
    app, host, bank, typed
):
    app.config["LIVE_NICKNAME_BLOCKLIST"] = ["badword"]
    game = open_game(host, bank)

    with pytest.raises(LiveRefused, match="not allowed"):
        live.join(game, None, typed, START)
    assert players_in(game) == 0


def test_a_blocklisted_word_inside_a_longer_word_of_a_nickname_with_spaces_is_allowed(app, host, bank):
    app.config["LIVE_NICKNAME_BLOCKLIST"] = ["ass"]
    game = open_game(host, bank)

    assert live.join(game, None, "Class act 7", START).nickname == "Class act 7"
    with pytest.raises(LiveRefused, match="not allowed"):
        live.join(game, None, "Cassandra", START)  # letters only: matched inside, as configured


def test_the_default_blocklist_is_in_force(host, bank):
    game = open_game(host, bank)

    with pytest.raises(LiveRefused, match="not allowed"):
        live.join(game, None, "SHIT happens", START)


@pytest.mark.parametrize("typed", ["ADA", "ada", "Ａｄａ", " Ada "])
def test_a_nickname_taken_in_the_game_in_another_case_or_width_is_refused_with_whose_it_is(host, bank, typed):
    game = open_game(host, bank)
    live.join(game, None, "Ada", START)

    with pytest.raises(LiveRefused, match="already plays as Ada: choose another nickname"):
        live.join(game, None, typed, START)
    assert players_in(game) == 1


def test_one_nickname_may_play_in_two_games(host, bank):
    first, second = open_game(host, bank), open_game(host, bank)

    assert live.join(first, None, "Ada", START).game_id == first.id
    assert live.join(second, None, "Ada", START).game_id == second.id


def test_a_signed_in_player_of_an_open_game_gets_their_player_back_whatever_nickname_they_type(
    host, bank, seed
):
    ada = seed.user("ada")
    game = open_game(host, bank)

    first = live.join(game, account("ada"), "Countess", START)
    again = live.join(game, account("ada"), "Another", START)

    assert (again.id, again.nickname, again.user_id) == (first.id, "Countess", ada)


def test_players_join_mid_game_but_not_once_it_is_over(host, bank, stopped):
    game = open_game(host, bank)
    live.join(game, None, "Ada", START)
    game = live.advance(game, game.version, clock.now())

    assert live.join(game, None, "Late Bob", clock.now()).nickname == "Late Bob"
    while game.state != "podium":
        game = live.advance(game, game.version, clock.now())
    with pytest.raises(LiveRefused, match="over"):
        live.join(game, None, "Cy", clock.now())


# --- tokens --------------------------------------------------------------------------------------


def test_a_players_token_brings_back_the_same_player(host, bank):
    game = open_game(host, bank)
    player = live.join(game, None, "Ada", START)

    assert live.player_from_token(live.player_token(player)).id == player.id


def test_a_forged_or_altered_token_brings_back_nobody(app, host, bank):
    game = open_game(host, bank)
    player = live.join(game, None, "Ada", START)
    token = live.player_token(player)
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="something-else")
    other_key = URLSafeSerializer("not the key", salt=live.TOKEN_SALT)

    assert live.player_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert live.player_from_token(other_salt.dumps({"player": player.id, "game": game.id})) is None
    assert live.player_from_token(other_key.dumps({"player": player.id, "game": game.id})) is None
    assert live.player_from_token("") is None


def test_a_token_still_works_after_the_secret_key_is_rotated(app, host, bank):
    game = open_game(host, bank)
    player = live.join(game, None, "Ada", START)
    token = live.player_token(player)

    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "a new key"  # noqa: S105 - a test key

    assert live.player_from_token(token).id == player.id
