"""Charts drawn on the server as SVG, with no script or outside resource: the score histogram of a
quiz's analysis, the calendar of a learner's reviews, how a live game's players answered a question,
and the QR code of a live game's join address. Each has a title and a description for screen
readers, and returns markup safe to put in a page as it is."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol
from xml.sax.saxutils import escape

import segno
from markupsafe import Markup


class Bin(Protocol):
    """A band of scores, in percent, and how many attempts fall in it (``grades.stats.Bin``)."""

    # Read-only, as a frozen dataclass's fields are.
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def count(self) -> int: ...


# Chart geometry, in SVG user units: narrow enough that its 14-unit text is still about 12 px
# when a phone shrinks the chart to its width.
_WIDTH, _HEIGHT = 400, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 14, 36, 52
_PLOT_W = _WIDTH - _LEFT - _RIGHT
_PLOT_H = _HEIGHT - _TOP - _BOTTOM
# 5.8:1 against white, so bars stay visible for low-vision readers; the page's stylesheet gives the
# class "bar" the colour of its scheme (dark or light).
_BAR_FILL = "#3567a6"
#: The shades of the review calendar, none to most; the stylesheet's classes level-0..4 override them.
_SHADES = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")


def _pct(value: float) -> str:
    return f"{round(value, 1):g}"


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


def _band(b: Bin) -> str:
    return f"{_pct(b.low)}–{_pct(b.high)}%: {b.count} attempt{'' if b.count == 1 else 's'}"


def score_histogram(bins: Sequence[Bin], title: str) -> Markup:
    """An SVG bar chart of ``bins`` that needs no script or external resource, with a title,
    a description listing every count for screen readers and a tooltip on each bar."""
    desc = (
        "Attempts per score band: " + "; ".join(_band(b) for b in bins) + "."
        if bins
        else "No attempts to show."
    )
    top = max((b.count for b in bins), default=0)
    step = max(1, math.ceil(top / 5))
    y_max = max(step, math.ceil(top / step) * step)

    def y(count: float) -> float:
        return _TOP + _PLOT_H - count / y_max * _PLOT_H

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" font-family="sans-serif" font-size="14">',
        # <title> and <desc> as first children give the chart its accessible name and description.
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
        f'<text x="{_WIDTH / 2:g}" y="20" text-anchor="middle" font-size="15" font-weight="bold" '
        f'fill="currentColor">{escape(title)}</text>',
    ]
    # Horizontal grid lines and the count axis.
    for tick in range(0, y_max + 1, step):
        ty = _num(y(tick))
        parts.append(
            f'<line x1="{_LEFT}" y1="{ty}" x2="{_LEFT + _PLOT_W}" y2="{ty}" stroke="currentColor" '
            f'stroke-opacity="{0.6 if tick == 0 else 0.15}" aria-hidden="true"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{ty}" dy="4" text-anchor="end" fill="currentColor" '
            f'aria-hidden="true">{tick}</text>'
        )
    if bins:
        width = _PLOT_W / len(bins)
        gap = 2 if width > 8 else 0
        # Label at most about 5 edges so the numbers never overlap.
        every = max(1, math.ceil(len(bins) / 5))
        for i, b in enumerate(bins):
            x = _LEFT + i * width
            bar_y = y(b.count)
            parts.append(
                f'<rect x="{_num(x + gap)}" y="{_num(bar_y)}" width="{_num(width - 2 * gap)}" '
                f'height="{_num(_TOP + _PLOT_H - bar_y)}" class="bar" fill="{_BAR_FILL}">'
                f"<title>{escape(_band(b))}</title></rect>"
            )
        for i in range(0, len(bins) + 1, every):
            edge = bins[i].low if i < len(bins) else bins[-1].high
            parts.append(
                f'<text x="{_num(_LEFT + i * width)}" y="{_TOP + _PLOT_H + 16}" text-anchor="middle" '
                f'fill="currentColor" aria-hidden="true">{escape(_pct(edge))}</text>'
            )
    # Axis titles: hidden from screen readers, which get the same facts from <desc>.
    parts.append(
        f'<text x="{_num(_LEFT + _PLOT_W / 2)}" y="{_HEIGHT - 8}" text-anchor="middle" '
        f'fill="currentColor" aria-hidden="true">Score (%)</text>'
    )
    mid_y = _num(_TOP + _PLOT_H / 2)
    parts.append(
        f'<text x="14" y="{mid_y}" transform="rotate(-90 14 {mid_y})" text-anchor="middle" '
        f'fill="currentColor" aria-hidden="true">Attempts</text>'
    )
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704 - every text in it is escaped where it is drawn


class Share(Protocol):
    """One answer given to a live question and how many players gave it (a choice, "no answer")."""

    @property
    def label(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def correct(self) -> bool: ...


#: Room on the left of the answer chart for each bar's count, and the height of one answer's row.
_SHARE_COUNT_W, _SHARE_ROW = 56, 46


def answer_distribution(shares: Sequence[Share], title: str) -> Markup:
    """A horizontal bar chart of how many players gave each answer, for the projector: each row
    the answer's text over its bar, its count beside it, the right answers marked with a tick and
    the word "correct" (never by colour alone), a description listing every count."""
    total = sum(s.count for s in shares)
    top = max((s.count for s in shares), default=0)
    desc = (
        "Answers: "
        + "; ".join(f"{s.label}{' (correct)' if s.correct else ''}: {s.count}" for s in shares)
        + f". {total} in all."
        if shares
        else "No answers to show."
    )
    height = _TOP + _SHARE_ROW * max(len(shares), 1) + 8
    plot_w = _WIDTH - _SHARE_COUNT_W - _RIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" font-family="sans-serif" font-size="14">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
        f'<text x="{_WIDTH / 2:g}" y="20" text-anchor="middle" font-size="15" font-weight="bold" '
        f'fill="currentColor">{escape(title)}</text>',
    ]
    for i, share in enumerate(shares):
        row_y = _TOP + i * _SHARE_ROW
        width = share.count / top * plot_w if top else 0
        mark = "\u2713 " if share.correct else ""
        note = " (correct)" if share.correct else ""
        # The text sits above its bar, so a long answer never runs into it; a very long one is cut
        # here, and whole in the description and the bar's tooltip.
        shown = share.label if len(share.label) <= 48 else share.label[:47] + "\u2026"
        bold = ' font-weight="bold"' if share.correct else ""
        parts.append(
            f'<text x="{_SHARE_COUNT_W}" y="{row_y + 14}" fill="currentColor" aria-hidden="true"{bold}>'
            f"{escape(mark + shown)}</text>"
        )
        parts.append(
            f'<rect x="{_SHARE_COUNT_W}" y="{row_y + 20}" width="{_num(width)}" height="18" '
            f'class="bar{" correct" if share.correct else ""}" fill="{_BAR_FILL}">'
            f"<title>{escape(share.label + note)}: {share.count}</title></rect>"
        )
        parts.append(
            f'<text x="{_SHARE_COUNT_W - 8}" y="{row_y + 34}" text-anchor="end" fill="currentColor" '
            f'font-weight="bold" aria-hidden="true">{share.count}</text>'
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704 - every text in it is escaped where it is drawn


def qr_code(data: str, title: str) -> Markup:
    """``data`` (a join address) as a QR code in SVG, dark modules on a white ground whatever the
    page's colour scheme (a phone's camera needs the contrast), sized by the page's stylesheet."""
    code = segno.make(data, error="m")
    out = io.BytesIO()
    # segno writes its own markup from the address's modules: the title is the only text, escaped.
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        nl=False,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        title=title,
    )
    svg = out.getvalue().decode("utf-8")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno escapes the title


def review_calendar(per_day: dict[date, int], today: date, weeks: int = 26) -> Markup:
    """A calendar of reviews per day, drawn on the server: one column a week, darker for more,
    with the month's name over the week its first day falls in."""
    cell, gap, top = 12, 3, 30
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    busiest = max((n for day, n in per_day.items() if first <= day <= today), default=0)
    rects = []
    months = []
    total = 0
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        count = per_day.get(day, 0)
        total += count
        level = 0 if not count else 1 + min(3, (4 * count - 1) // max(busiest, 1))
        x = 30 + (offset // 7) * (cell + gap)
        y = top + (offset % 7) * (cell + gap)
        noun = "review" if count == 1 else "reviews"
        rects.append(
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" class="level-{level}" '
            f'fill="{_SHADES[level]}"><title>{day.isoformat()}: {count} {noun}</title></rect>'
        )
        # The first column gets its month too, unless the next month starts within two weeks.
        if day.day == 1 or (offset == 0 and day.day < 18):
            months.append((x, day.strftime("%b")))
    width = 30 + weeks * (cell + gap) + 12  # room for a month named over the last week
    height = top + 7 * (cell + gap)
    # Text in currentColor as a fallback; the page's stylesheet colours the class "label".
    labels = "".join(
        f'<text x="0" y="{top + i * (cell + gap) + 10}" font-size="10" class="label" fill="currentColor">'
        f"{name}</text>"
        for i, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    ) + "".join(
        f'<text x="{x}" y="{top - 10}" font-size="10" class="label" fill="currentColor">{name}</text>'
        for x, name in months
    )
    return Markup(  # noqa: S704 - its only texts are dates and numbers
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img"><title>Reviews per day</title>'
        f"<desc>{total} reviews in the last {weeks} weeks, up to {today.isoformat()}.</desc>"
        f"{labels}{''.join(rects)}</svg>"
    )
