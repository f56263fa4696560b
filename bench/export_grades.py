"""How fast a large class's gradebook exports, against a bare query, pivot and CSV write.

Seeds a SQLite database with a class of 1,000 students and 50 assigned quizzes, one submitted
attempt each (50,000 attempts), then times the CSV and XLSX exports and measures their peak
memory for half the class and the whole class. Targets: CSV under 0.5 s, XLSX under 3 s, and
peak memory that does not grow with the number of students. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
from common import best_of
from sqlalchemy import insert, select, text

from quizapp import create_app
from quizapp.extensions import bank_registry, db
from quizapp.grades.exports import EXPORTERS
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, User

CSV_TARGET = 0.5
XLSX_TARGET = 3.0


def bank_text(quizzes: int) -> str:
    lines = ["title: Export benchmark", "questions:"]
    lines += [f"  - {{id: q{i}, type: true_false, prompt: Statement {i}, answer: true}}" for i in range(10)]
    lines.append("quizzes:")
    lines += [
        f"  - {{id: quiz{i}, title: Quiz {i}, questions: [q0, q1, q2, q3, q4, q5, q6, q7, q8, q9]}}"
        for i in range(quizzes)
    ]
    return "\n".join(lines) + "\n"


def seed(students: int, quizzes: int, rng: random.Random) -> Classroom:
    now = datetime.now(UTC)
    db.session.execute(
        insert(User),
        [
            {
                "username": f"s{i:05d}",
                "display_name": f"Student {i:05d}",
                "password_hash": "x",
                "role": "student",
                "created_at": now,
            }
            for i in range(students)
        ],
    )
    instructor = User(username="prof", display_name="Prof", password_hash="x", role="instructor")
    db.session.add(instructor)
    db.session.flush()
    classroom = Classroom(name="Benchmark class", instructor_id=instructor.id, join_code="ACDEFGHJ")
    db.session.add(classroom)
    db.session.flush()
    ids = list(db.session.scalars(select(User.id).where(User.role == "student")))
    db.session.execute(
        insert(Enrollment), [{"classroom_id": classroom.id, "user_id": u, "joined_at": now} for u in ids]
    )
    db.session.execute(
        insert(Assignment),
        [
            {"classroom_id": classroom.id, "bank_slug": "bench", "quiz_id": f"quiz{q}", "created_at": now}
            for q in range(quizzes)
        ],
    )
    rows = [
        {
            "user_id": u, "bank_slug": "bench", "quiz_id": f"quiz{q}", "number": 1, "quiz_title": f"Quiz {q}",
            "bank_sha256": "0" * 64, "started_at": now, "submitted_at": now,
            "score": float(rng.randint(0, 10)), "max_score": 10.0,
        }
        for u in ids
        for q in range(quizzes)
    ]  # fmt: skip
    db.session.execute(insert(Attempt), rows)
    db.session.commit()
    return classroom


def bare_csv() -> None:
    """The ceiling: one query, a pivot into a matrix, and a CSV write of it."""
    matrix: dict[int, dict[str, float]] = {}
    for user_id, quiz_id, score, most in db.session.execute(
        text("SELECT user_id, quiz_id, score, max_score FROM attempts WHERE submitted_at IS NOT NULL")
    ):
        matrix.setdefault(user_id, {})[quiz_id] = score / most
    quizzes = sorted({q for row in matrix.values() for q in row})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["user", *quizzes])
    for user_id, row in matrix.items():
        writer.writerow([user_id, *(row.get(q) for q in quizzes)])


def run_export(classroom: Classroom, fmt: str) -> int:
    exporter = EXPORTERS[fmt]
    return sum(len(chunk) for chunk in exporter.write(exporter.table(classroom, bank_registry())))


def peak_memory(fn) -> int:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(students: int, quizzes: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        banks = Path(tmp) / "questions"
        banks.mkdir()
        (banks / "bench.yaml").write_text(bank_text(quizzes))
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "BANKS_DIR": str(banks),
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            classroom = seed(students, quizzes, random.Random(1))
            run_export(classroom, "csv")  # warm: bank parsed, caches filled
            figures = {
                "bare": best_of(runs, bare_csv),
                "csv": best_of(runs, lambda: run_export(classroom, "csv")),
                "xlsx": best_of(runs, lambda: run_export(classroom, "xlsx")),
                "csv_peak": peak_memory(lambda: run_export(classroom, "csv")),
                "xlsx_peak": peak_memory(lambda: run_export(classroom, "xlsx")),
            }
            db.session.remove()
            db.engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--quizzes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    full = measure(args.students, args.quizzes, args.runs)
    half = measure(args.students // 2, args.quizzes, 1)
    print(
        f"class: {args.students} students x {args.quizzes} quizzes ({args.students * args.quizzes:,} attempts), SQLite"
    )
    print(f"bare query + pivot + csv: {full['bare']:.3f} s")
    print(
        f"CSV export:  {full['csv']:.3f} s (target under {CSV_TARGET} s), {full['csv'] / full['bare']:.1f}x the bare write"
    )
    print(f"XLSX export: {full['xlsx']:.3f} s (target under {XLSX_TARGET} s)")
    for fmt in ("csv", "xlsx"):
        print(
            f"{fmt.upper()} peak memory: {half[fmt + '_peak'] / 1e6:.1f} MB for {args.students // 2} students,"
            f" {full[fmt + '_peak'] / 1e6:.1f} MB for {args.students}"
        )
    # Streaming: doubling the class may not double the memory held at once.
    flat = all(full[f + "_peak"] < 1.5 * half[f + "_peak"] for f in ("csv", "xlsx"))
    print(f"memory flat in the number of students: {'yes' if flat else 'NO'}")
    return 0 if full["csv"] < CSV_TARGET and full["xlsx"] < XLSX_TARGET and flat else 1


if __name__ == "__main__":
    sys.exit(main())
