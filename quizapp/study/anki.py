"""A bank's cards as an Anki deck (.apkg, written by genanki), with stable note ids so that
importing a newer export updates the notes instead of adding copies."""

from __future__ import annotations

import hashlib
import io
import tempfile
from html import escape
from pathlib import Path

import genanki

from quizapp.banks import Bank, citations_text
from quizapp.study.operations import bank_cards

FIELDS = [{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}, {"name": "Source"}]
CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; } .source { color: #57606a; font-size: 14px; }"
BACK = '{{FrontSide}}<hr id="answer">{{Back}}<p>{{Explanation}}</p><p class="source">{{Source}}</p>'


def _stable_id(*parts: str) -> int:
    """A number that stays the same for the same parts in every export (Anki wants 31 bits here)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 | 1 << 30


#: One note type for every quizapp deck: re-imports keep matching it.
MODEL = genanki.Model(
    _stable_id("quizapp", "model", "1"),
    "quizapp card",
    fields=FIELDS,
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": BACK}],
    css=CSS,
)


def note_guid(bank_slug: str, card_id: str) -> str:
    """The note's id in Anki: the card's identity, never its text, so edits update the note."""
    guid: str = genanki.guid_for("quizapp", bank_slug, card_id)
    return guid


def build_deck(bank: Bank, leave_out: frozenset[str] = frozenset()) -> genanki.Deck:
    """The bank's cards as a deck, without the ``leave_out`` ones (questions whose key a quiz
    still keeps from the learner downloading it)."""
    deck = genanki.Deck(_stable_id("quizapp", "deck", bank.slug), bank.title)
    source = bank.source.title if bank.source else ""
    for card in bank_cards(bank).values():
        if card.id in leave_out:
            continue
        cite = f"{citations_text(card.source)} of {source}" if card.source and source else ""
        fields = [_html(card.front), _html(card.back), _html(card.explanation), _html(cite)]
        deck.add_note(genanki.Note(model=MODEL, fields=fields, guid=note_guid(bank.slug, card.id)))
    return deck


def deck_file(bank: Bank, leave_out: frozenset[str] = frozenset()) -> io.BytesIO:
    """The bank's deck as .apkg bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(build_deck(bank, leave_out)).write_to_file(path)
        return io.BytesIO(path.read_bytes())


def _html(text: str) -> str:
    """Anki fields are HTML: escape the text, keep its line breaks."""
    return escape(text).replace("\n", "<br>")
