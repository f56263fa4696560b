"""Health checks for a proxy or load balancer: ``/healthz``, the process answers (liveness), and
``/readyz``, it can serve (readiness). The public sees one word; the log says why a host is not ready."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from quizapp.access import ANYONE, allow
from quizapp.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@allow(ANYONE)
def healthz() -> Response:
    return _word("ok", 200)


@bp.get("/readyz")
@allow(ANYONE)
def readyz() -> Response:
    reason = unready_reason()
    _log_change(reason)
    return _word("not ready", 503) if reason else _word("ready", 200)


def unready_reason() -> str | None:
    """Why this process should not be sent requests now: the database unreachable, its schema
    behind this code (or too far ahead of it), the banks failing to load. None when it can serve them."""
    from quizapp.schema import schema_status

    try:
        db.session.execute(text("SELECT 1"))
        status = schema_status()
    except Exception as exc:  # whatever the driver raises, the host cannot serve
        return f"database unreachable: {type(exc).__name__}: {exc}"
    if not status.servable:
        return f"database schema at {status.database or 'no revision'}, this code needs {status.code}"
    try:
        current_app.extensions["quizapp.banks"].entries()
    except Exception as exc:
        return f"banks not loaded: {type(exc).__name__}: {exc}"
    return None


def _log_change(reason: str | None) -> None:
    """Log when this process becomes ready or stops being so, not at every probe."""
    state = current_app.extensions.setdefault("quizapp.readiness", {"reason": ""})
    if reason == state["reason"]:
        return
    state["reason"] = reason
    if reason:
        current_app.logger.warning("not ready: %s", reason)
    else:
        current_app.logger.info("ready")


def _word(word: str, status: int) -> Response:
    # Probes must see each host as it is now, never a cached answer.
    return Response(word + "\n", status, mimetype="text/plain", headers={"Cache-Control": "no-store"})
