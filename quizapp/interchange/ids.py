"""Ids for imported questions and cards, made from their text: what the bank's ids allow
(letters, digits, ``-`` and ``_``, at most 100), unique within the import."""

from __future__ import annotations

import re
import unicodedata

#: Room left under the bank's 100 characters for a "-2" that makes an id unique.
_LONGEST = 60


def make_id(text: str, taken: set[str], fallback: str) -> str:
    """A slug of ``text`` ("Who signed?" → "who-signed"), or ``fallback`` where the text has no
    letters or digits, made unique against ``taken`` with "-2", "-3" …; added to ``taken``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_LONGEST].rstrip("-") or fallback
    made, number = slug, 1
    while made.lower() in taken:
        number += 1
        made = f"{slug}-{number}"
    taken.add(made.lower())
    return made
