"""Sessions that end when they should: at logout, at a new password or role, after a time idle,
and after a lifetime, on every worker and host at once.

The session cookie holds Flask-Login's id, which is the account's id and its session generation
(``User.get_id``), and the times the session began and was last used. Loading the user for a
request is one query, the one every request makes anyway (``accounts.signed_in``); a session whose
generation is behind the account's, or whose time is up, loads no one, and the learner is told why.
"""

from __future__ import annotations

import time

from flask import current_app, flash, g, session
from flask_login import login_user

from quizapp.accounts.operations import SignedIn, signed_in
from quizapp.models import User

#: Keys of ours in the session: when it began (the login) and when it was last used, in epoch seconds.
ISSUED = "_issued"
SEEN = "_seen"
#: The last-use time is written back at most this often (idle timeouts are counted in tens of
#: minutes), so most requests leave the cookie alone.
SEEN_RESOLUTION = 300

ENDED_ELSEWHERE = "You were logged out: your password or role changed, or you logged out everywhere."
_FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


def begin(user: User) -> None:
    """Sign ``user`` in with a new session: nothing of the one before carries over, its CSRF token
    included (so a token seen before login is worth nothing after)."""
    session.clear()
    login_user(user)
    session[ISSUED] = session[SEEN] = int(now())


def load(session_id: str) -> SignedIn | None:
    """The user a session names, if the session is still good (Flask-Login's user loader)."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isdigit() and generation.isdigit()):
        _ended(None)  # a cookie from before generations: log in again
        return None
    moment = now()
    issued, seen = session.get(ISSUED), session.get(SEEN)
    config = current_app.config
    if not isinstance(issued, int) or moment - issued > config["SESSION_LIFETIME_HOURS"] * 3600:
        hours = config["SESSION_LIFETIME_HOURS"]
        _ended(f"You were logged out: a session lasts at most {hours} hours. Log in again to go on.")
        return None
    if not isinstance(seen, int) or moment - seen > config["SESSION_IDLE_MINUTES"] * 60:
        minutes = config["SESSION_IDLE_MINUTES"]
        _ended(f"You were logged out after {minutes} minutes without activity. Log in again to go on.")
        return None
    user = signed_in(int(user_id))
    if user is None:
        _ended(None)
        return None
    if user.session_generation != int(generation):
        _ended(ENDED_ELSEWHERE)
        return None
    if moment - seen >= SEEN_RESOLUTION:
        session[SEEN] = int(moment)
    return user


def _ended(reason: str | None) -> None:
    """Forget the login in this session, and tell the user why once."""
    for key in (*_FLASK_LOGIN_KEYS, ISSUED, SEEN):
        session.pop(key, None)
    if reason:
        g.session_ended = reason
        flash(reason, "info")


def ended_reason() -> str | None:
    """Why this request's session ended, if it just did."""
    reason: str | None = g.get("session_ended")
    return reason


def now() -> float:
    """The clock sessions are timed by (tests move it)."""
    return time.time()
