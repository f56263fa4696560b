"""A class's destructive buttons ask first, without JavaScript: a new join code, removing a student,
taking a quiz off the class. The first click changes nothing and says what will happen; the
confirmation page's own button does it; Cancel leads back to the class."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Assignment, Enrollment, User
from tests.factories import (
    assign,
    create_class,
    csrf_token,
    form_with,
    join,
    join_code,
    learner,
    text,
    text_of,
)


@pytest.fixture
def klass(instructor) -> int:
    return create_class(instructor, "Eurasian History")


@pytest.fixture
def ada(app, instructor, klass):
    """ada, in prof's class, which sets the every-type quiz."""
    client = learner(app, "ada")
    assert join(client, join_code(instructor, klass)).status_code == 302
    assert assign(instructor, klass).status_code == 302
    return client


def enrolled(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enrollment))


def set_quizzes(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Assignment))


#: The class page's buttons, by the URL each posts to.
BUTTONS = {
    "code": r"/teach/classes/\d+/code",
    "student": r"/teach/classes/\d+/students/\d+/remove",
    "quiz": r"/teach/classes/\d+/assignments/\d+/remove",
}


def first_click(client, klass: int, button: str):
    """A button of the class page (see BUTTONS) clicked once; its URL and the response."""
    page = text(client.get(f"/teach/classes/{klass}"))
    url = re.search(f'action="({BUTTONS[button]})"', page).group(1)
    fields = form_with(page, action=url)
    assert "confirm" not in fields, "the class page's button must not confirm by itself"
    return url, client.post(url, data=fields)


def confirm(client, url: str, asked) -> object:
    """Press the confirmation page's own button."""
    return client.post(url, data=form_with(text(asked), action=url))


def test_a_new_join_code_is_made_only_once_confirmed_and_the_page_names_the_old_code(instructor, klass, ada):
    old = join_code(instructor, klass)
    url, asked = first_click(instructor, klass, "code")

    assert asked.status_code == 200
    page = text_of(asked)
    assert "Make a new join code for Eurasian History?" in page
    assert f"The code {old} stops working at once" in page
    assert "Every student already in the class stays in it" in page
    assert f'<a href="/teach/classes/{klass}">Cancel</a>' in text(asked)
    assert join_code(instructor, klass) == old

    done = confirm(instructor, url, asked)
    assert done.status_code == 302
    assert join_code(instructor, klass) != old


def test_removing_a_student_asks_first_naming_them_and_what_is_kept(app, instructor, klass, ada):
    url, asked = first_click(instructor, klass, "student")

    page = text_of(asked)
    assert "Remove Ada from Eurasian History?" in page
    assert "Their attempts and scores; they can join again with the class's code." in page
    assert enrolled(app) == 1

    assert confirm(instructor, url, asked).status_code == 302
    assert enrolled(app) == 0


def test_taking_a_quiz_off_a_class_asks_first_and_says_what_is_lost(app, instructor, klass, ada):
    url, asked = first_click(instructor, klass, "quiz")

    shown = text_of(asked)
    assert "Take Every type off Eurasian History?" in shown
    assert "Its times, its review options and its students' extra time for this class." in shown
    assert set_quizzes(app) == 1

    assert confirm(instructor, url, asked).status_code == 302
    assert set_quizzes(app) == 0


def test_cancel_leads_back_to_the_class_which_is_unchanged(app, instructor, klass, ada):
    old = join_code(instructor, klass)
    _, asked = first_click(instructor, klass, "code")
    cancel = re.search(r'<a href="([^"]+)">Cancel</a>', text(asked)).group(1)

    back = instructor.get(cancel)
    assert back.status_code == 200
    assert old in text(back)
    assert (enrolled(app), set_quizzes(app)) == (1, 1)


@pytest.mark.parametrize("button", ["code", "student", "quiz"])
def test_a_confirmed_post_without_the_csrf_token_is_refused_and_changes_nothing(
    app, instructor, klass, ada, button
):
    old = join_code(instructor, klass)
    url, asked = first_click(instructor, klass, button)
    fields = form_with(text(asked), action=url)
    assert fields.pop("csrf_token") == csrf_token(text(asked))

    assert instructor.post(url, data=fields).status_code == 400
    assert instructor.post(url, data={**fields, "csrf_token": "forged"}).status_code == 400
    assert join_code(instructor, klass) == old
    assert (enrolled(app), set_quizzes(app)) == (1, 1)


def test_asking_to_remove_someone_not_in_the_class_is_not_found(app, instructor, klass, ada):
    learner(app, "bob")
    with app.app_context():
        bob = db.session.scalar(select(User.id).where(User.username == "bob"))
    page = text(instructor.get(f"/teach/classes/{klass}"))
    fields = form_with(page, action="/students/")
    assert instructor.post(f"/teach/classes/{klass}/students/{bob}/remove", data=fields).status_code == 404
    assert enrolled(app) == 1
