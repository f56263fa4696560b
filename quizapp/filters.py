"""Jinja filters for numbers and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from markupsafe import Markup

from quizapp.banks import citation_label, citations_text
from quizapp.questions import format_number
from quizapp.site_settings import school_zone_name
from quizapp.timefmt import format_time


def percent(fraction: float | None) -> Markup:
    # Digits and signs only: marked safe, so that long tables skip escaping every figure.
    return Markup("—" if fraction is None else f"{fraction * 100:.0f}%")  # noqa: S704


def points(value: float | None) -> str:
    return "—" if value is None else format_number(round(value, 2))


def duration(span: timedelta) -> str:
    """A span of time as people say it: "45 s", "12 min 5 s", "1 h 20 min"."""
    seconds = max(0, round(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def from_ns(nanoseconds: int) -> datetime:
    """A file's modification time (nanoseconds since the epoch) as a UTC datetime."""
    return datetime.fromtimestamp(nanoseconds / 1e9, UTC)


def register_filters(app: Flask) -> None:
    """Make the filters, and the school's time zone, available in every template."""
    app.add_template_filter(percent)
    app.add_template_filter(points)
    app.add_template_filter(duration)
    app.add_template_filter(format_time, "when")
    app.add_template_filter(from_ns)
    app.add_template_filter(citations_text, "citations")
    app.add_template_filter(citation_label, "cited")
    app.add_template_global(school_zone_name)
