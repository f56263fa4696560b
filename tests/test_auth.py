from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import csrf_token, login, logout, register


def test_registering_logs_the_learner_in_and_stores_a_hashed_password(app, client):
    response = register(client, "Ada", password="correct horse battery", name="Ada Lovelace")
    assert response.status_code == 302
    assert "Ada Lovelace" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.username == "ada"
        # Hashed with the configured method: scrypt outside tests (see the test below), one cheap round here.
        assert user.password_hash.startswith(app.config["PASSWORD_HASH"] + "$")
        assert "correct horse" not in user.password_hash
        assert "correct horse battery" not in user.password_hash


def test_a_short_password_is_refused_with_the_minimum_length_and_keeps_the_other_fields(client):
    response = register(client, "bob", password="short", name="Bob Builder")
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


def test_usernames_are_unique_whatever_their_case(client):
    register(client, "ada")
    logout(client)
    response = register(client, "ADA")
    assert response.status_code == 422
    assert "taken" in response.get_data(as_text=True)


def test_a_username_with_spaces_or_symbols_is_refused(client):
    response = register(client, "ada lovelace!")
    assert response.status_code == 422
    assert "letters, digits" in response.get_data(as_text=True)


def test_login_with_the_right_password_then_logout(client):
    register(client, "ada")
    logout(client)
    assert client.get("/history").status_code == 302
    response = login(client, "Ada")
    assert response.status_code == 302
    assert client.get("/history").status_code == 200
    logout(client)
    assert client.get("/history").status_code == 302


def test_a_wrong_password_gets_one_message_that_does_not_say_which_part_was_wrong(client):
    register(client, "ada")
    logout(client)
    wrong_password = login(client, "ada", password="not the password")
    unknown_user = login(client, "nobody", password="not the password")
    assert wrong_password.status_code == unknown_user.status_code == 422
    assert "Wrong username or password" in wrong_password.get_data(as_text=True)
    assert "Wrong username or password" in unknown_user.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for_but_never_to_another_site(client):
    register(client, "ada")
    logout(client)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": "ada", "password": "a long password"}
    assert client.post("/login?next=/history", data=form).headers["Location"] == "/history"
    logout(client)
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


def test_control_characters_in_a_name_are_refused_with_a_message(client):
    response = register(client, "ada", name="Ada\x00Lovelace")
    assert response.status_code == 422
    assert "printable characters" in response.get_data(as_text=True)
    response = register(client, "ad\x00a")
    assert response.status_code == 422
    assert "letters, digits" in response.get_data(as_text=True)


def test_a_username_typed_with_a_trailing_line_break_still_logs_in(client):
    assert register(client, "eve\n").status_code == 302
    logout(client)
    assert login(client, "eve").status_code == 302


def test_a_login_with_a_username_that_cannot_exist_is_refused_like_any_other(client):
    response = login(client, "no\x00body")
    assert response.status_code == 422


def test_pages_of_a_logged_in_learner_are_not_kept_in_the_browser_cache(student):
    assert student.get("/history").headers["Cache-Control"] == "no-store"


def test_passwords_are_hashed_with_scrypt_unless_configured_otherwise():
    from quizapp.config import DEFAULTS

    assert DEFAULTS["PASSWORD_HASH"] == "scrypt"
