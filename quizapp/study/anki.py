"""A bank's cards as an Anki deck (.apkg, written by genanki), with stable note ids so that
importing a newer export updates the notes instead of adding copies.

Anki matches what it imports by identity, and its own importer sets the rules (see the Anki section
of docs/study.md): notes by GUID (ours: the bank's slug and the card's id), the note type by id and
by the names of its fields and templates, and decks by *name* (it gives an imported deck an id of
its own). So the deck is named after the bank's slug, which a new title leaves alone, and the title
goes in the deck's description, which Anki updates on every import.
"""

from __future__ import annotations

import hashlib
import io
import random
import tempfile
from datetime import datetime
from html import escape
from pathlib import Path

import genanki

from quizapp.banks import Bank, citations_text
from quizapp.questions import Question
from quizapp.study.operations import bank_cards

# Anki tells a note type that changed apart from one it may update by the names of its fields and
# templates: renaming or adding one would leave every note already imported unchanged ("conflicting").
# What a front shows beside its prompt therefore goes in the Front field, as HTML.
FIELDS = [{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}, {"name": "Source"}]
CSS = (
    ".card { font-family: sans-serif; font-size: 20px; text-align: left; }"
    " .hint, .source { color: #57606a; font-size: 14px; }"
    " .nightMode .hint, .nightMode .source { color: #9198a1; }"  # Anki's dark theme
)
# Empty explanations and citations render nothing: Anki's {{#Field}} sections need the field filled.
BACK = (
    '{{FrontSide}}<hr id="answer">{{Back}}'
    "{{#Explanation}}<p>{{Explanation}}</p>{{/Explanation}}"
    '{{#Source}}<p class="source">{{Source}}</p>{{/Source}}'
)


def _stable_id(*parts: str) -> int:
    """A number that stays the same for the same parts in every export (Anki wants 31 bits here)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 | 1 << 30


#: One note type for every quizapp deck, its id fixed for good: re-imports keep matching it, and
#: an export of a later release updates its templates in the collections that hold it.
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
    still keeps from the learner downloading it). The deck is named after the bank's slug, so that
    a bank's new title never splits it in two in Anki."""
    description = "".join(f"<p>{_html(text)}</p>" for text in (bank.title, bank.description) if text)
    deck = genanki.Deck(_stable_id("quizapp", "deck", bank.slug), bank.slug, description)
    source = bank.source.title if bank.source else ""
    for card in bank_cards(bank).values():
        if card.id in leave_out:
            continue
        question = bank.questions.get(card.id)
        front = _html(card.front) + (_shown(bank.slug, question) if question else "")
        cite = f"{citations_text(card.source)} of {source}" if card.source and source else ""
        fields = [front, _html(card.back), _html(card.explanation), _html(cite)]
        deck.add_note(genanki.Note(model=MODEL, fields=fields, guid=note_guid(bank.slug, card.id)))
    return deck


def deck_file(bank: Bank, now: datetime, leave_out: frozenset[str] = frozenset()) -> io.BytesIO:
    """The bank's deck as .apkg bytes, its notes dated ``now``: Anki updates a note it already
    has only from an export dated later than its own copy."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(build_deck(bank, leave_out)).write_to_file(path, timestamp=now.timestamp())
        return io.BytesIO(path.read_bytes())


def _shown(bank_slug: str, question: Question) -> str:
    """The lists a learner reads beside the prompt before answering (``Question.front``), as HTML.
    Shuffled as a quiz would show them, by a draw seeded with the card's identity, so that every
    export shows a card the same way."""
    rng = random.Random(f"{bank_slug}\x1f{question.id}")  # noqa: S311 - an order to show, no secret
    html = ""
    for shown in question.presented(rng, shuffle=True).front():
        if shown.hint:
            html += f'<p class="hint">{_html(shown.hint)}</p>'
        items = "".join(f"<li>{_html(text)}</li>" for text in shown.texts)
        html += f'<ul class="{shown.kind}">{items}</ul>'
    return html


def _html(text: str) -> str:
    """Anki fields are HTML: escape the text, keep its line breaks."""
    return escape(text).replace("\n", "<br>")
