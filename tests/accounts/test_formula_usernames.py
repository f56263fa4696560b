"""Usernames that a spreadsheet would read as a formula ('-', '+', '=' or '@' first): refused for new
accounts in the registration form and `quizapp users create`, still working for the accounts that
have one, and listed by `quizapp users risky-names`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import User
from tests.factories import PASSWORD, login, logout

FORMULA_NAMES = ["-dash", "+plus", "=equals", "@at"]


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def old_account(app, username: str, role: str = "student", name: str = "") -> None:
    """An account made before the rule, straight into the database, with the usual password."""
    with app.app_context():
        user = User(username=username, display_name=name or username, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


@pytest.mark.parametrize("username", FORMULA_NAMES)
def test_registering_a_username_that_starts_as_a_formula_is_refused_saying_why(app, auth, username):
    response = auth.register(username, name="Ada Lovelace")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert (
        f"A username cannot start with &#39;{username[0]}&#39;: spreadsheets would read it as a formula."
        in page
    )
    assert 'value="Ada Lovelace"' in page
    assert user_count(app) == 0


def test_the_registration_form_states_the_rule_on_the_first_character(client):
    assert "not starting with &#39;-&#39;" in client.get("/register").get_data(as_text=True)


@pytest.mark.parametrize("username", ["da-sh", "dash-", "a.b_c-d"])
def test_a_dash_after_the_first_character_is_still_allowed(app, auth, username):
    assert auth.register(username).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.username)) == username


@pytest.mark.parametrize("username", FORMULA_NAMES)
def test_users_create_refuses_a_username_that_starts_as_a_formula(app, runner, username):
    # "--" ends the options, as a shell user would type a name starting with '-'.
    result = runner.invoke(args=["users", "create", "--", username], input=f"{PASSWORD}\n")

    assert result.exit_code == 1
    assert f"A username cannot start with '{username[0]}': spreadsheets would read it as a formula." in (
        result.output
    )
    assert user_count(app) == 0


def test_an_account_made_before_the_rule_still_logs_in_and_gets_its_pages(app, client):
    old_account(app, "-dash", name="Dash Old")

    assert login(client, "-dash").status_code == 302
    assert "Dash Old" in client.get("/").get_data(as_text=True)
    logout(client)
    assert login(client, "-DASH").status_code == 302


def test_an_account_made_before_the_rule_can_still_be_managed_from_the_command_line(app, runner, client):
    old_account(app, "-dash")

    promoted = runner.invoke(args=["users", "set-role", "--", "-dash", "instructor"])
    reset = runner.invoke(args=["users", "set-password", "--", "-dash"], input="another long password\n")

    assert promoted.exit_code == 0, promoted.output
    assert reset.exit_code == 0, reset.output
    assert login(client, "-dash", "another long password").status_code == 302
    assert client.get("/teach/").status_code == 200


def test_risky_names_lists_each_account_that_starts_as_a_formula_and_exits_1(app, runner):
    old_account(app, "-dash", name="Dash Old")
    old_account(app, "-prof", role="instructor", name="Prof Dash")
    old_account(app, "ada", name="Ada")
    old_account(app, "da-sh", name="Mid Dash")

    result = runner.invoke(args=["users", "risky-names"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == ["-dash\tstudent\tDash Old", "-prof\tinstructor\tProf Dash"]
    assert "ada" not in result.output.split()
    assert "da-sh" not in result.output
    assert lines[2].startswith("2 accounts with a username starting with '-', '+', '=', '@'.")
    assert "quizapp cannot rename an account" in lines[2]


def test_risky_names_finds_every_formula_start_even_ones_only_the_database_could_hold(app, runner):
    for username in ["=sum", "+one", "@at"]:
        old_account(app, username)

    result = runner.invoke(args=["users", "risky-names"])

    assert result.exit_code == 1
    assert [line.split("\t")[0] for line in result.output.splitlines()[:3]] == ["+one", "=sum", "@at"]
    assert "3 accounts" in result.output


def test_risky_names_says_so_and_exits_0_when_there_is_none(app, runner):
    old_account(app, "ada")
    old_account(app, "da-sh")

    result = runner.invoke(args=["users", "risky-names"])

    assert result.exit_code == 0, result.output
    assert result.output == "no username starts with '-', '+', '=', '@'\n"
