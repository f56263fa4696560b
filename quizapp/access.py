"""Who may call each page, and who may do what with a bank.

Every view declares its policy with ``@allow(...)``; the declaration both guards the view and is
read by the test that walks ``app.url_map`` with every role (tests/test_access_policy.py), so a
route without one fails the suite. Checks fail closed: an unknown bank, a missing object, an
unexpected role all refuse.

A policy guards the kind of user; the object a page is about (a class, an attempt, a bank) is
checked against that user as the view loads it: ``own_class``, ``own_attempt``, ``bank_role``.
What a learner may practise outside their classes is one rule too, ``practice_closed``, which every
page about quizzes and flashcards asks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from quizapp import queries
from quizapp.banks.loader import SLUG
from quizapp.extensions import db
from quizapp.models import BankMember, BankPolicy
from quizapp.people import Person

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

View = Callable[..., Any]

POLICIES = (ANYONE, SIGNED_IN, INSTRUCTOR, BANK_EDITOR, BANK_OWNER, ADMIN)

#: The bank roles that edit it (an owner also shares it).
EDITING = ("owner", "editor")


def allow(policy: str) -> Callable[[View], View]:
    """Declare and enforce who may call a view. Someone not signed in is sent to log in; a signed-in
    user of the wrong kind gets the "not allowed" page (403); a bank they have no part in is 404."""
    if policy not in POLICIES:
        raise ValueError(f"unknown access policy {policy!r}")

    def decorate(view: View) -> View:
        if policy == ANYONE:
            return _declared(view, policy)

        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refused = _refusal(policy, kwargs)
            if refused:
                abort(refused)
            return view(*args, **kwargs)

        return _declared(guarded, policy)

    return decorate


def _declared(view: View, policy: str) -> View:
    """``view`` marked with its policy, where tests/test_access_policy.py reads it."""
    view.access = policy  # type: ignore[attr-defined]  # a function takes attributes; Callable's type has none
    return view


def _refusal(policy: str, kwargs: dict[str, Any]) -> int | None:
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
    return None if role in EDITING else 404


def bank_members(slug: str) -> dict[int, str]:
    """The bank's owners and editors: {user id: role}. None at all: a site bank."""
    rows = db.session.execute(select(BankMember.user_id, BankMember.role).where(BankMember.bank_slug == slug))
    return dict(rows.all())


def every_bank_members() -> dict[str, dict[int, str]]:
    """Every bank's owners and editors, {slug: {user id: role}}, in one query, for a page that asks
    about many banks; a slug left out is a site bank."""
    members: dict[str, dict[int, str]] = {}
    for slug, user_id, role in db.session.execute(
        select(BankMember.bank_slug, BankMember.user_id, BankMember.role)
    ):
        members.setdefault(slug, {})[user_id] = role
    return members


def bank_role(user: Person, slug: str, members: dict[int, str] | None = None) -> str | None:
    """What ``user`` is to the bank: "owner", "editor" or None. Admins own every bank.
    ``members``: the bank's (``bank_members``), when the caller has read them already."""
    if not user.is_authenticated or not SLUG.fullmatch(slug):
        return None  # a name that is no bank's ("..", a NUL) is nobody's, admins' included
    if user.is_admin:
        return "owner"
    if not user.is_instructor:
        return None
    return (bank_members(slug) if members is None else members).get(user.id)


def may_edit_bank(user: Person, slug: str, members: dict[int, str] | None = None) -> bool:
    """Whether ``user`` may change the bank: edit, restore, archive and bring it back from the
    archive. Its owners and editors, and admins; a site bank, admins only."""
    return bank_role(user, slug, members) in EDITING


def may_assign_bank(user: Person, slug: str, members: dict[int, str] | None = None) -> bool:
    """Whether ``user`` may set the bank's quizzes for a class, and regrade them with its key: its
    owners and editors, and every instructor for a site bank (one with no owner)."""
    if not user.is_authenticated or not user.is_instructor or not SLUG.fullmatch(slug):
        return False
    members = bank_members(slug) if members is None else members
    return user.is_admin or not members or may_edit_bank(user, slug, members)


def may_create_bank(user: Person, slug: str, archived: bool) -> bool:
    """Whether ``user`` may start a new bank called ``slug`` (and own it): any instructor for a name
    nobody holds. A name with owners or editors, or with a copy in the archive (``archived``), only
    those who may edit that bank: else the archived bank's owners would reach the new one, and the
    new one's creator could restore the archived one."""
    if not user.is_authenticated or not user.is_instructor or not SLUG.fullmatch(slug):
        return False
    members = bank_members(slug)
    if not members and not archived:
        return True
    return may_edit_bank(user, slug, members)


def practice_allowed(slug: str) -> bool:
    """Whether students may take the bank's quizzes and study its cards outside their classes'
    assignments (the bank's policy; allowed unless its owner turned it off)."""
    allowed = db.session.scalar(select(BankPolicy.practice).where(BankPolicy.bank_slug == slug))
    return allowed is not False


def practice_closed(user: Person) -> frozenset[str]:
    """The banks whose quizzes ``user`` may not take as practice and whose cards they may not study:
    those whose owners turned practice off, but for the ones ``user`` may edit. One query (two for
    an instructor while some bank is closed): a page reads it once and hands it on."""
    closed = frozenset(db.session.execute(queries.CLOSED).scalars())
    if not closed or not user.is_authenticated or not user.is_instructor:
        return closed
    if user.is_admin:
        return frozenset()
    editing = db.session.execute(queries.EDITING, {"user_id": user.id, "closed": sorted(closed)}).scalars()
    return closed - set(editing)


def may_practise(user: Person, slug: str) -> bool:
    """Whether ``user`` may take the bank's quizzes outside their classes' assignments and study its
    cards (``practice_closed``, for one bank)."""
    return slug not in practice_closed(user)
