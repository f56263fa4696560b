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
    # Wrong passwords that lock an account, counted over a window, and how long the lock lasts.
    "LOGIN_LOCKOUT_THRESHOLD": 10,
    "LOGIN_LOCKOUT_WINDOW_MINUTES": 15,
    "LOGIN_LOCKOUT_MINUTES": 15,
    # Reverse proxies in front of the app whose X-Forwarded-For, -Proto and -Host are believed (nginx
    # alone: 1). With 0 those headers are ignored, so no client can pose as another address to dodge
    # the rate limits below; behind a proxy every client would then share the proxy's address.
    "TRUSTED_PROXIES": 0,
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
    "RESET_RATE_LIMIT": "20 per minute; 100 per hour",
    "BANK_SAVE_RATE_LIMIT": "60 per minute",
    # A password reset code an instructor makes works once, for this many hours.
    "PASSWORD_RESET_HOURS": 24,
    # Werkzeug's hashing method for passwords (tests use a cheap one; see tests/conftest.py).
    "PASSWORD_HASH": "scrypt",
    # Bounds a single form post; a whole quiz's answers are a few kilobytes.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # The school's time zone: quiz opening and closing times are typed and shown in it.
    "TIMEZONE": "UTC",
    # Answers of a timed attempt sent this many seconds after its deadline still count (a slow
    # network at the last moment); later ones do not.
    "SUBMIT_GRACE_SECONDS": 30,
    # Flashcards: new cards a learner meets per bank per day, and the recall FSRS aims for.
    "NEW_CARDS_PER_DAY": 20,
    "STUDY_RETENTION": 0.9,
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
    ZoneInfo(app.config["TIMEZONE"])  # an unknown zone fails at start-up, not on a page
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / SECRET_KEY_FILE)


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
