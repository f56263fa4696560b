"""Attempt operations under concurrent requests: one submit wins, one attempt is numbered once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, User
from quizapp.quizzes.operations import attempt_state, start_attempt, submit_attempt


def make_user(app, username: str = "ada") -> int:
    with app.app_context():
        user = User(username=username, display_name=username.title())
        user.set_password("a long password")
        db.session.add(user)
        db.session.commit()
        return user.id


def run_together(app, work, count: int = 2) -> list:
    """Run ``work()`` in ``count`` threads released at the same moment, each in its own app context."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            results[i] = work()
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_submits_of_one_attempt_at_the_same_moment_grade_it_once(app):
    user_id = make_user(app)
    with app.app_context():
        bank = app.extensions["quizapp.banks"].get("every-type")
        attempt_id = start_attempt(db.session.get(User, user_id), bank, bank.quizzes["all"]).id

    outcomes = iter([{0: "Astana"}, {0: "Bishkek"}])
    lock = threading.Lock()

    def submit():
        with lock:
            answers = next(outcomes)
        return submit_attempt(attempt_state(attempt_id), answers)

    assert sorted(run_together(app, submit)) == [False, True]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.score in (0, 1)
        assert attempt.responses[0].answer in ("Astana", "Bishkek")
        assert attempt.score == (1 if attempt.responses[0].answer == "Astana" else 0)


def test_two_starts_at_the_same_moment_give_one_attempt(app):
    user_id = make_user(app)

    def begin():
        bank = app.extensions["quizapp.banks"].get("every-type")
        return start_attempt(db.session.get(User, user_id), bank, bank.quizzes["all"]).id

    first, second = run_together(app, begin)
    assert first == second
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
