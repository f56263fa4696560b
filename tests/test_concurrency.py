"""Every write a user can make twice at once, made twice at the same moment through two hosts: never
a 500, nothing lost, one row where there should be one (docs/concurrency.md).

Each race is made to happen rather than hoped for: the two requests are held just before they
write (``meet_before``) until both have read whatever they read first."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from quizapp import database
from quizapp.accounts.operations import make_reset_code
from quizapp.bank_editor.sharing import SharingError, grant, revoke, set_practice
from quizapp.classrooms.operations import assign_quiz, create_class, join_class, set_extra_time
from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Attempt,
    BankMember,
    BankPolicy,
    CardReview,
    CardState,
    Classroom,
    Enrollment,
    ExtraTime,
    PasswordReset,
    User,
)
from tests.factories import csrf_token, login, make_instructor, register, start

#: How long a request waits for the other at the meeting point. The other may never come (it is
#: waiting for this one's lock): then this one goes on alone, as it would have anyway.
PATIENCE = 3


@pytest.fixture
def hosts(app: Flask, another_app) -> tuple[Flask, Flask]:
    """Two app instances on one database: two hosts."""
    return app, another_app()


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, each in a thread of its own; their results, in order."""
    ready = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        ready.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test, which fails with it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


@contextmanager
def meet_before(hosts: tuple[Flask, ...], *tables: str) -> Iterator[None]:
    """Hold each of two racing threads just before its first write to (or row lock on) one of
    ``tables`` until the other gets there too, so neither has written when both have read. On
    SQLite, where a writer holds the database's lock from its BEGIN, they meet as they ask for it."""
    meeting = threading.Barrier(2)
    met = threading.local()

    def meet() -> None:
        if threading.current_thread() is threading.main_thread() or getattr(met, "done", False):
            return
        met.done = True
        with suppress(threading.BrokenBarrierError):
            meeting.wait(timeout=PATIENCE)

    pattern = re.compile(r"\b(" + "|".join(tables) + r")\b")

    def before_write(_conn, _cursor, statement, *_args) -> None:
        writes = statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        if (writes or "FOR UPDATE" in statement) and pattern.search(statement):
            meet()

    with hosts[0].app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        original = database._writers_turn

        @contextmanager
        def turn() -> Iterator[None]:
            meet()
            with original():
                yield

        database._writers_turn = turn
        try:
            yield
        finally:
            database._writers_turn = original
        return
    engines = []
    for host in hosts:
        with host.app_context():
            engines.append(db.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", before_write)
    try:
        yield
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before_write)


def count(app: Flask, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def signed_in(host: Flask, username: str):
    client = host.test_client()
    assert login(client, username).status_code == 302
    return client


def no_server_error(*responses) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == []


# -- learners ----------------------------------------------------------------------------------


def test_two_quizzes_of_one_bank_submitted_at_once_through_two_hosts_both_count(hosts):
    first, second = hosts
    register(first.test_client(), "ada")
    clients = signed_in(first, "ada"), signed_in(second, "ada")
    pages = [
        start(client, "every-type", quiz) for client, quiz in zip(clients, ("all", "review"), strict=True)
    ]
    tokens = [csrf_token(c.get(page).get_data(as_text=True)) for c, page in zip(clients, pages, strict=True)]
    with meet_before(hosts, "card_states"):
        responses = at_once(
            *(
                lambda c=c, p=p, t=t: c.post(p, data={"csrf_token": t})
                for c, p, t in zip(clients, pages, tokens, strict=True)
            )
        )
    no_server_error(*responses)
    assert count(first, Attempt, Attempt.submitted_at.is_not(None)) == 2
    # Every question of the bank was missed (nothing was answered), each queued once.
    assert count(first, CardState) == 7


def test_one_learner_opening_a_deck_twice_at_once_gets_one_new_card_in_both(hosts):
    first, second = hosts
    register(first.test_client(), "ada")
    clients = signed_in(first, "ada"), signed_in(second, "ada")
    with meet_before(hosts, "card_states"):
        responses = at_once(*(lambda c=c: c.get("/study/every-type") for c in clients))
    no_server_error(*responses)
    assert count(first, CardState) == 1
    assert all('id="reveal"' in r.get_data(as_text=True) for r in responses), "both pages show the card"


def test_rating_one_card_twice_at_once_records_one_review(hosts):
    first, second = hosts
    register(first.test_client(), "ada")
    clients = signed_in(first, "ada"), signed_in(second, "ada")
    pages = [c.get("/study/every-type").get_data(as_text=True) for c in clients]
    card = re.search(r"show=(\d+)", pages[0]).group(1)
    forms = [{"csrf_token": csrf_token(page), "card": card, "reps": "0", "rating": "3"} for page in pages]
    with meet_before(hosts, "card_states"):
        responses = at_once(
            *(
                lambda c=c, f=f: c.post("/study/every-type/review", data=f)
                for c, f in zip(clients, forms, strict=True)
            )
        )
    assert [r.status_code for r in responses] == [302, 302]
    assert count(first, CardReview) == 1


def test_starting_a_quiz_twice_at_once_opens_one_attempt(hosts):
    first, second = hosts
    register(first.test_client(), "ada")
    clients = signed_in(first, "ada"), signed_in(second, "ada")
    with meet_before(hosts, "attempts"):
        pages = at_once(*(lambda c=c: start(c, "every-type", "all") for c in clients))
    assert pages[0] == pages[1]
    assert count(first, Attempt) == 1


def test_two_autosaves_of_different_questions_at_once_keep_both_answers(hosts):
    first, second = hosts
    register(first.test_client(), "ada")
    clients = signed_in(first, "ada"), signed_in(second, "ada")
    page = start(clients[0], "every-type", "all")
    tokens = [csrf_token(c.get(page).get_data(as_text=True)) for c in clients]
    saves = [
        {"csrf_token": t, "positions": str(p), f"q{p}": "x"} for t, p in zip(tokens, (3, 4), strict=True)
    ]
    with meet_before(hosts, "attempts"):
        responses = at_once(
            *(lambda c=c, s=s: c.post(f"{page}/draft", data=s) for c, s in zip(clients, saves, strict=True))
        )
    no_server_error(*responses)
    assert sorted(r.get_json()["version"] for r in responses) == [1, 2]
    with first.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert {r.position: r.draft for r in attempt.responses if r.draft} == {
            3: {"q3": ["x"]},
            4: {"q4": ["x"]},
        }


def test_joining_a_class_twice_at_once_enrols_once_and_says_so(app, hosts):
    first, second = hosts
    make_instructor(app)
    register(first.test_client(), "ada")
    with app.app_context():
        code = create_class(
            db.session.scalar(select(User).where(User.username == "prof")), "Biology"
        ).join_code
    clients = signed_in(first, "ada"), signed_in(second, "ada")
    tokens = [csrf_token(c.get("/").get_data(as_text=True)) for c in clients]
    with meet_before(hosts, "enrollments"):
        responses = at_once(
            *(
                lambda c=c, t=t: c.post("/classes/join", data={"csrf_token": t, "code": code})
                for c, t in zip(clients, tokens, strict=True)
            )
        )
    assert sorted(r.status_code for r in responses) == [302, 422]
    refused = next(r for r in responses if r.status_code == 422)
    assert "You are already in Biology." in refused.get_data(as_text=True)
    assert count(app, Enrollment) == 1


def test_registering_one_username_twice_at_once_makes_one_account_and_says_it_is_taken(hosts):
    clients = [host.test_client() for host in hosts]
    for client in clients:
        client.get("/register")
    with meet_before(hosts, "users"):
        responses = at_once(*(lambda c=c: register(c, "ada") for c in clients))
    assert sorted(r.status_code for r in responses) == [302, 422]
    refused = next(r for r in responses if r.status_code == 422)
    assert "That username is taken." in refused.get_data(as_text=True)
    assert count(hosts[0], User) == 1


def test_two_wrong_passwords_at_once_both_count(app, hosts):
    register(app.test_client(), "ada")
    with meet_before(hosts, "users"):
        responses = at_once(*(lambda h=h: login(h.test_client(), "ada", "wrong guess") for h in hosts))
    no_server_error(*responses)
    with app.app_context():
        assert db.session.scalar(select(User.failed_logins)) == 2


# -- instructors: each operation run in two hosts' app contexts ---------------------------------


def in_each(hosts: tuple[Flask, ...], operation: Callable[[], object]) -> list[Callable[[], object]]:
    def call(host: Flask) -> object:
        with host.app_context():
            return operation()

    return [lambda h=h: call(h) for h in hosts]


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def a_class(app) -> tuple[int, int]:
    """Instructor prof's class Biology with student ada in it: (class id, ada's id)."""
    make_instructor(app)
    register(app.test_client(), "ada")
    with app.app_context():
        classroom = create_class(user_named("prof"), "Biology")
        join_class(user_named("ada"), classroom.join_code)
        return classroom.id, user_named("ada").id


def test_assigning_a_quiz_twice_at_once_sets_it_once(app, hosts, a_class):
    class_id, _ada = a_class
    with meet_before(hosts, "assignments"):
        at_once(
            *in_each(
                hosts,
                lambda: assign_quiz(db.session.get(Classroom, class_id), "every-type", "all", None, None),
            )
        )
    assert count(app, Assignment) == 1


def test_setting_extra_time_twice_at_once_leaves_one_row(app, hosts, a_class):
    class_id, ada = a_class
    with app.app_context():
        assignment_id = assign_quiz(db.session.get(Classroom, class_id), "every-type", "all", None, None).id
    with meet_before(hosts, "extra_time"):
        at_once(*in_each(hosts, lambda: set_extra_time(db.session.get(Assignment, assignment_id), ada, 15)))
    assert count(app, ExtraTime) == 1


def test_two_reset_codes_made_at_once_leave_one_that_works(app, hosts, a_class):
    _class_id, ada = a_class
    with app.app_context():
        prof = user_named("prof").id
    with meet_before(hosts, "users", "password_resets"):
        at_once(*in_each(hosts, lambda: make_reset_code(ada, prof)))
    assert count(app, PasswordReset, PasswordReset.used_at.is_(None)) == 1


@pytest.fixture
def shared_bank(app) -> None:
    """Bank every-type, owned by instructors prof and kim."""
    for name in ("prof", "kim"):
        make_instructor(app, name)
    with app.app_context():
        grant("every-type", user_named("prof"), "owner", None)


def test_granting_a_role_twice_at_once_makes_one_member(app, hosts, shared_bank):
    with meet_before(hosts, "bank_members"):
        results = at_once(*in_each(hosts, lambda: grant("every-type", user_named("kim"), "editor", None)))
    assert sorted(results) == ["granted", "unchanged"]
    assert count(app, BankMember) == 2


def test_two_owners_removing_each_other_at_once_leave_one_owner_and_say_why(app, hosts, shared_bank):
    with app.app_context():
        grant("every-type", user_named("kim"), "owner", None)

    def remove(host: Flask, name: str) -> str:
        with host.app_context():
            try:
                revoke("every-type", user_named(name))
            except SharingError as exc:
                return str(exc)
            return "removed"

    with meet_before(hosts, "bank_members"):
        results = at_once(
            *(lambda h=h, n=n: remove(h, n) for h, n in zip(hosts, ("prof", "kim"), strict=True))
        )
    assert sorted("last owner" in r for r in results) == [False, True]
    assert count(app, BankMember) == 1


def test_setting_practice_twice_at_once_keeps_one_policy(app, hosts):
    with meet_before(hosts, "bank_policies"):
        at_once(*in_each(hosts, lambda: set_practice("every-type", False)))
    assert count(app, BankPolicy) == 1
