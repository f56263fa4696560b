"""One time zone for the school, stored in the database: set at the first start or by an admin (the
CLI, the Site settings page), shown by every host, and a host configured with another refuses to
start."""

from __future__ import annotations

from zoneinfo import ZoneInfoNotFoundError

import flask_migrate
import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from quizapp import site_settings
from quizapp.database import write_transaction
from quizapp.extensions import db
from quizapp.models import SiteSetting
from quizapp.site_settings import ZoneMismatch
from tests.factories import create_class, csrf_token, login, make_instructor, quizzes_set, register, text

WINDOW_OPENS = "2030-01-15T09:00"


def make_admin(app, username: str = "root") -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", username, "--role", "admin"], input="a long password\n"
    )
    assert result.exit_code == 0, result.output


def zone_of(app) -> str:
    """The school's time zone, as the CLI shows it."""
    result = app.test_cli_runner().invoke(args=["settings", "timezone"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def signed_in(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def set_quiz_opening(instructor: FlaskClient, class_page: str, opens: str) -> None:
    token = csrf_token(text(instructor.get(class_page)))
    response = instructor.post(
        f"{class_page}/assignments",
        data={"csrf_token": token, "quiz": "every-type/all", "opens_at": opens, "closes_at": ""},
    )
    assert response.status_code == 302, text(response)


def save_zone(admin: FlaskClient, zone: str, with_token: bool = True):
    token = csrf_token(text(admin.get("/admin/settings"))) if with_token else ""
    return admin.post("/admin/settings", data={"csrf_token": token, "timezone": zone})


# --- at start-up -----------------------------------------------------------------------------


@pytest.fixture
def first_start(app):
    """A database no host has stored the school's time zone in yet (the test's own app stored
    UTC as it started): the next host to start is the first."""
    with app.app_context(), write_transaction():
        db.session.execute(delete(SiteSetting).where(SiteSetting.name == site_settings.TIME_ZONE))
    app.extensions.pop(site_settings._KEY, None)
    return app


def test_the_first_start_stores_the_configured_time_zone_for_every_host(first_start, app, another_app):
    another_app(TIMEZONE="Europe/Paris")

    assert zone_of(app) == "Europe/Paris"
    assert zone_of(another_app()) == "Europe/Paris"


def test_a_first_start_without_a_time_zone_stores_utc(first_start, app, another_app):
    another_app()
    assert zone_of(another_app()) == "UTC"


def test_a_host_configured_with_another_zone_refuses_to_start_naming_both_and_the_fix(
    first_start, another_app
):
    another_app(TIMEZONE="Europe/Paris")

    with pytest.raises(ZoneMismatch) as refused:
        another_app(TIMEZONE="Asia/Almaty")

    message = str(refused.value)
    assert "This host's TIMEZONE is Asia/Almaty" in message
    assert "the school's time zone, stored in the database for every host, is Europe/Paris" in message
    assert "Remove TIMEZONE from this host's configuration" in message
    assert "quizapp settings timezone Asia/Almaty" in message
    assert "Site settings page" in message


def test_a_host_configured_with_the_schools_zone_starts(first_start, another_app):
    another_app(TIMEZONE="Europe/Paris")
    assert another_app(TIMEZONE="Europe/Paris").config["TIMEZONE"] == "Europe/Paris"


def test_an_unknown_configured_zone_stops_the_app_at_start_up(another_app):
    with pytest.raises(ZoneInfoNotFoundError):
        another_app(TIMEZONE="Mars/Olympus_Mons")


def test_an_app_built_before_the_migrations_starts_and_the_first_start_after_them_stores_the_zone(
    first_start, app, another_app
):
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        db.session.remove()

    another_app(TIMEZONE="Europe/Paris")  # as `quizapp db upgrade` builds it, on an empty database
    with app.app_context():
        flask_migrate.upgrade()
    another_app(TIMEZONE="Europe/Paris")

    assert zone_of(app) == "Europe/Paris"
    with pytest.raises(ZoneMismatch):
        another_app(TIMEZONE="Asia/Tokyo")


# --- every host shows the database's zone -------------------------------------------------------


def test_a_host_without_timezone_shows_times_in_the_schools_zone(first_start, app, another_app):
    paris, plain = another_app(TIMEZONE="Europe/Paris"), another_app()
    make_instructor(app)
    class_id = create_class(signed_in(paris, "prof"), "Eurasian History")
    set_quiz_opening(signed_in(paris, "prof"), f"/teach/classes/{class_id}", WINDOW_OPENS)

    on_paris = text(signed_in(paris, "prof").get(f"/teach/classes/{class_id}"))
    on_plain = text(signed_in(plain, "prof").get(f"/teach/classes/{class_id}"))

    assert "2030-01-15 09:00 CET" in quizzes_set(on_paris)
    assert "2030-01-15 09:00 CET" in quizzes_set(on_plain)
    assert "Times are in Europe/Paris." in on_plain


def test_an_admins_change_on_one_host_is_shown_by_the_other(app, another_app):
    other = another_app(SITE_SETTINGS_SECONDS=0)
    make_admin(app)
    make_instructor(app)
    teacher = signed_in(other, "prof")
    class_id = create_class(teacher, "Eurasian History")
    set_quiz_opening(teacher, f"/teach/classes/{class_id}", WINDOW_OPENS)
    assert "2030-01-15 09:00 UTC" in quizzes_set(text(teacher.get(f"/teach/classes/{class_id}")))

    response = save_zone(signed_in(app, "root"), "Asia/Tokyo")

    assert response.status_code == 302
    page = text(teacher.get(f"/teach/classes/{class_id}"))
    assert "2030-01-15 18:00 JST" in quizzes_set(page)
    assert "Times are in Asia/Tokyo." in page
    assert zone_of(other) == "Asia/Tokyo"


# --- the admin's page ----------------------------------------------------------------------------


def test_the_admin_changes_the_zone_on_the_site_settings_page_linked_from_the_accounts(app):
    make_admin(app)
    admin = signed_in(app, "root")
    assert 'href="/admin/settings"' in text(admin.get("/admin/users"))
    assert 'value="UTC"' in text(admin.get("/admin/settings"))

    response = save_zone(admin, "Europe/Paris")

    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "The school&#39;s time zone is now Europe/Paris, on every host." in page
    assert 'value="Europe/Paris"' in page
    assert zone_of(app) == "Europe/Paris"


@pytest.mark.parametrize("typed", ["Mars/Olympus_Mons", "europe/paris", "../etc/passwd", ""])
def test_a_zone_that_is_none_is_refused_on_the_page_and_nothing_changes(app, typed):
    make_admin(app)
    admin = signed_in(app, "root")

    response = save_zone(admin, typed)

    assert response.status_code == 422
    page = text(response)
    assert "is not a time zone" in page or "Name a time zone." in page
    assert zone_of(app) == "UTC"


def test_the_settings_form_needs_its_csrf_token(app):
    make_admin(app)

    response = save_zone(signed_in(app, "root"), "Europe/Paris", with_token=False)

    assert response.status_code == 400
    assert zone_of(app) == "UTC"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_admins_reach_the_site_settings(app, client, method):
    make_instructor(app)
    register(client, "ada")
    for who, page in ((client, "/"), (signed_in(app, "prof"), "/"), (app.test_client(), "/login")):
        form = {"csrf_token": csrf_token(text(who.get(page))), "timezone": "Asia/Tokyo"}
        response = who.open("/admin/settings", method=method, data=form)
        if page == "/login":
            assert "/login?next=" in response.headers["Location"]
        else:
            assert response.status_code == 403
    assert zone_of(app) == "UTC"


# --- the CLI -------------------------------------------------------------------------------------


def test_the_cli_sets_the_zone_for_every_host(app, another_app):
    other = another_app(SITE_SETTINGS_SECONDS=0)

    result = app.test_cli_runner().invoke(args=["settings", "timezone", "Europe/Paris"])

    assert result.exit_code == 0, result.output
    assert "the school's time zone is now Europe/Paris" in result.output
    assert zone_of(other) == "Europe/Paris"


def test_the_cli_refuses_an_unknown_zone_and_changes_nothing(app):
    result = app.test_cli_runner().invoke(args=["settings", "timezone", "Mars/Olympus_Mons"])

    assert result.exit_code != 0
    assert "“Mars/Olympus_Mons” is not a time zone" in result.output
    assert zone_of(app) == "UTC"


def test_the_cli_explains_itself(app):
    result = app.test_cli_runner().invoke(args=["settings", "timezone", "--help"])
    assert "Show the school's time zone, or make it ZONE" in result.output
