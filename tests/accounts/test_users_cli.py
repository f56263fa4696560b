"""`quizapp users create` and `quizapp users set-role`: how an administrator makes instructors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from quizapp.extensions import db
from quizapp.models import User
from tests.factories import login, logout

PASSWORD = "a long password"


def stored_user(app, username: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def nav_has_teach(client) -> bool:
    return '<a href="/teach/">Teach</a>' in client.get("/").get_data(as_text=True)


def test_create_reads_the_password_from_stdin_and_makes_an_account_with_that_role(app, runner, client):
    result = runner.invoke(
        args=["users", "create", "Prof", "--role", "instructor", "--display-name", "Professor Plum"],
        input=f"{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "created instructor 'prof'" in result.output
    assert PASSWORD not in result.output
    user = stored_user(app, "prof")
    assert user is not None
    assert user.role == "instructor"
    assert user.display_name == "Professor Plum"
    assert check_password_hash(user.password_hash, PASSWORD)
    assert PASSWORD not in user.password_hash

    assert login(client, "prof", PASSWORD).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Professor Plum" in home
    assert nav_has_teach(client)
    assert client.get("/teach/").status_code == 200


def test_the_password_read_from_stdin_is_the_password_that_logs_in(app, runner, client):
    runner.invoke(args=["users", "create", "prof", "--role", "instructor"], input=f"{PASSWORD}\n")

    wrong = login(client, "prof", PASSWORD + "x")

    assert wrong.status_code == 422
    assert "Wrong username or password." in wrong.get_data(as_text=True)
    assert login(client, "prof", PASSWORD).status_code == 302


def test_create_without_a_role_makes_a_student(app, runner, client):
    result = runner.invoke(args=["users", "create", "ada"], input=f"{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert stored_user(app, "ada").role == "student"
    assert login(client, "ada", PASSWORD).status_code == 302
    assert not nav_has_teach(client)
    assert client.get("/teach/").status_code == 403


def test_create_refuses_a_short_password_with_a_message_and_a_failing_exit_code(app, runner):
    result = runner.invoke(args=["users", "create", "prof", "--role", "instructor"], input="short\n")

    assert result.exit_code != 0
    assert "Use at least 8 characters." in result.output
    assert stored_user(app, "prof") is None


def test_create_refuses_an_empty_stdin(app, runner):
    result = runner.invoke(args=["users", "create", "prof", "--role", "instructor"], input="")

    assert result.exit_code != 0
    assert "Use at least 8 characters." in result.output
    assert user_count(app) == 0


def test_create_refuses_a_username_that_is_taken_whatever_its_case(app, runner, client):
    first = runner.invoke(args=["users", "create", "prof", "--role", "instructor"], input=f"{PASSWORD}\n")
    assert first.exit_code == 0, first.output

    again = runner.invoke(args=["users", "create", "PROF"], input="another long password\n")

    assert again.exit_code != 0
    assert "That username is taken" in again.output
    assert user_count(app) == 1
    assert stored_user(app, "prof").role == "instructor"
    assert login(client, "prof", PASSWORD).status_code == 302


def test_create_refuses_an_unknown_role(app, runner):
    result = runner.invoke(args=["users", "create", "boss", "--role", "dean"], input=f"{PASSWORD}\n")

    assert result.exit_code != 0
    assert "'dean' is not one of 'student', 'instructor', 'admin'" in result.output
    assert user_count(app) == 0


@pytest.mark.parametrize("option", [["--password", PASSWORD], [f"--password={PASSWORD}"], ["-p", PASSWORD]])
def test_the_password_is_never_accepted_as_a_command_line_option(app, runner, option):
    result = runner.invoke(args=["users", "create", "prof", "--role", "instructor", *option], input="")

    assert result.exit_code == 2
    assert "No such option" in result.output
    assert user_count(app) == 0


def test_set_role_promotes_a_student_to_instructor_and_back(app, runner, client):
    runner.invoke(args=["users", "create", "ada"], input=f"{PASSWORD}\n")
    login(client, "ada", PASSWORD)
    assert client.get("/teach/").status_code == 403

    promoted = runner.invoke(args=["users", "set-role", "Ada", "instructor"])

    assert promoted.exit_code == 0, promoted.output
    assert "'ada' is now an instructor" in promoted.output
    assert stored_user(app, "ada").role == "instructor"
    # A new role ends the account's sessions: the next page asks for a login, and says why.
    ended = client.get("/teach/", follow_redirects=True)
    assert "/login" in ended.request.path
    assert "your password or role changed" in ended.get_data(as_text=True)
    login(client, "ada", PASSWORD)
    assert client.get("/teach/").status_code == 200
    assert nav_has_teach(client)

    demoted = runner.invoke(args=["users", "set-role", "ada", "student"])

    assert demoted.exit_code == 0, demoted.output
    assert "'ada' is now a student" in demoted.output
    assert stored_user(app, "ada").role == "student"
    assert client.get("/teach/").status_code == 302  # the instructor's session ended with the role
    login(client, "ada", PASSWORD)
    assert client.get("/teach/").status_code == 403
    assert not nav_has_teach(client)
    logout(client)
    assert login(client, "ada", PASSWORD).status_code == 302


def test_set_role_of_an_unknown_user_fails_with_a_message(app, runner):
    result = runner.invoke(args=["users", "set-role", "nobody", "instructor"])

    assert result.exit_code != 0
    assert "There is no account 'nobody'." in result.output
    assert user_count(app) == 0


def test_set_role_refuses_an_unknown_role_and_changes_nothing(app, runner):
    runner.invoke(args=["users", "create", "ada"], input=f"{PASSWORD}\n")

    result = runner.invoke(args=["users", "set-role", "ada", "dean"])

    assert result.exit_code != 0
    assert "'dean' is not one of 'student', 'instructor', 'admin'" in result.output
    assert stored_user(app, "ada").role == "student"
