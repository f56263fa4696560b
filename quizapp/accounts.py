"""Accounts as operations, shared by the registration page and the ``quizapp users`` commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db, write_transaction
from quizapp.models import ROLES, User

USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,40}")
MAX_PASSWORD = 200


class AccountError(Exception):
    """An account could not be made or changed; the message says why."""


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    return None


@dataclass(frozen=True, eq=False)
class SignedIn(UserMixin):
    """The signed-in person as a request knows them (``current_user``): the few columns every
    page needs, read afresh for each request, so a role changed meanwhile counts at once.

    A plain value rather than a ``User``, because every logged-in request loads it: one small
    column query costs half as much as an ORM lookup. Code that changes an account loads the
    ``User`` itself.
    """

    id: int
    username: str
    display_name: str
    role: str
    session_generation: int

    is_instructor = User.is_instructor
    is_admin = User.is_admin
    get_id = User.get_id


_users = User.__table__
# On the table, not the ORM class: a Core statement skips the ORM's per-statement work.
_SIGNED_IN = select(
    _users.c.id, _users.c.username, _users.c.display_name, _users.c.role, _users.c.session_generation
).where(_users.c.id == bindparam("id"))


def signed_in(user_id: int) -> SignedIn | None:
    """The account behind a session's user id, or None if there is none any more."""
    row = db.session.execute(_SIGNED_IN, {"id": user_id}).first()
    return SignedIn(*row) if row else None


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def create_account(username: str, display_name: str, password: str, role: str = "student") -> User:
    """A new account; the username is kept lower-cased and the password hashed."""
    if not USERNAME.fullmatch(username):
        raise AccountError("A username is 3–40 letters, digits, '.', '-' or '_'.")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}.")
    user = User(username=username.lower(), display_name=display_name.strip()[:80] or username, role=role)
    user.set_password(password)
    try:
        with write_transaction():
            db.session.add(user)
    except IntegrityError:
        raise AccountError("That username is taken. Choose another.") from None
    return user


def change_role(username: str, role: str) -> User:
    """Give an account another role; its sessions end, so the new role counts from its next login."""
    with write_transaction():
        user = find_user(username)
        if user is None:
            raise AccountError(f"There is no account '{username}'.")
        if user.role != role:
            user.role = role
            user.session_generation += 1
    return user


def end_sessions(user_id: int) -> None:
    """End every session of the account, on every worker and host: the next request of each finds
    its generation behind the account's."""
    with write_transaction():
        db.session.execute(
            update(_users)
            .where(_users.c.id == user_id)
            .values(session_generation=_users.c.session_generation + 1)
        )
