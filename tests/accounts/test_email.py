"""An optional e-mail address on an account: set on the account page or with `quizapp users
set-email`, checked, one account per address in any case, and carried by the Moodle grade file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from tests.factories import csrf_token, register, text_of


def stored_email(app, username: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.email).where(User.username == username))


def save_email(client, email: str):
    token = csrf_token(client.get("/account").get_data(as_text=True))
    return client.post("/account/email", data={"csrf_token": token, "email": email})


def test_a_student_sets_their_email_on_the_account_page_as_typed_and_sees_it_there(app, student):
    response = save_email(student, "  Ada.Lovelace@Example.org ")

    assert response.status_code == 302
    assert stored_email(app, "ada") == "Ada.Lovelace@Example.org"
    page = text_of(student.get("/account"))
    assert "Your e-mail address is now Ada.Lovelace@Example.org." in page
    assert 'value="Ada.Lovelace@Example.org"' in page


@pytest.mark.parametrize(
    "typed", ["ada+quiz@example.org", "o'brien@mail.example.co.uk", "zoë@例え.jp", "a_b@x-y.org"]
)
def test_ordinary_addresses_are_accepted(app, student, typed):
    assert save_email(student, typed).status_code == 302
    assert stored_email(app, "ada") == typed


def test_an_empty_email_removes_it(app, student):
    save_email(student, "ada@example.org")
    assert save_email(student, "").status_code == 302
    assert stored_email(app, "ada") is None
    assert "Your e-mail address is removed." in text_of(student.get("/account"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ada", "That is not an e-mail address"),
        ("ada@example", "That is not an e-mail address"),
        ("ada @example.org", "That is not an e-mail address"),
        ("ada@@example.org", "That is not an e-mail address"),
        ('=HYPERLINK("http://x.org")@example.org', "That is not an e-mail address"),
        ("=1+1@example.org", "That is not an e-mail address"),
        ("-ada@example.org", "That is not an e-mail address"),
        ("a" * 250 + "@example.org", "at most 254 characters"),
    ],
)
def test_a_malformed_email_is_refused_with_a_message_and_the_old_one_kept(app, student, typed, message):
    save_email(student, "ada@example.org")
    response = save_email(student, typed)

    assert response.status_code == 422
    assert message in text_of(response)
    assert stored_email(app, "ada") == "ada@example.org"


def test_an_address_another_account_has_in_any_case_is_refused(app, student):
    save_email(student, "shared@example.org")
    other = app.test_client()
    register(other, "bob")

    response = save_email(other, "Shared@Example.ORG")

    assert response.status_code == 422
    assert "Another account has that e-mail address." in text_of(response)
    assert stored_email(app, "bob") is None


def test_the_email_form_needs_its_csrf_token(app, student):
    assert student.post("/account/email", data={"email": "ada@example.org"}).status_code in (400, 422)
    assert stored_email(app, "ada") is None


def test_the_cli_sets_and_removes_an_email(app, runner, student):
    result = runner.invoke(args=["users", "set-email", "ADA", "ada@example.org"])
    assert result.exit_code == 0, result.output
    assert "'ada' has the e-mail address ada@example.org" in result.output
    assert stored_email(app, "ada") == "ada@example.org"

    result = runner.invoke(args=["users", "set-email", "ada", ""])
    assert result.exit_code == 0, result.output
    assert "'ada' has no e-mail address" in result.output
    assert stored_email(app, "ada") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "x@example.org"], "There is no account 'nobody'."),
        (["ada", "not-an-address"], "That is not an e-mail address"),
    ],
)
def test_the_cli_refuses_a_bad_email_or_account_with_a_message(app, runner, student, args, message):
    save_email(student, "ada@example.org")
    result = runner.invoke(args=["users", "set-email", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert stored_email(app, "ada") == "ada@example.org"
