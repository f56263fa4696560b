"""Who may call each page, and who may do what with a bank.

Every view declares its policy with ``@allow(...)``; the declaration both guards the view and is
read by the test that walks ``app.url_map`` with every role (tests/test_access_policy.py), so a
route without one fails the suite. Checks fail closed: an unknown bank, a missing object, an
unexpected role all refuse.

A policy guards the kind of user; the object a page is about (a class, an attempt, a bank) is
checked against that user as the view loads it: ``own_class``, ``own_sitting``, ``bank_role``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import BankMember, BankPolicy

#: Anyone, signed in or not.
ANYONE = "anyone"
#: Any signed-in account; the view checks the objects are theirs (their attempt, their card).
SIGNED_IN = "signed in"
#: An instructor (or admin); the view checks the class is theirs.
INSTRUCTOR = "instructor"
#: An owner or editor of the bank in the URL's ``slug`` (admins manage every bank).
BANK_EDITOR = "bank editor"
#: An owner of the bank in the URL's ``slug`` (admins manage every bank).
BANK_OWNER = "bank owner"
#: A site administrator.
ADMIN = "admin"

POLICIES = (ANYONE, SIGNED_IN, INSTRUCTOR, BANK_EDITOR, BANK_OWNER, ADMIN)


def allow(policy: str) -> Callable[[Callable], Callable]:
    """Declare and enforce who may call a view. Someone not signed in is sent to log in; a signed-in
    user of the wrong kind gets the "not allowed" page (403); a bank they have no part in is 404."""
    if policy not in POLICIES:
        raise ValueError(f"unknown access policy {policy!r}")

    def decorate(view: Callable) -> Callable:
        if policy == ANYONE:
            view.access = policy
            return view

        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            refused = _refusal(policy, kwargs)
            if refused:
                abort(refused)
            return view(*args, **kwargs)

        guarded.access = policy
        return guarded

    return decorate


def _refusal(policy: str, kwargs: dict) -> int | None:
    """The status that refuses the current user this policy (None: allowed)."""
    if policy == SIGNED_IN:
        return None
    if policy == ADMIN:
        return None if current_user.is_admin else 403
    if not current_user.is_instructor:
        return 403
    if policy == INSTRUCTOR:
        return None
    role = bank_role(current_user, kwargs["slug"])
    if policy == BANK_OWNER:
        return None if role == "owner" else 403 if role == "editor" else 404
    return None if role in ("owner", "editor") else 404


def bank_members(slug: str) -> dict[int, str]:
    """The bank's owners and editors: {user id: role}. None at all: a site bank."""
    rows = db.session.execute(select(BankMember.user_id, BankMember.role).where(BankMember.bank_slug == slug))
    return dict(rows.all())


def bank_role(user, slug: str) -> str | None:
    """What ``user`` is to the bank: "owner", "editor" or None. Admins own every bank."""
    if not user.is_authenticated:
        return None
    if user.is_admin:
        return "owner"
    if not user.is_instructor:
        return None
    return bank_members(slug).get(user.id)


def may_edit_bank(user, slug: str) -> bool:
    return bank_role(user, slug) in ("owner", "editor")


def may_assign_bank(user, slug: str) -> bool:
    """Whether ``user`` may set the bank's quizzes for a class: its owners and editors, and every
    instructor for a site bank (one with no owner)."""
    if not user.is_authenticated or not user.is_instructor:
        return False
    return user.is_admin or not bank_members(slug) or may_edit_bank(user, slug)


def practice_allowed(slug: str) -> bool:
    """Whether students may take the bank's quizzes and study its cards outside their classes'
    assignments (the bank's policy; allowed unless its owner turned it off)."""
    allowed = db.session.scalar(select(BankPolicy.practice).where(BankPolicy.bank_slug == slug))
    return allowed is not False
