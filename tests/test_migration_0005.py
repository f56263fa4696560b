"""Migration 0005 gives existing attempts the assignment they can be shown to belong to (the
learner was enrolled, and the attempt lies inside the window) and makes the rest practice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import flask_migrate
from sqlalchemy import text

from quizapp.extensions import db

T = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def at(hours: float) -> str:
    """A time ``hours`` after T, as SQLAlchemy stores it on every database here."""
    return (T.replace(tzinfo=None) + timedelta(hours=hours)).isoformat(sep=" ")


def test_existing_attempts_are_assigned_where_the_rule_can_tell_and_practice_otherwise(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0004")
        rows = db.session
        rows.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES "
                "(1, 'prof', 'Prof', '!', 'instructor', :t), (2, 'ada', 'Ada', '!', 'student', :t),"
                " (3, 'bob', 'Bob', '!', 'student', :t)"
            ),
            {"t": at(-100)},
        )
        rows.execute(
            text(
                "INSERT INTO classrooms (id, name, instructor_id, join_code, created_at) VALUES "
                "(1, 'First', 1, 'AAAAAAAA', :t), (2, 'Second', 1, 'CCCCCCCC', :t)"
            ),
            {"t": at(-100)},
        )
        # ada joined First before her attempts; bob joined First only after his.
        rows.execute(
            text(
                "INSERT INTO enrollments (id, classroom_id, user_id, joined_at) VALUES "
                "(1, 1, 2, :early), (2, 1, 3, :late), (3, 2, 2, :early)"
            ),
            {"early": at(-50), "late": at(5)},
        )
        # First set the quiz open from hour 0 to hour 10; Second set it (later) from hour 0, no close.
        rows.execute(
            text(
                "INSERT INTO assignments (id, classroom_id, bank_slug, quiz_id, opens_at, closes_at, created_at) VALUES "
                "(1, 1, 'every-type', 'all', :opens, :closes, :t), (2, 2, 'every-type', 'all', :opens, NULL, :t)"
            ),
            {"opens": at(0), "closes": at(10), "t": at(-60)},
        )
        attempts = [
            # (id, user, number, started, submitted): what each should become
            (1, 2, 1, at(1), at(2)),  # ada inside First's window: First (the lower id of two)
            (2, 2, 2, at(-5), at(-4)),  # ada before either window opened: practice
            (3, 2, 3, at(11), at(12)),  # ada after First closed, Second still open: Second
            (4, 3, 1, at(1), at(2)),  # bob, before he joined First: practice
            (5, 2, 4, at(9), None),  # ada, in progress inside First's window: First, deadline its close
        ]
        for attempt_id, user, number, started, submitted in attempts:
            rows.execute(
                text(
                    "INSERT INTO attempts (id, user_id, bank_slug, quiz_id, number, quiz_title, bank_sha256,"
                    " started_at, submitted_at, score, max_score) VALUES"
                    " (:id, :user, 'every-type', 'all', :number, 'All', 'x', :started, :submitted, :score, 7)"
                ),
                {
                    "id": attempt_id,
                    "user": user,
                    "number": number,
                    "started": started,
                    "submitted": submitted,
                    "score": 5 if submitted else None,
                },
            )
        rows.execute(
            text(
                "INSERT INTO regrade_logs (id, classroom_id, bank_slug, quiz_id, instructor_id, created_at,"
                " bank_sha256, changes) VALUES (1, 1, 'every-type', 'all', 1, :t, 'x', '[]')"
            ),
            {"t": at(3)},
        )
        rows.commit()

        flask_migrate.upgrade()

        found = dict(db.session.execute(text("SELECT id, assignment_id FROM attempts")).all())
        assert found == {1: 1, 2: None, 3: 2, 4: None, 5: 1}
        deadline = db.session.execute(text("SELECT deadline FROM attempts WHERE id = 5")).scalar()
        assert str(deadline).startswith(at(10)[:16])
        assert db.session.execute(text("SELECT assignment_id FROM regrade_logs")).scalar() == 1
