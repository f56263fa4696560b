"""Jinja filters for numbers and times, and the names of banks and quizzes no longer served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from markupsafe import Markup
from sqlalchemy import select

from quizapp.banks import citation_label, citations_text
from quizapp.extensions import bank_registry, db
from quizapp.models import Attempt
from quizapp.questions import format_number
from quizapp.site_settings import school_zone_name
from quizapp.timefmt import when


def decimals(value: float, digits: int) -> str:
    """``value`` to ``digits`` places, never "-0.00": a negative that rounds to zero shows as zero,
    so a statistic a hair below zero does not read as a negative one."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fixed(value: float | None, digits: int = 2) -> str:
    """A statistic to ``digits`` places ("0.71", "-0.35", "0.00"), "—" when there is none."""
    return "—" if value is None else decimals(value, digits)


def percent(fraction: float | None) -> Markup:
    # Digits and signs only: marked safe, so that long tables skip escaping every figure.
    return Markup("—" if fraction is None else f"{decimals(fraction * 100, 0)}%")  # noqa: S704


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


def bank_name(slug: str) -> str:
    """A bank's title as served; for one no longer served, its title as last saved, marked
    "(archived)" or "(not available)"; its slug when no version of it is known."""
    bank = bank_registry().get(slug)
    if bank is not None:
        return bank.title
    kept = bank_registry().kept(slug)
    if kept is None:
        return f"{slug} (not available)"
    return f"{kept[0].title} ({'archived' if kept[1] else 'not available'})"


def quiz_name(slug: str, quiz_id: str) -> str:
    """A quiz's title as served; else as last known (its bank's last version, else its latest
    attempt's), marked "(archived)" with its bank, "(no longer in its bank)" when taken out of a
    bank still served, else "(not available)"; its id when no title is known."""
    registry = bank_registry()
    bank = registry.get(slug)
    if bank is not None and quiz_id in bank.quizzes:
        return bank.quizzes[quiz_id].title
    kept = registry.kept(slug) if bank is None else None
    if kept is not None and quiz_id in kept[0].quizzes:
        title = kept[0].quizzes[quiz_id].title
    else:
        title = (
            db.session.scalar(
                select(Attempt.quiz_title)
                .where(Attempt.bank_slug == slug, Attempt.quiz_id == quiz_id)
                .order_by(Attempt.id.desc())
                .limit(1)
            )
            or quiz_id
        )
    return f"{title} ({quiz_gone(slug, quiz_id)})"


def quiz_gone(slug: str, quiz_id: str) -> str:
    """Why a quiz is not served ("archived", "no longer in its bank", "not available"); "" if it is."""
    registry = bank_registry()
    bank = registry.get(slug)
    if bank is not None:
        return "" if quiz_id in bank.quizzes else "no longer in its bank"
    kept = registry.kept(slug)
    return "archived" if kept is not None and kept[1] else "not available"


def register_filters(app: Flask) -> None:
    """Make the filters, and the school's time zone, available in every template."""
    app.add_template_filter(percent)
    app.add_template_filter(fixed)
    app.add_template_filter(points)
    app.add_template_filter(duration)
    app.add_template_filter(when)
    app.add_template_filter(from_ns)
    app.add_template_filter(citations_text, "citations")
    app.add_template_filter(citation_label, "cited")
    app.add_template_global(school_zone_name)
    app.add_template_global(bank_name)
    app.add_template_global(quiz_name)
    app.add_template_global(quiz_gone)
