"""Live games under races, through two hosts on one database: two host screens pressing "next" at
once move the game one step, and answers arriving while their question closes are either counted in
the scores or kept as late, never lost between the two."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from quizapp import clock
from quizapp.extensions import db
from quizapp.live import operations as live
from quizapp.live.operations import LiveRefused
from quizapp.models import LiveAnswer, LiveGame, LivePlayer, User


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, each in a thread of its own; what each returned or raised."""
    ready = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        ready.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def on(host: Flask, work: Callable[[], object]) -> Callable[[], object]:
    """``work`` as a request on ``host`` runs it: in an app context of its own."""

    def call() -> object:
        with host.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    return call


def test_two_host_screens_pressing_next_at_once_move_the_game_one_step(app, another_app, host, bank, stopped):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    live.join(game, None, "Ada", clock.now())
    game_id, seen = game.id, game.version
    db.session.remove()

    def next_from(version: int) -> object:
        found = db.session.get_one(LiveGame, game_id)
        return live.advance(found, version, clock.now()).state

    results = at_once(on(app, lambda: next_from(seen)), on(another_app(), lambda: next_from(seen)))

    assert sorted(map(type, results), key=str) == sorted([str, LiveRefused], key=str)
    assert "question" in results
    game = db.session.get_one(LiveGame, game_id)
    assert (game.state, game.position, game.version) == ("question", 0, seen + 1)


def test_answers_arriving_as_their_question_closes_are_counted_or_late_and_none_is_lost(
    app, another_app, host, bank, stopped
):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    players = [live.join(game, None, f"P{i}", clock.now()).id for i in range(12)]
    game = live.advance(game, game.version, clock.now())
    game_id, version = game.id, game.version
    db.session.remove()
    second = another_app()

    def answer(player_id: int) -> object:
        return live.answer(db.session.get_one(LivePlayer, player_id), 0, 0, clock.now()).outcome

    def close() -> object:
        return live.advance(db.session.get_one(LiveGame, game_id), version, clock.now()).state

    hosts = [app, second]
    results = at_once(
        on(second, close), *(on(hosts[i % 2], lambda p=p: answer(p)) for i, p in enumerate(players))
    )

    assert results[0] == "reveal"
    assert set(results[1:]) <= {"correct", "late"}
    db.session.commit()
    counted = db.session.scalar(select(func.sum(LiveAnswer.points)).where(LiveAnswer.outcome == "correct"))
    scores = db.session.scalar(select(func.sum(LivePlayer.score)))
    assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == len(players)
    assert (scores or 0) == (counted or 0)


def test_two_phones_taking_one_nickname_at_once_make_one_player_and_the_other_is_told(
    app, another_app, host, bank, stopped
):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    game_id = game.id
    db.session.remove()

    def join(nickname: str) -> object:
        return live.join(db.session.get_one(LiveGame, game_id), None, nickname, clock.now()).id

    results = at_once(on(app, lambda: join("Ada")), on(another_app(), lambda: join("ADA")))

    assert sorted(type(r).__name__ for r in results) == ["LiveRefused", "int"]
    assert "already plays as" in str(next(r for r in results if isinstance(r, LiveRefused)))
    assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == 1


def test_one_student_joining_from_two_tabs_at_once_is_one_player(app, another_app, host, bank, seed, stopped):
    seed.user("ada")
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    game_id = game.id
    db.session.remove()

    def join() -> object:
        ada = db.session.scalars(select(User).where(User.username == "ada")).one()
        return live.join(db.session.get_one(LiveGame, game_id), ada, "Ada", clock.now()).id

    results = at_once(on(app, join), on(another_app(), join))

    assert results[0] == results[1]
    assert isinstance(results[0], int)
    assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == 1
