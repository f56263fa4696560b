from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.accounts.operations import WRONG_LOGIN, LoginRefused, authenticate, create_account
from quizapp.extensions import db
from quizapp.models import User, utcnow
from tests.factories import csrf_token


def test_registering_logs_the_learner_in_and_stores_a_hashed_password(app, auth, client):
    response = auth.register("Ada", password="correct horse battery", name="Ada Lovelace")
    assert response.status_code == 302
    assert "Ada Lovelace" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.username == "ada"
        # Hashed with the configured method: scrypt outside tests (see the test below), one cheap round here.
        assert user.password_hash.startswith(app.config["PASSWORD_HASH"] + "$")
        assert "correct horse" not in user.password_hash
        assert "correct horse battery" not in user.password_hash


def test_a_short_password_is_refused_with_the_minimum_length_and_keeps_the_other_fields(auth):
    response = auth.register("bob", password="short", name="Bob Builder")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least 8 characters" in page
    assert 'value="bob"' in page
    assert 'value="Bob Builder"' in page


def test_mismatched_passwords_are_refused(client):
    token = csrf_token(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "username": "eve",
            "display_name": "Eve",
            "password": "a long password",
            "confirm": "another one",
        },
    )
    assert response.status_code == 422
    assert "passwords differ" in response.get_data(as_text=True)


def test_usernames_are_unique_whatever_their_case(auth):
    auth.register("ada")
    auth.logout()
    response = auth.register("ADA")
    assert response.status_code == 422
    assert "taken" in response.get_data(as_text=True)


def test_a_username_with_spaces_or_symbols_is_refused(auth):
    response = auth.register("ada lovelace!")
    assert response.status_code == 422
    assert "letters, digits" in response.get_data(as_text=True)


def test_login_with_the_right_password_then_logout(auth, client):
    auth.register("ada")
    auth.logout()
    assert client.get("/history").status_code == 302
    response = auth.login("Ada")
    assert response.status_code == 302
    assert client.get("/history").status_code == 200
    auth.logout()
    assert client.get("/history").status_code == 302


def test_a_wrong_password_gets_one_message_that_does_not_say_which_part_was_wrong(auth):
    auth.register("ada")
    auth.logout()
    wrong_password = auth.login("ada", password="not the password")
    unknown_user = auth.login("nobody", password="not the password")
    assert wrong_password.status_code == unknown_user.status_code == 422
    assert "Wrong username or password" in wrong_password.get_data(as_text=True)
    assert "Wrong username or password" in unknown_user.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for_but_never_to_another_site(auth, client):
    auth.register("ada")
    auth.logout()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": "ada", "password": "a long password"}
    assert client.post("/login?next=/history", data=form).headers["Location"] == "/history"
    auth.logout()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    form["csrf_token"] = token
    assert client.post("/login?next=//evil.example/x", data=form).headers["Location"] == "/"


def test_a_post_without_a_csrf_token_is_refused_with_a_clear_page(client):
    response = client.post(
        "/register",
        data={
            "username": "ada",
            "display_name": "Ada",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)


def test_logout_needs_a_post_with_a_token(student):
    assert student.get("/logout").status_code == 405
    assert student.post("/logout").status_code == 400
    assert student.get("/history").status_code == 200


def test_control_characters_in_a_name_are_refused_with_a_message(auth):
    response = auth.register("ada", name="Ada\x00Lovelace")
    assert response.status_code == 422
    assert "printable characters" in response.get_data(as_text=True)
    response = auth.register("ad\x00a")
    assert response.status_code == 422
    assert "letters, digits" in response.get_data(as_text=True)


def test_a_username_typed_with_a_trailing_line_break_still_logs_in(auth):
    assert auth.register("eve\n").status_code == 302
    auth.logout()
    assert auth.login("eve").status_code == 302


def test_a_login_with_a_username_that_cannot_exist_is_refused_like_any_other(auth):
    response = auth.login("no\x00body")
    assert response.status_code == 422


def test_pages_of_a_logged_in_learner_are_not_kept_in_the_browser_cache(student):
    assert student.get("/history").headers["Cache-Control"] == "no-store"


def test_passwords_are_hashed_with_scrypt_unless_configured_otherwise():
    from quizapp.config import DEFAULTS

    assert DEFAULTS["PASSWORD_HASH"] == "scrypt"


# -- authenticate, the login's one operation ----------------------------------------------------


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """The stored hashes every password check of ``authenticate`` compares against."""
    import quizapp.accounts.operations
    import quizapp.models

    checked: list[str] = []
    for module in (quizapp.models, quizapp.accounts.operations):

        def counted(stored, password, real=module.check_password_hash):
            checked.append(stored)
            return real(stored, password)

        monkeypatch.setattr(module, "check_password_hash", counted)
    return checked


@pytest.fixture
def ada(app):
    with app.app_context():
        return create_account("ada", "Ada", "a long password").id


def test_authenticate_with_the_right_password_gives_the_account_and_clears_failures(app, ada):
    with app.app_context():
        with pytest.raises(LoginRefused):
            authenticate("ada", "a wrong password")
        user = authenticate("ADA", "a long password")
        assert user.id == ada
        assert (user.failed_logins, user.failed_since, user.locked_until) == (0, None, None)


def test_authenticate_with_a_wrong_password_is_refused_without_naming_the_wrong_part_and_counts(app, ada):
    with app.app_context():
        with pytest.raises(LoginRefused, match=f"^{WRONG_LOGIN}$"):
            authenticate("ada", "a wrong password")
        assert db.session.get(User, ada).failed_logins == 1


def test_authenticate_an_unknown_user_checks_a_stand_in_hash_and_gives_the_same_refusal(app, password_checks):
    with app.app_context():
        with pytest.raises(LoginRefused, match=f"^{WRONG_LOGIN}$"):
            authenticate("nobody", "a long password")
        # One hash checked all the same, so that an unknown name takes as long as a wrong password.
        assert len(password_checks) == 1
        assert password_checks[0].startswith(app.config["PASSWORD_HASH"] + "$")


def test_authenticate_locks_the_account_at_the_threshold_and_then_checks_no_password(
    app, ada, password_checks
):
    threshold, minutes = app.config["LOGIN_LOCKOUT_THRESHOLD"], app.config["LOGIN_LOCKOUT_MINUTES"]
    locked = f"locked for {minutes} more minutes"
    now = utcnow()
    with app.app_context():
        for _ in range(threshold - 1):
            with pytest.raises(LoginRefused, match=f"^{WRONG_LOGIN}$"):
                authenticate("ada", "a wrong password", now)
        with pytest.raises(LoginRefused, match=locked):
            authenticate("ada", "a wrong password", now)
        password_checks.clear()
        with pytest.raises(LoginRefused, match=locked):
            authenticate("ada", "a long password", now)  # the right one, while locked
        assert password_checks == []
        later = now + timedelta(minutes=minutes, seconds=1)
        assert authenticate("ada", "a long password", later).id == ada
