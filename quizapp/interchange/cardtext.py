"""Flashcards from plain text: Quizlet's export and Anki's "Notes in Plain Text".

**Quizlet** ("term TAB definition", one card a line): the term is the front and the definition
the back. Of Quizlet's export settings, "between term and definition" may be a tab (its default)
or a comma (used when no line has a tab; the first comma splits), and "between rows" a new line
(its default); custom separators are not read.

**Anki** (File › Export › Notes in Plain Text): the ``#`` header lines Anki writes
(``#separator:``, ``#html:``, ``#columns:``, ``#tags column:``, ``#guid column:``,
``#notetype column:``, ``#deck column:``), then one note a row, fields split by the separator and
quoted as CSV where they hold one. The first two fields left are the front and back; with
``#html:true`` their HTML is reduced to text (nh3), line breaks kept. Images, sounds and further
fields cannot be carried, and are listed as lost.
"""

from __future__ import annotations

import csv
import html
import re
from typing import Any

import nh3

from quizapp.interchange.ids import make_id
from quizapp.interchange.model import Imported, LineProblem, Loss, importer

#: Anki's names for the separators its ``#separator:`` header may give.
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
#: The headers that name a column Anki writes besides the note's fields (1-based).
_META_COLUMNS = ("guid column", "notetype column", "deck column", "tags column")
_BREAKS = re.compile(r"<br\s*/?>|</(?:div|p|li)>", re.IGNORECASE)


@importer("quizlet")
def read_quizlet(text: str) -> Imported:
    """Quizlet's "term TAB definition" lines as cards; a line that is not one is a problem."""
    out = Imported()
    taken: set[str] = set()
    lines = text.splitlines()
    separator = "\t" if any("\t" in line for line in lines) else ","
    named = "tab" if separator == "\t" else "tab or comma"
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if separator not in line:
            out.problems.append(LineProblem(number, f"no {named} between the term and its definition"))
            continue
        term, definition = (part.strip() for part in line.split(separator, 1))
        if not term or not definition:
            out.problems.append(LineProblem(number, f"the {'term' if not term else 'definition'} is empty"))
            continue
        _add_card(out, taken, term, definition, (), number)
    return out


@importer("anki-txt")
def read_anki_text(text: str) -> Imported:
    """The notes of an Anki plain-text export as cards; a row that cannot be one is a problem."""
    out = Imported()
    lines = text.splitlines(keepends=True)
    headers: dict[str, str] = {}
    first_row = 0
    while first_row < len(lines) and lines[first_row].startswith("#"):
        key, _, value = lines[first_row][1:].rstrip("\r\n").partition(":")
        headers[key.strip().lower()] = value.strip()
        first_row += 1
    separator = _separator(headers.get("separator", "tab"))
    if separator is None:
        out.problems.append(LineProblem(1, f"the separator '{headers['separator']}' is not one Anki writes"))
        return out
    meta: dict[str, int] = {}
    for name in _META_COLUMNS:
        if name in headers:
            if not headers[name].isdigit() or int(headers[name]) < 1:
                at = 1 + list(headers).index(name)
                out.problems.append(LineProblem(at, f"'#{name}' must be a column's number, from 1"))
                return out
            meta[name] = int(headers[name]) - 1
    columns = headers["columns"].split(separator) if "columns" in headers else []
    has_html = headers.get("html", "false").lower() == "true"
    taken: set[str] = set()
    reader = csv.reader(lines[first_row:], delimiter=separator, quotechar='"', strict=True)
    start = first_row + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.problems.append(LineProblem(start, f"this note cannot be read: {exc}"))
            break
        line, start = start, first_row + reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        _anki_note(out, taken, row, line, meta, columns, has_html)
    return out


def _separator(name: str) -> str | None:
    """The character a ``#separator:`` header names: Anki's word for it, or the character itself."""
    if name.lower() in _SEPARATORS:
        return _SEPARATORS[name.lower()]
    return name if len(name) == 1 and name not in '"\r\n' else None


def _anki_note(
    out: Imported,
    taken: set[str],
    row: list[str],
    line: int,
    meta: dict[str, int],
    columns: list[str],
    has_html: bool,
) -> None:
    """Add the card of one note's row, or say why it cannot be one."""
    tags_at = meta.get("tags column")
    tags = tuple(row[tags_at].split()) if tags_at is not None and tags_at < len(row) else ()
    fields = [(i, cell) for i, cell in enumerate(row) if i not in meta.values()]
    if len(fields) < 2:
        out.problems.append(
            LineProblem(line, f"a note needs a front and a back: this row has {len(fields)} field(s)")
        )
        return
    (_, front_raw), (_, back_raw) = fields[:2]
    front, back = (_text(cell, has_html) for cell in (front_raw, back_raw))
    if not front or not back:
        out.problems.append(LineProblem(line, f"the {'front' if not front else 'back'} is empty"))
        return
    cid = _add_card(out, taken, front, back, tags, line)
    for column, cell in fields[2:]:
        if _text(cell, has_html):
            name = columns[column] if column < len(columns) and columns[column] else f"column {column + 1}"
            out.losses.append(Loss(cid, f"the field '{name}' (a card has a front and a back only)"))
    raw = front_raw + back_raw
    if re.search(r"<img\b", raw, re.IGNORECASE):
        out.losses.append(Loss(cid, "an image"))
    if "[sound:" in raw:
        out.losses.append(Loss(cid, "a sound"))


def _text(cell: str, has_html: bool) -> str:
    """A field as text: with ``#html:true``, its tags dropped (line breaks kept) and entities read."""
    if not has_html:
        return cell.strip()
    cleaned = nh3.clean(_BREAKS.sub("\n", cell), tags=set())
    return "\n".join(" ".join(line.split()) for line in html.unescape(cleaned).splitlines()).strip()


def _add_card(out: Imported, taken: set[str], front: str, back: str, tags: tuple[str, ...], line: int) -> str:
    cid = make_id(taken, "", front, "card")
    card: dict[str, Any] = {"id": cid, "front": front, "back": back}
    if tags:
        card["tags"] = list(tags)
    out.cards.append(card)
    out.lines[cid] = line
    return cid
