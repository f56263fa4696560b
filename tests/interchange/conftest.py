"""Fixtures of the interchange tests."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record any attempt to open a connection (and refuse it)."""
    attempts: list[object] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("the test allows no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts
