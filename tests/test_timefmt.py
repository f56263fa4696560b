"""Times as pages show them: the school's zone, a short date, and how long ago or how soon beside
it, relative to the site's clock (``quizapp.clock``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import Markup

from quizapp import clock
from quizapp.filters import decimals, fixed, percent
from quizapp.site_settings import set_school_zone
from quizapp.timefmt import relative, said_when, short_time, when

NOW = datetime(2026, 12, 6, 17, 0, 30, tzinfo=UTC)  # a Sunday


@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (timedelta(0), "now"),
        (timedelta(seconds=1), "in 1 s"),
        (timedelta(seconds=-59), "59 s ago"),
        (timedelta(seconds=60), "in 1 min"),
        (timedelta(minutes=59, seconds=59), "in 59 min"),
        (timedelta(minutes=-5, seconds=-40), "5 min ago"),
        (timedelta(hours=1), "in 1 h"),
        (timedelta(hours=23, minutes=59), "in 23 h"),  # rounded down: a deadline is never further off
        (timedelta(hours=-3), "3 h ago"),
        (timedelta(hours=47, minutes=59), "in 47 h"),
        (timedelta(days=2), "in 2 days"),
        (timedelta(days=-1, hours=-30), "2 days ago"),
        (timedelta(days=59), "in 59 days"),
        (timedelta(days=60), "in 2 months"),
        (timedelta(days=-200), "6 months ago"),
        (timedelta(days=365), "in 1 year"),
        (timedelta(days=-800), "2 years ago"),
    ],
)
def test_relative_times_are_said_past_and_future_in_the_largest_whole_unit(offset, said):
    assert relative(NOW + offset, NOW) == said


def test_a_short_time_is_in_the_school_zone_with_the_year_only_when_it_is_not_this_one(app):
    with app.app_context():
        assert short_time(datetime(2026, 12, 8, 17, 0, tzinfo=UTC), NOW) == "Tue 8 Dec 17:00"
        assert short_time(datetime(2027, 1, 2, 9, 5, tzinfo=UTC), NOW) == "Sat 2 Jan 2027 09:05"
        set_school_zone("Asia/Almaty")  # UTC+5
        assert short_time(datetime(2026, 12, 8, 21, 30, tzinfo=UTC), NOW) == "Wed 9 Dec 02:30"
        # Its year is the school's: 31 Dec 20:00 UTC is already the new year in Almaty.
        assert short_time(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), NOW) == "Fri 1 Jan 2027 01:00"


def test_the_when_filter_marks_the_moment_up_for_machines_and_says_how_far_it_is(app):
    with app.app_context():
        set_school_zone("Europe/Berlin")
        shown = when(datetime(2026, 12, 7, 16, 0, tzinfo=UTC), NOW)

    assert isinstance(shown, Markup)
    assert str(shown) == (
        '<time datetime="2026-12-07T16:00:00+00:00" title="2026-12-07 17:00 CET">Mon 7 Dec 17:00</time>'
        " (in 22 h)"
    )


def test_the_when_filter_shows_nothing_for_no_time_and_follows_the_sites_clock(app, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)  # the site's clock, on SQLite and PostgreSQL alike
    with app.app_context():
        assert when(None) == ""
        assert "(3 min ago)" in when(NOW - timedelta(minutes=3))
        assert said_when(NOW + timedelta(days=2, hours=1)) == "Tue 8 Dec 18:00 (in 2 days)"


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (-0.0001, 2, "0.00"),
        (-0.004, 2, "0.00"),
        (-0.005001, 2, "-0.01"),
        (-0.35, 2, "-0.35"),
        (0.0, 2, "0.00"),
        (0.714, 2, "0.71"),
        (-0.04, 1, "0.0"),
        (-0.4, 0, "0"),
    ],
)
def test_statistics_never_show_a_negative_zero(value, digits, shown):
    assert decimals(value, digits) == shown
    assert fixed(value, digits) == shown


def test_a_missing_statistic_is_a_dash_and_a_tiny_negative_fraction_is_0_percent():
    assert fixed(None) == "—"
    assert percent(-0.000001) == "0%"
    assert percent(-0.2) == "-20%"
    assert percent(None) == "—"
