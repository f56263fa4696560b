"""The ceilings the load targets are measured against: bare Flask apps doing only what a quiz page
and a submit cannot avoid.

- ``/``: "hello" (the same as bench/bare_app.py).
- ``/quiz-page``: quizapp's own quiz form (``quiz/take.html`` with its layout and question
  macros) for 10 questions drawn from the shipped bank once at start-up. No login, no session,
  no database: a fixed stand-in for the signed-in learner (the layout's menu links are the real
  ones, to stub pages) and a fixed form token.
- ``/insert``: one row inserted with ``sqlite3`` into a WAL-mode database and committed.

Served by the same gunicorn settings as quizapp (``bench/ceilings.py`` starts it).
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
from pathlib import Path

from flask import Blueprint, Flask, render_template

from quizapp.banks import load_bank
from quizapp.filters import register_filters
from quizapp.quizzes.operations import ShownQuestion, field_name

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "csto-2022.yaml"

app = Flask(__name__, template_folder=str(ROOT / "quizapp" / "templates"))
register_filters(app)

_bank = load_bank(BANK)
_quiz = _bank.quizzes["founding"]
_shown = tuple(
    ShownQuestion(position, question)
    for position, question in enumerate(_quiz.draw(_bank.questions, random.Random(7))[:10])
)


class _Learner:
    is_authenticated = True
    is_instructor = False
    display_name = "Ada Lovelace"


class _Attempt:
    id = 1
    quiz_title = _quiz.title
    number = 1
    max_score = sum(item.question.points for item in _shown)


@app.context_processor
def _layout() -> dict:
    return {"current_user": _Learner, "csrf_token": lambda: "0" * 40}


# The layout links to these; they only need to exist.
for _name, _pages in {"quiz": ("home", "history"), "study": ("overview",), "auth": ("logout",)}.items():
    _stub = Blueprint(_name, __name__, url_prefix=f"/{_name}")
    for _page in _pages:
        _stub.add_url_rule(f"/{_page}", _page, lambda: "")
    app.register_blueprint(_stub)


@app.get("/")
def hello() -> str:
    return "hello"


@app.get("/quiz-page")
def quiz_page() -> str:
    return render_template(
        "quizzes/take.html", attempt=_Attempt, shown=_shown, values={}, problems={}, field_name=field_name
    )


_db = Path(os.environ.get("CEILING_DATABASE", Path(tempfile.gettempdir()) / "quizapp-ceiling.sqlite3"))
_connection: sqlite3.Connection | None = None


def _insert_connection() -> sqlite3.Connection:
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(_db, timeout=30, isolation_level=None)
        _connection.execute("PRAGMA journal_mode=WAL")
        _connection.execute("PRAGMA synchronous=NORMAL")
        _connection.execute("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, at REAL NOT NULL)")
    return _connection


@app.post("/insert")
def insert() -> str:
    connection = _insert_connection()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO hits (at) VALUES (julianday('now'))")
    connection.execute("COMMIT")
    return "stored"
