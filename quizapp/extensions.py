"""Flask extensions, made once here and bound to an app in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from quizapp.bankstore import BankStore


class Base(DeclarativeBase):
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


def rate_limit(setting: str):
    """Limit a view's POSTs to the app's ``setting`` (e.g. LOGIN_RATE_LIMIT) per client address."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def bank_registry() -> BankStore:
    """The banks the app serves: each bank's latest revision in the database (quizapp.bankstore)."""
    return current_app.extensions["quizapp.banks"]
