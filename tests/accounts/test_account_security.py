"""Accounts under attack and in daily use: throttled guessing, lockout, sessions that end,
passwords that change and reset, and weak passwords refused (issue 12)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

import quizapp.accounts.sessions as sessions
from quizapp.extensions import db
from quizapp.models import PasswordReset, User, utcnow
from tests.factories import csrf_token, login, logout, make_instructor, register, reset_password

PASSWORD = "a long password"


def user(app, username: str) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return found


def other_client(app, address: str = "127.0.0.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password check the app makes (each costs a real server ~100 ms of scrypt)."""
    import quizapp.accounts.operations
    import quizapp.models

    calls: list[str] = []
    for module in (quizapp.models, quizapp.accounts.operations):
        real = module.check_password_hash

        def counted(stored, password, real=real):
            calls.append(password)
            return real(stored, password)

        monkeypatch.setattr(module, "check_password_hash", counted)
    return calls


def post_login(client: FlaskClient, username: str, password: str):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password})


# -- throttling by address ----------------------------------------------------------------------


def test_login_guesses_from_one_address_are_throttled_without_checking_a_password(app, client, hashes):
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    register(client, "ada")
    logout(client)
    guesser = other_client(app, "203.0.113.9")

    answered = [post_login(guesser, "ada", f"guess {n}").status_code for n in range(5)]
    checked = len(hashes)
    refused = post_login(guesser, "ada", PASSWORD)

    assert answered == [422] * 5
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many tries" in page
    assert "Wait a minute" in page
    assert refused.headers.get("Retry-After")
    assert len(hashes) == checked  # the throttled login cost no hashing
    # Another address (another classroom) logs in as usual; the login page itself is not limited.
    assert guesser.get("/login").status_code == 200
    assert post_login(other_client(app, "198.51.100.7"), "ada", PASSWORD).status_code == 302


def test_registration_and_class_join_and_reset_are_throttled_too(app):
    app.config.update(
        REGISTER_RATE_LIMIT="2 per hour", JOIN_RATE_LIMIT="2 per minute", RESET_RATE_LIMIT="2 per minute"
    )
    client = other_client(app, "203.0.113.10")
    assert register(client, "ada").status_code == 302
    logout(client)
    assert register(client, "bea").status_code == 302
    logout(client)
    assert register(client, "cy").status_code == 429

    login(client, "ada")
    for _ in range(2):
        token = csrf_token(client.get("/").get_data(as_text=True))
        assert (
            client.post("/classes/join", data={"csrf_token": token, "code": "NOPE-NOPE"}).status_code == 422
        )
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/classes/join", data={"csrf_token": token, "code": "NOPE-NOPE"}).status_code == 429

    logout(client)
    for expected in (422, 422, 429):
        token = csrf_token(client.get("/password/reset").get_data(as_text=True))
        form = {"csrf_token": token, "username": "ada", "code": "AAAA-BBBB-CCCC"}
        response = client.post(
            "/password/reset", data={**form, "password": "new long phrase", "confirm": "new long phrase"}
        )
        assert response.status_code == expected


# -- lockout in the database --------------------------------------------------------------------


def test_the_issue_reproduction_sixty_wrong_passwords_then_the_right_one_is_refused(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    register(client, "ada")
    logout(client)

    for n in range(60):
        post_login(client, "ada", f"wrong {n}")
    response = post_login(client, "ada", PASSWORD)

    assert response.status_code == 422
    assert "locked for 15 more minutes" in response.get_data(as_text=True)
    assert client.get("/history").status_code == 302  # not logged in


def test_lockout_counts_across_addresses_says_so_and_checks_no_password_while_locked(app, client, hashes):
    app.config.update(LOGIN_LOCKOUT_THRESHOLD=3, LOGIN_LOCKOUT_MINUTES=10)
    register(client, "ada")
    logout(client)

    first = [
        post_login(other_client(app, f"192.0.2.{n}"), "ada", "nope nope").get_data(as_text=True)
        for n in range(3)
    ]

    assert "Wrong username or password." in first[0]
    assert "Wrong username or password." in first[1]
    assert "locked for 10 more minutes" in first[2]
    assert "ask your instructor to unlock it" in first[2]
    checked = len(hashes)
    locked = post_login(client, "ada", PASSWORD)
    assert locked.status_code == 422
    assert "locked" in locked.get_data(as_text=True)
    assert len(hashes) == checked
    # Other accounts are not affected.
    assert register(other_client(app), "bea").status_code == 302


def test_the_lock_ends_by_itself_and_failures_outside_the_window_do_not_add_up(app, client):
    app.config.update(LOGIN_LOCKOUT_THRESHOLD=3, LOGIN_LOCKOUT_WINDOW_MINUTES=15, LOGIN_LOCKOUT_MINUTES=15)
    register(client, "ada")
    logout(client)
    for _ in range(2):
        post_login(client, "ada", "nope nope")
    with app.app_context():  # the two failures were long ago
        db.session.get(User, 1).failed_since = utcnow() - timedelta(minutes=16)
        db.session.commit()
    assert "Wrong username" in post_login(client, "ada", "nope nope").get_data(as_text=True)
    assert user(app, "ada").failed_logins == 1

    for _ in range(2):
        post_login(client, "ada", "nope nope")
    assert user(app, "ada").locked_until is not None
    with app.app_context():
        db.session.get(User, 1).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert post_login(client, "ada", PASSWORD).status_code == 302
    assert user(app, "ada").failed_logins == 0


def test_an_instructor_unlocks_a_student_of_their_class_and_the_cli_unlocks_anyone(app, client):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 2
    classroom, student_id = class_with_student(app, client)
    for _ in range(2):
        post_login(other_client(app), "ada", "nope nope")
    page = client.get(f"/teach/classes/{classroom}/students/{student_id}").get_data(as_text=True)
    assert "This account is locked" in page

    client.post(
        f"/teach/classes/{classroom}/students/{student_id}/unlock", data={"csrf_token": csrf_token(page)}
    )

    assert post_login(other_client(app), "ada", PASSWORD).status_code == 302
    for _ in range(2):
        post_login(other_client(app), "ada", "nope nope")
    result = app.test_cli_runner().invoke(args=["users", "unlock", "ada"])
    assert result.exit_code == 0
    assert "'ada' can log in again" in result.output
    assert post_login(other_client(app), "ada", PASSWORD).status_code == 302
    assert app.test_cli_runner().invoke(args=["users", "unlock", "nobody"]).exit_code != 0


def test_an_unknown_username_is_answered_like_a_wrong_password(app, client, hashes):
    register(client, "ada")
    logout(client)

    unknown = post_login(client, "nobody", PASSWORD)
    wrong = post_login(client, "ada", "nope nope")

    assert unknown.status_code == wrong.status_code == 422
    assert "Wrong username or password." in unknown.get_data(as_text=True)
    assert hashes == [PASSWORD, "nope nope"]  # a hash is checked either way: the timing tells nothing


# -- sessions -----------------------------------------------------------------------------------


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(app, client):
    register(client, "ada")
    copied = client.get_cookie("session").value
    assert client.get("/history").status_code == 200

    logout(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)

    response = thief.get("/history")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_csrf_token_and_the_session_are_new_after_login(app, client):
    register(client, "ada")
    logout(client)
    before = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": before, "username": "ada", "password": PASSWORD})
    after = csrf_token(client.get("/").get_data(as_text=True))

    assert before != after
    # A form carrying the token an anonymous visitor had is refused after login.
    refused = client.post("/classes/join", data={"csrf_token": before, "code": "ACDE-FGHJ"})
    assert refused.status_code == 400
    assert "Form expired" in refused.get_data(as_text=True)


def test_an_idle_session_ends_and_the_login_page_says_why(app, client, monkeypatch):
    register(client, "ada")
    start = sessions.now()
    monkeypatch.setattr(sessions, "now", lambda: start + 119 * 60)
    assert client.get("/history").status_code == 200  # still in time, and now used again
    monkeypatch.setattr(sessions, "now", lambda: start + 119 * 60 + 121 * 60)

    response = client.get("/history", follow_redirects=True)

    assert response.request.path == "/login"
    assert "logged out after 120 minutes without activity" in response.get_data(as_text=True)
    assert "Log in to go on." not in response.get_data(as_text=True)


def test_a_session_ends_at_its_lifetime_however_active(app, client, monkeypatch):
    app.config["SESSION_LIFETIME_HOURS"] = 2
    register(client, "ada")
    start = sessions.now()
    for minutes in range(0, 120, 30):
        monkeypatch.setattr(sessions, "now", lambda m=minutes: start + m * 60)
        assert client.get("/history").status_code == 200
    monkeypatch.setattr(sessions, "now", lambda: start + 121 * 60)

    response = client.get("/history", follow_redirects=True)

    assert response.request.path == "/login"
    assert "a session lasts at most 2 hours" in response.get_data(as_text=True)


def test_the_cookie_signature_runs_out_with_the_session_lifetime(app):
    assert app.permanent_session_lifetime == timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])


def test_log_out_everywhere_ends_other_sessions_and_keeps_this_one(app, client):
    register(client, "ada")
    laptop = other_client(app)
    login(laptop, "ada")
    page = client.get("/account").get_data(as_text=True)

    response = client.post(
        "/account/sessions/end", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )

    assert "logged out everywhere else" in response.get_data(as_text=True)
    assert client.get("/history").status_code == 200
    ended = laptop.get("/history", follow_redirects=True)
    assert ended.request.path == "/login"
    assert "you logged out everywhere" in ended.get_data(as_text=True)


# -- passwords ----------------------------------------------------------------------------------


def change(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    token = csrf_token(client.get("/account").get_data(as_text=True))
    return client.post(
        "/account/password",
        data={"csrf_token": token, "current": current, "password": new, "confirm": confirm or new},
    )


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app, client):
    register(client, "ada")
    phone = other_client(app)
    login(phone, "ada")

    wrong = change(client, "not my password", "purple giraffe anthem")
    assert wrong.status_code == 422
    assert "Your current password is wrong." in wrong.get_data(as_text=True)
    weak = change(client, PASSWORD, "12345678")
    assert weak.status_code == 422
    assert "most common" in weak.get_data(as_text=True)
    differ = change(client, PASSWORD, "purple giraffe anthem", "purple giraffe anthems")
    assert differ.status_code == 422
    assert "The passwords differ." in differ.get_data(as_text=True)
    assert phone.get("/history").status_code == 200  # nothing changed yet

    done = change(client, PASSWORD, "purple giraffe anthem")

    assert done.status_code == 302
    assert client.get("/history").status_code == 200  # this session goes on
    assert phone.get("/history").status_code == 302  # the other one ended
    logout(client)
    assert login(client, "ada", PASSWORD).status_code == 422
    assert login(client, "ada", "purple giraffe anthem").status_code == 302


def test_wrong_current_passwords_count_towards_the_lockout(app, client):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 3
    register(client, "ada")
    for _ in range(2):
        change(client, "guess guess", "purple giraffe anthem")
    third = change(client, "guess guess", "purple giraffe anthem")
    assert "locked" in third.get_data(as_text=True)
    assert change(client, PASSWORD, "purple giraffe anthem").status_code == 422


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaa", "too easy to guess"),
        ("12345678", "most common"),
        ("password1", "most common"),
        ("qwertyuiop", "most common"),
        ("ada.lovelace", "cannot be your username"),
        ("Ada.Lovelace", "cannot be your username"),
        ("short", "at least 8 characters"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, message):
    response = register(client, "ada.lovelace", password=password)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get("/history").status_code == 302  # no account, not logged in


@pytest.mark.parametrize(
    "password", ["correct horse battery", "Tr0ub4dor&3", "bishkek in april 2010", "é" * 8 + "ü" * 4]
)
def test_good_passwords_pass_without_composition_rules(client, password):
    assert register(client, "ada", password=password).status_code == 302


def test_set_password_on_the_command_line_reads_stdin_and_ends_sessions(app, client):
    register(client, "ada")
    runner = app.test_cli_runner()

    weak = runner.invoke(args=["users", "set-password", "ada"], input="aaaaaaaa\n")
    assert weak.exit_code != 0
    assert "too easy to guess" in weak.output
    assert client.get("/history").status_code == 200

    done = runner.invoke(args=["users", "set-password", "ADA"], input="purple giraffe anthem\n")

    assert done.exit_code == 0, done.output
    assert "purple giraffe" not in done.output
    assert client.get("/history").status_code == 302
    assert login(client, "ada", "purple giraffe anthem").status_code == 302
    assert (
        runner.invoke(args=["users", "set-password", "nobody"], input="purple giraffe anthem\n").exit_code
        != 0
    )


# -- reset codes from an instructor --------------------------------------------------------------


def class_with_student(app, client: FlaskClient, instructor: str = "prof") -> tuple[int, int]:
    """Instructor ``instructor`` (logged in on ``client``) with a class that 'ada' joined."""
    make_instructor(app, instructor)
    login(client, instructor)
    page = client.get("/teach/").get_data(as_text=True)
    client.post("/teach/classes", data={"csrf_token": csrf_token(page), "name": "Politics 101"})
    with app.app_context():
        from quizapp.models import Classroom

        classroom = db.session.scalar(select(Classroom).order_by(Classroom.id.desc()))
        code, class_id = classroom.join_code, classroom.id
    learner = other_client(app)
    if user(app, "ada") is None:
        register(learner, "ada")
    else:
        login(learner, "ada")
    token = csrf_token(learner.get("/").get_data(as_text=True))
    learner.post("/classes/join", data={"csrf_token": token, "code": code})
    return class_id, user(app, "ada").id


def make_code(client: FlaskClient, class_id: int, student_id: int) -> str:
    page = client.get(f"/teach/classes/{class_id}/students/{student_id}").get_data(as_text=True)
    response = client.post(
        f"/teach/classes/{class_id}/students/{student_id}/reset", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 200
    match = re.search(
        r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", response.get_data(as_text=True)
    )
    assert match, "the page shows the code"
    return match.group(1)


def reset(client: FlaskClient, username: str, code: str, password: str = "purple giraffe anthem"):
    return reset_password(client, username, code, password)


def test_an_instructor_gives_a_one_time_code_and_the_student_sets_a_new_password(app, client):
    class_id, student_id = class_with_student(app, client)
    learner = other_client(app)
    login(learner, "ada")

    code = make_code(client, class_id, student_id)
    with app.app_context():  # only a hash of it is kept
        stored = db.session.scalar(select(PasswordReset))
        assert code.replace("-", "") not in stored.code_sha256

    anonymous = other_client(app, "198.51.100.20")
    done = reset(anonymous, "ada", code.lower())
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/login")
    assert learner.get("/history").status_code == 302  # the student's old sessions ended
    assert login(anonymous, "ada", "purple giraffe anthem").status_code == 302
    logout(anonymous)
    again = reset(anonymous, "ada", code, password="another long phrase")
    assert again.status_code == 422
    assert "wrong, used or expired" in again.get_data(as_text=True)


def test_a_reset_code_is_refused_when_expired_replaced_or_for_someone_else(app, client):
    class_id, student_id = class_with_student(app, client)
    register(other_client(app), "bea")
    anonymous = other_client(app, "198.51.100.21")

    first = make_code(client, class_id, student_id)
    second = make_code(client, class_id, student_id)
    assert "wrong, used or expired" in reset(anonymous, "ada", first).get_data(as_text=True)
    assert "wrong, used or expired" in reset(anonymous, "bea", second).get_data(as_text=True)
    weak = reset(anonymous, "ada", second, password="12345678")
    assert weak.status_code == 422
    assert "most common" in weak.get_data(as_text=True)
    with app.app_context():
        for row in db.session.scalars(select(PasswordReset)):
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "wrong, used or expired" in reset(anonymous, "ada", second).get_data(as_text=True)
    assert login(anonymous, "ada", PASSWORD).status_code == 302  # the password never changed


def test_only_the_students_own_instructor_may_make_a_code_and_never_for_an_instructor(app, client):
    class_id, student_id = class_with_student(app, client)
    stranger = other_client(app)
    make_instructor(app, "other")
    login(stranger, "other")
    token = csrf_token(stranger.get("/teach/").get_data(as_text=True))

    refused = stranger.post(
        f"/teach/classes/{class_id}/students/{student_id}/reset", data={"csrf_token": token}
    )

    assert refused.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(PasswordReset)) is None


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(another_app):
    proxied = another_app(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute")
    client = proxied.test_client()

    def guess_from(address: str) -> int:
        headers = {"X-Forwarded-For": address}
        token = csrf_token(client.get("/login", headers=headers).get_data(as_text=True))
        form = {"csrf_token": token, "username": "ada", "password": "wrong guess"}
        return client.post("/login", data=form, headers=headers).status_code

    assert [guess_from("203.0.113.1") for _ in range(3)] == [422, 422, 429]
    assert guess_from("203.0.113.2") == 422  # another pupil behind the same proxy


def test_without_trusted_proxies_a_forged_forwarded_address_does_not_dodge_the_limit(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"

    def guess_as(address: str) -> int:
        token = csrf_token(client.get("/login").get_data(as_text=True))
        form = {"csrf_token": token, "username": "ada", "password": "wrong guess"}
        return client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code

    assert [guess_as(f"203.0.113.{n}") for n in range(3)] == [422, 422, 429]
