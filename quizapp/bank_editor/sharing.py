"""Sharing a bank as operations: its owners and editors, and whether students may practise it, shared
by the bank's access page and the ``quizapp banks grant|revoke`` commands. Who may call them is the
caller's check (``quizapp.access``)."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.database import upsert, write_transaction
from quizapp.extensions import db
from quizapp.models import BANK_ROLES, BankMember, BankPolicy, User
from quizapp.people import Person


class SharingError(Exception):
    """A change to a bank's members was refused; the message says why, in the user's terms."""


def members(slug: str) -> list[BankMember]:
    """The bank's owners and editors, owners first, then by name."""
    query = (
        select(BankMember)
        .join(User, User.id == BankMember.user_id)
        .where(BankMember.bank_slug == slug)
        .order_by(BankMember.role != "owner", User.display_name, User.username)
    )
    return list(db.session.scalars(query))


def grant(slug: str, user: User, role: str, granted_by: Person | None) -> str:
    """Make ``user`` an owner or editor of the bank, or give a member the other role; returns what
    changed ("granted", "changed" or "unchanged"). Refuses a student, and making the last owner
    an editor (a bank always keeps an owner, who can share it)."""
    if role not in BANK_ROLES:
        raise SharingError(f"The role must be one of {', '.join(BANK_ROLES)}.")
    if not user.is_instructor:
        raise SharingError(
            f"'{user.username}' is a student account: only instructors can own or edit a bank "
            "(an admin can make the account an instructor first)."
        )
    granter = granted_by.id if granted_by else None
    with write_transaction():
        _lock_members(slug)
        added = db.session.execute(
            upsert(_members)
            .values(bank_slug=slug, user_id=user.id, role=role, granted_by=granter)
            .on_conflict_do_nothing(index_elements=["bank_slug", "user_id"])
            .returning(_members.c.id)
        ).first()
        if added is not None:
            return "granted"
        member = _member(slug, user.id)
        if member is None:  # the insert met its row, and the members are locked
            raise RuntimeError(f"the membership of {user.username} in {slug} vanished")
        if member.role == role:
            return "unchanged"
        if member.role == "owner":
            _keep_an_owner(slug, user)
        member.role = role
        member.granted_by = granter
    return "changed"


def revoke(slug: str, user: User) -> None:
    """Take ``user``'s role on the bank away; refuses the last owner."""
    with write_transaction():
        _lock_members(slug)
        member = _member(slug, user.id)
        if member is None:
            raise _not_a_member(slug, user)
        if member.role == "owner":
            _keep_an_owner(slug, user)
        db.session.delete(member)


def check_revoke(slug: str, user: User) -> None:
    """Raise the SharingError ``revoke`` would raise now (not a member, the last owner), so that
    the access page says so before asking to confirm; ``revoke`` checks again under its locks."""
    everyone = members(slug)
    role = next((m.role for m in everyone if m.user_id == user.id), None)
    if role is None:
        raise _not_a_member(slug, user)
    if role == "owner" and not any(m.role == "owner" and m.user_id != user.id for m in everyone):
        raise _last_owner(slug, user)


def _not_a_member(slug: str, user: User) -> SharingError:
    return SharingError(f"'{user.username}' is not an owner or editor of {slug}.")


def _last_owner(slug: str, user: User) -> SharingError:
    return SharingError(f"'{user.username}' is the last owner of {slug}: make someone else an owner first.")


def set_practice(slug: str, allowed: bool) -> None:
    """Let students take the bank's quizzes and study its cards outside their classes' assignments,
    or not (``quizapp.access.practice_closed`` enforces it)."""
    insert = upsert(BankPolicy.__table__).values(bank_slug=slug, practice=allowed)
    with write_transaction():
        db.session.execute(
            insert.on_conflict_do_update(
                index_elements=["bank_slug"], set_={"practice": insert.excluded.practice}
            )
        )


_members = BankMember.__table__


def _lock_members(slug: str) -> None:
    """Lock the bank's member rows, in one order, before any is read (inside the caller's write
    transaction): changes to one bank's members then follow each other, and two owners removing
    each other at once cannot deadlock, each holding the row the other wants."""
    db.session.execute(
        select(_members.c.id).where(_members.c.bank_slug == slug).order_by(_members.c.id).with_for_update()
    )


def _member(slug: str, user_id: int) -> BankMember | None:
    return db.session.scalar(
        select(BankMember).where(BankMember.bank_slug == slug, BankMember.user_id == user_id)
    )


def _keep_an_owner(slug: str, leaving: User) -> None:
    """Refuse to leave the bank without an owner (inside the caller's write transaction, where the
    owners are locked, so two owners removing each other cannot both succeed)."""
    owners = db.session.scalars(
        select(BankMember.user_id)
        .where(BankMember.bank_slug == slug, BankMember.role == "owner")
        .with_for_update()
    )
    if set(owners) <= {leaving.id}:
        raise _last_owner(slug, leaving)
