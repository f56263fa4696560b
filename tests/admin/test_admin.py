"""The site administrator's account pages: who may see them, search and paging, roles (never
without an admin), unlocking, ending sessions and reset codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User, utcnow
from tests.factories import csrf_token, login, make_instructor, register, reset_password, text_of

PASSWORD = "a long password"


def make_admin(app, username: str = "root") -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", username, "--role", "admin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def admin(app, client: FlaskClient) -> FlaskClient:
    """A client logged in as site administrator 'root'."""
    make_admin(app)
    assert login(client, "root").status_code == 302
    return client


def another(app) -> FlaskClient:
    return app.test_client()


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def stored(app, username: str) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return found


def signed_up(app, username: str, name: str | None = None) -> FlaskClient:
    """A new client, registered (and so logged in) as a student."""
    client = another(app)
    assert register(client, username, name=name).status_code == 302
    return client


def set_role(client: FlaskClient, account_id: int, role: str):
    token = csrf_token(client.get(f"/admin/users/{account_id}").get_data(as_text=True))
    return client.post(
        f"/admin/users/{account_id}/role", data={"csrf_token": token, "role": role, "confirm": "yes"}
    )


def admin_routes(app) -> list[tuple[str, str]]:
    """Every admin page and form as (method, path), for account 1."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = rule.rule.replace("<id:user_id>", "1")
            routes += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


# -- who may come in --------------------------------------------------------------------------------


def test_every_admin_page_and_form_refuses_students_and_instructors_and_sends_strangers_to_log_in(app):
    make_admin(app)
    student = signed_up(app, "ada")
    make_instructor(app, "prof")
    instructor = another(app)
    login(instructor, "prof")
    routes = admin_routes(app)
    assert {path for _, path in routes} >= {"/admin/users", "/admin/users/1", "/admin/users/1/role"}
    assert any(method == "POST" for method, _ in routes)

    for client in (student, instructor):
        token = csrf_token(client.get("/").get_data(as_text=True))
        for method, path in routes:
            response = client.open(path, method=method, data={"csrf_token": token, "role": "admin"})
            assert response.status_code == 403, (method, path)
        assert "Admin</a>" not in client.get("/").get_data(as_text=True)

    stranger = another(app)
    token = csrf_token(stranger.get("/login").get_data(as_text=True))
    for method, path in routes:
        response = stranger.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login")
    assert stored(app, "ada").role == "student"


def test_the_admin_has_an_admin_link_and_sees_every_account(app, admin):
    signed_up(app, "ada", name="Ada Lovelace")
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 1
    login(another(app), "ada", "wrong password")

    page = admin.get("/").get_data(as_text=True)
    assert '<a href="/admin/users">Admin</a>' in page
    listing = admin.get("/admin/users").get_data(as_text=True)

    assert "2 accounts" in listing
    row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>ada</a></td>.*?</tr>", listing, re.S).group(0)
    assert "Ada Lovelace" in row
    assert "student" in row
    assert "locked" in row
    root = re.search(r"<tr>\s*<td[^>]*><a[^>]*>root</a></td>.*?</tr>", listing, re.S).group(0)
    assert "admin" in root
    assert "locked" not in root


# -- search and paging ------------------------------------------------------------------------------


def test_search_matches_username_or_display_name_in_any_case(app, admin):
    signed_up(app, "ada", name="Ada Lovelace")
    signed_up(app, "grace", name="Grace Hopper")
    signed_up(app, "alan_t", name="Alan Turing")

    by_name = admin.get("/admin/users?q=HOPPER").get_data(as_text=True)
    by_username = admin.get("/admin/users?q=Ada").get_data(as_text=True)

    assert ">grace</a>" in by_name
    assert ">ada</a>" not in by_name
    assert "1 account matching “HOPPER”" in by_name
    assert ">ada</a>" in by_username
    assert ">grace</a>" not in by_username


def test_percent_and_underscore_in_a_search_are_not_wildcards(app, admin):
    signed_up(app, "ada", name="Ada Lovelace")
    signed_up(app, "alan_t", name="Alan Turing")

    underscore = admin.get("/admin/users?q=_").get_data(as_text=True)
    percent = admin.get("/admin/users?q=%25").get_data(as_text=True)

    assert ">alan_t</a>" in underscore
    assert ">ada</a>" not in underscore
    assert "No account matches." in percent


def test_accounts_come_fifty_to_a_page_and_a_page_past_the_end_is_not_found(app, admin):
    with app.app_context():
        db.session.add_all(
            User(username=f"learner{n:03}", display_name=f"Learner {n}", password_hash="x") for n in range(60)
        )
        db.session.commit()

    first = admin.get("/admin/users").get_data(as_text=True)
    second = admin.get("/admin/users?page=2").get_data(as_text=True)

    assert "61 accounts" in first
    assert first.count("<tr>") == 1 + 50
    assert "Page 1 of 2" in first
    assert 'href="/admin/users?page=2"' in first
    assert second.count("<tr>") == 1 + 11
    assert ">root</a>" in second
    for page in ("3", "0", "-1", "9" * 30):
        assert admin.get(f"/admin/users?page={page}").status_code == 404, page
    assert admin.get("/admin/users?page=many").status_code == 200
    assert admin.get("/admin/users?q=learner05&page=1").get_data(as_text=True).count("<tr>") == 1 + 10


def test_html_in_a_display_name_is_shown_as_text(app, admin):
    signed_up(app, "mallory", name="<script>alert(1)</script>")
    account = user_id(app, "mallory")

    listing = admin.get("/admin/users?q=<script>").get_data(as_text=True)
    page = admin.get(f"/admin/users/{account}").get_data(as_text=True)

    for html in (listing, page):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- roles ------------------------------------------------------------------------------------------


def test_promoting_a_student_ends_their_session_and_they_come_back_an_instructor(app, admin):
    learner = signed_up(app, "ada")
    assert learner.get("/history").status_code == 200

    done = set_role(admin, user_id(app, "ada"), "instructor")

    assert done.status_code == 302
    assert "is now an instructor" in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert stored(app, "ada").role == "instructor"
    ended = learner.get("/history")
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/login")
    login(learner, "ada")
    assert learner.get("/teach/").status_code == 200


def test_the_only_admin_cannot_stop_being_one_on_the_page_or_in_the_cli(app, admin):
    refused = set_role(admin, user_id(app, "root"), "instructor")

    assert refused.status_code == 422
    assert "&#39;root&#39; is the only admin" in refused.get_data(as_text=True)
    assert stored(app, "root").role == "admin"
    assert admin.get("/admin/users").status_code == 200  # still signed in, still an admin
    result = app.test_cli_runner().invoke(args=["users", "set-role", "root", "student"])
    assert result.exit_code != 0
    assert "'root' is the only admin" in result.output
    assert stored(app, "root").role == "admin"


def test_an_admin_may_step_down_once_another_admin_exists(app, admin):
    signed_up(app, "ada")
    assert set_role(admin, user_id(app, "ada"), "admin").status_code == 302

    done = set_role(admin, user_id(app, "root"), "student")

    assert done.status_code == 302
    assert stored(app, "root").role == "student"
    assert admin.get("/admin/users").headers["Location"].startswith("/login")
    second = another(app)
    login(second, "ada")
    assert set_role(second, user_id(app, "ada"), "student").status_code == 422  # now the only one
    assert app.test_cli_runner().invoke(args=["users", "set-role", "ada", "student"]).exit_code != 0


def test_an_unknown_role_is_refused_with_the_roles_named_and_an_unknown_account_is_not_found(app, admin):
    signed_up(app, "ada")

    refused = set_role(admin, user_id(app, "ada"), "dean")
    token = csrf_token(admin.get("/admin/users").get_data(as_text=True))

    assert refused.status_code == 422
    assert "Choose one of: student, instructor, admin." in refused.get_data(as_text=True)
    assert stored(app, "ada").role == "student"
    assert admin.get("/admin/users/999").status_code == 404
    for action in ("role", "unlock", "sessions/end", "reset"):
        response = admin.post(f"/admin/users/999/{action}", data={"csrf_token": token, "role": "student"})
        assert response.status_code == 404, action


def test_a_form_without_its_csrf_token_changes_nothing(app, admin):
    signed_up(app, "ada")
    account = user_id(app, "ada")

    for action in ("role", "sessions/end", "reset"):
        response = admin.post(f"/admin/users/{account}/{action}", data={"role": "admin"})
        assert response.status_code == 400, action
        assert "This form was not accepted" in response.get_data(as_text=True)

    ada = stored(app, "ada")
    assert ada.role == "student"
    assert ada.session_generation == 0


# -- logging in: lockouts, sessions, reset codes ----------------------------------------------------


def test_the_admin_unlocks_a_locked_account(app, admin):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 2
    signed_up(app, "ada")
    for _ in range(2):
        login(another(app), "ada", "wrong password")
    assert login(another(app), "ada").status_code == 422  # locked, even with the right password
    account = user_id(app, "ada")
    page = admin.get(f"/admin/users/{account}").get_data(as_text=True)
    assert "after too many wrong passwords" in page

    done = admin.post(f"/admin/users/{account}/unlock", data={"csrf_token": csrf_token(page)})

    assert "can log in again" in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert login(another(app), "ada").status_code == 302


def test_the_unlock_button_shows_only_while_an_account_is_locked(app, admin):
    signed_up(app, "ada")
    account = user_id(app, "ada")
    assert "Unlock the account" not in admin.get(f"/admin/users/{account}").get_data(as_text=True)
    with app.app_context():
        db.session.get(User, account).locked_until = utcnow() + timedelta(minutes=5)
        db.session.commit()
    assert "Unlock the account" in admin.get(f"/admin/users/{account}").get_data(as_text=True)


def test_the_admin_logs_an_account_out_everywhere(app, admin):
    learner = signed_up(app, "ada")
    laptop = another(app)
    login(laptop, "ada")
    account = user_id(app, "ada")
    page = admin.get(f"/admin/users/{account}").get_data(as_text=True)

    done = admin.post(
        f"/admin/users/{account}/sessions/end", data={"csrf_token": csrf_token(page), "confirm": "yes"}
    )

    assert "was logged out everywhere" in admin.get(done.headers["Location"]).get_data(as_text=True)
    for client in (learner, laptop):
        assert client.get("/history").headers["Location"].startswith("/login")
    assert login(learner, "ada").status_code == 302
    assert admin.get("/admin/users").status_code == 200  # the admin's own session is untouched


def test_a_reset_code_from_the_admin_sets_a_new_password_once(app, admin):
    make_instructor(app, "prof")
    account = user_id(app, "prof")
    page = admin.get(f"/admin/users/{account}").get_data(as_text=True)

    shown = admin.post(f"/admin/users/{account}/reset", data={"csrf_token": csrf_token(page)})

    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    code = re.search(r'<p class="code"><strong>([A-Z0-9-]+)</strong></p>', html).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "http://localhost/password/reset" in html
    assert code not in admin.get(f"/admin/users/{account}").get_data(as_text=True)  # shown only once
    stranger = another(app)
    assert reset_password(stranger, "prof", code, "purple giraffe anthem").status_code == 302
    assert login(stranger, "prof", "purple giraffe anthem").status_code == 302
    again = reset_password(another(app), "prof", code, "another long phrase")
    assert "wrong, used or expired" in again.get_data(as_text=True)


def test_an_admin_makes_no_reset_code_for_their_own_account(app, admin):
    account = user_id(app, "root")
    page = admin.get(f"/admin/users/{account}").get_data(as_text=True)
    assert "Make a password reset code" not in page
    assert 'href="/account"' in page

    refused = admin.post(f"/admin/users/{account}/reset", data={"csrf_token": csrf_token(page)})

    assert refused.status_code == 403
    assert "Change your own password on your account page" in refused.get_data(as_text=True)


def test_a_search_or_a_member_name_with_a_nul_is_no_error(app, client):
    admin = app.test_cli_runner().invoke(
        args=["users", "create", "root", "--role", "admin"], input="a long password\n"
    )
    assert admin.exit_code == 0
    login(client, "root")

    assert client.get("/admin/users?q=ro%00ot").status_code == 200
    page = client.get("/teach/banks/every-type/access").get_data(as_text=True)
    token = csrf_token(page)
    removed = client.post(
        "/teach/banks/every-type/access/remove", data={"csrf_token": token, "username": "ro\x00ot"}
    )
    assert removed.status_code < 500


def test_a_new_role_and_logging_out_everywhere_ask_first_and_change_nothing_until_confirmed(app, admin):
    learner = signed_up(app, "ada")
    account = user_id(app, "ada")
    token = csrf_token(admin.get(f"/admin/users/{account}").get_data(as_text=True))

    asked = admin.post(f"/admin/users/{account}/role", data={"csrf_token": token, "role": "instructor"})
    page = text_of(asked)
    assert asked.status_code == 200
    assert "Make Ada an instructor?" in page
    assert "no longer what a student does" in page
    assert f'<a href="/admin/users/{account}">Cancel</a>' in page
    assert 'name="role" value="instructor"' in page
    same = admin.post(f"/admin/users/{account}/role", data={"csrf_token": token, "role": "student"})
    assert same.status_code == 302  # no change: nothing to confirm

    asked = admin.post(f"/admin/users/{account}/sessions/end", data={"csrf_token": token})
    assert "Log Ada out everywhere?" in text_of(asked)

    assert stored(app, "ada").role == "student"
    assert learner.get("/history").status_code == 200


def test_the_only_admin_stepping_down_is_refused_at_once_not_asked_to_confirm(app, admin):
    token = csrf_token(admin.get(f"/admin/users/{user_id(app, 'root')}").get_data(as_text=True))

    refused = admin.post(
        f"/admin/users/{user_id(app, 'root')}/role", data={"csrf_token": token, "role": "student"}
    )

    assert refused.status_code == 422
    assert "&#39;root&#39; is the only admin" in refused.get_data(as_text=True)
    assert 'name="confirm"' not in refused.get_data(as_text=True)
    assert stored(app, "root").role == "admin"
