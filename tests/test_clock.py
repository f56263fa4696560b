"""One clock for every host: on PostgreSQL a quiz's window, an attempt's start and its submit time
follow the database's clock, whatever the host's says; on SQLite (one machine) the host's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp import clock
from quizapp.extensions import db
from quizapp.models import Attempt
from tests.factories import (
    TEST_DATABASE_URL,
    answer_form,
    assign,
    create_class,
    flashed_after,
    join,
    join_code,
    learner,
    set_window,
    shown_questions,
    sqlite_only,
    start_response,
    submit,
)

THREE_HOURS = timedelta(hours=3)

postgresql_only = pytest.mark.skipif(
    TEST_DATABASE_URL is None, reason="the database's own clock: run with QUIZAPP_TEST_DATABASE_URL"
)


@pytest.fixture
def host_off(request, monkeypatch, app) -> timedelta:
    """This host's clock, off by the test's span (as a host without NTP may be), as it was when
    the app last measured its offset to the database's clock."""
    monkeypatch.setattr(clock, "host_now", lambda: datetime.now(UTC) + request.param)
    app.extensions.pop(clock._KEY, None)  # the app's start measured the clock before it went off
    return request.param


@pytest.fixture
def ada_in_class(host_off, app, instructor):
    """ada, in prof's class, which has the quiz set for it (on a host whose clock is off)."""
    class_id = create_class(instructor, "Eurasian History")
    assert assign(instructor, class_id).status_code == 302
    ada = learner(app)
    assert join(ada, join_code(instructor, class_id)).status_code == 302
    return ada


def database_now(app) -> datetime:
    with app.app_context():
        return db.session.scalar(select(func.now()))


def window_around(app, moment: datetime) -> tuple[datetime, datetime]:
    """Open the quiz for the hour either side of ``moment``."""
    opens, closes = moment - timedelta(hours=1), moment + timedelta(hours=1)
    set_window(app, opens, closes)
    return opens, closes


@postgresql_only
@pytest.mark.parametrize("host_off", [THREE_HOURS, -THREE_HOURS], ids=["ahead", "behind"], indirect=True)
def test_a_host_whose_clock_is_off_judges_the_window_by_the_databases_clock(app, ada_in_class):
    opens, closes = window_around(app, database_now(app))

    started = start_response(ada_in_class)
    assert started.status_code == 302
    path = started.headers["Location"]
    assert path.startswith("/attempts/"), flashed_after(ada_in_class, started)
    assert submit(ada_in_class, path, answer_form(shown_questions(app, path))).status_code == 302

    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.submitted
        assert opens < attempt.started_at <= attempt.submitted_at < closes
        assert attempt.deadline == closes


@sqlite_only
@pytest.mark.parametrize("host_off", [THREE_HOURS], indirect=True)
def test_on_sqlite_the_window_follows_this_hosts_clock(app, ada_in_class):
    window_around(app, datetime.now(UTC))

    refused = start_response(ada_in_class)

    assert "This quiz closed for Eurasian History" in flashed_after(ada_in_class, refused)
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is None


@sqlite_only
@pytest.mark.parametrize("host_off", [-THREE_HOURS], indirect=True)
def test_on_sqlite_an_attempt_is_stamped_by_this_hosts_clock(app, ada_in_class):
    earlier = datetime.now(UTC) - THREE_HOURS
    window_around(app, earlier)

    started = start_response(ada_in_class)

    assert started.headers["Location"].startswith("/attempts/")
    with app.app_context():
        assert abs(db.session.scalar(select(Attempt.started_at)) - earlier) < timedelta(hours=1)
