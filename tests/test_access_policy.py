"""Every route declares who may call it, and every route is called by every role to hold it to that.

The routes come from ``app.url_map``, so a new route is walked as soon as it exists; one without a
declared policy (``quizapp.access.allow``) fails the suite. For each route the world is built
afresh: the roles it refuses are tried first (a refused request must change nothing, so they
share one world), then each role it allows, in a world of its own (an allowed POST may archive a
bank or remove a student).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from quizapp import create_app
from quizapp.access import ADMIN, ANYONE, BANK_EDITOR, BANK_OWNER, INSTRUCTOR, POLICIES, SIGNED_IN
from quizapp.bank_editor.operations import archive, banks_folder, create_bank
from quizapp.banks.files import archived_banks
from quizapp.extensions import bank_registry, db
from quizapp.live.operations import create_game
from quizapp.models import Assignment, Attempt, BankMember, BankRevision, Classroom, Enrollment, User
from tests.factories import EVERY_TYPE_BANK, TEST_DATABASE_URL, csrf_token, empty_database, login, start

#: Routes that declare nothing, and why they need not: Flask's own static files are public by nature.
UNDECLARED = {"static": "Flask's static files: the app's CSS and scripts, public by nature"}

#: Who calls. "ada" is a student of prof's class and owns the attempt; "bea" is a student elsewhere;
#: "prof" owns the class and the bank; "edna" edits the bank; "other" is an instructor of nothing here.
ROLES = ("anonymous", "ada", "bea", "prof", "edna", "other", "root")


def _app(tmp_path: Path) -> Flask:
    from quizapp.config import database_uri

    banks = tmp_path / "questions"
    banks.mkdir(parents=True, exist_ok=True)
    (banks / "every-type.yaml").write_text(EVERY_TYPE_BANK)
    url = database_uri(TEST_DATABASE_URL) if TEST_DATABASE_URL else f"sqlite:///{tmp_path / 'policy.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "BANKS_DIR": str(banks),
            "PASSWORD_HASH": "pbkdf2:sha256:1",
            "LOGIN_RATE_LIMIT": "10000 per minute",
        }
    )
    return app


def test_every_route_declares_who_may_call_it(tmp_path):
    app = _app(tmp_path)
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNDECLARED
        and getattr(app.view_functions[rule.endpoint], "access", None) not in POLICIES
    ]
    with app.app_context():
        db.engine.dispose()  # the app's start read the database (its schema, its time zone)
    assert undeclared == [], "routes without an access policy (decorate them with quizapp.access.allow)"


@dataclass
class World:
    """One app with a bank, a class, an assignment, a submitted attempt and a user of each role."""

    app: Flask
    values: dict[str, object] = field(default_factory=dict)

    def client(self, role: str):
        client = self.app.test_client()
        if role != "anonymous":
            response = login(client, role)
            assert response.status_code == 302, f"{role} could not log in"
        return client


@pytest.fixture(scope="module")
def world_template(tmp_path_factory) -> Path | None:
    """On SQLite, the world built once: each test copies its folder (database and banks), which
    costs milliseconds where building costs a second. Elsewhere each world is built."""
    if TEST_DATABASE_URL:
        return None
    folder = tmp_path_factory.mktemp("world")
    world = _build_world(folder)
    with world.app.app_context():
        db.engine.dispose()  # the last connection closed: the WAL is folded into the file
    (folder / "values.json").write_text(json.dumps(world.values))
    return folder


def build_world(template: Path | None, folder: Path) -> World:
    if template is None:
        return _build_world(folder)
    shutil.copytree(template, folder)
    return World(_app(folder), json.loads((folder / "values.json").read_text()))


def _build_world(tmp_path: Path) -> World:
    app = _app(tmp_path)
    with app.app_context():
        if TEST_DATABASE_URL:
            empty_database()
        import flask_migrate

        flask_migrate.upgrade()
        users = {}
        for name, role in [
            ("ada", "student"),
            ("bea", "student"),
            ("prof", "instructor"),
            ("edna", "instructor"),
            ("other", "instructor"),
            ("root", "admin"),
        ]:
            user = User(username=name, display_name=name.title(), role=role)
            user.set_password("a long password")
            db.session.add(user)
            users[name] = user
        db.session.flush()
        db.session.add(BankMember(bank_slug="every-type", user_id=users["prof"].id, role="owner"))
        db.session.add(BankMember(bank_slug="every-type", user_id=users["edna"].id, role="editor"))
        classroom = Classroom(name="Politics", instructor_id=users["prof"].id, join_code="ACDEFGHJ")
        db.session.add(classroom)
        db.session.flush()
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=users["ada"].id))
        assignment = Assignment(classroom_id=classroom.id, bank_slug="every-type", quiz_id="all")
        db.session.add(assignment)
        db.session.commit()
        values = {
            "class_id": classroom.id,
            "assignment_id": assignment.id,
            "user_id": users["ada"].id,
            "slug": "every-type",
            "scope": "every-type",
            "quiz_id": "all",
            "question_id": "single-q",
            "fmt": "csv",
            "bank_format": "aiken",
        }
        # A bank prof made and archived, for the restore-from-archive route.
        create_bank("old-bank", "An old bank", users["prof"])
        archive("old-bank", users["prof"])
        values["name"] = archived_banks(banks_folder())[0][1].name
        values["revision_id"] = db.session.scalar(
            select(BankRevision.id).where(BankRevision.bank_slug == "every-type")
        ) or _revision(users["prof"])
        # An open live game of prof's, in its lobby: its host's pages, and everyone's PIN pages.
        bank = bank_registry().get("every-type")
        assert bank is not None
        game = create_game(users["prof"], bank, bank.quizzes["all"], None, {}, None)
        values["game_id"], values["pin"] = game.id, game.pin
    world = World(app, values)
    # ada's attempt, started and submitted through the pages, as a learner does.
    ada = world.client("ada")
    attempt_path = start(ada, "every-type", "all")
    attempt_id = int(re.search(r"/attempts/(\d+)", attempt_path).group(1))
    page = ada.get(attempt_path).get_data(as_text=True)
    ada.post(attempt_path, data={"csrf_token": csrf_token(page), "action": "submit", "confirm": "1"})
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted, "the attempt was not submitted"
    world.values["attempt_id"] = attempt_id
    return world


def _revision(author: User) -> int:
    """A saved version of the bank (the history and restore routes need one)."""
    from quizapp.bank_editor.operations import open_bank, save_bank

    current = open_bank("every-type")
    save_bank("every-type", current.text + "\n", current.sha256, author)
    return db.session.scalar(select(BankRevision.id).where(BankRevision.bank_slug == "every-type"))


def allowed(policy: str, role: str, params: set[str]) -> bool:
    """Whether ``role`` may call a route of ``policy`` about the objects in the world."""
    if policy == ANYONE:
        return True
    if role == "anonymous":
        return False
    if policy == SIGNED_IN:
        return role == "ada" if "attempt_id" in params else True
    if policy == ADMIN:
        return role == "root"
    if role in ("ada", "bea"):
        return False
    if policy == BANK_OWNER:
        return role in ("prof", "root")
    if policy == BANK_EDITOR:
        return role in ("prof", "edna", "root")
    assert policy == INSTRUCTOR
    if "class_id" in params or "game_id" in params:  # a class, a live game: its instructor's
        return role == "prof"
    if "name" in params:  # an archived bank: its owner and admins
        return role in ("prof", "root")
    return True


def routes() -> list[tuple[str, str]]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNDECLARED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return [pytest.param(endpoint, method, id=f"{method} {path}") for endpoint, method, path in found]


def call(world: World, role: str, endpoint: str, method: str):
    client = world.client(role)
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    missing = rule.arguments - world.values.keys()
    assert not missing, f"the policy test has no value for {sorted(missing)}: add one to build_world"
    with world.app.test_request_context():
        url = url_for(endpoint, **{name: world.values[name] for name in rule.arguments})
    if method == "GET":
        return client.get(url)
    token = csrf_token(client.get("/login" if role == "anonymous" else "/").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token})
    assert "Form expired" not in response.get_data(as_text=True), "the CSRF token was refused"
    return response


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    # Sent to log in first (with the way back), or told the session ended (an attempt's form).
    if response.status_code == 401 or (response.status_code == 302 and "/login?next=" in location):
        return "login"
    if response.status_code in (403, 404):
        return "refused"
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return "allowed"


@pytest.mark.parametrize(("endpoint", "method"), routes())
def test_each_route_lets_in_exactly_the_roles_its_policy_names(world_template, tmp_path, endpoint, method):
    with open_world(world_template, tmp_path / "refused") as world:
        policy = world.app.view_functions[endpoint].access
        params = next(r.arguments for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
        refused_roles = [r for r in ROLES if not allowed(policy, r, params)]
        for role in refused_roles:
            got = outcome(call(world, role, endpoint, method))
            assert got == ("login" if role == "anonymous" else "refused"), (
                f"{role} got {got} on a {policy} route"
            )
        allowed_roles = [r for r in ROLES if r not in refused_roles]
        if method == "GET":  # a GET changes nothing: every allowed role reads the same world
            for role in allowed_roles:
                assert outcome(call(world, role, endpoint, method)) == "allowed", (
                    f"{role} on a {policy} route"
                )
    if method != "GET":
        for role in allowed_roles:
            with open_world(world_template, tmp_path / role) as fresh:
                got = outcome(call(fresh, role, endpoint, method))
                assert got == "allowed", f"{role} was {got} on a {policy} route"


@contextmanager
def open_world(template: Path | None, folder: Path) -> Iterator[World]:
    """A world for the block, its database connections closed after it (on PostgreSQL the next
    world empties the same database)."""
    world = build_world(template, folder)
    try:
        yield world
    finally:
        with world.app.app_context():
            db.session.remove()
            if TEST_DATABASE_URL:
                empty_database()
            db.engine.dispose()


@pytest.mark.parametrize("name", ["..", "etc\x00", "a/b", "", "x" * 101, "Every-Type"])
def test_a_name_that_is_no_banks_is_nobodys_to_edit_or_set(app, name):
    from quizapp.access import bank_role, may_assign_bank, may_create_bank, may_edit_bank
    from quizapp.accounts.operations import signed_in

    make_admin = ["users", "create", "root", "--role", "admin"]
    assert app.test_cli_runner().invoke(args=make_admin, input="a long password\n").exit_code == 0
    with app.test_request_context():
        root = signed_in(db.session.scalar(select(User.id).where(User.username == "root")))
        assert bank_role(root, name) is None
        assert not may_edit_bank(root, name)
        assert not may_assign_bank(root, name)
        assert not may_create_bank(root, name, archived=False)
