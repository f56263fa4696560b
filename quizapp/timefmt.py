"""Times as the school reads them: stored in UTC, shown in the school's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import has_app_context

from quizapp.site_settings import school_zone_name


def school_zone() -> ZoneInfo:
    """The time zone of the school, the same on every host: the one stored in the database."""
    return ZoneInfo(school_zone_name() if has_app_context() else "UTC")


def format_time(moment: datetime | None) -> str:
    """A stored UTC time in the school's zone: "2026-11-27 14:05 CET"."""
    if moment is None:
        return ""
    return moment.astimezone(school_zone()).strftime("%Y-%m-%d %H:%M %Z")


def parse_local(value: datetime | None) -> datetime | None:
    """A naive time typed in the school's zone (an HTML datetime-local input) as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=school_zone()).astimezone(UTC)
