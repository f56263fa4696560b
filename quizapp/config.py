"""Configuration in layers: defaults here, then instance/config.py, then QUIZAPP_* environment
variables, then the mapping a test passes."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # A learner may spend more than an hour on a quiz; the token lives as long as the session does.
    "WTF_CSRF_TIME_LIMIT": None,
    "PASSWORD_MIN_LENGTH": 8,
    # A session ends after this long without a request, and this long after its login, whatever
    # happens. A quiz page's autosave counts as activity.
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_LIFETIME_HOURS": 12,
    # Secret keys retired by a rotation, oldest first: sessions and forms signed with them are still
    # accepted (new ones are signed with SECRET_KEY). Keep one at least SESSION_LIFETIME_HOURS.
    "SECRET_KEY_FALLBACKS": [],
    # Wrong passwords that lock an account, counted over a window, and how long the lock lasts.
    "LOGIN_LOCKOUT_THRESHOLD": 10,
    "LOGIN_LOCKOUT_WINDOW_MINUTES": 15,
    "LOGIN_LOCKOUT_MINUTES": 15,
    # Reverse proxies in front of the app whose X-Forwarded-For, -Proto and -Host are believed (nginx
    # alone: 1). With 0 those headers are ignored, so no client can pose as another address to dodge
    # the rate limits below; behind a proxy every client would then share the proxy's address.
    "TRUSTED_PROXIES": 0,
    # Log lines on standard error: "text" (time, level, logger, request id, message) or "json" (one
    # object a line, for a log collector); lines below LOG_LEVEL are dropped (WARNING drops the
    # access log).
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
    # Requests per client address (Flask-Limiter's notation). A school's classroom may share one
    # address, so these leave room for a class of thirty. Limits are kept in each worker's memory
    # unless RATELIMIT_STORAGE_URI names a shared store (Redis; see docs/deploy.md).
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Set for every app, since the limiter is shared: left unset, an app would inherit the last one's.
    "RATELIMIT_ENABLED": True,
    "LOGIN_RATE_LIMIT": "60 per minute; 600 per hour",
    "REGISTER_RATE_LIMIT": "60 per hour",
    "JOIN_RATE_LIMIT": "60 per minute",
    # Wrong live-game PINs looked up (hits do not count): a PIN is six digits, so guessing is slow.
    "PIN_MISS_RATE_LIMIT": "60 per minute; 300 per hour",
    "RESET_RATE_LIMIT": "20 per minute; 100 per hour",
    "BANK_SAVE_RATE_LIMIT": "60 per minute",
    # A password reset code an instructor makes works once, for this many hours.
    "PASSWORD_RESET_HOURS": 24,
    # Werkzeug's hashing method for passwords (tests use a cheap one; see tests/conftest.py).
    "PASSWORD_HASH": "scrypt",
    # Bounds a single form post; a whole quiz's answers are a few kilobytes.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Bounds one form field (Werkzeug's default is 500 kB): the bank import's preview posts the
    # file's text back, up to 1 MB (quizapp/bank_editor/transfer.py).
    "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    # The school's time zone: quiz opening and closing times are typed and shown in it. It is kept in
    # the database, the same for every host (quizapp/site_settings.py); None means that one. Set
    # here, it is stored at the first start, and a host whose zone is another refuses to start.
    "TIMEZONE": None,
    # How often each process reads the school's settings (its time zone) from the database again,
    # and measures how far its clock is from the database's, in seconds.
    "SITE_SETTINGS_SECONDS": 5,
    "CLOCK_SYNC_SECONDS": 60,
    # Answers of a timed attempt sent this many seconds after its deadline still count (a slow
    # network at the last moment); later ones do not.
    "SUBMIT_GRACE_SECONDS": 30,
    # How often a host checks the database for a bank saved elsewhere, and its banks folder for
    # edits, in seconds (one cheap query; 0: on every lookup).
    "BANK_CHECK_SECONDS": 2,
    # Events one live-game connection may send per minute: joins (and rejoins), and answers. A
    # player answers once a question, and a question lasts 5 s at least.
    "LIVE_JOINS_PER_MINUTE": 10,
    "LIVE_ANSWERS_PER_MINUTE": 30,
    # How often each process looks for live questions whose time ran out with no timer of its own
    # to close them (after a restart, say), in seconds; 0: never (the tests close them themselves).
    "LIVE_SWEEP_SECONDS": 2,
    # Hours a live game may stay untouched (its host gone without ending it) before the sweeper
    # ends it, freeing its PIN and recording what was played; 0: never.
    "LIVE_ABANDONED_HOURS": 12,
    # Flashcards: new cards a learner meets per bank per day, and the recall FSRS aims for.
    "NEW_CARDS_PER_DAY": 20,
    "STUDY_RETENTION": 0.9,
    # Live games (docs/live.md): the message queue several processes share (None: one process, or
    # "redis://host:port/db"), the seconds a question stays open unless the host chooses (5 to 240),
    # and words no nickname of an open game may hold (in any case or accents; as a word, or inside
    # a nickname of letters only).
    "LIVE_MESSAGE_QUEUE": None,
    # The port of this host that serves live games' connections when it is not the pages' own:
    # `make serve` serves pages on sync workers and Socket.IO on a gevent worker of its own
    # (docs/deploy.md, "Live games"). None: the pages' own origin (nginx routes /socket.io/,
    # or `make run` serves both).
    "LIVE_SOCKET_PORT": None,
    "LIVE_QUESTION_SECONDS": 20,
    "LIVE_NICKNAME_BLOCKLIST": ["fuck", "shit", "cunt", "bitch", "bastard", "wanker", "whore", "slut"],
}

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from every layer, generating a secret key in the instance folder if none is set."""
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)  # it holds the key and the database
    app.config.from_mapping(DEFAULTS)
    app.config["BANKS_DIR"] = str(Path(app.root_path).parent / "questions")
    app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "quizapp.sqlite3")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("QUIZAPP")
    if test_config:
        app.config.from_mapping(test_config)
    # The cookie's signature runs out with the session's lifetime, not Flask's 31 days.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_uri(app.config["DATABASE_URL"]))
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server across a network may drop idle connections; a file never does.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if app.config["TIMEZONE"] is not None:
        ZoneInfo(app.config["TIMEZONE"])  # an unknown zone fails at start-up, not on a page
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / SECRET_KEY_FILE)
    accept_old_keys(app)


def accept_old_keys(app: Flask) -> None:
    """Sign CSRF tokens with the secret key and accept them signed with a fallback key too, as
    Flask does for the session cookie: a quiz opened before a key rotation still submits."""
    if isinstance(app.config["SECRET_KEY_FALLBACKS"], str):  # one old key, not written as a list
        app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY_FALLBACKS"]]
    # itsdangerous signs with the last key of a list and verifies with any of them.
    keys = [*app.config["SECRET_KEY_FALLBACKS"], app.config["SECRET_KEY"]]
    app.config.setdefault("WTF_CSRF_SECRET_KEY", keys)


def database_uri(url: str) -> str:
    """SQLAlchemy's URL for a database URL as people write it (postgres:// means psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(path: Path) -> str:
    """The secret key kept in ``path``, written on first use (readable by its owner only). Several
    server processes starting at once agree on one key: it is linked into place whole, or not at all."""
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it to have a new secret key made")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # another process may have linked its key first: theirs stands
    finally:
        os.unlink(tmp)
    return path.read_text().strip()
