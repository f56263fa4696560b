"""Migration 0010 adds the live games' tables, empty, beside the rows already there (expand only);
downgrading takes them away with the games in them."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.schema import schema_status

LIVE_TABLES = {"live_games", "live_players", "live_answers"}

GAME = (
    "INSERT INTO live_games (id, pin, host_id, bank_slug, quiz_id, quiz_title, bank_sha256, questions,"
    " settings, created_at) VALUES (1, '123456', 1, 'csto', 'quiz', 'Quiz', 'abc', '[]', '{}',"
    " '2026-12-01 10:00:00')"
)
PLAYER = (
    "INSERT INTO live_players (id, game_id, user_id, nickname, nickname_key, joined_at) VALUES"
    " (:id, 1, :user_id, :nickname, :key, '2026-12-01 10:00:00')"
)


def test_upgrading_to_0010_adds_empty_live_tables_and_keeps_the_rest(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0009_account_email")
        with db.engine.connect() as connection:
            assert not LIVE_TABLES & set(inspect(connection).get_table_names())
        db.session.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES "
                "(1, 'prof', 'Prof', '!', 'instructor', '2026-11-20 10:00:00')"
            )
        )
        db.session.commit()

        flask_migrate.upgrade()

        assert db.session.execute(text("SELECT username FROM users")).scalars().all() == ["prof"]
        for table in LIVE_TABLES:
            assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0  # noqa: S608
        status = schema_status()
        assert (status.database, status.servable) == ("0010_live_games", True)  # the head
        db.session.execute(text(GAME))
        db.session.commit()
        game = db.session.execute(text("SELECT state, position, version FROM live_games")).one()
        assert tuple(game) == ("lobby", -1, 0)  # the defaults are the database's too


def test_downgrading_0010_drops_the_live_tables_with_their_games(app):
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES "
                "(1, 'prof', 'Prof', '!', 'instructor', '2026-11-20 10:00:00')"
            )
        )
        db.session.execute(text(GAME))
        db.session.execute(text(PLAYER), {"id": 1, "user_id": None, "nickname": "Ada", "key": "ada"})
        db.session.commit()

        flask_migrate.downgrade(revision="0009_account_email")

        with db.engine.connect() as connection:
            assert not LIVE_TABLES & set(inspect(connection).get_table_names())
        assert db.session.execute(text("SELECT username FROM users")).scalars().all() == ["prof"]
        flask_migrate.upgrade()


def test_a_nickname_is_taken_once_per_game_but_players_without_accounts_are_many(app):
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES "
                "(1, 'prof', 'Prof', '!', 'instructor', '2026-11-20 10:00:00')"
            )
        )
        db.session.execute(text(GAME))
        db.session.execute(text(PLAYER), {"id": 1, "user_id": None, "nickname": "Ada", "key": "ada"})
        db.session.execute(text(PLAYER), {"id": 2, "user_id": None, "nickname": "Bob", "key": "bob"})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text(PLAYER), {"id": 3, "user_id": None, "nickname": "ADA", "key": "ada"})
        db.session.rollback()
        db.session.execute(text(PLAYER), {"id": 3, "user_id": 1, "nickname": "Prof", "key": "prof"})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text(PLAYER), {"id": 4, "user_id": 1, "nickname": "Prof2", "key": "prof2"})
        db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM live_players")).scalar() == 3
