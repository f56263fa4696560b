"""Migration 0008 adds the table of rejected answers, empty, beside the rows already there, and
the previous release's code still serves the schema (expand only); downgrading takes it away."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.schema import schema_status


def test_upgrading_to_0008_adds_an_empty_rejected_answers_table_and_keeps_the_rest(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0007")
        with db.engine.connect() as connection:
            assert "rejected_answers" not in inspect(connection).get_table_names()
        db.session.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES "
                "(1, 'prof', 'Prof', '!', 'instructor', '2026-11-20 10:00:00')"
            )
        )
        db.session.commit()

        flask_migrate.upgrade()

        assert db.session.execute(text("SELECT username FROM users")).scalars().all() == ["prof"]
        assert db.session.execute(text("SELECT count(*) FROM rejected_answers")).scalar() == 0
        status = schema_status()
        assert (status.database, status.servable) == ("0010_live_games", True)  # the head


def test_one_answer_is_rejected_once_per_bank_and_question(app):
    insert = text(
        "INSERT INTO rejected_answers (bank_slug, question_id, answer, answer_sha256, rejected_at)"
        " VALUES (:slug, 'text-q', 'paris', 'abc', '2026-11-20 10:00:00')"
    )
    with app.app_context():
        db.session.execute(insert, {"slug": "geo"})
        db.session.execute(insert, {"slug": "other-bank"})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(insert, {"slug": "geo"})
        db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM rejected_answers")).scalar() == 2
