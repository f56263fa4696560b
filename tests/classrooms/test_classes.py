"""Classes, join codes, rosters and assigned quizzes with open and close times, through the test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, Classroom, Enrollment, Response
from quizapp.site_settings import set_school_zone
from tests.factories import (
    CODE,
    FORM_TIME,
    QUIZ,
    QUIZ_PAGE,
    answer_form,
    assign,
    clean,
    create_class,
    csrf_token,
    flashed_after,
    join,
    join_code,
    learner,
    other_instructor,
    post_from,
    quizzes_set,
    register,
    set_window,
    shown_questions,
    start,
    start_response,
    submit,
    text,
)

LOOK_ALIKES = set("0O1IL")
#: What a destructive button's confirmation page posts with its own button.
CONFIRM = {"confirm": "yes"}


# --- helpers -------------------------------------------------------------------------------------


def shown(moment: datetime) -> str:
    """A time as the pages show it (minutes, UTC), as typed into the form, before how far off it is:
    "Tue 8 Dec 17:00", with the year when it is not this one."""
    year = "" if moment.year == now().year else f" {moment.year}"
    return f"{moment:%a} {moment.day} {moment:%b}{year} {moment:%H:%M}"


def now() -> datetime:
    return datetime.now(UTC)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assignments(app) -> list[Assignment]:
    with app.app_context():
        return list(db.session.scalars(select(Assignment).order_by(Assignment.id)))


def attempts(app) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(select(Attempt).order_by(Attempt.id)))


def assigned_section(home: str) -> str:
    """The "Set for your classes" card of a student's home page ('' if there is none)."""
    if 'id="assigned"' not in home:
        return ""
    return home.split('id="assigned"', 1)[1].split("</section>", 1)[0]


def roster(class_page: str) -> str:
    return class_page.split('id="roster-heading"', 1)[1]


@pytest.fixture
def ada(app):
    return learner(app, "ada")


@pytest.fixture
def klass(instructor) -> int:
    """A class of prof's."""
    return create_class(instructor, "Eurasian History")


@pytest.fixture
def enrolled(instructor, klass, ada):
    """ada, in prof's class."""
    assert join(ada, join_code(instructor, klass)).status_code == 302
    return ada


# --- who may see what ----------------------------------------------------------------------------


def teach_posts(class_id: int, user_id: int, assignment_id: int) -> list[tuple[str, dict]]:
    return [
        ("/teach/classes", {"name": "Stolen"}),
        (f"/teach/classes/{class_id}/code", {}),
        (f"/teach/classes/{class_id}/students/{user_id}/remove", {}),
        (
            f"/teach/classes/{class_id}/assignments",
            {"quiz": "every-type/review", "opens_at": "", "closes_at": ""},
        ),
        (f"/teach/classes/{class_id}/assignments/{assignment_id}/remove", {}),
        ("/teach/banks/", {"slug": "stolen", "title": "Stolen"}),
    ]


TEACH_PAGES = [
    "/teach/",
    "/teach/banks/",
    "/teach/banks/every-type/edit",
    "/teach/banks/every-type/history",
    "/teach/banks/every-type/questions/new",
]


@pytest.fixture
def populated(app):
    """A class of prof's with ada in it and a quiz set, made in browsers of their own."""
    prof = other_instructor(app, "prof")
    class_id = create_class(prof, "Eurasian History")
    student = learner(app, "ada")
    assert join(student, join_code(prof, class_id)).status_code == 302
    assert assign(prof, class_id, closes=now() + timedelta(days=3)).status_code == 302
    [assignment] = assignments(app)
    with app.app_context():
        ada_id = db.session.scalar(select(Enrollment.user_id))
    return prof, class_id, ada_id, assignment.id


def test_a_student_gets_403_on_every_instructor_page_and_post(app, client, populated):
    prof, class_id, ada_id, assignment_id = populated
    code = join_code(prof, class_id)
    register(client, "bob")

    for url in [*TEACH_PAGES, f"/teach/classes/{class_id}"]:
        assert client.get(url).status_code == 403, url
    for url, data in teach_posts(class_id, ada_id, assignment_id):
        response = post_from(client, "/", url, data)
        assert response.status_code == 403, url
        assert "Not allowed" in text(response)

    assert count(app, Classroom) == 1
    assert count(app, Enrollment) == 1
    assert count(app, Assignment) == 1
    assert join_code(prof, class_id) == code
    assert len(assignments(app)) == 1
    assert assignments(app)[0].quiz_id == "all"


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_instructor_page_and_post(app, client, populated):
    _, class_id, ada_id, assignment_id = populated

    for url in [*TEACH_PAGES, f"/teach/classes/{class_id}"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
    for url, data in teach_posts(class_id, ada_id, assignment_id):
        response = post_from(client, "/login", url, data)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url

    assert count(app, Classroom) == 1
    assert count(app, Enrollment) == 1
    assert count(app, Assignment) == 1


def test_the_nav_shows_teach_only_to_instructors(app, client, instructor):
    teach_link = '<a href="/teach/">Teach</a>'
    assert teach_link in text(instructor.get("/"))
    assert teach_link in text(instructor.get(QUIZ_PAGE))

    student = learner(app, "ada")
    assert teach_link not in text(student.get("/"))
    assert teach_link not in text(student.get(QUIZ_PAGE))

    assert teach_link not in text(app.test_client().get("/"))


def test_class_names_are_escaped_on_every_page_that_shows_them(app, instructor, ada):
    name = '<b onmouseover="x()">Bold</b>'
    class_id = create_class(instructor, name)
    assert assign(instructor, class_id).status_code == 302
    joined = join(ada, join_code(instructor, class_id))

    pages = [
        text(instructor.get("/teach/")),
        text(instructor.get(f"/teach/classes/{class_id}")),
        flashed_after(ada, joined),
        text(join(ada, join_code(instructor, class_id))),
    ]
    for page in pages:
        assert "<b onmouseover" not in page
        assert "&lt;b onmouseover=" in page


# --- classes and join codes ----------------------------------------------------------------------


def test_an_instructor_creates_a_class_and_sees_its_name_and_join_code(app, instructor):
    response = post_from(instructor, "/teach/", "/teach/classes", {"name": "  Eurasian History  "})

    page = flashed_after(instructor, response)
    assert "<h1>Eurasian History</h1>" in page
    assert "Class “Eurasian History” created" in page
    code = CODE.search(page).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    with app.app_context():
        classroom = db.session.scalar(select(Classroom))
        assert classroom.name == "Eurasian History"
        assert classroom.join_code == code.replace("-", "")
    dashboard = text(instructor.get("/teach/"))
    assert f'<a href="/teach/classes/{classroom.id}">Eurasian History</a>' in dashboard
    assert "0 students · 0 quizzes set" in dashboard


def test_join_codes_never_use_look_alike_characters(instructor):
    class_id = create_class(instructor, "Codes")
    codes = {join_code(instructor, class_id)}
    for _ in range(15):
        post_from(instructor, f"/teach/classes/{class_id}", f"/teach/classes/{class_id}/code", CONFIRM)
        codes.add(join_code(instructor, class_id))
    for other in range(5):
        codes.add(join_code(instructor, create_class(instructor, f"Class {other}")))

    assert len(codes) == 21
    for code in codes:
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
        assert not LOOK_ALIKES & set(code), code


@pytest.mark.parametrize("name", ["", "   "])
def test_a_class_with_an_empty_name_is_refused_with_a_message_and_nothing_is_made(app, instructor, name):
    response = post_from(instructor, "/teach/", "/teach/classes", {"name": name})

    assert response.status_code == 422
    page = text(response)
    assert 'class="error"' in page
    assert "This field is required." in page
    assert count(app, Classroom) == 0
    assert "You have no classes yet." in text(instructor.get("/teach/"))


def test_an_instructor_cannot_see_or_change_another_instructors_class(app, populated):
    prof, class_id, ada_id, assignment_id = populated
    code = join_code(prof, class_id)
    other = other_instructor(app, "rival")
    own_id = create_class(other, "Rival Class")

    assert other.get(f"/teach/classes/{class_id}").status_code == 404
    for url, data in teach_posts(class_id, ada_id, assignment_id)[1:5]:
        assert post_from(other, "/teach/", url, data).status_code == 404, url
    # Nor through their own class with the other class's assignment id.
    stray = f"/teach/classes/{own_id}/assignments/{assignment_id}/remove"
    assert post_from(other, "/teach/", stray).status_code == 404

    dashboard = text(other.get("/teach/"))
    assert "Rival Class" in dashboard
    assert "Eurasian History" not in dashboard
    assert f"/teach/classes/{class_id}" not in dashboard
    page = text(prof.get(f"/teach/classes/{class_id}"))
    assert join_code(prof, class_id) == code
    assert "Ada" in roster(page)
    assert "Every type" in quizzes_set(page)
    assert count(app, Enrollment) == 1
    assert [(a.classroom_id, a.quiz_id) for a in assignments(app)] == [(class_id, "all")]


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.lower(),
        lambda code: code.lower().replace("-", " "),
        lambda code: f"  {code[:2].lower()} {code[2:4]} - {code[5:].lower()} ",
        lambda code: code.replace("-", "").lower(),
    ],
    ids=["lower-with-dash", "lower-with-space", "spaced-out", "lower-no-dash"],
)
def test_a_student_joins_with_the_code_typed_loosely_and_appears_on_the_roster(
    app, instructor, klass, ada, typed
):
    code = join_code(instructor, klass)

    response = join(ada, typed(code))

    home = flashed_after(ada, response)
    assert "You joined Eurasian History." in home
    page = text(instructor.get(f"/teach/classes/{klass}"))
    assert "Students (1)" in page
    assert '>Ada</a></td><td data-label="Username">ada</td>' in roster(page)
    assert "1 student ·" in text(instructor.get("/teach/"))


def test_a_wrong_code_gives_a_clear_message_and_keeps_the_typed_code(app, instructor, klass, ada):
    response = join(ada, "nope-0000")

    assert response.status_code == 422
    page = text(response)
    assert "No class has that code. Check it with your instructor." in page
    assert 'value="nope-0000"' in page
    assert count(app, Enrollment) == 0


def test_joining_a_class_twice_says_so_and_adds_no_second_place(app, instructor, klass, enrolled):
    response = join(enrolled, join_code(instructor, klass))

    assert response.status_code == 422
    assert "You are already in Eurasian History." in text(response)
    assert count(app, Enrollment) == 1


def test_a_new_code_stops_the_old_one_working_and_keeps_the_students_already_in(
    app, instructor, klass, enrolled
):
    old = join_code(instructor, klass)

    response = post_from(instructor, f"/teach/classes/{klass}", f"/teach/classes/{klass}/code", CONFIRM)

    page = flashed_after(instructor, response)
    assert "the old one no longer works" in page
    new = CODE.search(page).group(1)
    assert new != old
    assert '>Ada</a></td><td data-label="Username">ada</td>' in roster(page)
    latecomer = learner(app, "bob")
    refused = join(latecomer, old)
    assert refused.status_code == 422
    assert "No class has that code" in text(refused)
    assert join(latecomer, new).status_code == 302
    roster_now = roster(text(instructor.get(f"/teach/classes/{klass}")))
    assert '>Ada</a></td><td data-label="Username">ada</td>' in roster_now
    assert '>Bob</a></td><td data-label="Username">bob</td>' in roster_now


def test_a_code_change_without_a_csrf_token_is_refused(instructor, klass):
    old = join_code(instructor, klass)
    assert instructor.post(f"/teach/classes/{klass}/code").status_code == 400
    assert join_code(instructor, klass) == old


def test_removing_a_student_takes_them_off_the_roster_but_keeps_their_attempts(
    app, instructor, klass, enrolled
):
    assert assign(instructor, klass, closes=now() + timedelta(days=1)).status_code == 302
    path = start(enrolled, "every-type", "all")
    assert submit(enrolled, path, answer_form(shown_questions(app, path))).status_code == 302
    with app.app_context():
        ada_id = db.session.scalar(select(Enrollment.user_id))

    response = post_from(
        instructor, f"/teach/classes/{klass}", f"/teach/classes/{klass}/students/{ada_id}/remove", CONFIRM
    )

    page = flashed_after(instructor, response)
    assert "their scores are kept" in page
    assert "Students (0)" in page
    assert ">Ada</a></td>" not in roster(page)
    assert count(app, Enrollment) == 0
    assert "Set for your classes" not in text(enrolled.get("/"))
    assert count(app, Attempt) == 1
    assert count(app, Response) == 7
    assert attempts(app)[0].score == 7
    history = text(enrolled.get("/history"))
    assert f'href="{path}"' in history
    assert "7 / 7 (100%)" in history
    assert "7 / 7" in text(enrolled.get(path))


# --- assigning quizzes ---------------------------------------------------------------------------


def test_an_assigned_quiz_shows_on_the_class_page_and_first_on_the_students_home_with_its_due_date(
    app, instructor, klass, enrolled
):
    home = text(enrolled.get("/"))
    assert "Set for your classes" not in home
    opens = now() - timedelta(hours=1)
    closes = now() + timedelta(days=2)

    response = assign(instructor, klass, opens=opens, closes=closes)

    page = flashed_after(instructor, response)
    assert "Quiz assigned." in page
    table = quizzes_set(page)
    assert "Every type" in table
    assert shown(opens) in table
    assert shown(closes) in table
    assert "1 quiz set" in text(instructor.get("/teach/"))
    home = text(enrolled.get("/"))
    card = assigned_section(home)
    assert "Set for your classes" in card
    assert f'<a href="{QUIZ_PAGE}">Every type</a>' in card
    assert "Eurasian History" in card
    assert f"Due {shown(closes)} (in " in clean(card)
    assert home.index("Set for your classes") < home.index('id="bank-every-type"')


def test_set_quizzes_are_listed_soonest_due_first_and_those_without_a_deadline_last(
    app, instructor, klass, enrolled
):
    second = create_class(instructor, "Second Class")
    third = create_class(instructor, "Aardvark Club")
    for class_id in (second, third):
        assert join(enrolled, join_code(instructor, class_id)).status_code == 302
    assert assign(instructor, third, quiz=QUIZ).status_code == 302
    assert (
        assign(instructor, klass, quiz="every-type/review", closes=now() + timedelta(days=5)).status_code
        == 302
    )
    assert assign(instructor, second, quiz=QUIZ, closes=now() + timedelta(days=1)).status_code == 302

    card = assigned_section(text(enrolled.get("/")))

    listed = re.findall(r'<span class="meta">([^<]+)</span>', card)
    assert listed == ["Second Class", "Eurasian History", "Aardvark Club"]


def test_an_assignment_without_times_is_open_with_no_deadline(app, instructor, klass, enrolled):
    assert assign(instructor, klass).status_code == 302

    [assignment] = assignments(app)
    assert (assignment.opens_at, assignment.closes_at) == (None, None)
    table = quizzes_set(text(instructor.get(f"/teach/classes/{klass}")))
    assert '<td data-label="Opens">now</td>' in table
    assert '<td data-label="Closes">no deadline</td>' in table
    assert "Open, no deadline" in assigned_section(text(enrolled.get("/")))


def test_a_closing_time_before_the_opening_time_is_refused_and_the_typed_times_kept(app, instructor, klass):
    opens = (now() + timedelta(days=2)).strftime(FORM_TIME)
    closes = (now() + timedelta(days=1)).strftime(FORM_TIME)

    response = post_from(
        instructor,
        f"/teach/classes/{klass}",
        f"/teach/classes/{klass}/assignments",
        {"quiz": QUIZ, "opens_at": opens, "closes_at": closes},
    )

    assert response.status_code == 422
    page = text(response)
    assert "The closing time must come after the opening time." in page
    assert f'value="{opens}"' in page
    assert f'value="{closes}"' in page
    assert f'<option selected value="{QUIZ}">' in page or f'value="{QUIZ}" selected' in page
    assert count(app, Assignment) == 0
    assert "No quizzes set yet." in text(instructor.get(f"/teach/classes/{klass}"))


def test_times_are_typed_and_shown_in_the_school_time_zone_and_stored_in_utc(
    app, instructor, klass, enrolled
):
    with app.app_context():
        set_school_zone("Europe/Berlin")
    response = post_from(
        instructor,
        f"/teach/classes/{klass}",
        f"/teach/classes/{klass}/assignments",
        {"quiz": QUIZ, "opens_at": "2030-01-15T09:00", "closes_at": "2030-07-20T18:30"},
    )

    page = flashed_after(instructor, response)
    assert "Times are in Europe/Berlin." in page
    [assignment] = assignments(app)
    assert assignment.opens_at == datetime(2030, 1, 15, 8, 0, tzinfo=UTC)
    assert assignment.closes_at == datetime(2030, 7, 20, 16, 30, tzinfo=UTC)
    table = quizzes_set(page)
    assert "2030-01-15 09:00 CET" in table
    assert "2030-07-20 18:30 CEST" in table
    assert "Opens Tue 15 Jan 2030 09:00 (in " in clean(assigned_section(text(enrolled.get("/"))))
    refused = start_response(enrolled)
    assert "This quiz opens for Eurasian History on Tue 15 Jan 2030 09:00 (in " in flashed_after(
        enrolled, refused
    )


@pytest.mark.parametrize("typed", ["tomorrow", "2030-13-01T09:00", "2030-01-15"])
def test_a_time_that_is_not_a_date_and_time_is_refused_and_kept(app, instructor, klass, typed):
    response = post_from(
        instructor,
        f"/teach/classes/{klass}",
        f"/teach/classes/{klass}/assignments",
        {"quiz": QUIZ, "opens_at": typed, "closes_at": ""},
    )

    assert response.status_code == 422
    page = text(response)
    assert "Not a valid datetime value." in page
    assert f'value="{typed}"' in page
    assert count(app, Assignment) == 0


def test_a_quiz_not_in_any_bank_cannot_be_assigned(app, instructor, klass):
    response = assign(instructor, klass, quiz="every-type/missing")

    assert response.status_code == 422
    assert count(app, Assignment) == 0


def test_assigning_the_same_quiz_again_changes_its_times_instead_of_adding_a_row(
    app, instructor, klass, enrolled
):
    first_close = now() + timedelta(days=1)
    second_open = now() + timedelta(hours=2)
    second_close = now() + timedelta(days=5)
    assert assign(instructor, klass, closes=first_close).status_code == 302

    assert assign(instructor, klass, opens=second_open, closes=second_close).status_code == 302

    [assignment] = assignments(app)
    assert assignment.opens_at == second_open.replace(second=0, microsecond=0)
    assert assignment.closes_at == second_close.replace(second=0, microsecond=0)
    table = quizzes_set(text(instructor.get(f"/teach/classes/{klass}")))
    assert table.count("<tr>") == 2  # the header and one quiz
    assert shown(second_close) in table
    assert shown(first_close) not in table
    card = assigned_section(text(enrolled.get("/")))
    assert card.count(f'href="{QUIZ_PAGE}"') == 1
    assert f"Opens {shown(second_open)} (in " in clean(card)


def test_removing_an_assignment_takes_it_off_the_students_home(app, instructor, klass, enrolled):
    assert assign(instructor, klass, closes=now() + timedelta(days=1)).status_code == 302
    assert "Set for your classes" in text(enrolled.get("/"))
    [assignment] = assignments(app)

    response = post_from(
        instructor,
        f"/teach/classes/{klass}",
        f"/teach/classes/{klass}/assignments/{assignment.id}/remove",
        CONFIRM,
    )

    page = flashed_after(instructor, response)
    assert "Quiz taken off the class" in page
    assert "No quizzes set yet." in page
    assert count(app, Assignment) == 0
    home = text(enrolled.get("/"))
    assert "Set for your classes" not in home
    assert f'href="{QUIZ_PAGE}"' in home  # still in the bank list, as free practice


# --- the window, enforced on the server ----------------------------------------------------------


def test_before_it_opens_a_set_quiz_cannot_be_started_and_no_attempt_is_made(
    app, instructor, klass, enrolled
):
    opens = now() + timedelta(days=1)
    assert assign(instructor, klass, opens=opens, closes=opens + timedelta(days=1)).status_code == 302
    assert f"Opens {shown(opens)}" in clean(assigned_section(text(enrolled.get("/"))))

    response = start_response(enrolled)

    assert response.status_code == 302
    assert response.headers["Location"] == QUIZ_PAGE
    page = text(enrolled.get(QUIZ_PAGE))
    assert f"This quiz opens for Eurasian History on {shown(opens)} (in " in page
    assert count(app, Attempt) == 0


def test_after_it_closes_a_set_quiz_cannot_be_started(app, instructor, klass, enrolled):
    closes = now() - timedelta(hours=1)
    assert assign(instructor, klass, opens=closes - timedelta(days=1), closes=closes).status_code == 302
    assert f"Closed {shown(closes)}" in clean(assigned_section(text(enrolled.get("/"))))

    response = start_response(enrolled)

    assert response.status_code == 302
    page = text(enrolled.get(response.headers["Location"]))
    assert f"This quiz closed for Eurasian History on {shown(closes)}" in page
    assert count(app, Attempt) == 0


def test_a_submit_sent_within_the_grace_after_the_close_still_counts(app, instructor, klass, enrolled):
    assert assign(instructor, klass, closes=now() + timedelta(hours=1)).status_code == 302
    path = start(enrolled, "every-type", "all")
    form = answer_form(shown_questions(app, path))
    token = csrf_token(text(enrolled.get(path)))
    set_window(app, None, now() - timedelta(seconds=5))

    response = enrolled.post(path, data={"csrf_token": token, **form})

    assert response.status_code == 302
    [attempt] = attempts(app)
    assert attempt.score == 7
    assert not attempt.auto_submitted


def test_at_the_close_the_saved_answers_are_graded_and_answers_sent_later_do_not_count(
    app, instructor, klass, enrolled
):
    assert assign(instructor, klass, closes=now() + timedelta(hours=1)).status_code == 302
    path = start(enrolled, "every-type", "all")
    questions = shown_questions(app, path)
    text_at = next(i for i, q in enumerate(questions) if q["type"] == "text")
    number_at = next(i for i, q in enumerate(questions) if q["type"] == "numeric")
    page = text(enrolled.get(path))
    token = csrf_token(page)
    positions = re.search(r'name="positions" value="([^"]*)"', page).group(1)
    saved = enrolled.post(
        f"{path}/save",
        data={
            "csrf_token": token,
            "positions": positions,
            f"q{text_at}": "Typed before the bell",
            "go": "later",
        },
    )
    assert saved.status_code == 302
    closed_at = now() - timedelta(minutes=5)
    set_window(app, None, closed_at)

    late = answer_form(questions)
    late[f"q{number_at}"] = "98765.4"
    response = enrolled.post(path, data={"csrf_token": token, **late})

    assert response.status_code == 302
    result = text(enrolled.get(response.headers["Location"]))
    assert "submitted automatically" in result
    [attempt] = attempts(app)
    assert attempt.auto_submitted
    assert abs(attempt.submitted_at - closed_at) < timedelta(seconds=1)
    with app.app_context():
        stored = {
            r.position: r
            for r in db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))
        }
    assert stored[text_at].draft == {f"q{text_at}": ["Typed before the bell"]}
    assert stored[text_at].answer == "Typed before the bell"
    assert stored[number_at].answer is None  # sent after the close: not counted
    assert attempt.score == 0


def test_within_the_window_a_set_quiz_is_started_submitted_and_graded(app, instructor, klass, enrolled):
    assert (
        assign(
            instructor, klass, opens=now() - timedelta(hours=1), closes=now() + timedelta(hours=1)
        ).status_code
        == 302
    )

    path = start(enrolled, "every-type", "all")
    response = submit(enrolled, path, answer_form(shown_questions(app, path)))

    assert response.status_code == 302
    assert "7 / 7" in text(enrolled.get(path))
    [attempt] = attempts(app)
    assert attempt.submitted_at is not None
    assert attempt.score == 7
    assert "Best: 100%" in assigned_section(text(enrolled.get("/")))


def test_a_student_not_in_the_class_takes_the_set_quiz_as_free_practice(app, instructor, klass, enrolled):
    assert assign(instructor, klass, closes=now() - timedelta(hours=1)).status_code == 302
    outsider = learner(app, "bob")
    assert "Set for your classes" not in text(outsider.get("/"))

    path = start(outsider, "every-type", "all")
    response = submit(outsider, path, answer_form(shown_questions(app, path)))

    assert response.status_code == 302
    assert "7 / 7" in text(outsider.get(path))
    assert start_response(enrolled).headers["Location"] == QUIZ_PAGE
    assert len(attempts(app)) == 1


def test_a_student_in_two_classes_may_take_a_quiz_open_in_either(app, instructor, klass, enrolled):
    second = create_class(instructor, "Second Class")
    assert join(enrolled, join_code(instructor, second)).status_code == 302
    assert assign(instructor, klass, closes=now() - timedelta(hours=1)).status_code == 302
    assert assign(instructor, second, closes=now() + timedelta(days=1)).status_code == 302
    card = assigned_section(text(enrolled.get("/")))
    assert "Eurasian History" in card
    assert "Second Class" in card

    path = start(enrolled, "every-type", "all")
    response = submit(enrolled, path, answer_form(shown_questions(app, path)))

    assert response.status_code == 302
    assert attempts(app)[0].score == 7


def test_a_student_in_two_classes_is_refused_when_neither_setting_is_open(app, instructor, klass, enrolled):
    second = create_class(instructor, "Second Class")
    assert join(enrolled, join_code(instructor, second)).status_code == 302
    closes = now() - timedelta(hours=1)
    opens = now() + timedelta(days=1)
    assert assign(instructor, klass, closes=closes).status_code == 302
    assert assign(instructor, second, opens=opens).status_code == 302

    response = start_response(enrolled)

    assert f"This quiz opens for Second Class on {shown(opens)} (in " in flashed_after(enrolled, response)
    assert count(app, Attempt) == 0


def test_removing_the_assignment_lifts_the_window(app, instructor, klass, enrolled):
    assert assign(instructor, klass, closes=now() - timedelta(hours=1)).status_code == 302
    assert start_response(enrolled).headers["Location"] == QUIZ_PAGE
    [assignment] = assignments(app)
    post_from(
        instructor,
        f"/teach/classes/{klass}",
        f"/teach/classes/{klass}/assignments/{assignment.id}/remove",
        CONFIRM,
    )

    path = start(enrolled, "every-type", "all")

    assert path.startswith("/attempts/")
