"""People as operations see them: a ``User`` row, or the signed-in ``SignedIn`` that a request's
``current_user`` is. Both have what ``Person`` asks for, and take what a role allows from ``Roles``."""

from __future__ import annotations

from typing import Protocol


class Person(Protocol):
    """Whoever an operation acts for or checks: a ``User``, or ``current_user`` (a ``SignedIn``,
    which is not a ``User``). Code that changes the account itself loads the ``User``. The access
    checks that also take a visitor who is not signed in ask ``is_authenticated`` first."""

    @property
    def id(self) -> int: ...
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_instructor(self) -> bool: ...
    @property
    def is_admin(self) -> bool: ...


class _Account(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def session_generation(self) -> int: ...


class Roles:
    """What a role allows and what a session remembers, written once for ``User`` and ``SignedIn``."""

    @property
    def is_instructor(self: _Account) -> bool:
        return self.role in ("instructor", "admin")

    @property
    def is_admin(self: _Account) -> bool:
        return self.role == "admin"

    def get_id(self: _Account) -> str:
        """What a session remembers: the id and the generation (see ``User.session_generation``)."""
        return f"{self.id}.{self.session_generation}"
