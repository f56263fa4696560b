"""What the benchmarks share: timing, a free loopback port, and the cookie and CSRF token a
logged-in browser would send."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from flask import Flask, session
from flask_login import UserMixin
from flask_wtf.csrf import generate_csrf

from quizapp.accounts import sessions


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Browser(UserMixin):
    """A fresh account as a session names it: its id and its first session generation."""

    def __init__(self, user_id: int):
        self.id = user_id

    def get_id(self) -> str:
        return f"{self.id}.0"


def browser_session(app: Flask, user_id: int, user_agent: str = "bench") -> dict[str, str]:
    """The session cookie and CSRF token a browser logged in as this user would send.

    Call it outside any app context: Flask-WTF keeps the token in ``g``, so every user needs a
    context of their own."""
    with app.test_request_context(
        "/", headers={"User-Agent": user_agent}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ):
        sessions.begin(_Browser(user_id))
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return {"cookie": f"session={cookie}", "token": token}
