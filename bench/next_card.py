"""How fast the study queue finds a learner's next card, against the bare indexed query alone.

Seeds a SQLite database with one student holding 10,000 card states (due times spread over the
past and next 30 days, a few retired) and 100,000 reviews, and a bank of 10,000 questions whose
ids are those cards. Times ``quizapp.study.operations.next_card`` and the SQL query it runs for the earliest
due card, and prints that query's plan. Target: next_card under 10 ms, its query searching an
``ix_card_states`` index rather than scanning the table. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
from common import best_of
from sqlalchemy import event, func, insert, select

from quizapp import create_app
from quizapp.extensions import bank_registry, db
from quizapp.models import CardReview, CardState, User
from quizapp.study.operations import next_card

TARGET_MS = 10.0
SLUG = "bench"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def bank_text(questions: int) -> str:
    lines = ["title: Study benchmark", "questions:"]
    lines += [
        f"  - {{id: q{i}, type: true_false, prompt: Statement {i}, answer: {'true' if i % 2 else 'false'}}}"
        for i in range(questions)
    ]
    return "\n".join(lines) + "\n"


def seed(cards: int, reviews: int, retired: float, rng: random.Random) -> User:
    student = User(username="learner", display_name="Learner", password_hash="x", role="student")
    db.session.add(student)
    db.session.flush()
    month = 30 * 24 * 3600
    rows = []
    for i in range(cards):
        state = rng.choice((1, 2, 2, 2, 3))
        due = NOW + timedelta(seconds=rng.randint(-month, month))
        rows.append(
            {
                "user_id": student.id, "bank_slug": SLUG, "card_id": f"q{i}", "state": state,
                "step": None if state == 2 else 0, "stability": rng.uniform(0.5, 60.0),
                "difficulty": rng.uniform(1.0, 10.0), "due": due,
                "last_review": due - timedelta(days=rng.randint(1, 30)), "reps": rng.randint(1, 20),
                "origin": rng.choice(("new", "new", "missed")), "created_at": NOW - timedelta(days=90),
                "retired": rng.random() < retired,
            }
        )  # fmt: skip
    db.session.execute(insert(CardState), rows)
    ids = list(db.session.scalars(select(CardState.id)))
    year = 365 * 24 * 3600
    db.session.execute(
        insert(CardReview),
        [
            {
                "card_state_id": rng.choice(ids), "user_id": student.id, "rating": rng.choice((1, 2, 3, 3, 3, 4)),
                "state_before": rng.choice((1, 2, 2, 3)), "reviewed_at": NOW - timedelta(seconds=rng.randint(0, year)),
                "duration_ms": rng.randint(800, 20000),
            }
            for _ in range(reviews)
        ],
    )  # fmt: skip
    db.session.commit()
    return student


def due_query_sql(student: User) -> tuple[str, tuple]:
    """The statement next_card sends for the earliest due card, with its parameters, as SQLite got them."""
    seen: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM card_states" in statement and "ORDER BY" in statement:
            seen.append((statement, tuple(parameters)))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        next_card(student, bank_registry(), SLUG, NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert seen, "next_card sent no query for due cards"
    return seen[0]


def measure(cards: int, reviews: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        banks = Path(tmp) / "questions"
        banks.mkdir()
        (banks / f"{SLUG}.yaml").write_text(bank_text(cards))
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "BANKS_DIR": str(banks),
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            student = seed(cards, reviews, 0.05, random.Random(1))
            registry = bank_registry()
            assert registry.get(SLUG) is not None, "the generated bank does not load"
            due = next_card(student, registry, SLUG, NOW)
            assert due is not None, "expected a card"
            assert due.state.due <= NOW, "expected a due card"
            statement, parameters = due_query_sql(student)

            def bare() -> None:
                cursor = raw.cursor()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                cursor.close()

            with db.engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
                bare_s = best_of(runs, bare)
            figures = {
                "next_card": best_of(runs, lambda: next_card(student, registry, SLUG, NOW)),
                "bare": bare_s,
                "plan": plan,
                "statement": statement,
                "card": f"{due.card.id} due {due.state.due:%Y-%m-%d %H:%M}",
                "retired": db.session.scalar(select(func.count()).where(CardState.retired.is_(True))),
            }
            db.session.remove()
            db.engine.dispose()
    return figures


def uses_index(plan: list[str]) -> bool:
    return any("USING INDEX ix_card_states" in step for step in plan) and not any(
        step.startswith("SCAN card_states") for step in plan
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    figures = measure(args.cards, args.reviews, args.runs)
    took = figures["next_card"] * 1000
    print(
        f"one student: {args.cards:,} card states ({figures['retired']:,} retired),"
        f" {args.reviews:,} reviews, a bank of {args.cards:,} questions; SQLite"
    )
    print(f"next card: {figures['card']}")
    print(f"bare indexed query: {figures['bare'] * 1000:.3f} ms (best of {args.runs})")
    print(
        f"next_card:          {took:.3f} ms (best of {args.runs}; target under {TARGET_MS:.0f} ms),"
        f" {figures['next_card'] / figures['bare']:.0f}x the bare query"
    )
    print("due-card query:", " ".join(figures["statement"].split()))
    print("query plan:")
    for step in figures["plan"]:
        print(f"  {step}")
    indexed = uses_index(figures["plan"])
    print(f"due-card query searches an ix_card_states index: {'yes' if indexed else 'NO (table scan)'}")
    return 0 if took < TARGET_MS and indexed else 1


if __name__ == "__main__":
    sys.exit(main())
