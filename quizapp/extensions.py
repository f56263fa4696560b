"""Flask extensions, made once here and bound to an app in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from quizapp.bankstore import BankStore


class Base(DeclarativeBase):
    if TYPE_CHECKING:
        # Every model maps one Table (SQLAlchemy types it as any FromClause): queries.py and the
        # bulk statements are written on these tables.
        __table__: ClassVar[Table]

    # Named constraints, so migrations can alter them on every database (SQLite included).
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
# Requests are counted per client address: behind a proxy, ProxyFix must set it (docs/deploy.md).
# Its storage and limits come from the app's config (RATELIMIT_STORAGE_URI, *_RATE_LIMIT).
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _not_limited() -> bool:
    """Every limit is on POSTs (``rate_limit``): other requests skip the limiter's work."""
    return request.method != "POST"


def rate_limit(setting: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a view's POSTs to the app's ``setting`` (e.g. LOGIN_RATE_LIMIT) per client address."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def live_socketio(app: Flask | None = None) -> SocketIO:
    """The Socket.IO server of live games (quizapp.live.events) of ``app``, or of the current app.
    Each app has its own, made in ``create_app``: one made once for every app would serve, and keep
    the message queue of, whichever app bound it last."""
    server: SocketIO = (app or current_app).extensions["socketio"]
    return server


def bank_registry() -> BankStore:
    """The banks the app serves: each bank's latest revision in the database (quizapp.bankstore)."""
    store: BankStore = current_app.extensions["quizapp.banks"]
    return store


def this_app() -> Flask:
    """The app itself that ``current_app`` stands for, not the proxy: for code that reads it often."""
    # current_app is typed as the Flask it stands for, which has no _get_current_object.
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app
