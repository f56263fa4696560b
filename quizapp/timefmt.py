"""Times as the school reads them: stored in UTC, shown in the school's time zone, with how long
ago or how soon beside them ("Tue 8 Dec 17:00 (in 23 h)")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import has_app_context
from markupsafe import Markup

from quizapp import clock
from quizapp.site_settings import school_zone_name


def school_zone() -> ZoneInfo:
    """The time zone of the school, the same on every host: the one stored in the database."""
    return ZoneInfo(school_zone_name() if has_app_context() else "UTC")


def format_time(moment: datetime | None) -> str:
    """A stored UTC time in the school's zone, in full: "2026-11-27 14:05 CET"."""
    if moment is None:
        return ""
    return moment.astimezone(school_zone()).strftime("%Y-%m-%d %H:%M %Z")


def short_time(moment: datetime, now: datetime) -> str:
    """A stored UTC time in the school's zone as people read a date: "Tue 8 Dec 17:00", with the
    year when it is not this year's."""
    zone = school_zone()
    local = moment.astimezone(zone)
    year = "" if local.year == now.astimezone(zone).year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year} {local:%H:%M}"


def relative(moment: datetime, now: datetime) -> str:
    """How far ``moment`` is from ``now``, as people say it: "in 23 h", "3 min ago", "now".
    Counts are rounded down, so a deadline is never said to be further off than it is."""
    span = moment - now
    ahead = span >= timedelta(0)
    seconds = int(abs(span.total_seconds()))
    if seconds == 0:
        return "now"
    if seconds < 60:
        amount = f"{seconds} s"
    elif seconds < 3600:
        amount = f"{seconds // 60} min"
    elif seconds < 48 * 3600:
        amount = f"{seconds // 3600} h"
    elif seconds < 60 * 86400:
        amount = _plural(seconds // 86400, "day")
    elif seconds < 365 * 86400:
        amount = _plural(seconds // (30 * 86400), "month")
    else:
        amount = _plural(seconds // (365 * 86400), "year")
    return f"in {amount}" if ahead else f"{amount} ago"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def said_when(moment: datetime, now: datetime | None = None) -> str:
    """A time as plain text, for messages: "Tue 8 Dec 17:00 (in 23 h)"."""
    now = now or clock.now()
    return f"{short_time(moment, now)} ({relative(moment, now)})"


def when(moment: datetime | None, now: datetime | None = None) -> Markup:
    """A time as a page shows it (the ``when`` filter): ``<time>`` with the exact moment for
    machines and, in full, as its title, the short date, and how far it is from now. Nothing for
    None, so ``moment|when or 'never'`` reads as it should."""
    if moment is None:
        return Markup("")
    now = now or clock.now()
    return Markup('<time datetime="{}" title="{}">{}</time> ({})').format(
        moment.astimezone(UTC).isoformat(timespec="seconds"),
        format_time(moment),
        short_time(moment, now),
        relative(moment, now),
    )


def parse_local(value: datetime | None) -> datetime | None:
    """A naive time typed in the school's zone (an HTML datetime-local input) as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=school_zone()).astimezone(UTC)
