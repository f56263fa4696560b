"""Migration 0009 adds an optional e-mail address to accounts: existing accounts have none, and the
previous release's code still serves the schema (expand only)."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import inspect, text

from quizapp.extensions import db


def test_downgrading_0009_takes_the_email_away_and_upgrading_gives_existing_accounts_none(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0008_rejected_answers")
        with db.engine.connect() as connection:
            assert "email" not in {c["name"] for c in inspect(connection).get_columns("users")}
        db.session.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES "
                "(1, 'prof', 'Prof', '!', 'instructor', '2026-11-20 10:00:00')"
            )
        )
        db.session.commit()

        flask_migrate.upgrade()

        assert db.session.execute(text("SELECT username, email, email_key FROM users")).all() == [
            ("prof", None, None)
        ]
