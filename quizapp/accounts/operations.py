"""Accounts as operations, shared by the registration page and the ``quizapp users`` commands."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CursorResult, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from quizapp import queries
from quizapp.database import write_transaction
from quizapp.extensions import db
from quizapp.models import ROLES, PasswordReset, User, utcnow
from quizapp.people import Roles
from quizapp.text import clean_text

#: The username rule, written once: the registration form and ``create_account`` both check it.
USERNAME_CHARS = "A-Za-z0-9_.-"
USERNAME_LENGTH = (3, 40)
USERNAME_RULE = "3–40 letters, digits, '.', '-' or '_', not starting with '-'"
#: Any username these characters allow, which is what logging in accepts: accounts made before
#: the rule on their first character keep working.
USERNAME = re.compile(f"[{USERNAME_CHARS}]{{{USERNAME_LENGTH[0]},{USERNAME_LENGTH[1]}}}")
#: A new username may not start with one of these: spreadsheets read such a cell as a formula, and
#: grade files carry usernames exactly as stored, for the LMS to match them.
FORMULA_STARTS = ("-", "+", "=", "@")
MAX_PASSWORD = 200


class AccountError(Exception):
    """An account could not be made or changed; the message says why."""


def formula_start_problem(username: str) -> str | None:
    """Why a new account cannot have ``username`` because of its first character, or None."""
    if username.startswith(FORMULA_STARTS):
        return f"A username cannot start with '{username[0]}': spreadsheets would read it as a formula."
    return None


def username_problem(username: str) -> str | None:
    """Why a new account cannot have ``username``, or None."""
    if problem := formula_start_problem(username):
        return problem
    if not USERNAME.fullmatch(username):
        return f"A username is {USERNAME_RULE}."
    return None


def password_problem(password: str, username: str = "", display_name: str = "") -> str | None:
    """Why a password is not acceptable, or None, as NIST SP 800-63B has it: long enough, and not
    one that guessers try first. No rules about kinds of characters.

    Refused: a password on the list of the 30,000 most common ones in breaches (as shipped by
    zxcvbn), one that is the username, and one zxcvbn guesses in under a thousand tries (a repeated
    character, a sequence, a keyboard row, a common word with a digit)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    folded = password.casefold()
    if username and folded == username.casefold():
        return "Your password cannot be your username."
    if folded in common_passwords():
        return "That password is one of the most common ones in leaked password lists: choose another."
    # zxcvbn reads at most 72 characters; a longer password is long enough on its own.
    estimate = zxcvbn(password[:72], user_inputs=[u for u in (username, display_name) if u])
    if estimate["guesses_log10"] < 3:
        hint = estimate["feedback"]["warning"]
        return "That password is too easy to guess" + (f" ({hint.rstrip('.').lower()})." if hint else ".")
    return None


@cache
def common_passwords() -> frozenset[str]:
    """The most common passwords in breach corpora, from the list zxcvbn ships."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


@dataclass(frozen=True, eq=False)
class SignedIn(Roles, UserMixin):
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


_users = User.__table__


def signed_in(user_id: int) -> SignedIn | None:
    """The account behind a session's user id, or None if there is none any more."""
    row = db.session.execute(queries.SIGNED_IN, {"id": user_id}).first()
    return SignedIn(*row) if row else None


def find_user(username: str) -> User | None:
    """The account ``username`` names, in any case; None for a name no account can have (which
    never reaches the database: PostgreSQL refuses a NUL in a query)."""
    username = username.strip()
    if not USERNAME.fullmatch(username):
        return None
    return db.session.scalar(select(User).where(User.username == username.lower()))


def account_named(username: str) -> User:
    """The account ``username`` names (as ``find_user`` reads it), or AccountError saying there is none."""
    user = find_user(username)
    if user is None:
        raise AccountError(f"There is no account '{username.strip()}'.")
    return user


def create_account(username: str, display_name: str, password: str, role: str = "student") -> User:
    """A new account; the username is kept lower-cased and the password hashed."""
    if problem := username_problem(username):
        raise AccountError(problem)
    problem = password_problem(password, username, display_name)
    if problem:
        raise AccountError(problem)
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}.")
    user = User(
        username=username.lower(), display_name=clean_text(display_name).strip()[:80] or username, role=role
    )
    user.set_password(password)
    try:
        with write_transaction():
            db.session.add(user)
    except IntegrityError:
        raise AccountError("That username is taken. Choose another.") from None
    return user


def formula_like_usernames() -> list[User]:
    """The accounts, by username, whose username starts as a formula would (made before the rule
    against it, or by hand in the database). They keep working; this is for an admin to know them."""
    starts = or_(*(User.username.startswith(start, autoescape=True) for start in FORMULA_STARTS))
    return list(db.session.scalars(select(User).where(starts).order_by(User.username)))


def change_role(username: str, role: str) -> User:
    """Give an account another role; its sessions end, so the new role counts from its next login.
    The last admin stays one (on the admin page and in the CLI alike): without an admin, nobody
    could manage accounts in the browser."""
    if role not in ROLES:
        raise _no_such_role()
    with write_transaction():
        user = account_named(username)
        if user.role == "admin" and role != "admin" and not _other_admins(user.id):
            raise _only_admin(user)
        if user.role != role:
            user.role = role
            user.session_generation += 1
    return user


def check_role_change(user: User, role: str) -> None:
    """Raise the AccountError ``change_role`` would raise now (no such role, the only admin's), so
    that the admin page says so before asking to confirm; ``change_role`` checks again, locked."""
    if role not in ROLES:
        raise _no_such_role()
    others = select(User.id).where(User.role == "admin", User.id != user.id).limit(1)
    if user.role == "admin" and role != "admin" and db.session.scalar(others) is None:
        raise _only_admin(user)


def _no_such_role() -> AccountError:
    return AccountError(f"The role must be one of {', '.join(ROLES)}.")


def _only_admin(user: User) -> AccountError:
    return AccountError(f"'{user.username}' is the only admin: make another account an admin first.")


def _other_admins(user_id: int) -> bool:
    """Whether an admin other than ``user_id`` exists. The admins' rows stay locked to the end of the
    transaction (on PostgreSQL; SQLite's write lock covers it), so two admins demoting each other at
    once cannot both succeed."""
    admins = db.session.scalars(select(User.id).where(User.role == "admin").with_for_update())
    return any(admin != user_id for admin in admins)


def end_sessions(user_id: int) -> None:
    """End every session of the account, on every worker and host: the next request of each finds
    its generation behind the account's."""
    with write_transaction():
        db.session.execute(
            update(_users)
            .where(_users.c.id == user_id)
            .values(session_generation=_users.c.session_generation + 1)
        )


# -- logging in: wrong passwords lock the account for a while --------------------------------------

WRONG_LOGIN = "Wrong username or password."


class LoginRefused(Exception):
    """A login was refused; the message says why (never which of username and password was wrong)."""


@cache
def _unknown_user_hash(method: str) -> str:
    """Checked against when the username is unknown, so that a login takes as long either way."""
    return generate_password_hash("not the password of anyone", method=method)


def authenticate(username: str, password: str, now: datetime | None = None) -> User:
    """The account ``username`` if ``password`` is its password, else LoginRefused.

    After LOGIN_LOCKOUT_THRESHOLD wrong passwords within LOGIN_LOCKOUT_WINDOW_MINUTES the account
    is locked for LOGIN_LOCKOUT_MINUTES (Moodle's lockout model), counted in the database so that
    every worker and host agrees. A locked account's password is not even checked: a guesser gets
    no answer and costs the server no hashing.
    """
    now = now or utcnow()
    user = find_user(username)
    if user is None:
        check_password_hash(_unknown_user_hash(current_app.config["PASSWORD_HASH"]), password)
        raise LoginRefused(WRONG_LOGIN)
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused(_locked_message(user.locked_until, now))
    if user.check_password(password):
        if user.failed_logins or user.locked_until is not None:
            with write_transaction():
                _clear_failures(user.id)
        return user
    locked_until = _count_failure(user.id, now)
    raise LoginRefused(_locked_message(locked_until, now) if locked_until else WRONG_LOGIN)


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return (
        f"Too many wrong passwords: this account is locked for {minutes} more minute"
        f"{'' if minutes == 1 else 's'}. Try again then, or ask your instructor to unlock it."
    )


def _count_failure(user_id: int, now: datetime) -> datetime | None:
    """Count one wrong password; the moment the account is now locked until, if this locked it."""
    config = current_app.config
    window_start = now - timedelta(minutes=config["LOGIN_LOCKOUT_WINDOW_MINUTES"])
    fresh = or_(_users.c.failed_since.is_(None), _users.c.failed_since < window_start)
    with write_transaction():
        # One statement: concurrent wrong guesses on several workers each count.
        failures = db.session.execute(
            update(_users)
            .where(_users.c.id == user_id)
            .values(
                failed_logins=case((fresh, 1), else_=_users.c.failed_logins + 1),
                failed_since=case((fresh, now), else_=_users.c.failed_since),
            )
            .returning(_users.c.failed_logins)
        ).scalar_one()
        if failures < config["LOGIN_LOCKOUT_THRESHOLD"]:
            return None
        until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
        db.session.execute(
            update(_users)
            .where(_users.c.id == user_id)
            .values(locked_until=until, failed_logins=0, failed_since=None)
        )
    return until


def _clear_failures(user_id: int) -> None:
    db.session.execute(
        update(_users)
        .where(_users.c.id == user_id)
        .values(failed_logins=0, failed_since=None, locked_until=None)
    )


def unlock(user_id: int) -> None:
    """Lift a lockout (an instructor for their student, an admin, the CLI)."""
    with write_transaction():
        _clear_failures(user_id)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


# -- passwords: change, set, reset ------------------------------------------------------------------


def set_password(user_id: int, password: str) -> User:
    """Give the account a new password: its sessions end and a lockout is lifted."""
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is None:
            raise AccountError("That account no longer exists.")
        problem = password_problem(password, user.username, user.display_name)
        if problem:
            raise AccountError(problem)
        user.set_password(password)
        user.session_generation += 1
        user.failed_logins, user.failed_since, user.locked_until = 0, None, None
    return user


def change_password(user_id: int, current: str, new: str) -> User:
    """The account holder's own change: the current password first (a wrong one counts as a wrong
    login, so this page is no way round the lockout)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountError("That account no longer exists.")
    try:
        authenticate(user.username, current)
    except LoginRefused as exc:
        message = str(exc)
        raise AccountError("Your current password is wrong." if message == WRONG_LOGIN else message) from None
    if new == current:
        raise AccountError("The new password is the same as the current one.")
    return set_password(user_id, new)


#: Reset codes: easy to read out and type, no look-alike characters (as class codes).
RESET_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
RESET_LENGTH = 12


def make_reset_code(user_id: int, made_by: int, now: datetime | None = None) -> str:
    """A one-time code with which the account ``user_id`` sets a new password; earlier unused codes
    of theirs stop working. Only its hash is stored: show the code now, it cannot be shown again."""
    now = now or utcnow()
    code = "".join(secrets.choice(RESET_ALPHABET) for _ in range(RESET_LENGTH))
    with write_transaction():
        # The account's row locked first: of two codes made at once, the later one spends the other.
        db.session.execute(select(_users.c.id).where(_users.c.id == user_id).with_for_update())
        db.session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        db.session.add(
            PasswordReset(
                user_id=user_id,
                code_sha256=_code_hash(code),
                created_by=made_by,
                created_at=now,
                expires_at=now + timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]),
            )
        )
    return "-".join(code[i : i + 4] for i in range(0, RESET_LENGTH, 4))


def reset_password(username: str, code: str, password: str, now: datetime | None = None) -> User:
    """Spend a reset code on a new password. The code works once, before it expires, and only for
    the account it was made for; every refusal says the same, so codes cannot be probed."""
    now = now or utcnow()
    user = find_user(username)
    refused = AccountError("That code does not work: it is wrong, used or expired. Ask for a new one.")
    if user is None:
        raise refused
    problem = password_problem(password, user.username, user.display_name)
    if problem:
        raise AccountError(problem)
    with write_transaction():
        # An UPDATE's result is a CursorResult, which counts the rows it changed.
        spent = cast(
            CursorResult[Any],
            db.session.execute(
                update(PasswordReset)
                .where(
                    PasswordReset.code_sha256 == _code_hash(code),
                    PasswordReset.user_id == user.id,
                    PasswordReset.used_at.is_(None),
                    PasswordReset.expires_at > now,
                )
                .values(used_at=now)
            ),
        ).rowcount
    if spent != 1:
        raise refused
    return set_password(user.id, password)


def _code_hash(code: str) -> str:
    typed = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(typed.encode()).hexdigest()


# -- e-mail: optional, for matching students in an LMS's grade import ---------------------------------

#: The check an e-mail address passes, on purpose a simple one (no look-up of the domain): before
#: the one "@", letters, digits and the other characters RFC 5322 allows unquoted, not starting
#: with "=", "+", "-" or "." (grade files carry the address unaltered, so it must never read as a
#: formula); after it, a domain of two or more dot-separated labels of letters, digits and inner
#: hyphens; at most 254 characters (RFC 5321's limit on a path). It catches typing slips; whether
#: mail arrives, nobody checks, since quizapp sends none.
EMAIL = re.compile(
    r"[\w!#$%&'*/?^`{|}~][\w!#$%&'*+/=?^`{|}~.-]*@[^\W_]([\w-]*[^\W_])?(\.[^\W_]([\w-]*[^\W_])?)+"
)
EMAIL_LENGTH = 254
EMAIL_RULE = "an address like name@example.org"


def email_problem(email: str) -> str | None:
    """Why ``email`` is not an address quizapp keeps, or None."""
    if len(email) > EMAIL_LENGTH:
        return f"An e-mail address has at most {EMAIL_LENGTH} characters."
    if not EMAIL.fullmatch(email):
        return f"That is not an e-mail address: give {EMAIL_RULE}."
    return None


def set_email(user_id: int, email: str) -> User:
    """Give the account an e-mail address (kept as typed), or take it away with an empty one. One
    account per address, in any case."""
    email = email.strip()
    problem = email_problem(email) if email else None
    if problem:
        raise AccountError(problem)
    try:
        with write_transaction():
            user = db.session.get(User, user_id)
            if user is None:
                raise AccountError("That account no longer exists.")
            user.email, user.email_key = (email, email.lower()) if email else (None, None)
    except IntegrityError:
        raise AccountError("Another account has that e-mail address.") from None
    return user
