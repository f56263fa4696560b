"""What one live join and one live answer cost the server, in process: 300 phones (Socket.IO test
clients) join an open game of the shipped bank and answer its first question, on SQLite, the app
made as the tests make it. Prints the CPU milliseconds and SQL statements per join and per answer
(the statements the answer's count to the host costs included, whenever they run).

    .venv/bin/python bench/live_cost.py [--players 300] [--auto-advance] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import tempfile
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import event, select

from quizapp import create_app
from quizapp.extensions import bank_registry, db, live_socketio
from quizapp.live import events
from quizapp.live import operations as live
from quizapp.models import LiveGame, User

NS = events.NAMESPACE
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account in a throwaway database
ANSWERS = {"single": 0, "multi": [0], "true_false": True, "numeric": "1", "text": "x"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=300)
    parser.add_argument("--auto-advance", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print the answers' top functions")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="live-cost-"))
    config = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "PASSWORD_HASH": "pbkdf2:sha256:1",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
        "BANKS_DIR": str(Path(__file__).resolve().parent.parent / "questions"),
        "LIVE_SWEEP_SECONDS": 0,
        "LIVE_JOINS_PER_MINUTE": 10**6,
        "LIVE_ANSWERS_PER_MINUTE": 10**6,
    }
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
    result = app.test_cli_runner().invoke(
        args=["users", "create", "prof", "--role", "instructor"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output

    with app.app_context():
        bank = bank_registry().get("csto-2022")
        assert bank is not None
        host = db.session.scalars(select(User).where(User.username == "prof")).one()
        settings = {"seconds": 240, "auto_advance": options.auto_advance, "streak_bonus": True}
        game = live.create_game(host, bank, bank.quizzes["founding"], None, settings, None)
        game_id, pin = game.id, game.pin

    browser = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/login").get_data(as_text=True))
    assert token is not None
    browser.post("/login", data={"csrf_token": token[1], "username": "prof", "password": PASSWORD})
    socketio = live_socketio(app)
    host_screen = socketio.test_client(app, namespace=NS, flask_test_client=browser)
    assert host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)["ok"]

    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)

    phones = [socketio.test_client(app, namespace=NS) for _ in range(options.players)]
    statements = 0
    began = time.process_time()
    tokens = []
    for i, phone in enumerate(phones):
        ack = phone.emit("join", {"pin": pin, "nickname": f"player {i}"}, namespace=NS, callback=True)
        assert ack["ok"], ack
        tokens.append(ack["token"])
    join_cpu, join_statements = time.process_time() - began, statements

    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        game = live.advance(game, game.version, game.created_at)
        events.announce(app, game)
        raw = ANSWERS[game.questions[0]["type"]]
    for phone in phones:
        phone.get_received(NS)
    host_screen.get_received(NS)

    profile = cProfile.Profile() if options.profile else None
    statements = 0
    began = time.process_time()
    if profile:
        profile.enable()
    for phone, token in zip(phones, tokens, strict=True):
        ack = phone.emit(
            "answer", {"token": token, "position": 0, "answer": raw}, namespace=NS, callback=True
        )
        assert ack["ok"], ack
    if profile:
        profile.disable()
    answer_cpu = time.process_time() - began
    # The host's count, wherever it is sent from: let a tick that is due run, and count its statements.
    time.sleep(0.5)
    answer_statements = statements
    counts = [e["args"][0] for e in host_screen.get_received(NS) if e["name"] == "answers"]
    n = options.players
    print(
        f"{n} joins:   {join_cpu / n * 1000:6.2f} ms CPU, {join_statements / n:5.1f} SQL statements per join"
    )
    print(
        f"{n} answers: {answer_cpu / n * 1000:6.2f} ms CPU, {answer_statements / n:5.1f} SQL statements per answer"
    )
    print(f"the host got {len(counts)} answer counts, the last {counts[-1] if counts else None}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
