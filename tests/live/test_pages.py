"""The live game's pages: starting a game, the host's screen, joining by PIN, the phone's page and
the results, with who may open each. The game itself moves on through its operations here, as the
Socket.IO events move it (tests/live/test_events.py plays it over the sockets)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from quizapp import clock
from quizapp.charts import answer_distribution
from quizapp.extensions import db
from quizapp.live import operations as live
from quizapp.models import Assignment, Attempt, LiveGame, LivePlayer, User
from tests.factories import (
    csrf_token,
    form_with,
    logout,
    make_instructor,
    other_instructor,
    register,
    text,
    text_of,
)

NEW = "/live/new?bank=every-type&quiz=all"
SVG = "{http://www.w3.org/2000/svg}"
#: What the every-type bank's key and feedback hold, which no page may show before a question closes.
SECRETS = ("EXPLANATION-", "FEEDBACK-", "98765", "Zyxwvuts")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - parsing our own generated markup, not untrusted input


def open_game(client, page: str = NEW, **fields):
    """Post the start form as it is filled in on ``page``, with ``fields`` changed."""
    form = form_with(text(client.get(page)), field="seconds")
    form.update({key: value for key, value in fields.items() if value is not None})
    for key in [key for key, value in fields.items() if value is None]:
        form.pop(key, None)
    return client.post(page, data=form)


def game_id_of(response) -> int:
    assert response.status_code == 302, text(response)
    match = re.fullmatch(r"/live/(\d+)/host", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def games(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LiveGame))


def move_on(app, game_id: int, times: int = 1) -> list[dict]:
    """Advance the game as its host's "next" does; returns the questions it plays."""
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        for _ in range(times):
            game = live.advance(game, game.version, clock.now())
        return list(game.questions)


def pin_of(app, game_id: int) -> str:
    with app.app_context():
        pin = db.session.get_one(LiveGame, game_id).pin
        assert pin is not None
        return pin


def class_of(app, seed, instructor: str = "prof", quizzes=(("every-type", "all"),), students=()) -> int:
    return seed.classroom(
        name=f"{instructor.title()}'s class", quizzes=quizzes, instructor=instructor, students=students
    )


# --- who may start and host ----------------------------------------------------------------------


def test_a_student_can_neither_open_the_start_form_nor_start_a_game(app, student):
    assert student.get(NEW).status_code == 403
    token = csrf_token(text(student.get("/")))
    response = student.post(NEW, data={"csrf_token": token, "classroom": "", "seconds": "20"})
    assert response.status_code == 403
    assert games(app) == 0


def test_someone_signed_out_is_sent_to_log_in_to_start_a_game(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_a_quiz_of_a_bank_the_instructor_may_not_set_is_not_found(app, instructor):
    make_instructor(app, "owner")
    from tests.factories import own

    own(app, "every-type", "owner")  # no longer a site bank: only its owner sets its quizzes
    assert instructor.get(NEW).status_code == 404
    assert instructor.get("/live/new?bank=every-type&quiz=nope").status_code == 404
    assert instructor.get("/live/new?bank=nope&quiz=all").status_code == 404


def test_without_a_quiz_the_start_page_lists_the_quizzes_to_play(instructor):
    page = text_of(instructor.get("/live/new"))
    assert "Play a quiz live" in page
    assert 'href="/live/new?bank=every-type&amp;quiz=all"' in text(instructor.get("/live/new"))
    assert "Random review" in page


def test_the_start_form_lists_the_questions_left_out_and_only_those(instructor):
    page = text_of(instructor.get(NEW))
    left_out = page.split('id="left-out"', 1)[1].split("</section>", 1)[0]
    assert "Put these in order." in left_out
    assert "Match each leader to a country." in left_out
    for played in ("Pick the capital of Kazakhstan.", "Name the city.", "How many?"):
        assert played not in left_out
    assert "5 questions" in page


def test_an_open_game_opens_on_the_host_screen_with_its_pin_and_qr_code(app, instructor):
    game_id = game_id_of(open_game(instructor, classroom=""))
    pin = pin_of(app, game_id)
    page = text(instructor.get(f"/live/{game_id}/host"))
    assert f"{pin[:3]} {pin[3:]}" in page
    join_url = f"http://localhost/live/join/{pin}"
    assert join_url in page  # the QR code's address, in words beside it
    svg = page.split('<figure class="live-qr">', 1)[1].split("</svg>", 1)[0] + "</svg>"
    root = parse(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert join_url in title.text
    assert f"{pin[:3]} {pin[3:]}" in title.text
    assert root.find(f"{SVG}path") is not None
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        assert (game.classroom_id, game.assignment_id, game.state) == (None, None, "lobby")
        assert game.settings == {"seconds": 20, "auto_advance": False, "streak_bonus": True, "counts": False}


def test_the_host_screen_loads_the_socket_client_and_its_script_and_says_it_needs_javascript(app, instructor):
    game_id = game_id_of(open_game(instructor))
    page = text(instructor.get(f"/live/{game_id}/host"))
    assert '<script src="/static/vendor/socket.io/socket.io.min.js" defer></script>' in page
    assert '<script src="/static/live.js" defer></script>' in page
    assert "<noscript>" in page
    assert "needs JavaScript" in page
    assert "<script>" not in page  # nothing inline: the CSP runs our own files only
    assert f'data-stage-url="/live/{game_id}/host/stage"' in page


def test_another_instructor_cannot_open_your_host_screen_its_stage_or_its_results(app, instructor):
    game_id = game_id_of(open_game(instructor))
    other = other_instructor(app, "other")
    for page in ("host", "host/stage", "results", "results.csv"):
        assert other.get(f"/live/{game_id}/{page}").status_code == 404, page
    assert instructor.get(f"/live/{game_id}/host").status_code == 200


def test_a_student_cannot_open_a_host_screen(app, instructor):
    game_id = game_id_of(open_game(instructor))
    ada = app.test_client()
    register(ada, "ada")
    assert ada.get(f"/live/{game_id}/host").status_code == 403


# --- the start form's rules ----------------------------------------------------------------------


def test_the_start_form_offers_only_the_hosts_own_classes_and_refuses_another_instructors(
    app, seed, instructor
):
    mine = class_of(app, seed, "prof")
    make_instructor(app, "other")
    theirs = class_of(app, seed, "other")
    page = text_of(instructor.get(NEW))
    assert "Prof's class" in page
    assert "Other's class" not in page
    response = open_game(instructor, classroom=str(theirs))
    assert response.status_code == 422
    assert "Choose one of your classes, or an open game." in text_of(response)
    assert games(app) == 0
    game_id = game_id_of(open_game(instructor, classroom=str(mine)))
    with app.app_context():
        assert db.session.get_one(LiveGame, game_id).classroom_id == mine


def test_counts_is_refused_for_a_class_that_does_not_set_the_quiz_and_the_form_keeps_the_choices(
    app, seed, instructor
):
    bare = class_of(app, seed, "prof", quizzes=())
    response = open_game(instructor, classroom=str(bare), counts="y", seconds="45", auto_advance="y")
    assert response.status_code == 422
    page = text_of(response)
    assert "This quiz is not set for that class, so the game cannot count in its gradebook." in page
    fields = form_with(text(response), field="seconds")
    assert (fields["classroom"], fields["seconds"], fields.get("auto_advance")) == (str(bare), "45", "y")
    assert games(app) == 0


def test_counts_is_refused_for_an_open_game(app, instructor):
    response = open_game(instructor, classroom="", counts="y")
    assert response.status_code == 422
    assert "Only a class game can count in a gradebook" in text_of(response)
    assert games(app) == 0


def test_a_counted_class_game_counts_for_the_classs_setting_of_the_quiz(app, seed, instructor):
    class_id = class_of(app, seed, "prof")
    game_id = game_id_of(open_game(instructor, classroom=str(class_id), counts="y"))
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        setting = db.session.scalar(select(Assignment.id).where(Assignment.classroom_id == class_id))
        assert (game.assignment_id, game.settings["counts"]) == (setting, True)


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        ("4", "Give a whole number of seconds per question, from 5 to 240."),
        ("241", "Give a whole number of seconds per question, from 5 to 240."),
        ("2.5e1", "Give a whole number of seconds per question, from 5 to 240."),
        ("twenty", "Give a whole number of seconds per question, from 5 to 240."),
        ("", "Give the seconds per question, from 5 to 240."),
    ],
)
def test_seconds_out_of_range_are_refused_with_a_message(app, instructor, seconds, message):
    response = open_game(instructor, seconds=seconds)
    assert response.status_code == 422
    assert message in text_of(response)
    assert games(app) == 0


def test_the_start_form_needs_its_csrf_token(app, instructor):
    response = instructor.post(NEW, data={"classroom": "", "seconds": "20"})
    assert response.status_code == 400
    assert games(app) == 0


# --- joining by PIN ------------------------------------------------------------------------------


def test_the_pin_form_leads_to_the_games_phone_screen(app, instructor, client):
    game_id = game_id_of(open_game(instructor))
    pin = pin_of(app, game_id)
    phone = app.test_client()
    assert "Game PIN" in text(phone.get("/live"))
    response = phone.get(f"/live?pin={pin[:3]}+{pin[3:]}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/live/play/{pin}"
    qr = phone.get(f"/live/join/{pin}")
    assert (qr.status_code, qr.headers["Location"]) == (302, f"/live/play/{pin}")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the game's PIN"),
        ("12ab56", "A PIN is 6 digits"),
        ("1234567", "A PIN is 6 digits"),
        ("999999", "No game is open with the PIN 999999."),
    ],
)
def test_a_wrong_pin_is_refused_with_a_message_and_kept_in_the_form(client, typed, message):
    response = client.get(f"/live?pin={typed}")
    assert response.status_code == 422
    assert message in text_of(response)
    assert form_with(text(response), field="pin")["pin"] == typed


def test_wrong_pins_from_one_address_are_throttled_but_finding_the_game_never_is(app, instructor):
    """PINs are six digits: guessing them is slowed per address; a class behind one address that
    finds its game, however many phones, is never counted."""
    app.config["PIN_MISS_RATE_LIMIT"] = "3 per minute"
    pin = pin_of(app, game_id_of(open_game(instructor)))
    guesser, classmate = app.test_client(), app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    classmate.environ_base["REMOTE_ADDR"] = "198.51.100.8"

    found = [classmate.get(f"/live/join/{pin}").status_code for _ in range(10)]
    misses = [
        guesser.get(path).status_code
        for path in ("/live?pin=100001", "/live/join/100002", "/live/play/100003")
    ]
    refused = guesser.get(f"/live/join/{pin}")

    assert found == [302] * 10
    assert misses == [422, 404, 404]
    assert refused.status_code == 429
    assert classmate.get("/live?pin=100004").status_code == 422  # another address: counted apart


def test_the_qr_address_of_a_finished_game_says_its_pin_no_longer_works(app, instructor):
    game_id = game_id_of(open_game(instructor))
    pin = pin_of(app, game_id)
    move_on(app, game_id, times=2 * 5 + 2)  # five questions opened and closed, the podium, the end
    response = app.test_client().get(f"/live/join/{pin}")
    assert response.status_code == 404
    assert "a finished game's PIN no longer works" in text_of(response)
    assert app.test_client().get(f"/live/play/{pin}").status_code == 404


def test_everyone_sees_a_link_to_join_a_live_game(client, student):
    assert 'href="/live">Join a live game</a>' in text(student.get("/"))
    logout(student)
    assert 'href="/live">Join a live game</a>' in text(client.get("/login"))


def test_instructors_find_play_live_on_the_quiz_page_and_the_class_page_students_do_not(
    app, seed, instructor
):
    class_id = class_of(app, seed, "prof")
    quiz_page = text(instructor.get("/banks/every-type/quizzes/all"))
    assert 'href="/live/new?bank=every-type&amp;quiz=all"' in quiz_page
    class_page = text(instructor.get(f"/teach/classes/{class_id}"))
    assert f'href="/live/new?bank=every-type&amp;quiz=all&amp;class={class_id}"' in class_page
    page = text_of(instructor.get(f"/live/new?bank=every-type&quiz=all&class={class_id}"))
    assert form_with(page, field="seconds")["classroom"] == str(class_id)
    ada = app.test_client()
    register(ada, "ada")
    assert "/live/new" not in text(ada.get("/banks/every-type/quizzes/all"))


# --- the phone ---------------------------------------------------------------------------------


def test_the_phone_page_holds_no_question_and_no_key_while_a_question_is_open(app, instructor):
    game_id = game_id_of(open_game(instructor))
    pin = pin_of(app, game_id)
    for _ in range(5):
        move_on(app, game_id)  # a question opens
        page = text(app.test_client().get(f"/live/play/{pin}"))
        for secret in SECRETS:
            assert secret not in page
        assert "Pick the capital of Kazakhstan." not in page  # the question comes over the socket
        stage = text(instructor.get(f"/live/{game_id}/host/stage"))
        for secret in SECRETS:
            assert secret not in stage, "the projector showed the key before the question closed"
        move_on(app, game_id)  # it closes


def test_the_phone_page_of_an_open_game_asks_for_a_nickname_and_needs_javascript(app, instructor):
    pin = pin_of(app, game_id_of(open_game(instructor)))
    page = text(app.test_client().get(f"/live/play/{pin}"))
    assert '<input type="text" id="nickname" name="nickname" maxlength="20"' in page
    assert "<noscript>" in page
    assert "Live games need JavaScript" in page
    assert 'aria-live="polite"' in page.split('id="live-result"', 1)[1].split(">", 1)[0]
    assert "<script>" not in page


def test_a_class_games_phone_page_is_for_its_students_signed_in(app, seed, instructor):
    ada = app.test_client()
    register(ada, "ada")
    bea = app.test_client()
    register(bea, "bea")
    with app.app_context():
        ada_id = db.session.scalar(select(User.id).where(User.username == "ada"))
    class_id = class_of(app, seed, "prof", students=(ada_id,))
    pin = pin_of(app, game_id_of(open_game(instructor, classroom=str(class_id))))
    signed_out = app.test_client().get(f"/live/play/{pin}")
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"] == f"/login?next=/live/play/{pin}"
    refused = bea.get(f"/live/play/{pin}")
    assert refused.status_code == 403
    assert "This game is for the students of Prof's class." in text_of(refused)
    page = text(ada.get(f"/live/play/{pin}"))
    assert 'data-class-game="yes"' in page
    assert 'id="nickname"' not in page


# --- the host's stage --------------------------------------------------------------------------


def test_the_stage_shows_the_question_then_the_chart_key_explanation_and_top_five(app, instructor):
    game_id = game_id_of(open_game(instructor))
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        ada = live.join(game, None, "Ada", clock.now()).id
        bo = live.join(game, None, "Bo", clock.now()).id
    first = move_on(app, game_id)[0]
    stage = text_of(instructor.get(f"/live/{game_id}/host/stage"))
    assert first["prompt"] in stage
    assert "0 of 2 answered" in " ".join(re.sub(r"<[^>]+>", " ", stage).split())
    with app.app_context():
        for player, right in ((ada, True), (bo, False)):
            mine = db.session.get_one(LivePlayer, player)
            live.answer(mine, 0, answer_for(first, right), clock.now())
    move_on(app, game_id)
    stage = text_of(instructor.get(f"/live/{game_id}/host/stage"))
    assert "Answers to question 1" in stage
    assert "<svg" in stage
    assert "(correct)" in stage
    assert first["explanation"] in stage
    top = stage.split('class="live-top"', 1)[1].split("</ol>", 1)[0]
    assert top.index("Ada") < top.index("Bo")
    assert "Next question" in stage


def answer_for(snapshot: dict, right: bool):
    """A phone's answer to a played question: right, or wrong."""
    kind = snapshot["type"]
    if kind == "single":
        wrong = next(c for c in snapshot["choices"] if c != snapshot["answer"])
        return snapshot["choices"].index(snapshot["answer"] if right else wrong)
    if kind == "multi":
        picks = (
            snapshot["answer"] if right else [c for c in snapshot["choices"] if c not in snapshot["answer"]]
        )
        return [snapshot["choices"].index(c) for c in picks]
    if kind == "true_false":
        return snapshot["answer"] if right else not snapshot["answer"]
    if kind == "text":
        return snapshot["answer"][0] if right else "something else"
    return str(snapshot["answer"] if right else snapshot["answer"] + 1000)


# --- results -----------------------------------------------------------------------------------


def play_through(app, game_id: int, answers: dict[str, list[bool]]) -> None:
    """Join each nickname and answer every question right or wrong as listed; end the game."""
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        ids = {name: live.join(game, None, name, clock.now()).id for name in answers}
    for position in range(len(next(iter(answers.values())))):
        questions = move_on(app, game_id)
        with app.app_context():
            for name, rights in answers.items():
                player = db.session.get_one(LivePlayer, ids[name])
                live.answer(player, position, answer_for(questions[position], rights[position]), clock.now())
        move_on(app, game_id)
    move_on(app, game_id, times=2)  # the podium, the end


def test_the_results_csv_has_a_row_per_player_and_question_neutralised_like_the_other_exports(
    app, instructor
):
    game_id = game_id_of(open_game(instructor))
    wrong = [False] * 5
    play_through(
        app, game_id, {"Ada": [True] * 5, "Bo": [False, True, False, True, False], "=SUM(1+1)": wrong}
    )
    response = instructor.get(f"/live/{game_id}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="live-game-{game_id}-results.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Rank", "Nickname", "Username", "Score", "Question"]
    assert len(body) == 3 * 5
    assert [row[1] for row in body] == ["Ada"] * 5 + ["Bo"] * 5 + ["'=SUM(1+1)"] * 5
    outcome = header.index("Outcome")
    assert [row[outcome] for row in body[5:10]] == ["wrong", "correct", "wrong", "correct", "wrong"]
    assert [row[0] for row in body[::5]] == ["1", "2", "3"]


def test_the_results_page_ranks_the_players_and_counts_each_questions_right_answers(app, instructor):
    game_id = game_id_of(open_game(instructor))
    play_through(app, game_id, {"Bo": [False, True, False, True, False], "Ada": [True] * 5})
    page = text_of(instructor.get(f"/live/{game_id}/results"))
    rows = page.split('aria-label="Players"', 1)[1].split("</tbody>", 1)[0]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows.split("<tr>")[2:]]
    assert cells[0].startswith("1 Ada")
    assert cells[0].endswith("5 of 5")
    assert cells[1].startswith("2 Bo")
    assert cells[1].endswith("2 of 5")
    assert f'href="/live/{game_id}/results.csv"' in text(instructor.get(f"/live/{game_id}/results"))


def test_a_counted_class_game_lands_in_the_gradebook_after_the_host_finishes_it(app, seed, instructor):
    ada = app.test_client()
    register(ada, "ada")
    with app.app_context():
        ada_id = db.session.scalar(select(User.id).where(User.username == "ada"))
    class_id = class_of(app, seed, "prof", students=(ada_id,))
    game_id = game_id_of(open_game(instructor, classroom=str(class_id), counts="y"))
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        player = live.join(game, db.session.get_one(User, ada_id), None, clock.now())
        assert player.nickname == "Ada"
    move_on(app, game_id, times=2 * 5 + 2)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == ada_id))
        assert attempt is not None
        assert attempt.submitted_at is not None


# --- the answers' chart --------------------------------------------------------------------------


class Bar:
    def __init__(self, label: str, count: int, correct: bool) -> None:
        self.label, self.count, self.correct = label, count, correct


def test_the_answer_chart_escapes_answers_and_marks_the_right_one_in_words_not_colour_alone():
    svg = answer_distribution([Bar("<b>Astana</b> & co", 3, True), Bar("Bishkek", 1, False)], "Answers <1>")
    root = parse(str(svg))
    assert root.find(f"{SVG}title").text == "Answers <1>"
    desc = root.find(f"{SVG}desc").text
    assert desc == "Answers: <b>Astana</b> & co (correct): 3; Bishkek: 1. 4 in all."
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "\u2713 <b>Astana</b> & co" in texts
    assert "Bishkek" in texts
    bars = root.findall(f"{SVG}rect")
    assert [b.get("class") for b in bars] == ["bar correct", "bar"]
    assert float(bars[0].get("width")) == 3 * float(bars[1].get("width"))
    assert "<b>" not in str(svg)


def test_the_answer_chart_of_no_answers_says_so():
    root = parse(str(answer_distribution([], "Answers")))
    assert root.find(f"{SVG}desc").text == "No answers to show."


def test_the_results_page_of_a_running_game_keeps_the_open_questions_answer_off_the_screen(app, instructor):
    game_id = game_id_of(open_game(instructor))
    first = move_on(app, game_id)[0]
    page = text_of(instructor.get(f"/live/{game_id}/results"))
    assert "No question has closed yet." in page
    assert first["prompt"] not in page
    move_on(app, game_id)
    rows = text_of(instructor.get(f"/live/{game_id}/results")).split('aria-label="Questions"', 1)[1]
    assert first["prompt"] in rows
    assert f'<td data-label="Answer">{first["answer"]}</td>' in rows


def test_the_live_page_lists_the_hosts_own_games_running_and_finished(app, instructor):
    running = game_id_of(open_game(instructor))
    finished = game_id_of(open_game(instructor))
    move_on(app, finished, times=2 * 5 + 2)
    other = other_instructor(app, "other")
    game_id_of(open_game(other))
    assert 'href="/live/new">Play a quiz live</a>' in text(instructor.get("/teach/"))
    page = text(instructor.get("/live/new"))
    assert f'href="/live/{running}/host">Every type: back to the host screen</a>' in page
    assert f'href="/live/{finished}/results">Every type: results</a>' in page
    assert page.count("Every type: ") == 2


@pytest.mark.parametrize(
    ("port", "proxies", "shown"),
    [(None, 0, ""), (5001, 0, "5001"), (5001, 1, "")],
    ids=["one-server", "make-serve", "behind-nginx"],
)
def test_the_live_pages_send_their_connection_to_the_live_port_unless_a_proxy_routes_it(
    app, instructor, monkeypatch, port, proxies, shown
):
    """`make serve` serves pages and live connections on two ports; a proxy in front routes
    /socket.io/ itself, so there the pages' own origin serves both, as `make run` does."""
    monkeypatch.setitem(app.config, "LIVE_SOCKET_PORT", port)
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", proxies)
    game_id = game_id_of(open_game(instructor, classroom=""))
    phone = app.test_client().get(f"/live/play/{pin_of(app, game_id)}")
    # The site lets a page's script connect to its own origin only, and to the live port beside it.
    allowed = f"; connect-src 'self' http://localhost:{shown} ws://localhost:{shown}" if shown else ""
    for page in (instructor.get(f"/live/{game_id}/host"), phone):
        assert f'data-socket-port="{shown}"' in text(page)
        assert page.headers["Content-Security-Policy"] == (
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'" + allowed
        )
    assert "connect-src" not in instructor.get("/").headers["Content-Security-Policy"]
