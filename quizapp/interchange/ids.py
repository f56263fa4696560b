"""Ids for imported questions and cards, one rule for every format: the other tool's own name when
it is already a valid bank id, else a slug of the first words of the name or text, unique within the
bank being written (compared as the bank loader compares ids: case and all)."""

from __future__ import annotations

import re
import unicodedata

from quizapp.banks.loader import IDENT

#: The longest id kept or made: room under the bank's 100 characters for a "-2" that makes it unique.
LONGEST = 60
#: A slug keeps the text's first whole words up to this many characters.
_SLUG_WORDS = 40


def make_id(taken: set[str], name: str, text: str, fallback: str = "question") -> str:
    """An id for an item the other tool calls ``name`` ("" when it names none) whose prompt or
    front is ``text``: ``name`` itself when it is a valid id, else a slug of ``name``, else of
    ``text`` ("Who signed?" → "who-signed"), else ``fallback``; "-2", "-3" … added while ``taken``
    has it. Added to ``taken``."""
    own = name if len(name) <= LONGEST and IDENT.fullmatch(name) else ""
    base = own or slug(name) or slug(text) or fallback
    made, number = base, 1
    while made in taken:
        number += 1
        made = f"{base}-{number}"
    taken.add(made)
    return made


def slug(text: str) -> str:
    """``text``'s first words, ascii-folded and lowercase, joined by "-" up to 40 characters (a
    longer first word cut there); "" when it has no letter or digit."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    made = ""
    for word in words:
        if len(made) + len(word) + 1 > _SLUG_WORDS:
            break
        made = f"{made}-{word}" if made else word
    return made or (words[0][:_SLUG_WORDS] if words else "")
