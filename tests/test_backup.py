"""`quizapp backup` copies the live database; a restore brings every row back."""

from __future__ import annotations

import shutil
import sqlite3
import threading

from sqlalchemy import func, select

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Attempt, User
from tests.factories import answer_form, register, shown_questions, sqlite_only, start, submit

pytestmark = sqlite_only


def test_a_backup_taken_while_learners_write_restores_every_row(app, client, tmp_path, banks_dir):
    register(client, "ada")
    path = start(client, "every-type", "all")
    submit(client, path, answer_form(shown_questions(app, path)))

    writing = threading.Event()
    stop = threading.Event()

    def keep_writing() -> None:
        with app.app_context():
            n = 0
            while not stop.is_set():
                user = User(username=f"w{n}", display_name="Writer")
                user.set_password("a long password")
                db.session.add(user)
                db.session.commit()
                n += 1
                writing.set()
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    writing.wait(5)
    target = tmp_path / "backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    stop.set()
    writer.join()
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output

    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT score FROM attempts").fetchall() == [(7.0,)]

    # Restore as docs/deploy.md says: stop the server, put the copy in place of the database.
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(target, restored)
    again = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{restored}",
            "BANKS_DIR": str(banks_dir),
        }
    )
    with again.app_context():
        assert db.session.scalar(select(Attempt.score)) == 7
        assert db.session.scalar(select(func.count()).select_from(User)) >= 2
        db.session.remove()
        db.engine.dispose()


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("precious")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "never overwrites" in result.output
    assert target.read_text() == "precious"


def test_backup_of_a_postgres_database_points_to_pg_dump(monkeypatch, tmp_path, banks_dir):
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    app = create_app({"SECRET_KEY": "x", "BANKS_DIR": str(banks_dir)})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
