"""A live game's course: the host advancing it from the version they saw, questions closing when
their time is up (once, and after a restart too), the count of answers, kicking, and the board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp import clock
from quizapp.extensions import db
from quizapp.live import operations as live
from quizapp.live.operations import LiveRefused
from quizapp.models import LiveGame, LivePlayer, User
from tests.live.conftest import START


def new_game(host, bank, *nicknames: str, **settings) -> tuple[LiveGame, list[LivePlayer]]:
    game = live.create_game(host, bank, bank.quizzes["all"], None, settings, None)
    return game, [live.join(game, None, name, clock.now()) for name in nicknames]


def state_of(game_id: int) -> tuple[str, int, int]:
    game = db.session.get_one(LiveGame, game_id, populate_existing=True)
    return game.state, game.position, game.version


def test_the_host_takes_the_game_from_the_lobby_through_each_question_and_its_reveal_to_the_podium_and_the_end(
    host, bank, stopped
):
    game, _ = new_game(host, bank, "Ada")
    seen = []
    while game.state != "finished":
        game = live.advance(game, game.version, clock.now())
        seen.append((game.state, game.position))

    assert seen == [
        *[step for position in range(5) for step in (("question", position), ("reveal", position))],
        ("podium", 4),
        ("finished", 4),
    ]
    assert game.version == len(seen)
    assert (game.pin, game.finished_at) == (None, START)
    with pytest.raises(LiveRefused, match="over"):
        live.advance(game, game.version, clock.now())


def test_a_question_opens_for_the_games_seconds_by_the_servers_clock(host, bank, stopped):
    game, _ = new_game(host, bank, "Ada", seconds=30)
    stopped.tick(7)

    game = live.advance(game, game.version, clock.now())

    assert (game.opened_at, game.closes_at) == (clock.now(), clock.now() + timedelta(seconds=30))


def test_a_host_screen_that_saw_an_older_version_changes_nothing(host, bank, stopped):
    game, _ = new_game(host, bank, "Ada")
    seen = game.version
    live.advance(game, seen, clock.now())  # the first tab opens question 1

    with pytest.raises(LiveRefused, match="moved on"):
        live.advance(game, seen, clock.now())  # the second tab, on the lobby still

    assert state_of(game.id) == ("question", 0, seen + 1)


def test_close_due_closes_the_questions_whose_time_is_up_and_only_those(host, bank, stopped):
    short, _ = new_game(host, bank, "Ada", seconds=5)
    long, _ = new_game(host, bank, "Ada", seconds=60)
    lobby, _ = new_game(host, bank, "Ada", seconds=5)
    live.advance(short, short.version, clock.now())
    live.advance(long, long.version, clock.now())

    stopped.tick(4.999)
    assert live.close_due(clock.now()) == []
    stopped.tick(0.001)
    assert live.close_due(clock.now()) == [short.id]

    assert state_of(short.id)[0] == "reveal"
    assert state_of(long.id)[0] == "question"
    assert state_of(lobby.id)[0] == "lobby"


def test_closing_twice_changes_nothing(host, bank, stopped):
    game, [ada] = new_game(host, bank, "Ada", seconds=5)
    live.advance(game, game.version, clock.now())
    live.answer(ada, 0, 0, clock.now())
    stopped.tick(6)
    assert live.close_due(clock.now()) == [game.id]
    after_first = state_of(game.id), db.session.get_one(LivePlayer, ada.id, populate_existing=True).score

    assert live.close_due(clock.now()) == []

    assert (
        state_of(game.id),
        db.session.get_one(LivePlayer, ada.id, populate_existing=True).score,
    ) == after_first
    assert after_first[1] == 1000


def test_a_game_resumes_from_its_open_question_after_a_restart(app, another_app, host, bank, stopped):
    game, [ada] = new_game(host, bank, "Ada", seconds=10)
    game = live.advance(game, game.version, clock.now())
    live.answer(ada, 0, 0, clock.now())
    token = live.player_token(ada)
    game_id = game.id
    db.session.remove()
    stopped.tick(30)  # the server was down while the question's time ran out

    restarted = another_app()
    with restarted.app_context():
        assert live.close_due(clock.now()) == [game_id]  # as every process does at its start
        player = live.player_from_token(token)
        assert player is not None
        resumed = db.session.get_one(LiveGame, game_id)
        view = live.player_view(resumed, player)
        assert (view["state"], view["score"], view["result"]["outcome"]) == ("reveal", 1000, "correct")
        resumed = live.advance(resumed, resumed.version, clock.now())
        assert (resumed.state, resumed.position) == ("question", 1)
        assert live.answer(player, 1, [0, 1], clock.now()).outcome == "correct"


def counted(game: LiveGame) -> tuple[tuple[int, int], tuple[int, int], bool]:
    """The answer count the host's screen opens with, the one its ticks send, and whether everyone answered."""
    tally = live.tally(game.id)
    assert tally is not None
    return live.answer_count(game), (tally.answered, tally.playing), tally.all_answered


def test_the_answer_count_counts_the_players_still_in_the_game(host, bank, stopped):
    game, [ada, bob, cy] = new_game(host, bank, "Ada", "Bob", "Cy")
    game = live.advance(game, game.version, clock.now())
    assert counted(game) == ((0, 3), (0, 3), False)

    live.answer(ada, 0, 0, clock.now())
    live.answer(bob, 0, 1, clock.now())
    assert counted(game) == ((2, 3), (2, 3), False)

    live.kick(game, cy.id)
    assert counted(game) == ((2, 2), (2, 2), True)


def test_the_tally_reads_where_the_game_is_and_nothing_of_a_game_that_is_not(host, bank, stopped):
    game, _ = new_game(host, bank, "Ada", auto_advance=True)
    assert live.tally(game.id) == live.Tally("lobby", -1, game.version, True, 0, 1)
    game = live.advance(game, game.version, clock.now())
    assert live.tally(game.id) == live.Tally("question", 0, game.version, True, 0, 1)
    assert live.tally(game.id + 1) is None


def test_a_game_without_players_never_has_everyone_answered(host, bank, stopped):
    game, _ = new_game(host, bank)
    game = live.advance(game, game.version, clock.now())

    assert counted(game) == ((0, 0), (0, 0), False)


def test_a_kicked_player_leaves_the_board_loses_their_token_and_cannot_join_again(host, bank, seed, stopped):
    seed.user("ada")
    db.session.commit()
    ada_account = db.session.scalars(select(User).where(User.username == "ada")).one()
    game, [bob] = new_game(host, bank, "Bob")
    ada = live.join(game, ada_account, "Ada", clock.now())
    token = live.player_token(ada)

    live.kick(game, ada.id)

    assert [p["nickname"] for p in live.players(game)] == ["Bob"]
    assert [row["nickname"] for row in live.leaderboard(game)] == ["Bob"]
    assert live.player_from_token(token) is None
    with pytest.raises(LiveRefused, match="took you out"):
        live.join(game, ada_account, "Ada again", clock.now())
    assert live.player_from_token(live.player_token(bob)) is not None


def test_only_a_player_of_the_game_can_be_kicked_from_it(host, bank, stopped):
    game, [_ada] = new_game(host, bank, "Ada")
    other, [bob] = new_game(host, bank, "Bob")

    with pytest.raises(LiveRefused, match="not in this game"):
        live.kick(game, bob.id)
    with pytest.raises(LiveRefused, match="not in this game"):
        live.kick(game, 999)
    assert live.player_from_token(live.player_token(bob)) is not None


def test_the_board_ranks_by_score_with_equal_scores_sharing_a_place(host, bank, stopped):
    game, [ada, bob, cy, dee] = new_game(host, bank, "Ada", "Bob", "Cy", "Dee")
    game = live.advance(game, game.version, clock.now())
    live.answer(bob, 0, 0, clock.now())
    live.answer(cy, 0, 0, clock.now())
    stopped.tick(10)
    live.answer(dee, 0, 0, clock.now())
    live.answer(ada, 0, 1, clock.now())
    game = live.advance(game, game.version, clock.now())

    assert live.leaderboard(game, 3) == [
        {"rank": 1, "id": bob.id, "nickname": "Bob", "score": 1000},
        {"rank": 1, "id": cy.id, "nickname": "Cy", "score": 1000},
        {"rank": 3, "id": dee.id, "nickname": "Dee", "score": 750},
    ]
    assert live.ranks(game) == {bob.id: (1, 1000), cy.id: (1, 1000), dee.id: (3, 750), ada.id: (4, 0)}


def test_each_phone_shows_the_place_the_board_gives_equal_scores_sharing_one(host, bank, stopped):
    game, [ada, bob, cy] = new_game(host, bank, "Ada", "Bob", "Cy")
    game = live.advance(game, game.version, clock.now())
    live.answer(ada, 0, 0, clock.now())
    live.answer(bob, 0, 0, clock.now())
    live.answer(cy, 0, 1, clock.now())
    game = live.advance(game, game.version, clock.now())
    board = live.ranks(game)
    assert sorted(rank for rank, _ in board.values()) == [1, 1, 3]

    views = [live.player_view(game, player) for player in (ada, bob, cy)]
    assert [(v["rank"], v["score"], v["players"]) for v in views] == [
        (board[p.id][0], board[p.id][1], 3) for p in (ada, bob, cy)
    ]
    live.kick(game, ada.id)
    db.session.refresh(ada)
    assert (live.player_view(game, ada)["rank"], live.player_view(game, cy)["players"]) == (None, 2)
