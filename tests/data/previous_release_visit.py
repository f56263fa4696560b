"""A learner and an instructor on the previous release's code, through its own test helpers, on a
database the current code migrated. tests/test_previous_release.py runs it with the previous
release's tree first on the path; it prints the file the app came from, and exits 1 on a failure.

Usage: python previous_release_visit.py DATABASE_URI BANKS_DIR
"""

import sys

import quizapp
from quizapp import create_app
from tests.conftest import login, make_instructor, register, start
from tests.quiz.test_taking import answer_form, shown_questions, submit
from tests.study.test_study_pages import rate, rating_form, reveal
from tests.teach.test_bank_editing import open_editor, own, redescribe
from tests.teach.test_bank_editing import submit as send_editor

#: What the instructor's save writes into the bank's description.
SAVED = "Saved by the previous release."


def visit(database: str, banks: str) -> None:
    """Register, take and submit a quiz, rate a flashcard; then save the bank in the editor."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "previous-release",
            "SQLALCHEMY_DATABASE_URI": database,
            "BANKS_DIR": banks,
            "PASSWORD_HASH": "pbkdf2:sha256:1",
        }
    )
    learner = app.test_client()
    assert register(learner, "ada").status_code == 302
    path = start(learner, "every-type", "all")
    submitted = submit(learner, path, answer_form(shown_questions(app, path)))
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    rated = rate(learner, rating_form(reveal(learner)), 3)
    assert rated.status_code == 302, rated.get_data(as_text=True)

    make_instructor(app, "prof")
    own(app, "every-type")
    instructor = app.test_client()
    assert login(instructor, "prof").status_code == 302
    token, base, text = open_editor(instructor)
    saved = send_editor(instructor, redescribe(SAVED)(text), base, "save", token=token)
    assert saved.status_code == 302, saved.get_data(as_text=True)


if __name__ == "__main__":
    visit(*sys.argv[1:3])
    print(quizapp.__file__)
