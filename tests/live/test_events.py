"""A live game played through Socket.IO (Flask-SocketIO's test client): the host's screen and the
players' phones, the server's clock, reconnects, refusals, kicks and the per-connection limits."""

from __future__ import annotations

import json
import threading
import time
from unittest.mock import Mock

from flask import Flask
from sqlalchemy import func, select

from quizapp.extensions import db, live_socketio
from quizapp.live import events
from quizapp.live import operations as live_ops
from quizapp.models import LiveAnswer, LiveGame
from tests.factories import login, logout, make_instructor, register

NS = "/live"
#: The real timers, which the ``timers`` fixture holds instead of starting.
START_TIMER = events.start_timer
#: What a phone must never receive before its question closes: the every-type bank marks each
#: explanation and feedback, and the text and numeric answers are found nowhere else.
SECRETS = ("EXPLANATION-", "FEEDBACK-", "Zyxwvuts", "98765")


def game_row(app: Flask, game_id: int) -> LiveGame:
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        assert game is not None
        db.session.expunge(game)
        return game


def received(socket, name: str) -> list:
    return [event["args"][0] for event in socket.get_received(NS) if event["name"] == name]


def events_of(socket) -> dict[str, list]:
    got: dict[str, list] = {}
    for event in socket.get_received(NS):
        got.setdefault(event["name"], []).append(event["args"][0] if event["args"] else None)
    return got


def right_answer(snapshot: dict):
    """The answer a phone sends to get ``snapshot`` right: indices into the choices as shown, a
    bool, or text."""
    kind = snapshot["type"]
    if kind == "single":
        return snapshot["choices"].index(snapshot["answer"])
    if kind == "multi":
        return [snapshot["choices"].index(choice) for choice in snapshot["answer"]]
    if kind == "true_false":
        return snapshot["answer"]
    if kind == "text":
        return snapshot["answer"][0]
    return str(snapshot["answer"])


def wrong_answer(snapshot: dict):
    kind = snapshot["type"]
    if kind == "single":
        return next(i for i, c in enumerate(snapshot["choices"]) if c != snapshot["answer"])
    if kind == "multi":
        return [next(i for i, c in enumerate(snapshot["choices"]) if c not in snapshot["answer"])]
    if kind == "true_false":
        return not snapshot["answer"]
    if kind == "numeric":
        return "0"
    return "nothing like it"


def next_(app, host, game_id: int) -> dict:
    ack = host.emit(
        "host_next", {"game": game_id, "version": game_row(app, game_id).version}, namespace=NS, callback=True
    )
    assert ack["ok"], ack
    return ack


def join(phone_socket, pin: str, nickname: str) -> dict:
    ack = phone_socket.emit("join", {"pin": pin, "nickname": nickname}, namespace=NS, callback=True)
    assert ack["ok"], ack
    return ack


def answer(phone_socket, token: str, position: int, value) -> dict:
    return phone_socket.emit(
        "answer", {"token": token, "position": position, "answer": value}, namespace=NS, callback=True
    )


def test_a_whole_game_reaches_every_phone_without_its_key_and_scores_by_the_servers_clock(
    live_app, make_game, host_screen, phone, stopped, timers
):
    game_id = make_game()
    pin = game_row(live_app, game_id).pin
    assert host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)["ok"]

    phones = {name: phone() for name in ("Aru", "Bek", "Dana")}
    tokens = {name: join(socket, pin, name)["token"] for name, socket in phones.items()}
    joined = received(host_screen, "players")
    assert [p["nickname"] for update in joined for p in update["players"]] == ["Aru", "Bek", "Dana"]
    assert joined[-1]["count"] == 3

    next_(live_app, host_screen, game_id)  # lobby -> the first question
    game = game_row(live_app, game_id)
    shown = game.questions[0]
    for socket in phones.values():
        got = events_of(socket)
        assert len(got["question"]) == 1
        question = got["question"][0]
        assert question["position"] == 0
        assert question["prompt"] == shown["prompt"]
        sent = json.dumps(got)
        assert not [secret for secret in SECRETS if secret in sent]
        assert "answer" not in question
        assert "explanation" not in question
    assert received(host_screen, "question")[0]["position"] == 0

    stopped.tick(1)
    assert answer(phones["Aru"], tokens["Aru"], 0, right_answer(shown)) == {"ok": True, "received": True}
    timers.count()
    stopped.tick(2)
    assert answer(phones["Bek"], tokens["Bek"], 0, right_answer(shown))["ok"]
    timers.count()
    counts = received(host_screen, "answers")
    assert [(c["answered"], c["total"]) for c in counts] == [(1, 3), (2, 3)]

    stopped.tick(20)  # past the 20 s: Dana's right answer comes too late, and scores nothing
    late = answer(phones["Dana"], tokens["Dana"], 0, right_answer(shown))
    assert late["ok"] is False
    assert late["error"] == "late"
    # Nothing of the key reached a phone while the question was open.
    assert not [s for p in phones.values() for s in SECRETS if s in json.dumps(p.get_received(NS))]

    timers.fire()  # the question's timer: time is up
    reveal = events_of(host_screen)
    assert reveal["closed"] == [{"position": 0}]
    assert len(reveal["reveal"]) == 1
    results = {name: events_of(socket) for name, socket in phones.items()}
    for got in results.values():
        assert got["closed"] == [{"position": 0}]
    aru, bek, dana = (results[name]["result"][0] for name in ("Aru", "Bek", "Dana"))
    assert (aru["outcome"], bek["outcome"], dana["outcome"]) == ("correct", "correct", "late")
    assert aru["points"] > bek["points"] > 0
    assert dana["points"] == 0
    assert (aru["rank"], bek["rank"], dana["rank"]) == (1, 2, 3)
    assert aru["score"] == aru["points"]

    for position in range(1, len(game.questions)):
        next_(live_app, host_screen, game_id)  # reveal -> the next question
        assert received(phones["Aru"], "question")[0]["position"] == position
        next_(live_app, host_screen, game_id)  # the host closes it before its time
        assert received(phones["Aru"], "closed") == [{"position": position}]

    next_(live_app, host_screen, game_id)  # -> the podium
    podium = received(phones["Bek"], "podium")
    assert len(podium) == 1
    assert [p["nickname"] for p in podium[0]["top"]][:2] == ["Aru", "Bek"]
    assert received(host_screen, "podium")


def test_a_phone_that_drops_rejoins_with_its_token_as_the_same_player_with_its_score(
    live_app, make_game, host_screen, phone, stopped, timers
):
    game_id = make_game()
    pin = game_row(live_app, game_id).pin
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    first = phone()
    token = join(first, pin, "Aru")["token"]
    next_(live_app, host_screen, game_id)
    shown = game_row(live_app, game_id).questions[0]
    stopped.tick(1)
    assert answer(first, token, 0, right_answer(shown))["ok"]
    first.disconnect(namespace=NS)

    again = phone()  # the phone woke up: a new connection
    view = again.emit("rejoin", {"token": token}, namespace=NS, callback=True)
    assert view["ok"], view
    # The answer it gave stands, and a second one is refused.
    second = answer(again, token, 0, wrong_answer(shown))
    assert second["ok"] is False
    assert second["error"] != "late"
    received(host_screen, "players")
    timers.fire()
    stopped.tick(30)
    timers.fire()
    next_(live_app, host_screen, game_id)  # closed by the host
    result = received(again, "result")
    assert result
    assert result[0]["outcome"] == "correct"
    assert result[0]["score"] > 0
    # Still one player in the game, not two.
    assert received(host_screen, "players") == []
    assert view["view"] is not None


def test_a_host_screen_that_reloads_gets_the_games_state_back(
    live_app, make_game, host_screen, phone, stopped, timers
):
    game_id = make_game()
    pin = game_row(live_app, game_id).pin
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    join(phone(), pin, "Aru")
    next_(live_app, host_screen, game_id)
    host_screen.disconnect(namespace=NS)

    host_screen.connect(namespace=NS)
    back = host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    assert back["ok"]
    assert back["view"]["state"] == "question"
    assert back["view"]["position"] == 0
    # ... and it is in the host's room again: the next answer count reaches it.
    socket = phone()
    token = join(socket, pin, "Bek")["token"]
    answer(socket, token, 0, 0)
    timers.count()
    assert received(host_screen, "answers")[-1]["answered"] == 1


def test_only_the_games_host_can_drive_it(live_app, make_game, host_screen, phone):
    game_id = make_game()
    version = game_row(live_app, game_id).version
    stranger = phone()  # no login
    refused = stranger.emit("host_next", {"game": game_id, "version": version}, namespace=NS, callback=True)
    assert refused["ok"] is False
    assert "host" in refused["error"]

    student = live_app.test_client()
    register(student, "ada")
    as_student = phone(student)
    for event, data in (
        ("host_join", {"game": game_id}),
        ("host_next", {"game": game_id, "version": version}),
    ):
        refused = as_student.emit(event, data, namespace=NS, callback=True)
        assert refused["ok"] is False, event
    assert received(as_student, "players") == []

    other = live_app.test_client()
    make_instructor(live_app, "mira")
    login(other, "mira")
    refused = phone(other).emit("host_kick", {"game": game_id, "player": 1}, namespace=NS, callback=True)
    assert refused["ok"] is False
    assert game_row(live_app, game_id).state == "lobby"
    assert game_row(live_app, game_id).version == version


def test_a_double_press_or_a_second_host_tab_moves_the_game_once(live_app, make_game, host_screen):
    game_id = make_game()
    version = game_row(live_app, game_id).version
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    first = host_screen.emit("host_next", {"game": game_id, "version": version}, namespace=NS, callback=True)
    again = host_screen.emit("host_next", {"game": game_id, "version": version}, namespace=NS, callback=True)
    assert first["ok"]
    assert again["ok"] is False
    assert game_row(live_app, game_id).position == 0


def test_a_kicked_player_is_told_and_refused_from_then_on(live_app, make_game, host_screen, phone):
    game_id = make_game()
    pin = game_row(live_app, game_id).pin
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    socket = phone()
    joined = join(socket, pin, "Troll")
    player_id = received(host_screen, "players")[0]["players"][0]["id"]

    assert host_screen.emit("host_kick", {"game": game_id, "player": player_id}, namespace=NS, callback=True)[
        "ok"
    ]
    # Told, then cut off (the test client keeps what reached it before the end of its connection).
    assert [event["name"] for event in socket.queue] == ["kicked"]
    assert not socket.is_connected(NS)
    assert received(host_screen, "players")[-1] == {"players": [], "kicked": [player_id], "count": 0}
    next_(live_app, host_screen, game_id)
    assert [event["name"] for event in socket.queue] == ["kicked"]  # no question after it

    for event, data in (
        ("rejoin", {"token": joined["token"]}),
        ("answer", {"token": joined["token"], "position": 0, "answer": 0}),
    ):
        refused = phone().emit(event, data, namespace=NS, callback=True)
        assert refused["ok"] is False, event
        assert "no longer in this game" in refused["error"], event


def test_joins_past_the_limit_are_refused_on_that_connection_only(live_app, make_game, phone):
    live_app.config["LIVE_JOINS_PER_MINUTE"] = 3
    game_id = make_game()
    socket = phone()
    wrong = [
        socket.emit("join", {"pin": "000000", "nickname": f"P{i}"}, namespace=NS, callback=True)
        for i in range(4)
    ]
    assert [ack["error"].startswith("No game has this PIN") for ack in wrong[:3]] == [True] * 3
    assert "Too many tries" in wrong[3]["error"]
    # The next phone in the class is not held back by this one.
    assert join(phone(), game_row(live_app, game_id).pin, "Bek")["ok"]


def test_answers_past_the_limit_are_refused(live_app, make_game, host_screen, phone):
    live_app.config["LIVE_ANSWERS_PER_MINUTE"] = 2
    game_id = make_game()
    socket = phone()
    token = join(socket, game_row(live_app, game_id).pin, "Aru")["token"]
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    next_(live_app, host_screen, game_id)
    acks = [answer(socket, token, 0, 0) for _ in range(3)]
    assert acks[0]["ok"]
    assert acks[1]["ok"] is False
    assert "Too many" not in acks[1]["error"]
    assert "Too many tries" in acks[2]["error"]


def test_malformed_events_are_refused_with_a_message(live_app, make_game, phone):
    make_game()
    socket = phone()
    for event, data in (
        ("join", "123456"),
        ("join", {"pin": 123456}),
        ("rejoin", {}),
        ("answer", {"token": "forged", "position": 0}),
    ):
        refused = socket.emit(event, data, namespace=NS, callback=True)
        assert refused["ok"] is False, event
        assert refused["error"], event


def test_with_auto_advance_the_count_after_the_last_answer_closes_the_question(
    live_app, make_game, host_screen, phone, stopped, timers
):
    game_id = make_game(auto_advance=True)
    pin = game_row(live_app, game_id).pin
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    sockets = [phone(), phone()]
    tokens = [join(s, pin, name)["token"] for s, name in zip(sockets, ("Aru", "Bek"), strict=True)]
    next_(live_app, host_screen, game_id)
    shown = game_row(live_app, game_id).questions[0]
    answer(sockets[0], tokens[0], 0, right_answer(shown))
    timers.count()
    assert game_row(live_app, game_id).state == "question"
    answer(sockets[1], tokens[1], 0, wrong_answer(shown))
    timers.count()
    assert game_row(live_app, game_id).state == "reveal"
    assert received(sockets[1], "result")[0]["outcome"] == "wrong"


def test_a_questions_timer_waits_until_it_closes_then_closes_it_and_tells_the_phones(
    live_app, make_game, host_screen, phone, stopped, timers, monkeypatch
):
    game_id = make_game(seconds=30)
    socket = phone()
    join(socket, game_row(live_app, game_id).pin, "Aru")
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    stopped.tick(2)
    next_(live_app, host_screen, game_id)
    [(task, closes_at)] = timers.started
    assert task is events.close_when_due
    slept: list[float] = []

    def pause(_app, seconds: float) -> bool:  # the library's wait, as the clock sees it
        slept.append(seconds)
        stopped.tick(seconds)
        return True

    monkeypatch.setattr(events, "pause", pause)
    events.close_when_due(live_app, closes_at)
    assert 30 <= slept[0] < 31
    assert game_row(live_app, game_id).state == "reveal"
    assert received(socket, "closed") == [{"position": 0}]


def test_after_a_restart_the_game_goes_on_from_its_current_question(
    live_app, another_app, make_game, host_screen, phone, stopped
):
    game_id = make_game()
    socket = phone()
    token = join(socket, game_row(live_app, game_id).pin, "Aru")["token"]
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    next_(live_app, host_screen, game_id)

    restarted = another_app(LIVE_SWEEP_SECONDS=0)  # a new process: no timer of the old one survives
    browser = restarted.test_client()
    login(browser, "prof")
    host_again = live_socketio(restarted).test_client(restarted, namespace=NS, flask_test_client=browser)
    phone_again = live_socketio(restarted).test_client(restarted, namespace=NS)
    assert (
        host_again.emit("host_join", {"game": game_id}, namespace=NS, callback=True)["view"]["position"] == 0
    )
    assert (
        phone_again.emit("rejoin", {"token": token}, namespace=NS, callback=True)["view"]["state"]
        == "question"
    )
    stopped.tick(25)
    assert events.close_overdue(restarted) == [game_id]  # what its sweeper does every LIVE_SWEEP_SECONDS
    assert received(phone_again, "result")[0]["outcome"] == "none"
    assert received(host_again, "reveal")


def test_the_first_connection_starts_the_sweeper_once(live_app, monkeypatch):
    app = live_app
    app.config["LIVE_SWEEP_SECONDS"] = 2
    started = []
    server = live_socketio(app)
    monkeypatch.setattr(server, "start_background_task", lambda task, *args: started.append(args) or Mock())
    monkeypatch.setitem(app.extensions, "quizapp.live.sweeper", False)
    for _ in range(2):
        server.test_client(app, namespace=NS)
    assert started == [(app, None)]


def test_stopping_an_apps_timers_wakes_them_at_once_and_they_leave_its_games_alone(
    live_app, make_game, host_screen, phone, stopped, monkeypatch
):
    monkeypatch.setattr(events, "start_timer", START_TIMER)  # timers that really wait, in threads
    live_app.config["LIVE_SWEEP_SECONDS"] = 30
    monkeypatch.setitem(live_app.extensions, "quizapp.live.sweeper", False)
    swept, close_overdue = threading.Event(), events.close_overdue
    monkeypatch.setattr(events, "close_overdue", lambda app: (close_overdue(app), swept.set())[0])
    before = set(timer_threads())
    game_id = make_game(seconds=30)
    join(phone(), game_row(live_app, game_id).pin, "Aru")  # the first connection starts the sweeper
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    next_(live_app, host_screen, game_id)  # the question's timer waits its 30 s
    waiting = set(timer_threads()) - before
    assert sorted(thread.name.split()[-1] for thread in waiting) == ["(run)", "(sweep)"]
    assert swept.wait(5)  # the sweeper's first look, before anything was due; its next in 30 s
    stopped.tick(31)  # overdue by the site's clock; the timer still sleeps its 30 real seconds

    began = time.monotonic()
    events.stop_timers(live_app)
    assert time.monotonic() - began < 3
    assert not any(thread.is_alive() for thread in waiting)
    assert game_row(live_app, game_id).state == "question"  # the stopped timer did not close it
    events.close_when_due(live_app, game_row(live_app, game_id).closes_at)  # one started afterwards
    assert game_row(live_app, game_id).state == "question"
    assert events.close_overdue(live_app) == [game_id]  # it was due: left to the next process's sweeper


def timer_threads() -> list[threading.Thread]:
    """The live timers' and sweepers' threads alive in this process."""
    return [thread for thread in threading.enumerate() if thread.name.endswith(("(run)", "(sweep)"))]


def test_with_auto_advance_the_reveal_gives_way_to_the_next_question_unless_the_host_moved_first(
    live_app, make_game, host_screen, phone, timers, monkeypatch
):
    monkeypatch.setattr(events, "pause", lambda _app, seconds: True)
    game_id = make_game(auto_advance=True)
    socket = phone()
    token = join(socket, game_row(live_app, game_id).pin, "Aru")["token"]
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    next_(live_app, host_screen, game_id)
    timers.started.clear()
    answer(socket, token, 0, wrong_answer(game_row(live_app, game_id).questions[0]))
    timers.count()  # all answered: closed
    [(later, _)] = timers.started
    later(live_app, None)  # its pause over
    assert (game_row(live_app, game_id).state, game_row(live_app, game_id).position) == ("question", 1)
    assert received(socket, "question")[-1]["position"] == 1

    timers.started.clear()
    answer(socket, token, 1, wrong_answer(game_row(live_app, game_id).questions[1]))
    timers.count()
    [(later, _)] = timers.started
    next_(live_app, host_screen, game_id)  # the host moved on first: the pause ends with nothing to do
    later(live_app, None)
    assert (game_row(live_app, game_id).state, game_row(live_app, game_id).position) == ("question", 2)


def test_answers_arriving_together_reach_the_host_as_one_count_sent_once_its_short_wait_is_over(
    live_app, make_game, host_screen, phone, stopped, timers, monkeypatch
):
    game_id = make_game()
    pin = game_row(live_app, game_id).pin
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    sockets = {name: phone() for name in ("Aru", "Bek", "Cy", "Dana")}
    tokens = {name: join(socket, pin, name)["token"] for name, socket in sockets.items()}
    next_(live_app, host_screen, game_id)
    timers.started.clear()
    shown = game_row(live_app, game_id).questions[0]
    for name in ("Aru", "Bek", "Cy"):
        assert answer(sockets[name], tokens[name], 0, right_answer(shown))["ok"]

    assert received(host_screen, "answers") == []  # not one message per answer
    [(task, waiting_for)] = timers.started  # one count waits, for all three
    assert (task, waiting_for) == (events.count_later, game_id)
    slept: list[float] = []
    monkeypatch.setattr(events, "pause", lambda _app, seconds: slept.append(seconds) or True)
    events.count_later(live_app, game_id)
    assert slept == [events.COUNT_SECONDS]
    assert received(host_screen, "answers") == [{"position": 0, "answered": 3, "total": 4}]

    # The next answer waits for a count of its own.
    timers.started.clear()
    assert answer(sockets["Dana"], tokens["Dana"], 0, wrong_answer(shown))["ok"]
    assert [task for task, _ in timers.started] == [events.count_later]


def test_a_question_closed_before_its_count_was_sent_gives_the_host_its_final_count_once(
    live_app, make_game, host_screen, phone, stopped, timers
):
    game_id = make_game()
    pin = game_row(live_app, game_id).pin
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    sockets = {name: phone() for name in ("Aru", "Bek")}
    tokens = {name: join(socket, pin, name)["token"] for name, socket in sockets.items()}
    next_(live_app, host_screen, game_id)
    answer(sockets["Aru"], tokens["Aru"], 0, 0)
    next_(live_app, host_screen, game_id)  # the host closes it while the count waits

    got = [
        (e["name"], e["args"][0]) for e in host_screen.get_received(NS) if e["name"] in ("answers", "closed")
    ]
    assert got == [("answers", {"position": 0, "answered": 1, "total": 2}), ("closed", {"position": 0})]
    timers.count()  # the wait ends: nothing more to tell
    assert received(host_screen, "answers") == []


def test_a_player_kicked_while_their_connection_stays_open_is_refused_on_it_at_once(
    live_app, make_game, host_screen, phone, stopped
):
    game_id = make_game()
    socket = phone()
    joined = join(socket, game_row(live_app, game_id).pin, "Aru")
    next_(live_app, host_screen, game_id)
    # Kicked through another process: this one's connection stays open, its session holding the player.
    with live_app.app_context():
        live_ops.kick(db.session.get_one(LiveGame, game_id), joined["view"]["player"])

    refused = answer(socket, joined["token"], 0, 0)
    assert refused["ok"] is False
    assert "took you out" in refused["error"]
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 0


def test_a_phone_may_answer_on_a_new_connection_with_its_token_alone(
    live_app, make_game, host_screen, phone, stopped
):
    game_id = make_game()
    token = join(phone(), game_row(live_app, game_id).pin, "Aru")["token"]
    next_(live_app, host_screen, game_id)
    socket = phone()  # neither joined nor rejoined on this connection

    assert answer(socket, "forged" + token, 0, 0)["ok"] is False
    assert answer(socket, token, 0, 0) == {"ok": True, "received": True}
    again = answer(socket, token, 0, 1)
    assert again["ok"] is False
    assert "answered this question already" in again["error"]


def test_a_host_screen_left_open_drives_the_game_no_more_once_its_host_logs_out(live_app, make_game):
    """The projector's connection keeps a copy of the login session it began with; logging out
    (anywhere) ends that session, so the copy opens nothing either."""
    game_id = make_game()
    browser = live_app.test_client()
    assert login(browser, "prof").status_code == 302
    projector = live_socketio(live_app).test_client(live_app, namespace=NS, flask_test_client=browser)
    assert projector.emit("host_join", {"game": game_id}, namespace=NS, callback=True)["ok"]

    assert logout(browser).status_code == 302
    version = game_row(live_app, game_id).version
    ack = projector.emit("host_next", {"game": game_id, "version": version}, namespace=NS, callback=True)

    assert not ack["ok"]
    assert (game_row(live_app, game_id).state, game_row(live_app, game_id).version) == ("lobby", version)
    again = live_socketio(live_app).test_client(live_app, namespace=NS, flask_test_client=browser)
    assert not again.emit("host_join", {"game": game_id}, namespace=NS, callback=True)["ok"]


def test_the_host_ends_a_game_early_and_every_phone_hears_it(live_app, make_game, host_screen, phone):
    game_id = make_game()
    socket = phone()
    join(socket, game_row(live_app, game_id).pin, "Aru")
    host_screen.emit("host_join", {"game": game_id}, namespace=NS, callback=True)
    next_(live_app, host_screen, game_id)
    version = game_row(live_app, game_id).version

    still_open = host_screen.emit(
        "host_end", {"game": game_id, "version": version}, namespace=NS, callback=True
    )
    assert still_open == {"ok": False, "error": "Close the question first: its answers are still arriving."}
    next_(live_app, host_screen, game_id)  # the reveal of the first question
    socket.get_received(NS)
    version = game_row(live_app, game_id).version

    ended = host_screen.emit("host_end", {"game": game_id, "version": version}, namespace=NS, callback=True)

    assert (ended["ok"], ended["state"]) == (True, "podium")
    [podium] = received(socket, "podium")
    assert [row["position"] for row in podium["summary"]] == [0]  # the one question played


def test_only_the_host_can_end_a_game_and_calling_it_off_tells_the_phones(
    live_app, make_game, host_screen, phone
):
    game_id = make_game()
    socket = phone()
    join(socket, game_row(live_app, game_id).pin, "Aru")
    version = game_row(live_app, game_id).version
    refused = phone().emit("host_end", {"game": game_id, "version": version}, namespace=NS, callback=True)
    assert refused["ok"] is False
    assert game_row(live_app, game_id).state == "lobby"

    ended = host_screen.emit("host_end", {"game": game_id, "version": version}, namespace=NS, callback=True)

    assert (ended["ok"], ended["state"]) == (True, "finished")
    assert received(socket, "finished") == [{}]
    assert game_row(live_app, game_id).pin is None


def test_the_sweeper_ends_games_left_for_hours_and_tells_who_is_still_there(
    live_app, make_game, phone, stopped, monkeypatch
):
    game_id = make_game()
    socket = phone()
    join(socket, game_row(live_app, game_id).pin, "Aru")
    stopped.tick(13 * 3600)
    monkeypatch.setitem(live_app.config, "LIVE_ABANDONED_HOURS", 0)
    assert events.end_abandoned(live_app) == []  # 0: never
    monkeypatch.setitem(live_app.config, "LIVE_ABANDONED_HOURS", 12)

    assert events.end_abandoned(live_app) == [game_id]

    assert received(socket, "finished") == [{}]
    assert game_row(live_app, game_id).state == "finished"
